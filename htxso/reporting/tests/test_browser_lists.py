"""The UI kit's list in a real browser (Chromium through Playwright): the organisation list and
the report list sorted, their columns chosen and their pages turned with the keyboard alone;
screenshots at 1366×900 and 390×844 in test-artifacts/ (list-*.png)."""

import re

import pytest

from htxso.core.tests.browser import (  # noqa: F401  (fixture)
    ARTIFACTS,
    CHROMIUM_ARGS,
    PHONE,
    chromium_path,
    sign_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1366, "height": 900}
PASSWORD = "mat-khau-danh-sach-2025"


@pytest.fixture
def lists_world(live_server) -> dict:
    """55 HTX of Thái Nguyên, each province's two half-year summaries, a central officer."""
    from htxso.core.models import Province, User
    from htxso.core.roles import Role
    from htxso.core.tests.units_snapshot import restore_units
    from htxso.registry.tests.factories import OrganisationFactory
    from htxso.reporting import services
    from htxso.reporting.models import ReportForm

    from .conftest import LAST_YEAR, reference_data

    restore_units()
    services.load_reference(reference_data())
    for i in range(55):
        OrganisationFactory(name=f"HTX Danh sách {i:02d}")
    admin = User.objects.create_user("quan-tri-ds", password=None, role=Role.SYSTEM_ADMIN)
    semiannual = ReportForm.objects.get(code="province-semiannual")
    for code in Province.objects.values_list("code", flat=True):
        for half in ("S1", "S2"):
            services.open_report(admin, semiannual, f"{LAST_YEAR}{half}", province_id=code)
    User.objects.create_user("can-bo-tw-ds", password=PASSWORD, role=Role.CENTRAL_OFFICER)
    return {"user": "can-bo-tw-ds"}


def _tab_to(page, selector: str, limit: int = 150) -> None:
    """Press Tab until the element matching `selector` has the focus (it must be reachable)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} is not reachable with Tab")


def test_lists_sort_choose_columns_and_page_with_the_keyboard(
    chromium_path,  # noqa: F811
    live_server,
    lists_world,
):
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        page = browser.new_context(locale="vi-VN", viewport=DESKTOP).new_page()
        sign_in(page, live_server.url, lists_world["user"], PASSWORD, landing=None)

        # The organisation list: sort by name descending from the keyboard.
        page.goto(f"{live_server.url}/registry/?province=19")
        table = page.locator("#results-table")
        expect(table.locator("th[aria-sort=ascending]")).to_have_text("Tên ▲")
        _tab_to(page, "a.sort-link[href*='sort=-name']")
        page.keyboard.press("Enter")
        expect(page).to_have_url(f"{live_server.url}/registry/?province=19&sort=-name")
        expect(table.locator("tbody tr").first).to_contain_text("HTX Danh sách 54")
        expect(table.locator("th[aria-sort=descending]")).to_have_text("Tên ▼")

        # Choose columns: open the chooser, tick "Thành lập", untick "Mã số thuế", save.
        _tab_to(page, ".list-columns > summary")
        page.keyboard.press("Enter")
        _tab_to(page, "#col-registry\\.organisations-tax_code")
        page.keyboard.press("Space")
        _tab_to(page, "#col-registry\\.organisations-established")
        page.keyboard.press("Space")
        page.screenshot(path=ARTIFACTS / "list-organisations-columns-1366.png")
        _tab_to(page, ".list-columns-form button:not([name])")
        page.keyboard.press("Enter")
        expect(table.locator("thead")).to_contain_text("Thành lập")
        expect(table.locator("thead")).not_to_contain_text("Mã số thuế")
        expect(page).to_have_url(f"{live_server.url}/registry/?province=19&sort=-name")

        # Turn the page and come back, by keyboard.
        first_row = table.locator("tbody tr a").first.inner_text()
        _tab_to(page, "a.page-link[rel=next]")
        page.keyboard.press("Enter")
        expect(page).to_have_url(re.compile(r"cursor="))
        expect(table.locator("tbody tr")).to_have_count(5)
        _tab_to(page, "a.page-link[rel=prev]")
        page.keyboard.press("Enter")
        expect(table.locator("tbody tr a").first).to_have_text(first_row)
        # The export buttons carry the page's filters and sort.
        csv_link = page.get_by_role("link", name="Tải CSV")
        expect(csv_link).to_have_attribute(
            "href", "/exchange/export/organisations.csv?province=19&sort=-name"
        )
        page.screenshot(path=ARTIFACTS / "list-organisations-1366.png", full_page=True)

        # The report list: provinces by name, sorted by period, paged by keyset.
        page.goto(f"{live_server.url}/reporting/")
        reports = page.locator("#report-table")
        expect(reports).to_contain_text("Thành phố Hà Nội")
        expect(page.locator("#result-count")).to_have_text("68 báo cáo")
        _tab_to(page, "a.sort-link[href*='sort=period']")
        page.keyboard.press("Enter")
        expect(reports.locator("th[aria-sort=ascending]")).to_contain_text("Kỳ")
        expect(reports.locator("tbody tr").first).to_contain_text("6 tháng đầu năm")
        page.screenshot(path=ARTIFACTS / "list-reports-1366.png", full_page=True)
        page.get_by_role("link", name="Trang sau").click()
        expect(reports.locator("tbody tr")).to_have_count(18)
        expect(reports.locator("tbody tr").first).to_contain_text("6 tháng cuối năm")

        # On a phone: the same lists, the table scrolls sideways, the toolbar wraps.
        phone = browser.new_context(locale="vi-VN", viewport=PHONE).new_page()
        sign_in(phone, live_server.url, lists_world["user"], PASSWORD, landing=None)
        phone.goto(f"{live_server.url}/registry/?province=19")
        expect(phone.locator("#results-table thead")).to_contain_text("Thành lập")
        phone.locator(".list-columns > summary").click()
        phone.screenshot(path=ARTIFACTS / "list-organisations-390.png", full_page=True)
        phone.goto(f"{live_server.url}/reporting/")
        phone.screenshot(path=ARTIFACTS / "list-reports-390.png", full_page=True)
        browser.close()
