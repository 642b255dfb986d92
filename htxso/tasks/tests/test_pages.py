"""The pages and the API: the dashboard's figures and filters, a report refused with its
Vietnamese reason (422, nothing written), the secretariat's accept and return, the meeting pack,
the public page without internal comments, the inbox per role, the demo data."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from htxso.core import inbox
from htxso.tasks import services
from htxso.tasks.models import Directive, ProgressReport, ReportState, Task

from .conftest import one_off


@pytest.fixture
def world(directive, agencies, province_19, secretariat):
    today = services.today()
    overdue = one_off(
        directive, agencies["ubnd-19"], today - dt.timedelta(days=10), title="Quá hạn 19"
    )
    soon = one_off(directive, agencies["ubnd-19"], today + dt.timedelta(days=1), title="Sắp hạn 19")
    later = today + dt.timedelta(days=60)
    other = one_off(directive, agencies["ubnd-01"], later, title="Việc của thủ đô")
    report = services.report_progress(province_19, soon.pk, 1, "Nội bộ: còn thiếu kinh phí", 30)
    return {"overdue": overdue, "soon": soon, "other": other, "report": report}


def test_the_dashboard_counts_by_status_and_filters(client, world, province_19, secretariat):
    client.force_login(secretariat)
    page = client.get(reverse("tasks:dashboard"))
    assert page.status_code == 200
    assert page.content.decode().count("Quá hạn 19") == 1
    assert "Việc của thủ đô" in page.content.decode()
    overdue = client.get(reverse("tasks:dashboard"), {"status": "overdue"}).content.decode()
    assert "Quá hạn 19" in overdue and "Sắp hạn 19" not in overdue
    waiting = client.get(reverse("tasks:dashboard"), {"waiting": "on"}).content.decode()
    assert "Sắp hạn 19" in waiting and "Quá hạn 19" not in waiting
    client.force_login(province_19)
    mine = client.get(reverse("tasks:dashboard")).content.decode()
    assert "Quá hạn 19" in mine and "Việc của thủ đô" not in mine
    bad = client.get(reverse("tasks:dashboard"), {"status": "x", "sort": "'; drop"})
    assert bad.status_code == 200


def test_a_report_refused_keeps_what_was_typed_and_writes_nothing(client, world, province_19):
    client.force_login(province_19)
    task = world["overdue"]
    response = client.post(
        reverse("tasks:report", args=[task.pk]), {"version": 1, "text": "Đã làm", "percent": "150"}
    )
    assert response.status_code == 422
    assert "Đã làm" in response.content.decode()
    assert not ProgressReport.objects.filter(task=task).exists()
    response = client.post(
        reverse("tasks:report", args=[task.pk]), {"version": 9, "text": "Cũ", "percent": "10"}
    )
    assert response.status_code == 302  # stale: reload with a message
    assert not ProgressReport.objects.filter(task=task).exists()
    response = client.post(
        reverse("tasks:report", args=[task.pk]), {"version": 1, "text": "Đã làm", "percent": "60"}
    )
    assert response.status_code == 302
    assert ProgressReport.objects.get(task=task).percent == 60


def test_the_secretariat_returns_with_a_reason_and_accepts(client, world, secretariat):
    client.force_login(secretariat)
    report = world["report"]
    url = reverse("tasks:review", args=[report.pk, "return"])
    response = client.post(url, {"version": 1, "note": ""})
    assert response.status_code == 422
    assert "Hãy ghi lý do trả lại báo cáo." in response.content.decode()
    client.post(url, {"version": 1, "note": "Bổ sung số liệu"})
    report.refresh_from_db()
    assert report.state == ReportState.RETURNED


def test_the_meeting_pack_as_xlsx_and_pdf(client, world, province_19):
    client.force_login(province_19)
    response = client.get(reverse("tasks:pack", args=["xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    titles = [row[1] for row in sheet.iter_rows(min_row=3, values_only=True)]
    assert titles == ["Quá hạn 19", "Sắp hạn 19"]  # due and overdue, own province only
    pdf = client.get(reverse("tasks:pack", args=["pdf"]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert client.get("/tasks/pack.doc").status_code == 404


def test_the_public_page_shows_aggregates_and_no_internal_text(client, world):
    Directive.objects.create(
        number="KIN/1", issued_on=dt.date(2026, 1, 1), issuer="X", subject="Mật", public=False
    )
    page = client.get(reverse("tasks:public")).content.decode()
    assert "7470/VPCP-NN" in page and "KIN/1" not in page
    assert "còn thiếu kinh phí" not in page and "Quá hạn 19" not in page
    api = client.get("/api/v1/public/directives").json()
    assert [(d["number"], d["tasks"], d["overdue"]) for d in api] == [("7470/VPCP-NN", 3, 1)]


def test_the_api_lists_tasks_with_their_status(client, world, province_19):
    client.force_login(province_19)
    found = client.get("/api/v1/tasks", {"status": "overdue"}).json()
    assert [(t["title"], t["status"]) for t in found["items"]] == [("Quá hạn 19", "overdue")]
    assert client.get("/api/v1/tasks", {"status": "bogus"}).status_code == 422
    response = client.post(
        f"/api/v1/tasks/{world['overdue'].pk}/reports",
        {"version": 5, "text": "x", "percent": 5},
        content_type="application/json",
    )
    assert response.status_code == 409


def test_the_inbox_counts_what_awaits_each_role(world, province_19, province_01, secretariat):
    def titles(user):
        return {i.title: i.count for i in inbox.items_for(user) if i.source == "tasks"}

    assert titles(province_19) == {"1 nhiệm vụ quá hạn": 1, "1 nhiệm vụ sắp đến hạn": 1}
    assert titles(province_01) == {}  # nothing counted: nothing shown
    assert titles(secretariat) == {"1 báo cáo tiến độ chờ xem xét": 1}


def test_the_demo_data_runs_twice(db):
    call_command("demo_tasks")
    count = Task.objects.count()
    call_command("demo_tasks")
    assert Task.objects.count() == count >= 12
    assert Directive.objects.filter(number="7470/VPCP-NN").exists()


def test_the_cached_figures_follow_every_write(client, world, province_19, secretariat):
    from htxso.tasks import dashboards, status

    client.force_login(secretariat)
    client.get(reverse("tasks:dashboard"))
    tasks = Task.objects.visible_to(secretariat)
    today = services.today()
    before = dashboards.cached("overall", tasks, today, lambda: dashboards.overall(tasks, today))
    assert before[status.Status.OVERDUE] == 1
    task = world["overdue"]
    report = services.report_progress(province_19, task.pk, 1, "Xong", 100)
    services.review_report(secretariat, report.pk, 1, True)
    after = dashboards.cached("overall", tasks, today, lambda: dashboards.overall(tasks, today))
    assert after[status.Status.OVERDUE] == 0 and after[status.Status.DONE_LATE] == 1


def test_the_secretariat_enters_a_directive_and_gives_a_task_on_pages(
    client, agencies, secretariat, province_19
):

    client.force_login(province_19)
    assert client.get("/tasks/directives/new/").status_code == 403
    assert client.get("/tasks/new/").status_code == 403
    client.force_login(secretariat)
    assert "Nhập văn bản chỉ đạo" in client.get("/tasks/").content.decode()
    form = {
        "number": "12/KH-BCĐ",
        "issued_on": "05/13/2026",
        "issuer": "BCĐ",
        "subject": "Kế hoạch",
    }
    page = client.post("/tasks/directives/new/", form)
    assert page.status_code == 422 and "12/KH-BCĐ" in page.content.decode()
    assert not Directive.objects.exists()
    form["issued_on"] = "05/01/2026"
    page = client.post("/tasks/directives/new/", form)
    assert page.status_code == 302 and "directive=12%2FKH-BC" in page["Location"]
    page = client.post("/tasks/directives/new/", form)  # the number again
    assert page.status_code == 422 and "đã có" in page.content.decode()
    assert Directive.objects.count() == 1
    task = {
        "directive": "99/KHÔNG-CÓ",
        "title": "Báo cáo quý",
        "assignee": agencies["ubnd-19"].pk,
        "recurrence": "quarterly",
        "report_day": "5",
    }
    page = client.post("/tasks/new/", task)
    assert page.status_code == 422 and "Không có văn bản số 99/KHÔNG-CÓ" in page.content.decode()
    task["directive"] = "12/KH-BCĐ"
    page = client.post("/tasks/new/", task)  # a recurrence without its periods
    assert page.status_code == 422 and "kỳ đầu tiên và kỳ cuối cùng" in page.content.decode()
    assert not Task.objects.exists()
    task.update(
        starts_on="01/01/2026",
        ends_on="31/12/2026",
        coordinating=[agencies["bo-tc"].pk, agencies["lmhtx"].pk],
        lead=agencies["ubnd-19"].pk,
    )
    page = client.post("/tasks/new/", task)
    made = Task.objects.get()
    assert page.status_code == 302 and page["Location"].endswith(f"/tasks/{made.pk}/")
    assert made.period_start == dt.date(2026, 1, 1) and made.coordinating.count() == 2
    client.force_login(province_19)
    assert client.get(f"/tasks/{made.pk}/").status_code == 200
