"""Signing in with two factors, in a real browser: an officer turns on an authenticator app
(the key read off the page, as a phone would), signs out, signs in again with the password and
a code, and a wrong code is refused in Vietnamese. Codes are computed with django-otp's own
TOTP from the key on the page; no ORM call runs while Playwright's loop does (see
registry/tests/test_browser.py)."""

import base64
import time

import pytest

from htxso.core.tests.browser import ARTIFACTS, CHROMIUM_ARGS, chromium_path  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "mat-khau-thu-nghiem-123"


def _code(key: str, ahead: int = 0) -> str:
    """The app's 6-digit code `ahead` 30-second steps from now."""
    from django_otp.oath import TOTP

    totp = TOTP(base64.b32decode(key), step=30, digits=6)
    totp.time = time.time() + 30 * ahead
    return f"{totp.token():06d}"


def _settled_code(key: str, after_step: int | None = None) -> tuple[str, int]:
    """The code of the current step, taken where the server will judge it in that same step.

    A code typed in the last seconds of its step is judged in the next one: django-otp accepts
    it (tolerance 1) but records a drift of -1, and then refuses the next step's code. So wait
    out the end of a step (and, for a second code, the step already used: a code is used once).
    """
    while True:
        now = time.time()
        step = int(now // 30)
        if (after_step is None or step > after_step) and 30 - now % 30 >= 6:
            return _code(key), step
        time.sleep(min(30 - now % 30 + 0.2, 31))


def _wrong(key: str) -> str:
    """A code the app is not showing (now or in the next step)."""
    return next(c for c in ("000000", "111111", "222222") if c not in (_code(key), _code(key, 1)))


@pytest.fixture
def officer(live_server):
    from htxso.core.roles import Role
    from htxso.core.tests.units_snapshot import restore_units
    from htxso.registry.tests.conftest import make_user

    restore_units()
    return make_user("can-bo-hai-lop", Role.PROVINCIAL_OFFICER, "19").username


def test_an_officer_turns_on_two_factors_and_signs_in_with_a_code(
    chromium_path,  # noqa: F811
    live_server,
    officer,
):
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        page = browser.new_context(
            locale="vi-VN", viewport={"width": 1280, "height": 900}
        ).new_page()

        def sign_in() -> None:
            page.goto(f"{live_server.url}/accounts/login/")
            page.fill("#id_username", officer)
            page.fill("#id_password", PASSWORD)
            page.press("#id_password", "Enter")

        sign_in()
        expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()
        page.goto(f"{live_server.url}/accounts/otp/")
        expect(page.locator("#otp-qr svg")).to_be_visible()  # drawn on the server, no CDN
        key = page.locator("#otp-key").inner_text().strip()
        page.fill("#id_code", _wrong(key))
        page.press("#id_code", "Enter")
        expect(page.locator("#otp-errors")).to_contain_text("Mã xác thực không đúng")
        page.wait_for_timeout(2500)  # django-otp makes a device wait after a wrong code
        code, used_step = _settled_code(key)
        page.fill("#id_code", code)
        page.press("#id_code", "Enter")
        expect(page).to_have_url(f"{live_server.url}/")
        expect(page.locator(".alert-success")).to_contain_text("Đã bật xác thực hai lớp")
        page.goto(f"{live_server.url}/accounts/otp/")
        expect(page.locator("#otp-enrolled")).to_be_visible()
        page.screenshot(path=ARTIFACTS / "otp-enrolled.png", full_page=True)

        page.get_by_role("button", name="Đăng xuất").click()
        sign_in()
        expect(page).to_have_url(f"{live_server.url}/accounts/login/otp/")
        expect(page.get_by_role("button", name="Đăng xuất")).to_have_count(0)  # not yet in
        page.goto(f"{live_server.url}/accounts/tokens/")  # the half-signed session is no key
        expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/accounts/tokens/")
        sign_in()
        page.fill("#id_code", _wrong(key))
        page.press("#id_code", "Enter")
        expect(page.locator("#otp-errors")).to_be_visible()
        page.screenshot(path=ARTIFACTS / "login-otp.png", full_page=True)
        page.wait_for_timeout(2500)
        page.fill("#id_code", _settled_code(key, after_step=used_step)[0])  # the last one is spent
        page.press("#id_code", "Enter")
        expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()
        page.goto(f"{live_server.url}/accounts/tokens/")
        expect(page).to_have_url(f"{live_server.url}/accounts/tokens/")
        browser.close()
