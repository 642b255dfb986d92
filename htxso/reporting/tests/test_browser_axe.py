"""Accessibility in a real browser: every page a visitor or a demo role reaches is checked with
axe-core (vendored from npm into core/tests/vendor/axe-core by `make vendor`, injected into each
page by the test: no page loads it, nothing is fetched at test time). A violation of impact
"serious" or "critical" fails the test, listed with its rule, its elements and axe's help text.

Then the keyboard alone: the list component's sort links, column chooser and pager, and the
organisation edit form, each control reached with Tab and drawn with a visible focus ring.

One Chromium, the pages in sequence. As in the other browser tests, all database work is done
before Playwright starts (see registry/tests/test_browser.py).
"""

import re
from pathlib import Path
from typing import Any

import pytest

from htxso.registry.tests.test_browser import (  # noqa: F401  (fixtures)
    CHROMIUM_ARGS,
    PHONE,
    SHOWCASE,
    chromium_path,
    demo_registry,
)
from htxso.reporting.tests.test_browser_homes import PASSWORD, demo_world  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parents[2] / "core" / "tests" / "vendor" / "axe-core" / "axe.min.js"
DESKTOP = {"width": 1366, "height": 900}
BLOCKING = ("serious", "critical")
# axe's rules for the WCAG 2.1 A and AA success criteria and its best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


@pytest.fixture
def axe_world(demo_world, live_server) -> dict:  # noqa: F811
    """The demo world of the home pages, plus a finished registry import and a report import
    with a finding each (their job pages), all of the Thái Nguyên officer."""
    from htxso.core.models import User
    from htxso.exchange.models import ImportIssue, ImportJob
    from htxso.registry.models import Organisation
    from htxso.reporting.import_models import ReportImportIssue, ReportImportJob
    from htxso.reporting.models import Report, ReportForm

    officer = User.objects.get(username="tinh.thainguyen")
    job = ImportJob.objects.create(
        kind="members",
        strategy="upsert",
        status="invalid",
        filename="thanh-vien.csv",
        sha256="0" * 64,
        rows=3,
        error_rows=1,
        issues_total=1,
        created_by=officer,
    )
    ImportIssue.objects.create(
        job=job,
        row=2,
        column="cccd",
        value="123",
        message="Số CCCD phải có 12 chữ số",
        severity="error",
    )
    annual = ReportForm.objects.get(code="htx-annual")
    report_job = ReportImportJob.objects.create(
        form=annual,
        period="2025",
        status="invalid",
        filename="bao-cao.xlsx",
        sha256="1" * 64,
        rows=2,
        error_rows=1,
        issues_total=1,
        created_by=officer,
    )
    ReportImportIssue.objects.create(
        job=report_job,
        row=3,
        column="revenue",
        value="x",
        message="Không phải số",
        severity="error",
    )
    from htxso.registration.certificate import token
    from htxso.registration.demo import create_demo_applications
    from htxso.registration.models import Application, Certificate

    create_demo_applications()  # `make demo`'s applications in every state
    founder_application = Application.objects.filter(applicant__username="nophoso").first()
    certificate = Certificate.objects.order_by("pk").first()
    assert founder_application is not None and certificate is not None
    org = Organisation.objects.get(pk=demo_world["organisation"])
    manager_report = Report.objects.filter(organisation=org).order_by("-period").first()
    assert manager_report is not None
    member = org.memberships.filter(person__isnull=False).order_by("pk").first()
    assert member is not None
    return {
        **demo_world,
        "job": job.pk,
        "report_job": report_job.pk,
        "manager_report": manager_report.pk,
        "person": member.person_id,
        "application": founder_application.pk,
        "verify": f"/registration/verify/{token(certificate)}/",
    }


def pages(world: dict) -> dict[str | None, list[str]]:
    """Who (None: an anonymous visitor) visits which pages."""
    org, report = world["organisation"], world["report"]
    officer = [
        "/",
        "/registry/?province=19",
        f"/registry/{org}/edit/",
        f"/registry/{org}/members/",
        f"/registry/{org}/history/",
        f"/registry/{org}/status/",
        "/registry/new/",
        f"/registry/people/{world['person']}/",
        "/reporting/",
        f"/reporting/{report}/",
        "/reporting/completeness/",
        "/reporting/import/",
        f"/reporting/import/jobs/{world['report_job']}/",
        "/exchange/",
        f"/exchange/jobs/{world['job']}/",
        "/registration/queue/",
        f"/registration/{world['application']}/",
    ]
    return {
        None: [
            "/",
            "/overview/",
            "/registry/",
            f"/registry/{org}/",
            "/registry/provinces/19/",
            "/statistics/",
            "/statistics/province/19/",
            "/statistics/indicators/",
            "/statistics/releases/",
            "/accounts/login/",
            "/registration/lookup/?q=che",
            world["verify"],  # a certificate's verification page (its QR)
            "/does-not-exist/",  # the 404 page
        ],
        "admin": [
            "/",
            "/accounts/locked/",
            "/accounts/tokens/",
            "/accounts/otp/",
            "/accounts/password_change/",
            "/admin/",
            "/admin/registry/organisation/",
        ],
        "trunguong": ["/", "/registry/", "/reporting/", "/reporting/completeness/"],
        "tinh.thainguyen": officer,
        "tuvan": ["/", "/registry/"],
        "quanly.htx": [
            "/",
            f"/registry/{org}/",
            f"/reporting/{world['manager_report']}/",
            "/reporting/",
            "/accounts/contact/",  # the 403 page: a manager without a person record
        ],
        "thanhvien": ["/", "/accounts/contact/", f"/registry/{org}/"],
        "nophoso": ["/", "/registration/", f"/registration/{world['application']}/"],
    }


def sign_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button").first.click()
    page.wait_for_url(f"{base}/")


def axe_violations(page: Any) -> list[str]:
    """The page's serious and critical violations, one line per rule: id, elements, help."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})",
        AXE_TAGS,
    )
    lines = []
    for v in result["violations"]:
        if v["impact"] in BLOCKING:
            targets = [" ".join(map(str, n["target"])) for n in v["nodes"]][:8]
            lines.append(f"{v['impact']} {v['id']}: {v['help']} — {targets}")
    return lines


def test_every_page_passes_axe(chromium_path, live_server, axe_world):  # noqa: F811
    from playwright.sync_api import sync_playwright

    base = live_server.url
    found: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        visits = [(username, urls, DESKTOP) for username, urls in pages(axe_world).items()]
        # On a phone too (the navbar folded into its button, tables scrolling): the public pages
        # and an officer's home and lists.
        visits += [
            (None, pages(axe_world)[None], PHONE),
            ("tinh.thainguyen", ["/", "/registry/?province=19", "/reporting/"], PHONE),
        ]
        for username, urls, viewport in visits:
            context = browser.new_context(locale="vi-VN", viewport=viewport)
            page = context.new_page()
            if username is not None:
                sign_in(page, base, username)
            for url in urls:
                # The dashboards draw their charts from fetched data: wait for it there.
                idle = url.startswith("/statistics/")
                page.goto(f"{base}{url}", wait_until="networkidle" if idle else "load")
                who = f"{username or 'anonymous'} ({viewport['width']} px)"
                found += [f"{who} {url}: {line}" for line in axe_violations(page)]
            context.close()
        # The check is not vacuous: a field without a label and pale text are reported.
        page = browser.new_page()
        page.goto(f"{base}/accounts/login/")
        page.evaluate(
            """() => document.querySelector('main').insertAdjacentHTML('beforeend',
                '<input type="text" name="x"><p style="color:#ccc">Chữ nhạt</p>')"""
        )
        planted = " ".join(axe_violations(page))
        assert "critical label" in planted and "serious color-contrast" in planted, planted
        browser.close()
    assert not found, "axe-core found serious or critical violations:\n" + "\n".join(found)


# --- the keyboard alone --------------------------------------------------------------------------

FOCUS_RING = """el => {
  const s = getComputedStyle(el);
  const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
  return outline || (s.boxShadow !== '' && s.boxShadow !== 'none');
}"""
CONTROLS = (
    "input:not([type=hidden]):not(:disabled), select:not(:disabled), "
    "textarea:not(:disabled), button:not(:disabled), a[href]"
)


@pytest.fixture
def keyboard_world(demo_registry, live_server) -> dict:  # noqa: F811
    """The demo registry and a Thái Nguyên officer who edits its showcase cooperative."""
    from htxso.core.roles import Role
    from htxso.registry.models import Organisation
    from htxso.registry.tests.conftest import make_user

    make_user("can-bo-ban-phim", Role.PROVINCIAL_OFFICER, "19")
    return {"organisation": Organisation.objects.get(name=SHOWCASE).pk}


def focused(page: Any, selector: str) -> bool:
    return bool(page.evaluate("s => document.activeElement.matches(s)", selector))


def tab_to(page: Any, selector: str, limit: int = 200) -> None:
    """Tab until `selector` has the focus; it must be reachable and draw a visible focus ring."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if focused(page, selector):
            ring = page.evaluate(f"({FOCUS_RING})(document.activeElement)")
            assert ring, f"{selector} has the focus but no visible focus indicator"
            return
    raise AssertionError(f"{selector} is not reachable with Tab")


def test_the_list_and_the_edit_form_work_with_the_keyboard(
    chromium_path,  # noqa: F811
    live_server,
    keyboard_world,
):
    from playwright.sync_api import expect, sync_playwright

    base = live_server.url
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        page = browser.new_context(locale="vi-VN", viewport=DESKTOP).new_page()
        page.goto(f"{base}/accounts/login/")
        page.fill("#id_username", "can-bo-ban-phim")
        page.fill("#id_password", "mat-khau-thu-nghiem-123")
        page.locator("main form button").first.click()
        page.wait_for_url(f"{base}/")

        # The list: the column chooser opens, a box is ticked and saved, a column is sorted and
        # the next page turned, every step from the keyboard.
        page.goto(f"{base}/registry/?province=19")
        table = page.locator("#results-table")
        tab_to(page, ".list-columns > summary")
        page.keyboard.press("Enter")
        expect(page.locator(".list-columns-form")).to_be_visible()
        tab_to(page, ".list-columns-form input[type=checkbox]:not(:checked):not(:disabled)")
        page.keyboard.press("Space")
        tab_to(page, ".list-columns-form button:not([name])")
        with page.expect_navigation():  # back to the same address, the columns saved
            page.keyboard.press("Enter")
        expect(page).to_have_url(f"{base}/registry/?province=19")
        tab_to(page, "a.sort-link[href*='sort=-name']")
        page.keyboard.press("Enter")
        page.wait_for_url(f"{base}/registry/?province=19&sort=-name")
        expect(table.locator("th[aria-sort=descending]")).to_be_visible()
        tab_to(page, "a.page-link[rel=next]")
        page.keyboard.press("Enter")
        expect(page).to_have_url(re.compile(r"cursor="))
        tab_to(page, "a.page-link[rel=prev]")

        # The edit form: Tab reaches every field, then Lưu and Hủy, in the page's order, each
        # with a visible focus ring.
        page.goto(f"{base}/registry/{keyboard_world['organisation']}/edit/")
        form = page.locator("main form[method=post]")
        expected = form.evaluate(
            "(f, sel) => [...f.querySelectorAll(sel)].filter(e => e.offsetParent !== null)"
            ".map(e => e.id || e.name || e.textContent.trim())",
            CONTROLS,
        )
        assert len(expected) > 10, expected
        page.locator("h1").click()  # the focus starts in the page, before the form
        reached: list[str] = []
        missing_ring: list[str] = []
        for _ in range(len(expected) * 4):
            page.keyboard.press("Tab")
            key, ring = page.evaluate(
                f"""() => {{ const e = document.activeElement;
                    return [e.id || e.name || e.textContent.trim(), ({FOCUS_RING})(e)]; }}"""
            )
            if reached and reached[-1] == key:
                continue  # a date input's day, month and year segments
            reached.append(key)
            if not ring:
                missing_ring.append(key)
            if key == expected[-1]:
                break
        assert reached[-len(expected) :] == expected, (reached, expected)
        assert not [k for k in missing_ring if k in expected], missing_ring

        # The form refused (the name emptied) and its errors pass axe too.
        page.fill("#id_name", "")
        page.locator("#id_name").press("Enter")
        expect(page.locator(".field-error[data-field=name]")).to_be_visible()
        assert not axe_violations(page), axe_violations(page)
        browser.close()
