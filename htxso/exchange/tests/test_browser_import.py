"""An import as a provincial officer does it, in a real browser (Debian's Chromium, Playwright):
upload a member list → the job checks it in the background while the page polls its progress →
the report says it is valid → "Ghi vào cơ sở dữ liệu" → the members are on the registry.

The job runs on the embedded default backend (a thread of the web process) on PostgreSQL, in the
request on SQLite (see `officer_session`). As in the registry's browser tests, all database work
is done before Playwright starts its event loop.
"""

import datetime as dt

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from htxso.core.cccd import FEMALE, MALE
from htxso.core.roles import Role
from htxso.exchange.layouts import MEMBER_LAYOUT
from htxso.exchange.tests.test_importers import csv_bytes, member, table
from htxso.registry.tests.conftest import make_user
from htxso.registry.tests.factories import valid_cccd
from htxso.registry.tests.test_browser import (  # noqa: F401 — fixtures
    ARTIFACTS,
    browser,
    chromium_path,
    demo_registry,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def officer_session(demo_registry, live_server, tmp_path, settings) -> dict:  # noqa: F811
    """A Thái Nguyên officer signed in, a valid member file for one of its cooperatives, and
    jobs in a thread of the server with their progress in memory."""
    from htxso.registry.models import Organisation

    settings.MEDIA_ROOT = tmp_path
    # The job in a thread of the server, as in the embedded default, on PostgreSQL. The test
    # database of SQLite is in memory with a shared cache, where a page reading the findings
    # while the thread writes them gets "table is locked" at once: there it runs in the request.
    settings.JOBS_BACKEND = "thread" if connection.vendor == "postgresql" else "inline"
    settings.CACHES = {
        **settings.CACHES,
        "jobs": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "jobs"},
    }
    officer = make_user("can-bo-nhap", Role.PROVINCIAL_OFFICER, "19")
    client = Client()
    client.force_login(officer)
    org = (
        Organisation.objects.filter(
            province_id="19", kind="cooperative", established_on__lt=dt.date(2019, 1, 1)
        )
        .exclude(tax_code=None)
        .order_by("pk")
        .first()
    )
    assert org is not None
    rows = [
        member(org, cccd=valid_cccd(MALE, 1980)),
        member(org, cccd=valid_cccd(FEMALE, 1991), sex=FEMALE, born=1991),
        member(org, cccd=valid_cccd(MALE, 1975), born=1975, left_on="31/12/2022"),
    ]
    path = tmp_path / "thanh-vien.csv"
    path.write_bytes(csv_bytes(table(MEMBER_LAYOUT, rows)))
    return {
        "cookie": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "file": path,
        "org": org,
        "before": org.members_count,
    }


def upload(browser, live_server, session: dict, path):  # noqa: F811
    """The officer's browser on the import page, the member file sent to be checked."""
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session["cookie"], "url": live_server.url}]
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/exchange/")
    page.select_option("#id_kind", "members")
    page.set_input_files("#id_file", str(path))
    page.get_by_role("button", name="Kiểm tra tệp").click()
    return context, page


def test_upload_check_progress_and_commit(officer_session, browser, live_server):  # noqa: F811
    from playwright.sync_api import expect

    context, page = upload(browser, live_server, officer_session, officer_session["file"])

    # The job page polls the job's progress until the check ends, then reloads itself.
    expect(page.locator("#job-progress")).to_be_visible()
    status = page.locator("#job-status")
    expect(status).to_have_text("Kiểm tra xong, sẵn sàng ghi", timeout=30_000)
    expect(page.locator("#job-summary")).to_contain_text("3")
    page.screenshot(path=ARTIFACTS / "import-checked.png", full_page=True)

    page.locator("#commit-button").click()
    expect(status).to_have_text("Đã ghi vào cơ sở dữ liệu", timeout=30_000)
    page.screenshot(path=ARTIFACTS / "import-done.png", full_page=True)

    # The registry counts the two new active members (the third has left).
    org = officer_session["org"]
    page.goto(f"{live_server.url}/registry/?q={org.tax_code}")
    row = page.locator("#results-table tbody tr")
    expect(row).to_have_count(1)
    expect(row.locator("td").last).to_have_text(str(officer_session["before"] + 2))
    context.close()


def test_a_file_with_errors_is_reported_and_cannot_be_committed(
    officer_session,
    browser,  # noqa: F811
    live_server,
):
    from playwright.sync_api import expect

    bad = officer_session["file"].with_name("loi.csv")
    bad.write_bytes(officer_session["file"].read_bytes().replace(b"01/06/2020", b"31/02/2020", 1))
    context, page = upload(browser, live_server, officer_session, bad)
    expect(page.locator("#job-status")).to_have_text("Có lỗi, chưa ghi gì", timeout=30_000)
    expect(page.get_by_text("Ngày không tồn tại trong lịch.")).to_be_visible()
    expect(page.locator("#commit-button")).to_have_count(0)
    page.screenshot(path=ARTIFACTS / "import-errors.png", full_page=True)
    context.close()
