"""Each demo role in a real Chromium (Playwright, Debian's /usr/bin/chromium): sign in, land on
the role's own home, follow its main link. Screenshots of every home at 1366×900 and 390×844
go to var/screenshots/ (kept as CI artefacts; looked at by eye before a change is resolved).

As in registry/tests/test_browser.py, all database work happens before Playwright starts.
"""

from pathlib import Path

import pytest
from django.conf import settings

from htxso.core.tests.browser import CHROMIUM_ARGS, chromium_path, sign_in  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(settings.VAR_DIR) / "screenshots"
VIEWPORTS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
PASSWORD = "htxso-demo"


@pytest.fixture
def demo_world(live_server) -> dict:
    """`make demo` in small: the demo registry, two years of reports, the demo logins, and one
    cooperative of Thái Nguyên whose corrected report waits for review (the officer's queue)."""
    from django.core.management import call_command
    from django.utils import timezone

    from htxso.core.tests.units_snapshot import restore_units
    from htxso.registry.demo import create_demo_users
    from htxso.registry.generator import generate
    from htxso.registry.models import Organisation
    from htxso.reporting import services
    from htxso.reporting.generator import generate_history
    from htxso.reporting.models import Report, ReportForm

    from .conftest import good_values

    restore_units()
    generate("demo", 1)
    call_command("load_reporting", verbosity=0)
    generate_history(years=2, seed=1)
    create_demo_users()
    annual = ReportForm.objects.get(code="htx-annual")
    manager_org = Organisation.objects.get(name="HTX Chè Tân Cương")
    other = (
        Organisation.objects.filter(province_id="19", kind="cooperative", status="active")
        .exclude(pk=manager_org.pk)
        .order_by("pk")
        .first()
    )
    assert other is not None
    # Last year's approved report, reopened and corrected: submitted again, waiting for review.
    report = Report.objects.get(
        form=annual, organisation=other, period=str(timezone.localdate().year - 1)
    )
    services.return_report(None, report.pk, "Doanh thu cần đối chiếu lại")
    services.save_values(None, report.pk, good_values())
    services.submit(None, report.pk)
    return {"report": report.pk, "organisation": manager_org.pk, "other": other.name}


def test_every_role_lands_on_its_home_and_follows_its_main_link(
    chromium_path,  # noqa: F811
    live_server,
    demo_world,
):
    from playwright.sync_api import expect, sync_playwright

    base = live_server.url
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def admin(page) -> None:
        expect(page.locator("#panel-system")).to_contain_text("Lượt nhập báo cáo")
        expect(page.locator("#fig-members")).not_to_have_text("")
        page.locator("#panel-system").get_by_role("link", name="Tài khoản bị khóa").click()
        expect(page.locator("h1")).to_contain_text("khóa")

    def central(page) -> None:
        expect(page.locator("#registry-figures-title")).to_have_text("Số liệu toàn quốc")
        page.get_by_role("link", name="Tổng quan theo tỉnh").click()
        expect(page.locator("#province-table tbody tr")).to_have_count(34)

    def officer(page) -> None:
        review = page.locator("#inbox [data-kind=review]")
        expect(review).to_contain_text("1 báo cáo chờ duyệt")
        review.get_by_role("link").click()
        page.wait_for_url(f"{base}/reporting/{demo_world['report']}/")
        expect(page.locator("main")).to_contain_text(demo_world["other"])

    def adviser(page) -> None:
        expect(page.locator("#panel-adviser")).to_contain_text(
            "Ngoài các tổ chức được phân công tư vấn"
        )
        page.locator("#adviser-search").click()
        expect(page.locator("#results-table")).to_be_visible()

    def manager(page) -> None:
        expect(page.locator("#panel-cooperative")).to_contain_text("HTX Chè Tân Cương")
        expect(page.locator("#figures-table tbody tr").first).to_be_visible()
        page.locator("#coop-edit").click()
        page.wait_for_url(f"{base}/registry/{demo_world['organisation']}/edit/")

    def member(page) -> None:
        link = page.locator("#membership-list a").first
        expect(link).to_have_text("HTX Chè Tân Cương")
        link.click()
        expect(page.locator("h1")).to_have_text("HTX Chè Tân Cương")

    journeys = {
        "admin": admin,
        "trunguong": central,
        "tinh.thainguyen": officer,
        "tuvan": adviser,
        "quanly.htx": manager,
        "thanhvien": member,
    }
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        for username, journey in journeys.items():
            for name, viewport in VIEWPORTS.items():
                context = browser.new_context(locale="vi-VN", viewport=viewport)
                page = context.new_page()
                errors: list[str] = []
                page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
                sign_in(page, base, username, PASSWORD)
                expect(page.locator("html")).to_have_attribute("lang", "vi")
                expect(page.locator("h1")).to_contain_text("Xin chào")
                expect(page.locator("#inbox")).to_be_visible()
                # Nothing wider than the screen: a phone scrolls down, never sideways.
                overflow = page.evaluate(
                    "() => document.documentElement.scrollWidth - window.innerWidth"
                )
                assert overflow <= 0, (username, name, overflow)
                page.screenshot(path=SCREENSHOTS / f"home-{username}-{name}.png", full_page=True)
                journey(page)
                assert not errors, (username, name, errors)
                context.close()
        browser.close()
