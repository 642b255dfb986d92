"""A coffee farmer in Đắk Lắk in a real Chromium (Playwright): the robusta world price with its
forecast band and seasonal profile drawn by ECharts, the verdict in plain words, a price
reported on the form (a mistyped one refused in Vietnamese), the crop calendar of the month.
Screenshots (1366×900 and a phone, 390×844) go to var/screenshots/prices-*.png."""

from pathlib import Path

import pytest
from django.conf import settings

from htxso.core.tests.browser import CHROMIUM_ARGS, PHONE, chromium_path  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
PASSWORD = "mat-khau-thu-nghiem-123"


@pytest.fixture
def robusta(live_server, settings):
    from htxso.core.roles import Role
    from htxso.core.tests.units_snapshot import restore_units
    from htxso.prices import ingest, jobs
    from htxso.prices.models import Series
    from htxso.registry.tests.conftest import make_user

    restore_units()
    ingest.load_world_bank()
    series = Series.objects.get(source_code="COFFEE_ROBUS")
    settings.JOBS_BACKEND = "inline"
    jobs.schedule([series.pk])
    make_user("nong-dan", Role.MEMBER, "66")
    return series


def test_a_farmer_reads_the_coffee_price_and_reports_one(
    chromium_path,  # noqa: F811
    live_server,
    robusta,
):
    from playwright.sync_api import expect, sync_playwright

    base = live_server.url
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="vi-VN")
        page.goto(f"{base}/prices/series/{robusta.pk}/")
        expect(page.locator("h1")).to_contain_text("Cà phê Robusta")
        expect(page.locator("#verdict")).to_contain_text("cùng tháng năm trước")
        page.wait_for_function("window.htxsoPriceCharts && window.htxsoPriceCharts.length === 2")
        drawn = page.evaluate("window.htxsoPriceCharts.map(c => c.getOption().series.length)")
        assert drawn == [7, 1]  # history, outliers, two bands (base + width each), forecast
        band = page.evaluate(
            "window.htxsoPriceCharts[0].getOption().series[6].data.filter(v => v !== null).length"
        )
        assert band == 12
        page.screenshot(path=str(SCREENSHOTS / "prices-series.png"), full_page=True)

        page.goto(f"{base}/prices/compare/?commodity=ca-phe-robusta")
        page.wait_for_function("window.htxsoPriceCharts && window.htxsoPriceCharts.length === 1")
        page.screenshot(path=str(SCREENSHOTS / "prices-compare.png"))

        page.goto(f"{base}/accounts/login/")
        page.fill("input[name=username]", "nong-dan")
        page.fill("input[name=password]", PASSWORD)
        page.locator("main form button").first.click()
        page.wait_for_url(f"{base}/")
        expect(page.locator("#panel-prices")).to_be_visible()
        page.goto(f"{base}/prices/report/")
        page.fill("input[name=value]", "mười tám")
        page.locator("main form button").click()
        expect(page.locator("main")).to_contain_text("Nhập số")
        page.fill("input[name=value]", "118.500")
        page.fill("input[name=market]", "Đại lý Ea Tu")
        page.locator("main form button").click()
        expect(page.locator("main")).to_contain_text("Cảm ơn! Đã ghi giá bạn báo.")
        expect(page.locator("main table")).to_contain_text("118.500")

        phone = browser.new_page(viewport=PHONE, locale="vi-VN")
        phone.goto(f"{base}/prices/calendar/?province=66")
        expect(phone.locator("h1")).to_contain_text("Đắk Lắk")
        phone.screenshot(path=str(SCREENSHOTS / "prices-calendar-phone.png"), full_page=True)
        browser.close()


def test_an_officer_uploads_a_price_file_fixes_it_and_writes_it(
    chromium_path,  # noqa: F811
    live_server,
    settings,
    tmp_path,
):
    """The Đắk Lắk officer uploads a department's price bulletin: the dry run lists the
    mistyped row in Vietnamese and writes nothing; the fixed file is checked, then written."""
    import datetime as dt

    from playwright.sync_api import expect, sync_playwright

    from htxso.core.roles import Role
    from htxso.core.tests.units_snapshot import restore_units
    from htxso.prices import ingest
    from htxso.prices.models import Observation
    from htxso.registry.tests.conftest import make_user

    restore_units()
    ingest.load_catalogue()
    settings.JOBS_BACKEND = "inline"
    settings.MEDIA_ROOT = tmp_path / "media"
    make_user("can-bo-dak-lak", Role.PROVINCIAL_OFFICER, "66")
    day = (dt.date.today() - dt.timedelta(days=2)).strftime("%d/%m/%Y")
    header = "Ngày;Mặt hàng;Tỉnh/thành phố;Chợ, điểm thu mua;Loại giá;Giá (đồng);Đơn vị;Nguồn"
    rows = [
        f"{day};Cà phê Robusta (nhân xô);Đắk Lắk;Buôn Ma Thuột;giá tại vườn (thu mua);118.500;kg;Sở Công Thương Đắk Lắk",  # noqa: E501
        f"{day};Hồ tiêu;Đắk Lắk;;giá bán buôn;một trăm;kg;Sở Công Thương Đắk Lắk",
    ]
    bad = tmp_path / "bang-gia.csv"
    bad.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8-sig")
    good = tmp_path / "bang-gia-da-sua.csv"
    good.write_text(
        "\n".join([header, rows[0], rows[1].replace("một trăm", "142.000")]) + "\n",
        encoding="utf-8-sig",
    )
    base = live_server.url
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="vi-VN")
        page.goto(f"{base}/accounts/login/")
        page.fill("input[name=username]", "can-bo-dak-lak")
        page.fill("input[name=password]", PASSWORD)
        page.locator("main form button").first.click()
        page.wait_for_url(f"{base}/")
        page.goto(f"{base}/prices/")
        page.get_by_role("link", name="Nhập giá từ tệp").click()
        expect(page.locator("h1")).to_contain_text("Nhập giá từ Excel/CSV")
        page.set_input_files("#id_file", str(bad))
        page.locator("#check-button").click()
        expect(page.locator("#job-outcome")).to_contain_text("1 dòng có lỗi")
        expect(page.locator("main")).to_contain_text("một trăm")
        page.screenshot(path=str(SCREENSHOTS / "prices-import-errors.png"), full_page=True)
        expect(page.locator("#job-outcome")).to_contain_text("không có gì được ghi")
        page.goto(f"{base}/prices/import/")
        page.set_input_files("#id_file", str(good))
        page.locator("#check-button").click()
        expect(page.locator("#job-outcome")).to_contain_text("Kiểm tra xong, không có lỗi")
        page.locator("#commit-button").click()
        expect(page.locator("#job-outcome")).to_contain_text("Đã ghi 2 giá mới.")
        page.screenshot(path=str(SCREENSHOTS / "prices-import-done.png"), full_page=True)
        page.goto(f"{base}/prices/?commodity=ho-tieu")
        expect(page.locator("main table")).to_contain_text("Sở Công Thương Đắk Lắk")
        browser.close()
    assert Observation.objects.count() == 2
