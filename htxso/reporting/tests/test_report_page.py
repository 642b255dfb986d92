"""The report page writes numbers the Vietnamese way and yes/no in words (#16): the previous
period's column showed Python's `False`, stored figures were shown raw in the inputs."""

import re

import pytest
from django.urls import reverse

from htxso.reporting import services

from .conftest import LAST_YEAR, good_values

pytestmark = pytest.mark.django_db
BEFORE = str(int(LAST_YEAR) - 1)


def row_of(html: str, key: str) -> str:
    found = re.search(rf'<tr><td><label for="f-{key}">.*?</tr>', html, re.S)
    assert found, key
    return found.group(0)


def previous_of(html: str, key: str) -> str:
    found = re.search(r'<td class="text-end text-muted previous">([^<]*)</td>', row_of(html, key))
    assert found, key
    return found.group(1)


@pytest.fixture
def reports(annual, htx, manager, officer_19):
    old = services.open_report(manager, annual, BEFORE, organisation=htx)
    services.save_values(manager, old.pk, good_values(revenue="1.250.000", value_chain="không"))
    services.submit(manager, old.pk)
    services.approve(officer_19, old.pk)
    report = services.open_report(manager, annual, LAST_YEAR, organisation=htx)
    services.save_values(manager, report.pk, good_values(revenue="2.500.000"))
    return report


def test_the_previous_period_shows_words_and_vietnamese_numbers(client, manager, reports):
    client.force_login(manager)
    html = client.get(reverse("reporting:report", args=[reports.pk])).content.decode()
    assert previous_of(html, "value_chain") == "Không"
    assert previous_of(html, "high_tech") == "Có"
    assert previous_of(html, "revenue") == "1.250.000"
    assert ">False<" not in html and ">True<" not in html


def test_a_stored_figure_is_shown_in_its_input_the_vietnamese_way(client, manager, reports):
    client.force_login(manager)
    html = client.get(reverse("reporting:report", args=[reports.pk])).content.decode()
    assert 'value="2.500.000"' in row_of(html, "revenue")


def test_a_figure_that_is_not_a_number_says_what_to_type(client, manager, reports):
    client.force_login(manager)
    response = client.post(
        reverse("reporting:report", args=[reports.pk]),
        {**good_values(revenue="hai triệu"), "action": "save", "version": reports.version + 1},
    )
    assert response.status_code == 422
    row = row_of(response.content.decode(), "revenue")
    assert "nhập số, ví dụ 5.000.000" in row and 'value="hai triệu"' in row
