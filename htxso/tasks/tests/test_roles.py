"""Separate roles in the follow-up (designations): only the secretariat gives tasks, accepts or
returns reports and routes recommendations; the committee and a central officer without a
designation read everything and write nothing (403 on every write, page and API); a ministry's
focal point reports on its ministry's tasks and answers what is routed to it, and nothing
else; designations are named and ended only by the secretariat or the system admin, with
audit and versions; what waits for the secretariat goes to the secretariat only."""

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from htxso.core import inbox
from htxso.core.models import AuditEntry
from htxso.core.roles import Role
from htxso.core.scoping import Action, Kind, designations_of, may
from htxso.core.tokens import issue_token
from htxso.core.versions import StaleEdit
from htxso.registry.tests.conftest import make_user
from htxso.registry.tests.test_api import bearer
from htxso.tasks import services
from htxso.tasks.designations import services as designations
from htxso.tasks.designations.models import Designation, Function
from htxso.tasks.forum import services as forum
from htxso.tasks.models import Directive, ProgressReport, Task

from .conftest import one_off

DUE = dt.date.today() + dt.timedelta(days=40)


@pytest.fixture
def tasks(directive: Any, agencies: Any) -> dict[str, Task]:
    return {
        "bo-tc": one_off(directive, agencies["bo-tc"], DUE, title="Việc của Bộ Tài chính"),
        "bo-ct": one_off(directive, agencies["bo-ct"], DUE, title="Việc của Bộ Công Thương"),
        "ubnd-19": one_off(directive, agencies["ubnd-19"], DUE, title="Việc của Thái Nguyên"),
    }


def test_only_the_secretariat_gives_tasks_and_reviews(
    directive, agencies, tasks, secretariat, committee, central, ministry
):
    for user in (committee, central, ministry):
        with pytest.raises(PermissionDenied):
            services.create_directive(user, "9/BCĐ", DUE, "BCĐ", "Không được")
        with pytest.raises(PermissionDenied):
            services.create_task(user, directive.pk, "Không được", agencies["bo-tc"].pk, due_on=DUE)
    made = services.create_task(secretariat, directive.pk, "Được", agencies["bo-tc"].pk, due_on=DUE)
    report = services.report_progress(ministry, made.pk, 1, "Đã làm một nửa", 50)
    for user in (committee, central, ministry):
        with pytest.raises(PermissionDenied):
            services.review_report(user, report.pk, report.version, True)
    assert services.review_report(secretariat, report.pk, report.version, True).state == "accepted"
    assert not Directive.objects.filter(number="9/BCĐ").exists()


def test_the_committee_and_a_plain_central_officer_read_all_and_write_nothing(
    tasks, committee, central, province_19
):
    for user in (committee, central):
        assert Task.objects.visible_to(user).count() == 3
        assert not Task.objects.editable_by(user).exists()
        with pytest.raises(PermissionDenied):
            services.report_progress(user, tasks["ubnd-19"].pk, 1, "Không được", 10)
        assert not may(user, Action.CREATE, Kind.TASK)
        assert not may(user, Action.RELEASE, Kind.FORUM)
    assert not ProgressReport.objects.exists()
    # A province's officer is its province's focal point by role, as before.
    services.report_progress(province_19, tasks["ubnd-19"].pk, 1, "Tỉnh báo cáo", 20)


def test_a_focal_point_reports_on_its_agency_only(tasks, ministry):
    assert set(Task.objects.editable_by(ministry)) == {tasks["bo-tc"]}
    services.report_progress(ministry, tasks["bo-tc"].pk, 1, "Bộ báo cáo", 40)
    for other in ("bo-ct", "ubnd-19"):
        with pytest.raises(PermissionDenied):
            services.report_progress(ministry, tasks[other].pk, 1, "Không được", 40)


def test_designations_are_named_and_ended_by_the_secretariat_with_audit(
    tasks, secretariat, committee, central, agencies
):
    officer = make_user("can-bo-bo-ct", Role.CENTRAL_OFFICER)
    for user in (committee, central, officer):
        with pytest.raises(PermissionDenied):
            designations.designate(user, officer.pk, Function.FOCAL_POINT, agencies["bo-ct"].pk)
    found = designations.designate(
        secretariat, officer.pk, Function.FOCAL_POINT, agencies["bo-ct"].pk, note="QĐ 12/QĐ-BCĐ"
    )
    assert found.assigned_by == secretariat
    assert AuditEntry.objects.filter(object_type="tasks.designation", action="create").exists()
    # In force at once, for the same user object too (the cache follows writes).
    assert may(officer, Action.EDIT, tasks["bo-ct"])
    services.report_progress(officer, tasks["bo-ct"].pk, 1, "Bộ Công Thương báo cáo", 30)
    with pytest.raises(PermissionDenied):
        designations.end(committee, found.pk, found.version)
    with pytest.raises(StaleEdit):
        designations.end(secretariat, found.pk, found.version + 1)
    ended = designations.end(secretariat, found.pk, found.version, "Chuyển công tác")
    assert ended.ends_on == dt.date.today() and ended.ended_by == secretariat
    assert not may(officer, Action.EDIT, tasks["bo-ct"])
    with pytest.raises(ValidationError, match="đã kết thúc"):
        designations.end(secretariat, ended.pk, ended.version)
    assert AuditEntry.objects.filter(object_type="tasks.designation", action="update").count() == 1


@pytest.mark.parametrize(
    ("role", "province", "function", "agency", "message"),
    [
        (Role.PROVINCIAL_OFFICER, "19", "secretariat", None, "cán bộ trung ương"),
        (Role.COOPERATIVE_MANAGER, "19", "committee", None, "cán bộ trung ương hoặc cán bộ tỉnh"),
        (Role.CENTRAL_OFFICER, None, "focal_point", None, "Hãy chọn cơ quan"),
        (Role.CENTRAL_OFFICER, None, "focal_point", "ubnd-19", "cán bộ của chính tỉnh"),
        (Role.PROVINCIAL_OFFICER, "01", "focal_point", "ubnd-19", "cán bộ của chính tỉnh"),
        (Role.PROVINCIAL_OFFICER, "19", "focal_point", "bo-tc", "Đầu mối của bộ, ngành"),
        (Role.CENTRAL_OFFICER, None, "committee", "bo-tc", "Chỉ đầu mối"),
        (Role.CENTRAL_OFFICER, None, "chairman", None, "Vai trò không hợp lệ"),
    ],
)
def test_a_designation_refused_says_why_and_writes_nothing(
    secretariat, agencies, role, province, function, agency, message
):
    user = make_user("nguoi-duoc-giao", role, province)
    with pytest.raises(ValidationError, match=message):
        designations.designate(
            secretariat, user.pk, function, agencies[agency].pk if agency else None
        )
    assert not Designation.objects.filter(user=user).exists()


def test_twice_the_same_and_dates_are_refused(secretariat, committee):
    with pytest.raises(ValidationError, match="đã được phân công"):
        designations.designate(secretariat, committee.pk, Function.COMMITTEE)
    later = make_user("uy-vien-moi", Role.CENTRAL_OFFICER)
    with pytest.raises(ValidationError, match="sau ngày hiệu lực"):
        designations.designate(
            secretariat, later.pk, Function.COMMITTEE, None, DUE, DUE - dt.timedelta(days=1)
        )
    # One that starts later is not in force yet.
    designations.designate(secretariat, later.pk, Function.COMMITTEE, None, DUE)
    assert designations_of(later).functions == frozenset()


def test_the_secretariat_does_not_end_its_own(secretariat):
    own = Designation.objects.get(user=secretariat)
    with pytest.raises(ValidationError, match="Không tự kết thúc"):
        designations.end(secretariat, own.pk, own.version)
    admin = make_user("quan-tri", Role.SYSTEM_ADMIN, is_superuser=True, is_staff=True)
    designations.end(admin, own.pk, own.version)
    assert not may(secretariat, Action.CREATE, Kind.TASK)


def test_a_committee_member_from_a_province_reads_every_province(tasks, secretariat):
    member = make_user("chu-tich-19", Role.PROVINCIAL_OFFICER, "19")
    assert Task.objects.visible_to(member).count() == 1
    designations.designate(secretariat, member.pk, Function.COMMITTEE)
    assert Task.objects.visible_to(member).count() == 3
    assert set(Task.objects.editable_by(member)) == {tasks["ubnd-19"]}


def test_pages_give_the_committee_no_write_buttons_and_403(client, tasks, committee, ministry):
    report = services.report_progress(ministry, tasks["bo-tc"].pk, 1, "Bộ báo cáo", 40)
    client.force_login(committee)
    page = client.get(reverse("tasks:task", args=[tasks["bo-tc"].pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Bộ báo cáo" in html
    assert reverse("tasks:report", args=[tasks["bo-tc"].pk]) not in html
    assert "/accept/" not in html and "/return/" not in html
    dashboard = client.get(reverse("tasks:dashboard")).content.decode()
    assert reverse("tasks:task-new") not in dashboard
    writes = [
        (
            reverse("tasks:report", args=[tasks["bo-tc"].pk]),
            {"version": 2, "text": "x", "percent": "5"},
        ),
        (reverse("tasks:review", args=[report.pk, "accept"]), {"version": report.version}),
        (reverse("tasks:directive-new"), {"number": "X/1", "issuer": "x", "subject": "x"}),
        (reverse("tasks:task-new"), {}),
        (reverse("tasks:forum-new"), {}),
        (reverse("tasks:designation-new"), {}),
    ]
    for url, body in writes:
        assert client.post(url, body).status_code == 403, url
    assert ProgressReport.objects.count() == 1


def test_the_api_refuses_the_committee_every_write(client, tasks, directive, committee, ministry):
    headers = bearer(issue_token(None, committee, "t"))
    report = services.report_progress(ministry, tasks["bo-tc"].pk, 1, "Bộ báo cáo", 40)
    assert client.get("/api/v1/tasks", **headers).status_code == 200
    for path, body in (
        (
            "/api/v1/directives",
            {"number": "X", "issued_on": "2026-01-05", "issuer": "x", "subject": "x"},
        ),
        (
            "/api/v1/tasks",
            {"directive_id": directive.pk, "title": "x", "assignee_id": 1, "due_on": "2026-09-30"},
        ),
        (f"/api/v1/tasks/{tasks['bo-tc'].pk}/reports", {"version": 2, "text": "x", "percent": 5}),
        (
            f"/api/v1/task-reports/{report.pk}/review",
            {"version": report.version, "action": "accept"},
        ),
        ("/api/v1/designations", {"user_id": committee.pk, "function": "committee"}),
    ):
        response = client.post(path, body, content_type="application/json", **headers)
        assert response.status_code == 403, (path, response.content)


def test_the_secretariat_designates_on_the_page_and_the_api(client, secretariat, agencies):
    officer = make_user("dau-moi-bo-ct", Role.CENTRAL_OFFICER)
    client.force_login(secretariat)
    bad = client.post(
        reverse("tasks:designation-new"), {"user": officer.pk, "function": "focal_point"}
    )
    assert bad.status_code == 422 and "Hãy chọn cơ quan" in bad.content.decode()
    done = client.post(
        reverse("tasks:designation-new"),
        {"user": officer.pk, "function": "focal_point", "agency": agencies["bo-ct"].pk},
    )
    assert done.status_code == 302
    listing = client.get(reverse("tasks:designations")).content.decode()
    assert "dau-moi-bo-ct" in listing and "Bộ Công Thương" in listing
    headers = bearer(issue_token(None, secretariat, "t"))
    made = client.post(
        "/api/v1/designations",
        {"user_id": officer.pk, "function": "committee"},
        content_type="application/json",
        **headers,
    )
    assert made.status_code == 201 and made.json()["active"] is True
    unknown = client.post(
        "/api/v1/designations",
        {"user_id": officer.pk, "function": "focal_point", "agency": "khong-co"},
        content_type="application/json",
        **headers,
    )
    assert unknown.status_code == 422
    pk = made.json()["id"]
    stale = client.post(
        f"/api/v1/designations/{pk}/end", {"version": 9}, content_type="application/json", **headers
    )
    assert stale.status_code == 409
    ended = client.post(
        f"/api/v1/designations/{pk}/end", {"version": 1}, content_type="application/json", **headers
    )
    assert ended.status_code == 200 and ended.json()["active"] is False


def test_a_focal_point_answers_what_is_routed_to_its_ministry(
    secretariat, committee, central, ministry, agencies
):
    edition = forum.create_edition(secretariat, 2091, "Chủ đề", dt.date(2091, 6, 1), "Hà Nội")
    rec = forum.raise_recommendation(secretariat, edition.pk, "tax", "Thuế", "Cao", "Giảm")
    for user in (committee, central, ministry):
        with pytest.raises(PermissionDenied):
            forum.route(user, rec.pk, rec.version, agencies["bo-tc"].pk)
    rec = forum.route(secretariat, rec.pk, rec.version, agencies["bo-ct"].pk)
    with pytest.raises(PermissionDenied):
        forum.answer(ministry, rec.pk, rec.version, "Không phải bộ mình")
    rec = forum.route(secretariat, rec.pk, rec.version, agencies["bo-tc"].pk)
    for user in (committee, central):
        with pytest.raises(PermissionDenied):
            forum.answer(user, rec.pk, rec.version, "Không được")
    rec = forum.answer(ministry, rec.pk, rec.version, "Bộ Tài chính trả lời")
    assert rec.answered_by == ministry


def test_what_waits_for_the_secretariat_goes_to_the_secretariat_only(
    tasks, secretariat, committee, central, ministry
):
    services.report_progress(ministry, tasks["bo-tc"].pk, 1, "Bộ báo cáo", 40)

    def reviews(user: Any) -> int:
        return sum(
            i.count for i in inbox.items_for(user) if i.source == "tasks" and i.kind == "review"
        )

    assert reviews(secretariat) == 1
    assert reviews(committee) == reviews(central) == reviews(ministry) == 0
