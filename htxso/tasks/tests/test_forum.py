"""The yearly forum: an edition with its connection points, delegates, recommendations from a
cooperative, a union and a province, routed, answered, turned into a task; who sees what; the
pages' and the API's refusals (Vietnamese, nothing written); the inbox."""

import datetime as dt
import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile

from htxso.core.api import api
from htxso.core.inbox import items_for
from htxso.core.models import AuditEntry
from htxso.core.roles import Role
from htxso.registry.tests.conftest import make_user
from htxso.registry.tests.factories import OrganisationFactory
from htxso.tasks import services as tasks
from htxso.tasks import status
from htxso.tasks.forum import services
from htxso.tasks.forum.models import (
    ConnectionPoint,
    Delegate,
    Edition,
    Recommendation,
    RecState,
    Stage,
)
from htxso.tasks.forum.schemas import ForumEditionOut, RecommendationOut
from htxso.tasks.models import ProgressReport, Task

from .conftest import PDF

TODAY = dt.date.today()


@pytest.fixture
def edition(agencies: Any, secretariat: Any) -> Edition:
    return services.create_edition(
        secretariat,
        TODAY.year,
        "Chuyển đổi số HTX",
        TODAY + dt.timedelta(days=10)
        if (TODAY + dt.timedelta(days=10)).year == TODAY.year
        else TODAY,
        "Hà Nội",
        "08:00 Khai mạc\n\n09:00 Tham luận",
    )


@pytest.fixture
def cooperative(db: Any) -> Any:
    return OrganisationFactory(province_id="19", kind="cooperative")


@pytest.fixture
def manager(cooperative: Any) -> Any:
    return make_user("gd-htx", Role.COOPERATIVE_MANAGER, "19", organisation=cooperative)


def _raise(user: Any, edition: Edition, **extra: Any) -> Recommendation:
    values: dict[str, Any] = {
        "topic": "credit",
        "title": "Khó vay vốn",
        "difficulty": "Không có tài sản bảo đảm",
        "proposal": "Cho vay theo hợp đồng tiêu thụ",
    }
    values.update(extra)
    return services.raise_recommendation(user, edition.pk, **values)


def test_an_edition_has_one_connection_point_per_province(edition):
    points = ConnectionPoint.objects.filter(edition=edition)
    assert points.count() == 34
    assert points.get(province_id="19").host.startswith("Ủy ban nhân dân")
    assert edition.programme_lines() == ["08:00 Khai mạc", "09:00 Tham luận"]
    assert AuditEntry.objects.filter(action="create", object_type__icontains="edition").exists()


def test_only_the_secretariat_organises_and_a_year_once(edition, province_19, secretariat):
    with pytest.raises(PermissionDenied):
        services.create_edition(province_19, TODAY.year + 1, "X", TODAY, "Hà Nội")
    with pytest.raises(ValidationError) as caught:
        services.create_edition(secretariat, TODAY.year, "Lại", TODAY, "Hà Nội")
    assert "đã có" in caught.value.message_dict["year"][0]
    with pytest.raises(ValidationError) as caught:
        services.create_edition(secretariat, 2031, " ", dt.date(2030, 5, 1), "")
    assert set(caught.value.message_dict) == {"theme", "venue", "held_on"}
    assert Edition.objects.count() == 1


def test_recommendations_derive_who_raised_them_and_when(
    edition, manager, province_19, cooperative
):
    before = _raise(manager, edition, on=edition.held_on)
    assert (before.raiser_kind, before.organisation_id, before.province_id) == (
        "cooperative",
        cooperative.pk,
        "19",
    )
    assert before.stage == Stage.BEFORE and before.raiser_name == cooperative.name
    after = _raise(province_19, edition, on=edition.held_on + dt.timedelta(days=1))
    assert (after.raiser_kind, after.stage, after.organisation_id) == ("province", "after", None)
    union = OrganisationFactory(province_id="19", kind="cooperative_union")
    head = make_user("gd-lh", Role.COOPERATIVE_MANAGER, "19", organisation=union)
    assert _raise(head, edition).raiser_kind == "union"


def test_a_recommendation_refused_writes_nothing(edition, manager):
    with pytest.raises(ValidationError) as caught:
        _raise(manager, edition, topic="weather", title=" ", difficulty="", proposal="")
    assert set(caught.value.message_dict) == {"topic", "title", "difficulty", "proposal"}
    late = edition.held_on + dt.timedelta(days=services.AFTER_DAYS + 1)
    with pytest.raises(ValidationError) as caught:
        _raise(manager, edition, on=late)
    assert "chỉ nhận kiến nghị đến" in caught.value.messages[0]
    member = make_user("tv", Role.MEMBER)
    with pytest.raises(PermissionDenied):
        _raise(member, edition)
    assert Recommendation.objects.count() == 0


def test_routed_answered_and_turned_into_a_task_the_raiser_follows(
    edition, manager, secretariat, agencies, province_19
):
    rec = _raise(manager, edition)
    with pytest.raises(ValidationError):  # not routed yet
        services.answer(secretariat, rec.pk, rec.version, "Trả lời")
    with pytest.raises(PermissionDenied):
        services.route(manager, rec.pk, rec.version, agencies["bo-tc"].pk)
    rec = services.route(secretariat, rec.pk, rec.version, agencies["ubnd-19"].pk)
    assert rec.state == RecState.ROUTED
    hanoi = make_user("hn", Role.PROVINCIAL_OFFICER, "01")
    with pytest.raises(Recommendation.DoesNotExist):  # not Hà Nội's: not even seen
        services.answer(hanoi, rec.pk, rec.version, "Trả lời")
    with pytest.raises(PermissionDenied):  # the raiser does not answer itself
        services.answer(manager, rec.pk, rec.version, "Tự trả lời")
    with pytest.raises(ValidationError) as caught:
        services.answer(province_19, rec.pk, rec.version, "  ")
    assert "answer" in caught.value.message_dict
    rec = services.answer(province_19, rec.pk, rec.version, "Tỉnh đã chỉ đạo Quỹ hỗ trợ.")
    assert (rec.state, rec.answered_by_id) == (RecState.ANSWERED, province_19.pk)
    with pytest.raises(ValidationError) as caught:
        services.to_task(secretariat, rec.pk, rec.version, TODAY - dt.timedelta(days=1))
    assert "due_on" in caught.value.message_dict
    rec = services.to_task(secretariat, rec.pk, rec.version, TODAY + dt.timedelta(days=30))
    task = Task.objects.get(pk=rec.task_id)
    assert (task.assignee.code, task.title, task.directive.number) == (
        "ubnd-19",
        rec.title,
        f"KN-DĐ-{TODAY.year}",
    )
    with pytest.raises(ValidationError):  # one task per recommendation
        services.to_task(secretariat, rec.pk, rec.version, TODAY + dt.timedelta(days=30))
    # A second recommendation's task hangs on the same follow-up directive.
    other = _raise(province_19, edition)
    other = services.route(secretariat, other.pk, other.version, agencies["bo-tc"].pk)
    other = services.to_task(secretariat, other.pk, other.version, TODAY + dt.timedelta(days=9))
    assert Task.objects.get(pk=other.task_id).directive_id == task.directive_id


def test_stale_versions_are_refused(edition, manager, secretariat, agencies):
    from htxso.core.versions import StaleEdit

    rec = _raise(manager, edition)
    services.route(secretariat, rec.pk, rec.version, agencies["bo-tc"].pk)
    with pytest.raises(StaleEdit):
        services.route(secretariat, rec.pk, rec.version, agencies["bo-ct"].pk)


def test_who_sees_which_recommendation(edition, manager, province_19, secretariat, agencies):
    rec = _raise(manager, edition)
    other_org = make_user(
        "gd-khac",
        Role.COOPERATIVE_MANAGER,
        "19",
        organisation=OrganisationFactory(province_id="19"),
    )
    hanoi = make_user("hn2", Role.PROVINCIAL_OFFICER, "01")
    seen = lambda u: set(Recommendation.objects.visible_to(u).values_list("pk", flat=True))  # noqa: E731
    assert rec.pk in seen(manager) and rec.pk in seen(province_19) and rec.pk in seen(secretariat)
    assert (
        rec.pk not in seen(other_org)
        and rec.pk not in seen(hanoi)
        and rec.pk not in seen(None) | set()
    )
    # Routed to Hà Nội: Hà Nội's officer sees and answers it.
    rec = services.route(secretariat, rec.pk, rec.version, agencies["ubnd-01"].pk)
    assert rec.pk in seen(hanoi)
    rec = services.answer(hanoi, rec.pk, rec.version, "Trả lời công khai")
    from django.contrib.auth.models import AnonymousUser

    assert rec.pk in seen(AnonymousUser()) and rec.pk in seen(other_org)
    private = _raise(manager, edition)
    private = services.route(secretariat, private.pk, private.version, agencies["bo-tc"].pk)
    services.answer(secretariat, private.pk, private.version, "Nội bộ", public=False)
    assert private.pk not in seen(AnonymousUser()) and private.pk in seen(manager)


def test_delegates_by_the_province_and_by_a_cooperative_for_itself(
    edition, manager, province_19, cooperative
):
    point = ConnectionPoint.objects.get(edition=edition, province_id="19")
    other_point = ConnectionPoint.objects.get(edition=edition, province_id="01")
    d = services.register_delegate(
        province_19, point.pk, "Nguyễn Văn A", "Phó Giám đốc Sở", "Sở Tài chính", "agency"
    )
    own = services.register_delegate(manager, point.pk, "Trần Thị B", "Giám đốc", "bỏ qua", "other")
    assert (own.unit, own.kind, own.organisation_id) == (
        cooperative.name,
        "cooperative",
        cooperative.pk,
    )
    with pytest.raises(PermissionDenied):
        services.register_delegate(manager, other_point.pk, "C", "", "", "")
    with pytest.raises(PermissionDenied):
        services.register_delegate(province_19, other_point.pk, "C", "", "X", "other")
    with pytest.raises(ValidationError) as caught:
        services.register_delegate(province_19, point.pk, " ", "", "", "nobody")
    assert set(caught.value.message_dict) == {"name", "unit", "kind"}
    assert set(Delegate.objects.visible_to(manager)) == {own}
    assert set(Delegate.objects.visible_to(province_19)) == {d, own}
    point = services.update_point(
        province_19, point.pk, point.version, "Sở Tài chính", "Hội trường A", 120
    )
    assert point.attendance == 120
    with pytest.raises(ValidationError):
        services.update_point(province_19, point.pk, point.version, "", "", -1)


def test_delegates_close_once_the_forum_is_held(secretariat, agencies, province_19):
    past = services.create_edition(secretariat, 2024, "Năm trước", dt.date(2024, 9, 1), "Hà Nội")
    point = ConnectionPoint.objects.get(edition=past, province_id="19")
    with pytest.raises(ValidationError) as caught:
        services.register_delegate(province_19, point.pk, "A", "", "Sở", "agency")
    assert "đã diễn ra" in caught.value.messages[0]


def test_the_pages_raise_answer_and_show_the_progress_to_the_raiser(
    client, edition, manager, secretariat, province_19, agencies
):
    client.force_login(manager)
    page = client.post("/tasks/forum/recommendations/new/", {"topic": "", "title": "Chỉ tiêu đề"})
    assert page.status_code == 422
    assert "Chỉ tiêu đề" in page.content.decode()  # what was typed is kept
    assert Recommendation.objects.count() == 0
    page = client.post(
        "/tasks/forum/recommendations/new/",
        {"topic": "tax", "title": "Miễn thuế", "difficulty": "Thuế cao", "proposal": "Giảm thuế"},
    )
    rec = Recommendation.objects.get()
    assert page.status_code == 302 and page["Location"].endswith(f"/{rec.pk}/")
    client.force_login(secretariat)
    url = f"/tasks/forum/recommendations/{rec.pk}/"
    assert client.post(url + "route/", {"version": rec.version, "agency": ""}).status_code == 422
    client.post(url + "route/", {"version": rec.version, "agency": agencies["ubnd-19"].pk})
    rec.refresh_from_db()
    client.force_login(province_19)
    assert "answer-form" in client.get(url).content.decode()
    client.post(url + "answer/", {"version": rec.version, "answer": "Đã xử lý", "public": "on"})
    client.force_login(secretariat)
    rec.refresh_from_db()
    page = client.post(url + "task/", {"version": rec.version, "due_on": "31/12/1999"})
    assert page.status_code == 422 and "Hạn xử lý" in page.content.decode()
    due = (TODAY + dt.timedelta(days=40)).strftime("%d/%m/%Y")
    client.post(url + "task/", {"version": rec.version, "due_on": due})
    rec.refresh_from_db()
    task = Task.objects.get(pk=rec.task_id)
    report = tasks.report_progress(province_19, task.pk, task.version, "Đang làm", 35)
    tasks.review_report(secretariat, report.pk, report.version, True)
    client.force_login(manager)
    html = client.get(url).content.decode()
    assert "Đã xử lý" in html and "35%" in html and 'id="task-status"' in html
    assert "Đang làm" not in html  # the report's text stays internal
    assert ProgressReport.objects.count() == 1
    assert client.post(url + "route/", {"version": rec.version, "agency": 1}).status_code == 403
    assert client.post(url + "nothing/", {}).status_code == 403


def test_the_edition_page_and_the_list_are_public(client, edition, manager):
    _raise(manager, edition)
    page = client.get("/tasks/forum/", follow=True)
    html = page.content.decode()
    assert page.status_code == 200 and "Chuyển đổi số HTX" in html and "Thái Nguyên" in html
    page = client.get("/tasks/forum/recommendations/")
    assert page.status_code == 200 and "Khó vay vốn" not in page.content.decode()  # unanswered


def test_the_secretariat_creates_an_edition_and_adds_a_document_on_pages(
    client, secretariat, agencies
):
    client.force_login(secretariat)
    page = client.post("/tasks/forum/new/", {"year": "2027", "theme": "", "held_on": "32/13/2027"})
    assert page.status_code == 422 and Edition.objects.count() == 0
    client.post(
        "/tasks/forum/new/",
        {"year": "2027", "theme": "HTX xanh", "held_on": "15/09/2027", "venue": "Hà Nội"},
    )
    assert Edition.objects.get().points.count() == 34
    page = client.post(
        "/tasks/forum/2027/documents/",
        {"title": "Báo cáo đề dẫn", "file": ContentFile(PDF, name="de-dan.pdf")},
    )
    assert page.status_code == 302
    doc = Edition.objects.get().documents.get()
    assert client.get(f"/tasks/forum/documents/{doc.pk}/file/").status_code == 200
    page = client.post(
        "/tasks/forum/2027/documents/",
        {"title": "Lạ", "file": ContentFile(b"MZ\x00", name="x.pdf")},
    )
    assert page.status_code == 422


def test_the_api_raises_lists_answers_and_shows_the_task(
    client, edition, manager, secretariat, agencies
):
    client.force_login(manager)
    bad = client.post(
        "/api/v1/forum/recommendations",
        json.dumps(
            {"year": edition.year, "topic": "tax", "title": " ", "difficulty": "x", "proposal": "y"}
        ),
        content_type="application/json",
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "title"
    made = client.post(
        "/api/v1/forum/recommendations",
        json.dumps(
            {
                "year": edition.year,
                "topic": "tax",
                "title": "Thuế",
                "difficulty": "x",
                "proposal": "y",
            }
        ),
        content_type="application/json",
    )
    assert made.status_code == 201 and made.json()["raiser_kind"] == "cooperative"
    pk = made.json()["id"]
    client.force_login(secretariat)
    routed = client.post(
        f"/api/v1/forum/recommendations/{pk}/route",
        json.dumps({"version": 1, "agency_id": agencies["bo-tc"].pk}),
        content_type="application/json",
    )
    assert routed.status_code == 200 and routed.json()["state"] == "routed"
    stale = client.post(
        f"/api/v1/forum/recommendations/{pk}/answer",
        json.dumps({"version": 1, "answer": "Muộn"}),
        content_type="application/json",
    )
    assert stale.status_code == 409
    client.post(
        f"/api/v1/forum/recommendations/{pk}/answer",
        json.dumps({"version": 2, "answer": "Đã tiếp thu"}),
        content_type="application/json",
    )
    tasked = client.post(
        f"/api/v1/forum/recommendations/{pk}/task",
        json.dumps({"version": 3, "due_on": str(TODAY + dt.timedelta(days=5))}),
        content_type="application/json",
    )
    assert tasked.status_code == 200 and tasked.json()["task_status"] in (
        "on_track",
        "at_risk",
        "not_started",
    )
    client.force_login(manager)
    mine = client.get("/api/v1/forum/recommendations", {"mine": "true"}).json()["items"]
    assert [r["id"] for r in mine] == [pk] and mine[0]["answer"] == "Đã tiếp thu"
    client.logout()
    public = client.get("/api/v1/forum/editions").json()
    assert public[0]["year"] == edition.year and len(public[0]["points"]) == 34
    # Plain rows (#24 item 4) answer as the model instances did (the old builders below).
    assert public == [_old_edition(e) for e in Edition.objects.prefetch_related("points")[:20]]
    _raise(manager, edition)  # no agency, no task
    client.force_login(secretariat)
    listed = client.get("/api/v1/forum/recommendations").json()["items"]
    rows = Recommendation.objects.select_related("edition", "agency", "task")
    assert listed == [_old_recommendation(r) for r in rows.order_by("-raised_on", "-id")]
    assert {r["task_status"] is None for r in listed} == {True, False}
    for r in rows:
        one = client.get(f"/api/v1/forum/recommendations/{r.pk}").json()
        assert one == _old_recommendation(r)


def _answered(schema: Any, obj: Any) -> Any:
    dumped = schema.model_validate(obj).model_dump()
    return json.loads(api.renderer.render(None, dumped, response_status=200))  # type: ignore[arg-type]


def _old_edition(e: Edition) -> Any:
    """tasks/forum/api.py `editions` before #24 item 4."""
    points = [
        {"id": p.pk, "province": p.province_id, "host": p.host, "place": p.place,
         "attendance": p.attendance}
        for p in e.points.all()
    ]  # fmt: skip
    fields = {k: getattr(e, k) for k in ("id", "year", "theme", "held_on", "venue")}
    built = {**fields, "programme": e.programme_lines(), "points": points}
    return _answered(ForumEditionOut, built)


def _old_recommendation(r: Recommendation) -> Any:
    """tasks/forum/api.py `_out` before #24 item 4."""
    task = r.task
    built = {
        **{k: getattr(r, k) for k in RecommendationOut.model_fields if hasattr(r, k)},
        "year": r.edition.year,
        "agency": r.agency.name if r.agency else None,
        "task_status": status.of(task, tasks.today()).value if task else None,
        "task_percent": task.percent_done if task else None,
    }
    return _answered(RecommendationOut, built)


def test_the_inbox_tells_each_one_what_waits(edition, manager, province_19, secretariat, agencies):
    def titles(user: Any) -> list[str]:
        return [i.title for i in items_for(user) if i.source == "tasks"]

    rec = _raise(manager, edition)
    assert "1 kiến nghị chờ chuyển cơ quan trả lời" in titles(secretariat)
    rec = services.route(secretariat, rec.pk, rec.version, agencies["ubnd-19"].pk)
    assert "1 kiến nghị chờ tỉnh trả lời" in titles(province_19)
    assert not any(
        "kiến nghị" in t for t in titles(make_user("hn3", Role.PROVINCIAL_OFFICER, "01"))
    )
    services.answer(province_19, rec.pk, rec.version, "Xong")
    assert "1 kiến nghị của bạn đã có trả lời" in titles(manager)


def test_the_demo_forum_runs_twice(db):
    from django.core.management import call_command

    from htxso.registry.demo import create_demo_users

    create_demo_users()
    call_command("demo_tasks")
    first = Recommendation.objects.count()
    call_command("demo_tasks")
    assert Recommendation.objects.count() == first >= 3
    assert Recommendation.objects.filter(task__isnull=False).count() == 1
