"""Separate roles in a real Chromium (Playwright, /usr/bin/chromium): a member of the committee
sees the tasks and a report waiting but no button to write, and a direct POST (its own session
and CSRF token) is refused with 403; the secretariat names a central officer the Ministry of
Finance's focal point on the designations page; that officer then reports progress on the
ministry's task. Screenshots go to var/screenshots/tasks-roles-*.png."""

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings

from htxso.core.tests.browser import CHROMIUM_ARGS, chromium_path, sign_in  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
PASSWORD = "mat-khau-thu-nghiem-123"
TITLE = "Hướng dẫn chính sách thuế đối với hợp tác xã"
DESK = {"width": 1366, "height": 900}


@pytest.fixture
def world(live_server, settings, tmp_path):  # type: ignore[no-untyped-def]
    from htxso.core.roles import Role
    from htxso.core.tests.units_snapshot import restore_units
    from htxso.registry.tests.conftest import make_user
    from htxso.tasks import services
    from htxso.tasks.designations.models import Function
    from htxso.tasks.designations.services import designate
    from htxso.tasks.models import Agency
    from htxso.tasks.reference import ensure_agencies

    settings.MEDIA_ROOT = tmp_path
    restore_units()
    ensure_agencies()
    office = make_user("van-phong", Role.CENTRAL_OFFICER)
    designate(None, office.pk, Function.SECRETARIAT)
    member = make_user("ban-chi-dao", Role.CENTRAL_OFFICER)
    designate(None, member.pk, Function.COMMITTEE)
    officer = make_user("can-bo-bo-tc", Role.CENTRAL_OFFICER, first_name="Lê Văn Đầu Mối")
    province = make_user("dau-moi-19", Role.PROVINCIAL_OFFICER, "19")
    directive = services.create_directive(
        None, "7470/VPCP-NN", dt.date(2022, 12, 30), "Văn phòng Chính phủ", "Kết luận"
    )
    due = services.today() + dt.timedelta(days=30)
    ministry = services.create_task(
        None, directive.pk, TITLE, Agency.objects.get(code="bo-tc").pk, due_on=due
    )
    provincial = services.create_task(
        None, directive.pk, "Rà soát HTX", Agency.objects.get(province_id="19").pk, due_on=due
    )
    report = services.report_progress(province, provincial.pk, 1, "Đã rà soát 120 HTX", 60)
    return {"ministry": ministry, "provincial": provincial, "report": report, "officer": officer}


def test_the_committee_reads_and_the_secretariat_names_a_focal_point_who_reports(
    chromium_path,  # noqa: F811
    live_server,
    world,
):
    from playwright.sync_api import expect, sync_playwright

    from htxso.tasks.models import ProgressReport

    base = live_server.url
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    task, report = world["provincial"], world["report"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        expect.set_options(timeout=30_000)  # a loaded shared machine: the pages are slow
        context = browser.new_context(locale="vi-VN", viewport=DESK)
        context.set_default_timeout(120_000)
        page = context.new_page()
        sign_in(page, base, "ban-chi-dao")
        page.goto(f"{base}/tasks/")
        expect(page.get_by_role("link", name=TITLE)).to_be_visible()
        expect(page.get_by_role("link", name="Giao nhiệm vụ")).to_have_count(0)
        page.get_by_role("link", name="Rà soát HTX").click()
        expect(page.get_by_text("Đã rà soát 120 HTX")).to_be_visible()
        expect(page.get_by_role("button", name="Chấp nhận")).to_have_count(0)
        expect(page.get_by_role("button", name="Gửi báo cáo")).to_have_count(0)
        page.screenshot(path=str(SCREENSHOTS / "tasks-roles-committee.png"), full_page=True)
        token = next(c["value"] for c in context.cookies() if c["name"] == "csrftoken")
        refused = page.request.post(
            f"{base}/tasks/reports/{report.pk}/review/accept/",
            form={"version": str(report.version), "note": "", "csrfmiddlewaretoken": token},
            headers={"X-CSRFToken": token, "Referer": f"{base}/tasks/{task.pk}/"},
        )
        assert refused.status == 403
        page.goto(f"{base}/tasks/designations/")
        expect(page.get_by_role("link", name="Phân công", exact=True)).to_have_count(0)
        context.close()

        context = browser.new_context(locale="vi-VN", viewport=DESK)
        context.set_default_timeout(120_000)
        desk = context.new_page()
        sign_in(desk, base, "van-phong")
        desk.goto(f"{base}/tasks/designations/")
        desk.get_by_role("link", name="Phân công", exact=True).click()
        desk.select_option("#id_user", str(world["officer"].pk))
        desk.select_option("#id_function", "focal_point")
        desk.select_option("#id_agency", label="Bộ Tài chính")
        desk.fill("#id_note", "Quyết định 15/QĐ-BCĐ")
        desk.get_by_role("button", name="Lưu").click()
        expect(desk.get_by_text("Đã phân công vai trò.")).to_be_visible()
        expect(desk.locator("main")).to_contain_text("Lê Văn Đầu Mối")
        desk.screenshot(path=str(SCREENSHOTS / "tasks-roles-designations.png"), full_page=True)
        context.close()

        context = browser.new_context(locale="vi-VN", viewport=DESK)
        context.set_default_timeout(120_000)
        mine = context.new_page()
        sign_in(mine, base, "can-bo-bo-tc")
        mine.goto(f"{base}/tasks/{world['ministry'].pk}/")
        mine.fill("#id_text", "Đã dự thảo hướng dẫn, lấy ý kiến các tỉnh.")
        mine.fill("#id_percent", "40")
        mine.get_by_role("button", name="Gửi báo cáo").click()
        expect(mine.locator(".report-state").first).to_have_text("Chờ Văn phòng xem xét")
        mine.screenshot(path=str(SCREENSHOTS / "tasks-roles-focal-point.png"), full_page=True)
        browser.close()
    # (the ORM outside Playwright's event loop) The refused POST wrote nothing; the focal
    # point's report waits for the secretariat.
    assert ProgressReport.objects.get(pk=report.pk).state == "submitted"
    assert ProgressReport.objects.filter(task=world["ministry"], author=world["officer"]).exists()
