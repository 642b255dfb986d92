"""The write path's unhappy paths first: scope (404), role (403), validation (Vietnamese, nothing
written), stale versions, a second pending report, self-review; then the audit trail."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile

from htxso.core.models import AuditEntry
from htxso.core.versions import StaleEdit
from htxso.tasks import services
from htxso.tasks.designations.models import Function
from htxso.tasks.designations.services import designate
from htxso.tasks.models import ProgressReport, ReportState, Task

from .conftest import PDF, one_off

DUE = dt.date(2026, 6, 30)


def test_a_province_cannot_report_on_another_provinces_task(
    directive, agencies, province_01, province_19
):
    task = one_off(directive, agencies["ubnd-19"], DUE)
    with pytest.raises(Task.DoesNotExist):
        services.report_progress(province_01, task.pk, 1, "Không phải của tôi", 50)
    assert not ProgressReport.objects.exists()
    assert Task.objects.visible_to(province_01).count() == 0
    assert Task.objects.visible_to(province_19).count() == 1


def test_a_central_officer_reports_only_for_the_ministry_they_are_focal_point_of(
    directive, agencies, ministry, secretariat
):
    theirs = one_off(directive, agencies["bo-tc"], DUE)
    other = one_off(directive, agencies["bo-ct"], DUE)
    services.report_progress(ministry, theirs.pk, 1, "Đang xây dựng", 30)
    with pytest.raises(PermissionDenied):
        services.report_progress(ministry, other.pk, 1, "Không phải bộ tôi", 30)
    with pytest.raises(PermissionDenied):  # the secretariat sees all, reports for none
        services.report_progress(secretariat, other.pk, 1, "Thay bộ", 30)


def test_only_the_secretariat_writes_directives_and_tasks(directive, agencies, province_19):
    with pytest.raises(PermissionDenied):
        services.create_directive(province_19, "1/CT-UBND", DUE, "UBND", "Chỉ thị")
    with pytest.raises(PermissionDenied):
        services.create_task(
            province_19, directive.pk, "Tự giao", agencies["ubnd-19"].pk, due_on=DUE
        )


def test_bad_input_is_refused_in_vietnamese_and_nothing_is_written(
    directive, agencies, secretariat
):
    before = Task.objects.count()
    with pytest.raises(ValidationError) as error:
        services.create_task(secretariat, directive.pk, " ", agencies["bo-tc"].pk)
    assert "Hãy nhập nội dung nhiệm vụ." in error.value.messages
    assert "Nhiệm vụ một lần cần có hạn." in error.value.messages
    with pytest.raises(ValidationError) as error:
        services.create_task(
            secretariat,
            directive.pk,
            "Báo cáo",
            agencies["bo-tc"].pk,
            recurrence="monthly",
            starts_on=dt.date(2027, 1, 1),
            ends_on=dt.date(2026, 1, 1),
        )
    assert "Kỳ cuối cùng phải sau kỳ đầu tiên." in error.value.messages
    with pytest.raises(ValidationError) as error:
        services.create_task(
            secretariat,
            directive.pk,
            "X",
            agencies["bo-tc"].pk,
            due_on=DUE,
            coordinating_ids=[999999],
        )
    assert "Có cơ quan phối hợp hoặc chủ trì không tồn tại." in error.value.messages
    with pytest.raises(ValidationError):
        services.create_directive(secretariat, "7470/VPCP-NN", DUE, "VPCP", "Trùng số")
    assert Task.objects.count() == before


def test_report_validation_stale_version_and_one_pending_at_a_time(
    directive, agencies, province_19
):
    task = one_off(directive, agencies["ubnd-19"], DUE)
    with pytest.raises(ValidationError) as error:
        services.report_progress(province_19, task.pk, 1, "", 120)
    assert set(error.value.message_dict) == {"text", "percent"}
    services.report_progress(province_19, task.pk, 1, "Lần 1", 20)
    with pytest.raises(StaleEdit):
        services.report_progress(province_19, task.pk, 1, "Lần 2", 30)
    with pytest.raises(ValidationError) as error:
        services.report_progress(province_19, task.pk, 2, "Lần 2", 30)
    assert "Báo cáo trước đang chờ Văn phòng xem xét." in error.value.messages
    assert ProgressReport.objects.count() == 1


def test_an_attachment_must_be_a_document(directive, agencies, province_19):
    task = one_off(directive, agencies["ubnd-19"], DUE)
    with pytest.raises(ValidationError):
        services.report_progress(
            province_19, task.pk, 1, "Kèm tệp", 10, ContentFile(b"MZ\x90"), "virus.pdf"
        )
    assert not ProgressReport.objects.exists()
    report = services.report_progress(
        province_19, task.pk, 1, "Kèm tệp", 10, ContentFile(PDF), "bao-cao.pdf"
    )
    assert report.filename == "bao-cao.pdf" and report.file.name


def test_review_rules(directive, agencies, province_19, secretariat, ministry):
    task = one_off(directive, agencies["ubnd-19"], DUE)
    report = services.report_progress(province_19, task.pk, 1, "Xong", 100)
    with pytest.raises(PermissionDenied):  # a focal point does not accept their own
        services.review_report(province_19, report.pk, 1, True)
    with pytest.raises(ValidationError) as error:
        services.review_report(secretariat, report.pk, 1, False, "  ")
    assert "Hãy ghi lý do trả lại báo cáo." in error.value.messages
    services.review_report(secretariat, report.pk, 1, False, "Bổ sung số liệu")
    with pytest.raises(StaleEdit):
        services.review_report(secretariat, report.pk, 1, True)
    with pytest.raises(ValidationError):
        services.review_report(secretariat, report.pk, 2, True)
    report.refresh_from_db()
    assert report.state == ReportState.RETURNED and report.review_note == "Bổ sung số liệu"
    own = one_off(directive, agencies["bo-tc"], DUE)
    mine = services.report_progress(ministry, own.pk, 1, "Bộ tự báo cáo", 50)
    with pytest.raises(PermissionDenied):  # a focal point accepts nothing, its own neither
        services.review_report(ministry, mine.pk, 1, True)
    designate(None, ministry.pk, Function.SECRETARIAT)  # also in the secretariat: not its own
    with pytest.raises(PermissionDenied, match="tự duyệt"):
        services.review_report(ministry, mine.pk, 1, True)


def test_every_write_is_audited(directive, agencies, province_19, secretariat):
    task = one_off(directive, agencies["ubnd-19"], DUE)
    report = services.report_progress(province_19, task.pk, 1, "Xong", 100)
    services.review_report(secretariat, report.pk, 1, True)
    entries = AuditEntry.objects.filter(object_type__startswith="tasks.").exclude(
        object_type="tasks.designation"  # the fixtures' designations
    )
    kinds = list(entries.values_list("object_type", "action").order_by("id"))
    assert kinds == [
        ("tasks.directive", "create"),
        ("tasks.task", "create"),
        ("tasks.progressreport", "create"),
        ("tasks.task", "update"),
        ("tasks.progressreport", "update"),
        ("tasks.task", "update"),
    ]
    assert AuditEntry.objects.filter(actor=secretariat).count() == 2
    with pytest.raises(ValidationError):  # a completed task takes no more reports
        task.refresh_from_db()
        services.report_progress(province_19, task.pk, task.version, "Thêm", 100)
