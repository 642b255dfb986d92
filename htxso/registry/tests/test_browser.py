"""The public pages in a real browser: Debian's Chromium, driven by Playwright's sync API.

Playwright never downloads a browser here (`playwright install` is not used): the tests launch
/usr/bin/chromium. Without it they are skipped locally and fail under CI (CI is set).

`live_server` runs on a transactional database, which is flushed after each test, so every
test loads the administrative units and generates the demo registry itself. All database work
happens before Playwright starts: its sync API keeps an event loop running in this thread, and
Django refuses ORM calls from a thread with a running loop.

Screenshots are written to test-artifacts/ at the repository root.
"""

from urllib.parse import parse_qs, urlsplit

import pytest

from htxso.core.tests.browser import (  # noqa: F401  (the fixture; the names for other modules)
    ARTIFACTS,
    CHROMIUM_ARGS,
    PHONE,
    chromium_path,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOWCASE = "HTX Chè Tân Cương"
THAI_NGUYEN = "19"


@pytest.fixture
def demo_registry(live_server) -> dict:
    """The demo registry (seed 1), and what the pages are checked against."""
    from htxso.core.models import Commune
    from htxso.core.tests.units_snapshot import restore_units
    from htxso.registry.generator import generate
    from htxso.registry.models import Organisation

    restore_units()
    generate("demo", 1)
    showcase = Organisation.objects.get(name=SHOWCASE)
    return {
        "showcase_tax_code": showcase.tax_code,
        "showcase_history": showcase.status_history.count(),
        "communes_19": list(
            Commune.objects.filter(province_id=THAI_NGUYEN).values_list("name", flat=True)
        ),
    }


@pytest.fixture
def browser(chromium_path, demo_registry):  # noqa: F811
    """A headless Chromium; each context made from it has a fresh, empty profile."""
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


def test_home_search_and_organisation_page(browser, live_server, demo_registry):
    from playwright.sync_api import expect

    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    page = context.new_page()

    page.goto(f"{live_server.url}/")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    for figure in ("#fig-active", "#fig-dormant", "#fig-members", "#fig-agri"):
        expect(page.locator(figure)).to_be_visible()
        expect(page.locator(figure)).not_to_have_text("")
    expect(page.locator(".figure-card[data-kind]")).to_have_count(4)
    expect(page.locator("#province-table")).to_be_visible()
    expect(page.locator("#province-table tbody tr")).to_have_count(34)
    # Bootstrap's stylesheet is served: the navbar is green, not an unstyled list.
    navbar_colour = page.locator("nav.navbar").evaluate("e => getComputedStyle(e).backgroundColor")
    assert navbar_colour not in ("rgba(0, 0, 0, 0)", "transparent")
    page.screenshot(path=ARTIFACTS / "home.png", full_page=True)

    page.goto(f"{live_server.url}/registry/")
    page.fill("#id_q", "hop tac xa che tan cuong")
    page.press("#id_q", "Enter")
    result = page.locator("#results-table").get_by_role("link", name=SHOWCASE, exact=True)
    expect(result).to_be_visible()
    # HTMX swapped the results in and pushed the search into the address bar.
    assert parse_qs(urlsplit(page.url).query)["q"] == ["hop tac xa che tan cuong"]
    page.screenshot(path=ARTIFACTS / "registry-search.png", full_page=True)

    result.click()
    expect(page.locator("h1")).to_have_text(SHOWCASE)
    expect(page.locator("dl")).to_contain_text(demo_registry["showcase_tax_code"])
    history = page.locator("#status-history li")
    expect(history).to_have_count(demo_registry["showcase_history"])
    expect(history.first).to_be_visible()
    page.screenshot(path=ARTIFACTS / "organisation.png", full_page=True)

    # The same home page for an English-speaking browser (translations are looked at by eye).
    english = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    english_page = english.new_page()
    english_page.goto(f"{live_server.url}/")
    expect(english_page.locator("html")).to_have_attribute("lang", "en")
    english_page.screenshot(path=ARTIFACTS / "home-en.png", full_page=True)
    english.close()
    context.close()


def test_phone_layout_and_commune_filter(browser, live_server, demo_registry):
    from playwright.sync_api import expect

    context = browser.new_context(
        locale="vi-VN", viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/registry/")

    expect(page.locator(".navbar-toggler")).to_be_visible()
    expect(page.locator("#nav")).to_be_hidden()  # the menu is collapsed behind the toggler
    table = page.locator("#results-table")
    expect(table).to_be_visible()
    container = page.locator(".table-responsive", has=table)
    expect(container).to_have_count(1)
    assert container.evaluate("e => getComputedStyle(e).overflowX") == "auto"
    # The table is wider than the phone and scrolls inside its container, not the page.
    assert container.evaluate("e => e.scrollWidth > e.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=ARTIFACTS / "registry-phone.png")  # the first screen: 50 rows are long
    container.scroll_into_view_if_needed()
    page.screenshot(path=ARTIFACTS / "registry-phone-table.png")

    # Choosing a province fills the commune select with its communes (HTMX).
    communes = page.locator("#id_commune option")
    expect(communes).to_have_count(1)
    page.select_option("#id_province", THAI_NGUYEN)
    expect(communes).to_have_count(len(demo_registry["communes_19"]) + 1)
    names = communes.all_inner_texts()
    assert sorted(names[1:]) == sorted(demo_registry["communes_19"])
    assert "Xã Tân Cương" in names
    page.select_option("#id_commune", label="Xã Tân Cương")
    expect(page.locator("#results-table")).to_contain_text(SHOWCASE)
    page.screenshot(path=ARTIFACTS / "registry-phone-commune.png", full_page=True)
    context.close()
