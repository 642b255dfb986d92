"""A task's linked indicators resolve against reporting's catalogue through `core.facts`
(this app never imports reporting): the task page shows each indicator's name and its latest
released national and province figures (never an unreleased period's); an unknown code is
refused with a Vietnamese error on the entry page and the API, and nothing is written."""

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command

from htxso.core.tests.browser import chromium_path  # noqa: F401
from htxso.tasks.models import Agency, Task

from .conftest import one_off


@pytest.fixture
def catalogue(db: Any) -> None:
    call_command("load_reporting", verbosity=0)
    cell = apps.get_model("reporting", "IndicatorCell")
    release = apps.get_model("reporting", "Release")
    for period, area, value in [
        ("2024", "VN", 30100),
        ("2025", "VN", 31250),
        ("2025", "19", 812),
        ("2026S1", "VN", 99999),  # not released: never shown
    ]:
        cell.objects.create(indicator="organisations", period=period, area=area, value=value)
    release.objects.create(period="2024")
    release.objects.create(period="2025")


@pytest.fixture
def units(db: Any) -> None:
    """The administrative units, which an earlier test's flush (a transactional test) removes:
    without them a user of province 19 breaks its foreign key."""
    from htxso.core.tests.units_snapshot import restore_units

    restore_units()


def _thai_nguyen(agencies: dict[str, Agency]) -> Agency:
    return next(a for a in agencies.values() if a.province_id == "19")


@pytest.mark.django_db
def test_the_task_page_shows_the_indicator_and_its_released_figures(
    client, catalogue, agencies, directive, province_19
):
    task = one_off(
        directive, _thai_nguyen(agencies), dt.date(2027, 3, 1), indicator_codes="organisations"
    )
    client.force_login(province_19)
    page = client.get(f"/tasks/{task.pk}/").content.decode()
    assert "Số tổ chức trong sổ đăng ký" in page
    assert "31.250" in page and "812" in page and "Năm 2025" in page
    assert "99.999" not in page and "30.100" not in page


@pytest.mark.django_db
def test_an_indicator_without_released_figures_says_so(
    client, catalogue, agencies, directive, secretariat
):
    task = one_off(directive, agencies["bo-tc"], dt.date(2027, 3, 1), indicator_codes="members")
    client.force_login(secretariat)
    page = client.get(f"/tasks/{task.pk}/").content.decode()
    assert "chưa có số liệu đã công bố" in page


@pytest.mark.django_db
def test_an_unknown_code_is_refused_on_the_entry_page_and_the_api(
    client, catalogue, agencies, directive, secretariat
):
    client.force_login(secretariat)
    form = {
        "directive": directive.number,
        "title": "Tăng số HTX",
        "assignee": agencies["bo-tc"].pk,
        "recurrence": "once",
        "due_on": "01/03/2027",
        "report_day": 5,
        "indicator_codes": "organisations, khong_co",
    }
    page = client.post("/tasks/new/", form)
    assert page.status_code == 422
    text = page.content.decode()
    assert "Không có chỉ tiêu mã khong_co trong danh mục chỉ tiêu thống kê." in text
    assert "Tăng số HTX" in text  # what was typed is kept
    payload = {
        "directive_id": directive.pk,
        "title": "Tăng số HTX",
        "assignee_id": agencies["bo-tc"].pk,
        "due_on": "2027-03-01",
        "indicator_codes": "khong_co",
    }
    api = client.post("/api/v1/tasks", json.dumps(payload), content_type="application/json")
    assert api.status_code == 422
    assert api.json()["errors"][0]["field"] == "indicator_codes"
    assert "khong_co" in api.json()["errors"][0]["message"]["vi"]
    assert not Task.objects.exists()
    payload["indicator_codes"] = "organisations"
    made = client.post("/api/v1/tasks", json.dumps(payload), content_type="application/json")
    assert made.status_code == 201, made.content
    assert Task.objects.get().indicator_codes == "organisations"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_task_page_in_a_browser_shows_the_linked_indicator(
    chromium_path,  # noqa: F811
    live_server,
    units,
    client,
    catalogue,
    agencies,
    directive,
    province_19,
):
    from playwright.sync_api import expect, sync_playwright

    from htxso.core.tests.browser import CHROMIUM_ARGS, PHONE

    task = one_off(
        directive, _thai_nguyen(agencies), dt.date(2027, 3, 1), indicator_codes="organisations"
    )
    client.force_login(province_19)
    session = client.cookies["sessionid"].value
    shots = Path(settings.BASE_DIR) / "var" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        context = browser.new_context(locale="vi-VN", viewport=PHONE, is_mobile=True)
        context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
        page = context.new_page()
        page.goto(f"{live_server.url}/tasks/{task.pk}/")
        indicators = page.locator("#indicators")
        expect(indicators).to_contain_text("Số tổ chức trong sổ đăng ký")
        expect(indicators).to_contain_text("Cả nước: 31.250")
        expect(indicators).not_to_contain_text("99.999")
        page.screenshot(path=str(shots / "tasks-indicators.png"), full_page=True)
        browser.close()
