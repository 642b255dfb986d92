"""What every browser test shares: Debian's Chromium and its flags, the artefact directories,
the viewports, and signing in through the login page.

Playwright never downloads a browser here (`playwright install` is not used): the tests launch
/usr/bin/chromium. Without it they are skipped locally and fail under CI (CI is set).

`live_server` runs on a transactional database, flushed after each test: a test loads the
administrative units itself. All database work happens before Playwright starts: its sync API
keeps an event loop running in the test's thread, and Django refuses ORM calls from a thread
with a running loop.
"""

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"
SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
PASSWORD = "mat-khau-thu-nghiem-123"  # make_user's (registry/tests/conftest.py)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Without these Chromium keeps calling Google's hosts, which this network refuses.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
DESK = {"width": 1366, "height": 900}


def find_chromium() -> str | None:
    return "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else shutil.which("chromium")


@pytest.fixture
def chromium_path() -> str:
    path = find_chromium()
    if path is None:
        message = "Chromium not found: install Debian's chromium to run browser tests"
        if os.environ.get("CI"):
            pytest.fail(f"{message} (CI is set: browser tests must run in CI)", pytrace=False)
        pytest.skip(message)
    return path


def sign_in(
    page: Any, base: str, username: str, password: str = PASSWORD, *, landing: str | None = "/"
) -> None:
    """Sign `username` in on the login page; wait for `landing` (the home) unless it is None."""
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.locator("main form button").first.click()
    if landing is not None:
        page.wait_for_url(f"{base}{landing}")
