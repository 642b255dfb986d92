"""Received never exceeds expected (#16): /reporting/completeness/ showed 573 / 567 (101,1 %).
Expected came from the cube's stock at the period's end, which leaves out an HTX dissolved
during the year — yet it must still report for that year, and did."""

import datetime as dt

import pytest
from django.urls import reverse

from htxso.registry import services as registry
from htxso.registry.choices import Status
from htxso.registry.tests.factories import CooperativeGroupFactory, OrganisationFactory
from htxso.reporting import completeness, services, statistics
from htxso.reporting.periods import Period

from .conftest import LAST_YEAR, good_values

pytestmark = pytest.mark.django_db


def submit(manager, form, organisation):
    report = services.open_report(manager, form, LAST_YEAR, organisation)
    services.save_values(manager, report.pk, good_values())
    return services.submit(manager, report.pk)


@pytest.fixture
def closed_during_the_year(annual, htx, manager, admin):
    """The HTX reports for last year, then is dissolved in last year's December."""
    submit(manager, annual, htx)
    registry.change_status(
        admin, htx.pk, Status.DISSOLVED, dt.date(int(LAST_YEAR), 12, 18), reason="Giải thể"
    )
    statistics.refresh_registry(None)
    statistics.rebuild_registry_period(Period(int(LAST_YEAR), 2))
    return htx


def test_an_htx_dissolved_during_the_year_is_expected_and_received(
    client, annual, closed_during_the_year, officer_19
):
    gone_before = OrganisationFactory(established_on=dt.date(2010, 1, 1))
    registry.change_status(None, gone_before.pk, Status.BANKRUPT, dt.date(int(LAST_YEAR) - 1, 5, 1))
    waiting = OrganisationFactory(established_on=dt.date(2012, 1, 1))
    CooperativeGroupFactory()  # a tổ hợp tác does not report on this form
    OrganisationFactory(established_on=dt.date(int(LAST_YEAR) + 1, 1, 2))  # not yet founded
    client.force_login(officer_19)
    response = client.get(
        reverse("reporting:completeness"), {"form": "htx-annual", "period": LAST_YEAR}
    )
    row = next(r for r in response.context["rows"] if r["province"].code == "19")
    assert (row["expected"], row["received"], row["rate"]) == (2, 1, 50.0)
    assert [o.pk for o in response.context["missing"]] == [waiting.pk]
    summary = response.context["summary"]
    assert summary["received"] <= summary["expected"]


def test_expected_less_received_is_who_is_missing(annual, closed_during_the_year):
    period = Period.parse(LAST_YEAR)
    rows = completeness.table(annual, period)
    for row in rows:
        missing = completeness.missing(annual, period, row["province"].code).count()
        assert row["expected"] - row["received"] == missing == row["missing"]
