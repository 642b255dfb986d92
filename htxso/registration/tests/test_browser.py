"""A founder applies and an officer approves, in a real Chromium (Playwright, /usr/bin/chromium):
start a tổ hợp tác's application, fill it in, list two founding members, upload the three
documents, submit; the office's queue shows it with its deadline in working days; the officer
takes it and approves; the founder's page shows the certificate. Screenshots (1366×900 and the
founder's phone, 390×844) go to var/screenshots/registration-*.png."""

from pathlib import Path

import pytest
from django.conf import settings

from htxso.core.tests.browser import CHROMIUM_ARGS, PHONE, chromium_path, sign_in  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
PASSWORD = "mat-khau-thu-nghiem-123"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def people(live_server, settings, tmp_path) -> dict:
    from htxso.core.cccd import encode_cccd
    from htxso.core.roles import Role
    from htxso.core.tests.units_snapshot import restore_units
    from htxso.registry.tests.conftest import make_user

    settings.MEDIA_ROOT = tmp_path
    restore_units()
    make_user("sang-lap", Role.APPLICANT, email="sanglap@example.vn")
    make_user("can-bo-19", Role.PROVINCIAL_OFFICER, "19")
    return {
        "members": [
            (encode_cccd("19", "male", 1980, 4242), "Lê Văn Bình", "15/03/1980"),
            (encode_cccd("19", "female", 1985, 4243), "Phạm Thị Hoà", "02/09/1985"),
        ]
    }


def test_a_founder_applies_and_an_officer_approves(
    chromium_path,  # noqa: F811
    live_server,
    people,
):
    from playwright.sync_api import expect, sync_playwright

    base = live_server.url
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        founder = browser.new_context(locale="vi-VN", viewport=PHONE, is_mobile=True)
        page = founder.new_page()
        sign_in(page, base, "sang-lap")
        page.goto(f"{base}/registration/")
        page.select_option("#id_kind", "cooperative_group")
        page.select_option("#id_province", "19")
        page.fill("#id_name", "Tổ hợp tác Rau sạch Tân Cương")
        page.get_by_role("button", name="Lập hồ sơ").click()
        expect(page.locator("#status")).to_have_text("Bản nháp")
        page.select_option("#id_sector", "A")
        page.select_option("#id_commune", label="Xã Tân Cương")
        page.fill("#id_street", "Xóm Soi Mít")
        page.get_by_role("button", name="Lưu nháp").click()
        for cccd, name, born in people["members"]:
            form = page.locator("#member-form")
            form.locator("#id_cccd").fill(cccd)
            form.locator("#id_full_name").fill(name)
            form.locator("#id_birth_date").fill(born)
            form.get_by_role("button", name="Thêm thành viên").click()
            expect(page.get_by_role("cell", name=name)).to_be_visible()
        for code in ("application_form", "cooperation_contract", "member_list"):
            form = page.locator("#upload-form")
            form.locator("#id_document").select_option(code)
            form.locator("#id_file").set_input_files(
                {"name": f"{code}.pdf", "mimeType": "application/pdf", "buffer": PDF}
            )
            form.get_by_role("button", name="Tải lên").click()
            expect(page.get_by_role("link", name=f"{code}.pdf")).to_be_visible()
        page.screenshot(path=SCREENSHOTS / "registration-founder-390.png", full_page=True)
        page.locator("#submit-application").click()
        expect(page.locator("#status")).to_have_text("Đã nộp")
        expect(page.locator("#timeline li")).to_have_count(2)
        application_url = page.url

        office = browser.new_context(locale="vi-VN", viewport={"width": 1366, "height": 900})
        desk = office.new_page()
        sign_in(desk, base, "can-bo-19")
        desk.goto(f"{base}/registration/queue/")
        row = desk.locator("tbody tr").filter(has_text="Tổ hợp tác Rau sạch Tân Cương")
        expect(row).to_contain_text("ngày làm việc")
        desk.screenshot(path=SCREENSHOTS / "registration-queue-1366.png", full_page=True)
        row.get_by_role("link").first.click()
        desk.locator("#take").click()
        expect(desk.locator("#status")).to_have_text("Đang xem xét")
        desk.locator("#approve").click()
        expect(desk.locator("#status")).to_have_text("Đã cấp đăng ký")
        desk.screenshot(path=SCREENSHOTS / "registration-approved-1366.png", full_page=True)

        page.goto(application_url)
        expect(page.locator("#status")).to_have_text("Đã cấp đăng ký")
        expect(page.get_by_role("link", name="Tải giấy chứng nhận (PDF)")).to_be_visible()
        expect(page.locator("#timeline li")).to_have_count(4)
        browser.close()
