"""A province reports progress and the secretariat accepts it, in a real Chromium (Playwright,
/usr/bin/chromium): Thái Nguyên's focal point opens its overdue task from the dashboard,
reports 100 % with a PDF attached (a refused percent first, its Vietnamese reason shown);
the secretariat sees the report waiting, accepts it; the task shows done. Screenshots (1366×900
and the province's phone, 390×844) go to var/screenshots/tasks-*.png."""

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings

from htxso.core.tests.browser import CHROMIUM_ARGS, PHONE, chromium_path, sign_in  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
PASSWORD = "mat-khau-thu-nghiem-123"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def task(live_server, settings, tmp_path):  # type: ignore[no-untyped-def]
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
    make_user("dau-moi-19", Role.PROVINCIAL_OFFICER, "19")
    office = make_user("van-phong", Role.CENTRAL_OFFICER)
    designate(None, office.pk, Function.SECRETARIAT)
    directive = services.create_directive(
        None, "125/KH-BCĐ", dt.date(2026, 1, 15), "BCĐ tỉnh Thái Nguyên", "Kế hoạch năm"
    )
    return services.create_task(
        None,
        directive.pk,
        "Rà soát, giải thể các HTX ngừng hoạt động",
        Agency.objects.get(province_id="19").pk,
        due_on=services.today() - dt.timedelta(days=3),
        expected_output="Danh sách HTX ngừng hoạt động",
    )


def test_a_province_reports_and_the_secretariat_accepts(
    chromium_path,  # noqa: F811
    live_server,
    task,
    tmp_path,
):
    from playwright.sync_api import expect, sync_playwright

    base = live_server.url
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    attachment = tmp_path / "bao-cao-tien-do.pdf"
    attachment.write_bytes(PDF)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        province = browser.new_context(locale="vi-VN", viewport=PHONE, is_mobile=True)
        page = province.new_page()
        sign_in(page, base, "dau-moi-19")
        page.goto(f"{base}/tasks/?status=overdue")
        page.get_by_role("link", name="Rà soát, giải thể các HTX ngừng hoạt động").click()
        expect(page.locator("#status")).to_have_text("Quá hạn")
        page.fill("#id_text", "Đã rà soát 180/180 HTX; trình UBND tỉnh quyết định giải thể 42 HTX.")
        page.fill("#id_percent", "120")
        page.get_by_role("button", name="Gửi báo cáo").click()
        expect(page.locator("#report-form")).to_contain_text("100")
        page.fill("#id_percent", "100")
        page.set_input_files("#id_file", str(attachment))
        page.get_by_role("button", name="Gửi báo cáo").click()
        expect(page.locator(".report-state").first).to_have_text("Chờ Văn phòng xem xét")
        page.screenshot(path=str(SCREENSHOTS / "tasks-province-phone.png"), full_page=True)

        office = browser.new_context(locale="vi-VN", viewport={"width": 1366, "height": 900})
        desk = office.new_page()
        sign_in(desk, base, "van-phong")
        expect(desk.get_by_text("1 báo cáo tiến độ chờ xem xét")).to_be_visible()
        desk.goto(f"{base}/tasks/?waiting=on")
        desk.screenshot(path=str(SCREENSHOTS / "tasks-dashboard.png"), full_page=True)
        desk.get_by_role("link", name="Rà soát, giải thể các HTX ngừng hoạt động").click()
        expect(desk.get_by_role("link", name="Tệp đính kèm: bao-cao-tien-do.pdf")).to_be_visible()
        desk.get_by_role("button", name="Chấp nhận").click()
        expect(desk.locator(".report-state").first).to_have_text("Đã chấp nhận")
        expect(desk.locator("#status")).to_have_text("Hoàn thành quá hạn")
        expect(desk.locator("#percent")).to_have_text("100%")
        desk.screenshot(path=str(SCREENSHOTS / "tasks-accepted.png"), full_page=True)
        desk.goto(f"{base}/tasks/scorecard/")
        desk.screenshot(path=str(SCREENSHOTS / "tasks-scorecard.png"), full_page=True)
        desk.goto(f"{base}/tasks/public/")
        expect(desk.locator("#directives")).not_to_contain_text("180/180")
        desk.screenshot(path=str(SCREENSHOTS / "tasks-public.png"), full_page=True)
        browser.close()
