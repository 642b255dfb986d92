"""The workflow through the services: the lifecycle per kind, idempotent submits, decided once,
every refusal path, the clock that stops for corrections."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile

from htxso.core.models import AuditEntry
from htxso.core.mst import normalise_tax_code
from htxso.core.versions import StaleEdit
from htxso.registration import decisions, rules, services
from htxso.registration.models import Application, Certificate, DossierFile, Status
from htxso.registry.models import Membership, Organisation

from .conftest import PNG, complete, member_facts, upload


def _fresh(application: Application) -> Application:
    application.refresh_from_db()
    return application


def _approve(office, application: Application) -> Application:
    decisions.take(office, application.pk, _fresh(application).version)
    return decisions.approve(office, application.pk, _fresh(application).version)


@pytest.mark.parametrize("kind", list(rules.load().kinds))
def test_every_kind_goes_from_draft_to_the_registry(
    kind, founder, office_19, django_capture_on_commit_callbacks
):
    application = complete(founder, kind, name=f"Tổ chức thử {kind}")
    with django_capture_on_commit_callbacks(execute=True):
        services.submit(founder, application.pk, application.version)
        application = _approve(office_19, application)
    assert application.status == Status.APPROVED and application.organisation_id
    organisation = Organisation.objects.get(pk=application.organisation_id)
    assert organisation.kind == kind and organisation.province_id == "19"
    rule = rules.load().for_kind(kind)
    members = Membership.objects.filter(organisation=organisation).count()
    assert members == (max(rule.min_members, 1) if rule.founding_members else 0)
    certificate = Certificate.objects.get(organisation=organisation)
    if rule.issues_tax_code:
        assert organisation.tax_code == certificate.code == normalise_tax_code(certificate.code)
    else:
        assert organisation.tax_code is None and certificate.code.startswith("THT19-")
    actions = [e.action for e in application.events.all()]
    assert actions == ["start", "submit", "take", "approve"]
    subjects = [m.subject for m in mail.outbox]
    assert subjects[0].endswith("đã được tiếp nhận") and subjects[-1].endswith("được cấp đăng ký")
    assert mail.outbox[0].to == ["sanglap@example.vn"] and "Hạn giải quyết" in mail.outbox[0].body


def test_tax_codes_are_unique_and_valid(founder, office_19):
    codes = set()
    for i in range(3):
        application = complete(founder, name=f"Hợp tác xã số {i}")
        services.submit(founder, application.pk, application.version)
        codes.add(_approve(office_19, application).organisation.tax_code)
    assert len(codes) == 3
    assert all(normalise_tax_code(c) == c for c in codes)


def test_a_double_submit_is_one_submit(founder):
    application = complete(founder)
    first = services.submit(founder, application.pk, application.version)
    again = services.submit(founder, application.pk, application.version)
    assert first.version == again.version and again.status == Status.SUBMITTED
    assert application.events.filter(action="submit").count() == 1


def test_an_incomplete_dossier_is_refused_naming_what_is_missing(founder):
    application = services.start(founder, "cooperative", "19", name="HTX Thiếu")
    with pytest.raises(ValidationError) as refused:
        services.submit(founder, application.pk, application.version)
    text = " ".join(refused.value.messages)
    assert "Điều lệ" in text and "ít nhất 5 thành viên" in text and "xã/phường" in text
    assert _fresh(application).status == Status.DRAFT


def test_decided_once(founder, office_19):
    application = complete(founder)
    services.submit(founder, application.pk, application.version)
    application = _approve(office_19, application)
    for call in (
        lambda v: decisions.approve(office_19, application.pk, v),
        lambda v: decisions.refuse(office_19, application.pk, v, "Trùng tên"),
        lambda v: services.withdraw(founder, application.pk, v),
    ):
        with pytest.raises(ValidationError):
            call(_fresh(application).version)
    assert Organisation.objects.count() == 1


def test_a_stale_version_is_refused(founder):
    application = complete(founder)
    services.save_draft(founder, application.pk, application.version, street="Xóm Mới")
    with pytest.raises(StaleEdit):
        services.save_draft(founder, application.pk, application.version, street="Xóm Cũ")


def test_another_province_and_another_founder_reach_nothing(
    founder, founder_2, office_01, office_19
):
    application = complete(founder)
    with pytest.raises(Application.DoesNotExist):
        services.save_draft(founder_2, application.pk, application.version, name="Chiếm")
    services.submit(founder, application.pk, application.version)
    with pytest.raises(Application.DoesNotExist):
        decisions.take(office_01, application.pk, _fresh(application).version)
    with pytest.raises(PermissionDenied):
        services.start(office_19, "cooperative", "19")
    assert _fresh(application).status == Status.SUBMITTED


def test_a_submitted_application_cannot_be_edited(founder):
    application = complete(founder)
    services.submit(founder, application.pk, application.version)
    with pytest.raises(PermissionDenied):
        services.save_draft(founder, application.pk, _fresh(application).version, name="Đổi")


def test_refusals_need_a_reason_and_corrections_a_list(founder, office_19):
    application = complete(founder)
    services.submit(founder, application.pk, application.version)
    decisions.take(office_19, application.pk, _fresh(application).version)
    with pytest.raises(ValidationError):
        decisions.refuse(office_19, application.pk, _fresh(application).version, "  ")
    with pytest.raises(ValidationError):
        decisions.ask_corrections(office_19, application.pk, _fresh(application).version, "")
    refused = decisions.refuse(office_19, application.pk, _fresh(application).version, "Trùng tên")
    assert refused.status == Status.REFUSED and refused.decision_reason == "Trùng tên"
    assert not Organisation.objects.exists()


def test_corrections_stop_the_clock_and_a_resubmission_restarts_it(founder, office_19):
    application = complete(founder)
    services.submit(founder, application.pk, application.version)
    assert _fresh(application).due_on is not None
    decisions.take(office_19, application.pk, _fresh(application).version)
    returned = decisions.ask_corrections(
        office_19, application.pk, _fresh(application).version, "Bổ sung chữ ký vào điều lệ"
    )
    assert returned.status == Status.NEEDS_CORRECTION and returned.due_on is None
    upload(founder, application, "charter")  # the corrected file replaces the first one
    assert DossierFile.objects.filter(application=application, document="charter").count() == 1
    again = services.submit(founder, application.pk, _fresh(application).version)
    assert again.status == Status.RESUBMITTED and again.due_on is not None
    assert again.number == returned.number
    assert _approve(office_19, again).status == Status.APPROVED


def test_withdrawn_before_a_decision(founder, office_19):
    application = complete(founder)
    services.submit(founder, application.pk, application.version)
    withdrawn = services.withdraw(founder, application.pk, _fresh(application).version, "Đổi ý")
    assert withdrawn.status == Status.WITHDRAWN
    with pytest.raises(ValidationError):
        decisions.take(office_19, application.pk, withdrawn.version)


def test_the_office_cannot_withdraw_for_the_founder(founder, office_19):
    application = complete(founder)
    with pytest.raises((PermissionDenied, Application.DoesNotExist)):
        services.withdraw(office_19, application.pk, application.version)


def test_founding_members_are_checked_as_the_registry_checks_them(founder):
    application = services.start(founder, "cooperative", "19", name="HTX Kiểm tra")
    facts = member_facts(0)
    for bad in (
        {**facts, "cccd": "12345"},
        {**facts, "birth_date": dt.date(1990, 1, 1)},  # the CCCD says 1970
        {**facts, "full_name": " "},
    ):
        with pytest.raises(ValidationError):
            services.add_member(founder, application.pk, _fresh(application).version, **bad)
    services.add_member(founder, application.pk, _fresh(application).version, **facts)
    with pytest.raises(ValidationError):
        services.add_member(founder, application.pk, _fresh(application).version, **facts)
    assert application.members.count() == 1


def test_only_pdf_jpeg_png_by_their_bytes(founder):
    application = services.start(founder, "cooperative", "19", name="HTX Tệp")
    for data, name in (
        (b"MZ\x90\x00 an executable", "charter.pdf"),
        (b"<html><script>alert(1)</script>", "charter.pdf"),
        (PNG, "charter.pdf"),  # a PNG named .pdf
        (b"", "charter.pdf"),
    ):
        with pytest.raises(ValidationError):
            services.upload(
                founder,
                application.pk,
                _fresh(application).version,
                "charter",
                ContentFile(data),
                name,
            )
    with pytest.raises(ValidationError):
        services.upload(
            founder,
            application.pk,
            _fresh(application).version,
            "nonsense",
            ContentFile(PNG),
            "a.png",
        )
    assert not DossierFile.objects.exists()
    services.upload(
        founder,
        application.pk,
        _fresh(application).version,
        "charter",
        ContentFile(PNG),
        "dieu-le.png",
    )
    assert DossierFile.objects.get().content_kind == "png"


def test_a_file_over_the_limit_is_refused_and_not_kept(founder, settings):
    settings.REGISTRATION_MAX_FILE_BYTES = 1000
    application = services.start(founder, "cooperative", "19", name="HTX Tệp lớn")
    with pytest.raises(ValidationError, match="quá lớn"):
        services.upload(
            founder,
            application.pk,
            application.version,
            "charter",
            ContentFile(b"%PDF-" + b"x" * 2000),
            "charter.pdf",
        )
    stored = (
        list((settings.MEDIA_ROOT / "registration").rglob("*"))
        if settings.MEDIA_ROOT.exists()
        else []
    )
    assert not [p for p in stored if p.is_file()]


def test_an_approval_with_a_bad_member_writes_nothing(founder, office_19):
    application = complete(founder)
    services.submit(founder, application.pk, application.version)
    decisions.take(office_19, application.pk, _fresh(application).version)
    application.members.filter(pk=application.members.last().pk).update(birth_date=dt.date.today())
    with pytest.raises(ValidationError):
        decisions.approve(office_19, application.pk, _fresh(application).version)
    assert not Organisation.objects.exists() and not Certificate.objects.exists()
    assert _fresh(application).status == Status.IN_REVIEW


def test_every_step_is_audited(founder, office_19):
    application = complete(founder)
    services.submit(founder, application.pk, application.version)
    _approve(office_19, application)
    actions = set(
        AuditEntry.objects.filter(
            object_type="registration.application", object_id=str(application.pk)
        ).values_list("action", flat=True)
    )
    assert {"create", "submit", "take", "approve"} <= actions
