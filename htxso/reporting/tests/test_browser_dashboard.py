"""The statistics dashboard in a real Chromium (Playwright, Debian's /usr/bin/chromium): the
charts draw, the map has the 34 provinces coloured by the cube's figures, a chart exports as
PNG, a chart's table downloads as XLSX, and the public sees released figures only.

As in registry/tests/test_browser.py, all database work happens before Playwright starts.
"""

import io

import pytest
from openpyxl import load_workbook

from htxso.core.tests.browser import ARTIFACTS, CHROMIUM_ARGS, chromium_path  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "mat-khau-thu-nghiem-123"


@pytest.fixture
def statistics_world(live_server) -> dict:
    from django.core.management import call_command

    from htxso.core.tests.units_snapshot import restore_units
    from htxso.registry.generator import generate
    from htxso.registry.tests.conftest import make_user
    from htxso.reporting.generator import generate_history
    from htxso.reporting.models import IndicatorCell
    from htxso.reporting.statistics import running_period

    restore_units()
    generate("demo", 1)
    call_command("load_reporting", verbosity=0)
    generate_history(years=3, seed=1)
    make_user("tk-trung-uong", "central_officer")
    revenue = (
        IndicatorCell.objects.filter(
            indicator="revenue", area="VN", kind="_T", sector="_T", status="_T"
        )
        .order_by("-period")
        .first()
    )
    counts = dict(  # the map shows the latest period: the running half-year (live)
        IndicatorCell.objects.filter(
            indicator="organisations",
            period=running_period().code,
            kind="_T",
            sector="_T",
            status="_T",
        )
        .exclude(area="VN")
        .values_list("area", "value")
    )
    assert revenue is not None
    return {"revenue_period": revenue.period, "revenue": revenue.value, "provinces": counts}


def test_dashboard_draws_exports_and_separates_live_from_public(
    chromium_path,  # noqa: F811
    live_server,
    statistics_world,
):
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        context = browser.new_context(
            locale="vi-VN", viewport={"width": 1300, "height": 900}, accept_downloads=True
        )
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{live_server.url}/accounts/login/?next=/statistics/")
        page.fill("input[name=username]", "tk-trung-uong")
        page.fill("input[name=password]", PASSWORD)
        page.locator("form button[type=submit], main form button").first.click()
        page.wait_for_url(f"{live_server.url}/statistics/")
        expect(page.locator("#data-mode")).to_contain_text("trực tiếp")
        # The figures and sparklines come with the page; ECharts only when a chart nears the screen.
        expect(page.locator("#headline svg.sparkline").first).to_be_visible()
        assert page.evaluate("() => typeof window.echarts") == "undefined"
        expect(page.locator("#map canvas")).to_have_count(0)
        for chart in ("#trend-organisations", "#ranking", "#map"):
            page.locator(chart).scroll_into_view_if_needed()
        expect(page.locator("#map")).to_have_attribute("data-ready", "1", timeout=15000)
        expect(page.locator("#target-cards .target-card")).to_have_count(15)
        # Every chart drew on a canvas; the map holds the 34 provinces with the cube's values.
        expect(page.locator("#trend-organisations canvas")).to_have_count(1)
        expect(page.locator("#ranking canvas")).to_have_count(1)
        regions = page.evaluate(
            """() => {
              const chart = window.htxsoCharts.find(c => c.getOption().series[0].type === 'map');
              return chart.getOption().series[0].data.map(d => [d.code, d.value]);
            }"""
        )
        assert len(regions) == 34
        values = {code: value for code, value in regions}
        for code, value in statistics_world["provinces"].items():
            assert values[code] == value, code
        # PNG export (the toolbox's saveAsImage uses the same call).
        png = page.evaluate("() => window.htxsoCharts[0].getDataURL({type: 'png'})")
        assert png.startswith("data:image/png;base64,")
        # A chart's table as XLSX.
        with page.expect_download() as download_info:
            page.locator("a[href*='chart/trend-business.xlsx']").click()
        path = download_info.value.path()
        rows = list(load_workbook(io.BytesIO(path.read_bytes())).active.iter_rows(values_only=True))
        row = next(r for r in rows if r and r[0] == statistics_world["revenue_period"])
        assert row[1] == statistics_world["revenue"]
        page.screenshot(path=ARTIFACTS / "statistics-live.png", full_page=True)
        # Clicking a province on the map opens its dashboard.
        page.goto(f"{live_server.url}/statistics/province/19/")
        expect(page.locator("h1")).to_contain_text("Thái Nguyên")
        expect(page.locator("#target-cards .target-card")).to_have_count(9)
        assert not errors, errors
        context.close()

        public = browser.new_context(locale="vi-VN", viewport={"width": 1300, "height": 900})
        anonymous = public.new_page()
        anonymous.goto(f"{live_server.url}/statistics/")
        expect(anonymous.locator("#data-mode")).to_contain_text("đã công bố")
        anonymous.locator("#map").scroll_into_view_if_needed()
        expect(anonymous.locator("#map")).to_have_attribute("data-ready", "1", timeout=15000)
        # Nothing released yet: the headline cards show no figure.
        expect(anonymous.locator("#headline .value").first).to_have_text("—")
        expect(anonymous.locator("#map-empty")).to_be_visible()
        anonymous.screenshot(path=ARTIFACTS / "statistics-public.png", full_page=True)
        public.close()
        browser.close()
