"""Reporting's declared scopes (`core.scoping`): who sees, fills in and reviews a report, and
who sees the statistics cube live (the rest: released periods only)."""

from typing import Any

import pytest

from htxso.core.roles import Role
from htxso.core.scoping import Action, may
from htxso.registry.tests.factories import OrganisationFactory
from htxso.reporting import services
from htxso.reporting.models import (
    IndicatorCell,
    Release,
    Report,
    is_small,
    released_periods,
    sees_live,
)

from .conftest import LAST_YEAR, good_values, make_user

pytestmark = pytest.mark.django_db


def _ids(queryset: Any) -> set[int]:
    return set(queryset.values_list("pk", flat=True))


def test_who_sees_fills_in_and_reviews_reports(
    annual: Any,
    semiannual: Any,
    htx: Any,
    manager: Any,
    officer_19: Any,
    officer_01: Any,
    central: Any,
    admin: Any,
    public_user: Any,
) -> None:
    other = OrganisationFactory(province_id="19")
    other_manager = make_user("ql-khac", Role.COOPERATIVE_MANAGER, "19", organisation=other)
    mine = services.open_report(manager, annual, LAST_YEAR, organisation=htx)
    summary = services.open_report(officer_19, semiannual, f"{LAST_YEAR}S2", province_id="19")
    both = {mine.pk, summary.pk}

    assert _ids(Report.objects.visible_to(manager)) == {mine.pk}
    assert _ids(Report.objects.visible_to(other_manager)) == set()  # another organisation
    assert _ids(Report.objects.visible_to(officer_19)) == both
    assert _ids(Report.objects.visible_to(officer_01)) == set()  # another province
    assert _ids(Report.objects.visible_to(central)) == both
    assert _ids(Report.objects.visible_to(public_user)) == set()
    member = make_user("tv", Role.MEMBER, "19")
    assert _ids(Report.objects.visible_to(member)) == set()

    assert _ids(Report.objects.editable_by(manager)) == {mine.pk}
    assert _ids(Report.objects.editable_by(central)) == set()
    # Reviewed one level up: the province its organisations', central officers the summaries.
    assert _ids(Report.objects.reviewable_by(officer_19)) == {mine.pk}
    assert _ids(Report.objects.reviewable_by(central)) == {summary.pk}
    assert _ids(Report.objects.reviewable_by(admin)) == both
    assert _ids(Report.objects.reviewable_by(manager)) == set()
    assert _ids(Report.objects.reviewable_by(officer_01)) == set()

    services.save_values(manager, mine.pk, good_values())
    services.submit(manager, mine.pk)
    # A submitted report is no longer filled in, by anyone (the condition of `Report.scope`).
    for who in (manager, officer_19, admin):
        assert mine.pk not in _ids(Report.objects.editable_by(who))
        assert not may(who, Action.EDIT, Report.objects.get(pk=mine.pk))
    assert may(officer_19, Action.REVIEW, Report.objects.get(pk=mine.pk))
    assert not may(central, Action.REVIEW, Report.objects.get(pk=mine.pk))


def test_a_report_not_yet_opened_is_judged_on_its_respondent(
    annual: Any, htx: Any, manager: Any, officer_19: Any, officer_01: Any, central: Any
) -> None:
    other = OrganisationFactory(province_id="19")

    def fills(who: Any, organisation: Any) -> bool:
        return may(
            who, Action.EDIT, Report(form=annual, province_id="19", organisation=organisation)
        )

    assert fills(manager, htx) and not fills(manager, other) and not fills(manager, None)
    assert fills(officer_19, other) and fills(officer_19, None)
    assert not fills(officer_01, htx)
    assert not fills(central, htx)


def test_live_statistics_and_releases(
    officer_19: Any, officer_01: Any, central: Any, admin: Any, manager: Any, public_user: Any
) -> None:
    from django.contrib.auth.models import AnonymousUser

    for who in (central, admin):
        assert sees_live(who, "19") and sees_live(who, "*") and sees_live(who, "VN")
    assert sees_live(officer_19, "19")
    assert not sees_live(officer_19, "01")  # another province
    assert not sees_live(officer_19, "*")  # the provinces compared: released figures only
    for who in (officer_01, manager, public_user, AnonymousUser()):
        assert not sees_live(who, "19")

    IndicatorCell.objects.create(indicator="x", period=LAST_YEAR, area="19", value=5)
    IndicatorCell.objects.create(indicator="x", period=f"{LAST_YEAR}S1", area="19", value=2)
    IndicatorCell.objects.create(indicator="x", period="2001", area="19", value=1)
    Release.objects.create(period=LAST_YEAR)
    assert {LAST_YEAR, f"{LAST_YEAR}S1", f"{LAST_YEAR}S2"} <= released_periods()

    def periods(who: Any, area: str) -> set[str]:
        cells = IndicatorCell.objects.visible_to(who, area).filter(indicator="x")
        return set(cells.values_list("period", flat=True))

    everything = {LAST_YEAR, f"{LAST_YEAR}S1", "2001"}
    assert periods(central, "*") == periods(officer_19, "19") == everything
    assert periods(officer_19, "*") == periods(public_user, "19") == everything - {"2001"}
    assert periods(AnonymousUser(), "VN") == everything - {"2001"}

    old = IndicatorCell.objects.get(indicator="x", period="2001")
    released = IndicatorCell.objects.get(indicator="x", period=LAST_YEAR)
    assert may(public_user, Action.VIEW, released) and not may(public_user, Action.VIEW, old)
    assert may(officer_19, Action.VIEW, old)  # their own province, live

    assert is_small(None) and is_small(2) and not is_small(3)
    assert may(central, Action.RELEASE) and not may(officer_19, Action.RELEASE)
