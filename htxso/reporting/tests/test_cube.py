"""The cube: deltas written by approvals and registry writes equal full rebuilds; the nation is
the sum of its provinces; past half-years are reconstructed as they stood; the generator's
history is consistent; concurrent writers lose nothing (PostgreSQL)."""

import datetime as dt
import threading
from collections import defaultdict

import pytest
from django.db import connection, transaction

from htxso.registry import services as registry
from htxso.registry.choices import Classification, MemberKind, Status
from htxso.registry.tests.factories import (
    CooperativeGroupFactory,
    MembershipFactory,
    OrganisationFactory,
    UnionFactory,
)
from htxso.reporting import generator, services, statistics
from htxso.reporting.definitions import ERROR, Definition
from htxso.reporting.models import NATIONAL, Report, ReportForm, Source
from htxso.reporting.periods import Period

from .conftest import LAST_YEAR, cells, good_values, reference_data

BEFORE = str(int(LAST_YEAR) - 1)
TOTALS = ("_T", "_T", "_T")


class Rollback(Exception):
    pass


def report_cells() -> dict:
    codes = [i.code for i in statistics.measures.indicators(Source.REPORT)]
    return cells(indicator__in=codes)


def registry_cells(period: str) -> dict:
    return cells(period=period, indicator__in=statistics.registry_codes())


def approved(org, period=LAST_YEAR, form="htx-annual", province_id=None, **values) -> Report:
    form = ReportForm.objects.get(code=form)
    report = services.open_report(None, form, period, organisation=org, province_id=province_id)
    services.save_values(None, report.pk, values if province_id else good_values(**values))
    services.submit(None, report.pk)
    return services.approve(None, report.pk)


def assert_nation_is_the_sum_of_provinces() -> None:
    sums: dict[tuple, int] = defaultdict(int)
    national: dict[tuple, int] = {}
    for (indicator, period, area, *dims), value in cells().items():
        key = (indicator, period, *dims)
        if area == NATIONAL:
            national[key] = value
        else:
            sums[key] += value
    assert national == dict(sums)


def assert_equals_a_full_recount(period: str) -> None:
    by_deltas = registry_cells(period)
    statistics.refresh_registry(None)
    assert registry_cells(period) == by_deltas


# -- reports ------------------------------------------------------------------------------------


def test_approvals_equal_a_rebuild(reference):
    htx = OrganisationFactory(province_id="19")
    other = OrganisationFactory(province_id="01", sector="C", is_agricultural=False)
    union = UnionFactory(province_id="19")
    approved(htx, revenue="1.250")
    approved(htx, BEFORE, revenue="1.000", costs="900", profit="100")
    approved(other, revenue="2.000", costs="1.800", high_tech="x", value_chain="có")
    approved(union, members="4", member_workers="4", member_cooperatives="3")
    reopened = approved(OrganisationFactory(province_id="01"))
    services.return_report(None, reopened.pk, "Mở lại")
    for code, budget in (("19", "700"), ("01", "300")):
        approved(None, f"{LAST_YEAR}S2", "province-semiannual", code, new_cooperatives="4",
                 dissolved_cooperatives="1", support_budget=budget)  # fmt: skip
    moved = approved(OrganisationFactory(province_id="19"), revenue="3.000")
    registry.update_organisation(None, moved.organisation_id, 1, province_id="01")

    by_deltas = report_cells()
    total = ("revenue", LAST_YEAR, NATIONAL, *TOTALS)
    assert by_deltas[total] == 1250 + 2000 + 1250 + 3000
    assert by_deltas[("revenue", LAST_YEAR, "19", *TOTALS)] == 1250 + 1250 + 3000  # the move kept
    assert by_deltas[("revenue", LAST_YEAR, "19", "cooperative_union", "_T", "_T")] == 1250
    assert by_deltas[("revenue", LAST_YEAR, "01", "_T", "C", "_T")] == 2000
    assert by_deltas[("reports_approved", LAST_YEAR, NATIONAL, *TOTALS)] == 4
    assert by_deltas[("value_chain_reported", LAST_YEAR, NATIONAL, *TOTALS)] == 1
    assert by_deltas[("income_mass", LAST_YEAR, "19", *TOTALS)] == 3 * 4500 * 8
    assert by_deltas[("province_support_budget", f"{LAST_YEAR}S2", NATIONAL, *TOTALS)] == 1000
    assert by_deltas[("revenue", BEFORE, NATIONAL, *TOTALS)] == 1000
    assert_nation_is_the_sum_of_provinces()

    statistics.rebuild_reports()
    assert report_cells() == by_deltas
    # a report loaded without its contribution gets it computed, to the same cells
    Report.objects.filter(organisation=other).update(contribution={})
    statistics.rebuild_reports()
    assert report_cells() == by_deltas
    assert Report.objects.get(organisation=other).contribution["area"] == "01"
    # reopened after the move, it leaves the province it was counted in
    services.return_report(None, moved.pk, "Mở lại sau khi chuyển tỉnh")
    assert report_cells()[("revenue", LAST_YEAR, "19", *TOTALS)] == 1250 + 1250
    assert report_cells()[("revenue", LAST_YEAR, "01", *TOTALS)] == 2000
    assert min(cells().values()) > 0
    assert_nation_is_the_sum_of_provinces()


def test_a_report_without_figures_counts_as_approved_only(reference):
    report = approved(OrganisationFactory(), workers="0", member_workers="0", avg_income="0")
    got = report_cells()
    assert got[("reports_approved", LAST_YEAR, NATIONAL, *TOTALS)] == 1
    assert ("workers", LAST_YEAR, NATIONAL, *TOTALS) not in got  # zero is absent
    assert ("income_workers", LAST_YEAR, NATIONAL, *TOTALS) not in got
    assert report.contribution["measures"]["workers"] == 0


# -- the registry's running half-year ------------------------------------------------------------


def test_registry_writes_update_the_running_half_year(reference):
    run = statistics.running_period().code
    orgs = ("organisations", run)
    htx = OrganisationFactory(province_id="19")
    got = registry_cells(run)
    assert got[(*orgs, "19", *TOTALS)] == got[(*orgs, NATIONAL, *TOTALS)] == 1
    assert got[(*orgs, "19", "cooperative", "_T", "active")] == 1
    assert_equals_a_full_recount(run)

    other = OrganisationFactory(province_id="01", sector="C", is_agricultural=False)
    people = [MembershipFactory(organisation=htx) for _ in range(3)]
    union = UnionFactory(province_id="19")
    registry.add_membership(None, union.pk, MemberKind.OFFICIAL, dt.date(2020, 1, 1),
                            member_organisation=htx)  # fmt: skip
    got = registry_cells(run)
    assert got[(*orgs, NATIONAL, *TOTALS)] == 3
    assert got[("members", run, "19", "cooperative", "_T", "_T")] == 3
    assert got[("members", run, NATIONAL, *TOTALS)] == 4
    assert got[("union_member_htx", run, "19", *TOTALS)] == 1
    assert got[("agricultural", run, NATIONAL, *TOTALS)] == 2
    assert got[(*orgs, "01", "_T", "C", "_T")] == 1
    assert_equals_a_full_recount(run)

    registry.end_membership(None, people[0].pk, dt.date.today())
    registry.update_organisation(None, htx.pk, 1, classification=Classification.GOOD)
    registry.change_status(None, other.pk, Status.SUSPENDED, dt.date.today())
    got = registry_cells(run)
    assert got[("members", run, "19", "cooperative", "_T", "_T")] == 2
    assert got[("good_fair", run, NATIONAL, *TOTALS)] == 1
    assert got[(*orgs, "01", "_T", "_T", "suspended")] == 1
    assert (*orgs, "01", "_T", "_T", "active") not in got
    assert_equals_a_full_recount(run)

    registry.change_status(None, other.pk, Status.DISSOLVED, dt.date.today())
    registry.delete_membership(None, people[1].pk)
    registry.update_organisation(None, htx.pk, 2, province_id="01")
    got = registry_cells(run)
    assert not any(key[2] == "01" and key[5] == "suspended" for key in got)
    assert got[(*orgs, "19", *TOTALS)] == 1 and got[(*orgs, "01", *TOTALS)] == 1
    assert got[("members", run, "01", *TOTALS)] == 1
    assert_equals_a_full_recount(run)
    assert_nation_is_the_sum_of_provinces()


def test_membership_writes_after_a_move_refresh_the_new_province(reference):
    run = statistics.running_period().code
    htx = OrganisationFactory(province_id="19")
    membership = MembershipFactory(organisation=htx)
    registry.update_organisation(None, htx.pk, 1, province_id="01")
    registry.end_membership(None, membership.pk, dt.date.today())
    assert ("members", run, "01", *TOTALS) not in registry_cells(run)


def test_a_refresh_of_no_province_changes_nothing(reference):
    OrganisationFactory(province_id="19")
    before = cells()
    assert statistics.refresh_registry([]) == 0
    assert statistics.refresh_registry(set()) == 0
    assert cells() == before


def test_registry_cells_move_in_the_writers_transaction(reference):
    run = statistics.running_period().code
    OrganisationFactory(province_id="19")
    key = ("organisations", run, NATIONAL, *TOTALS)
    with pytest.raises(Rollback), transaction.atomic():
        OrganisationFactory(province_id="19")
        assert registry_cells(run)[key] == 2  # before the commit, in the same transaction
        raise Rollback
    assert registry_cells(run)[key] == 1


def test_a_past_half_year_is_reconstructed_as_it_stood(reference):
    run = statistics.running_period()
    past = run.previous()
    late = run.start  # after the past half-year ended, not in the future
    kept = OrganisationFactory(established_on=dt.date(2015, 1, 1))
    registry.update_organisation(None, kept.pk, 1, classification=Classification.FAIR)
    OrganisationFactory(established_on=late)  # too new for the past half-year
    gone = OrganisationFactory(established_on=dt.date(2015, 1, 1))
    registry.change_status(None, gone.pk, Status.DISSOLVED, past.end - dt.timedelta(days=1))
    closed_later = OrganisationFactory(established_on=dt.date(2015, 1, 1), province_id="01")
    registry.change_status(None, closed_later.pk, Status.SUSPENDED, past.start)
    registry.change_status(None, closed_later.pk, Status.DISSOLVED, late)
    left_before = MembershipFactory(organisation=kept, joined_on=dt.date(2020, 1, 1))
    registry.end_membership(None, left_before.pk, past.end - dt.timedelta(days=1))
    left_after = MembershipFactory(organisation=kept, joined_on=dt.date(2020, 1, 1))
    registry.end_membership(None, left_after.pk, late)
    MembershipFactory(organisation=kept, joined_on=dt.date(2020, 1, 1))
    MembershipFactory(organisation=kept, joined_on=late)

    statistics.rebuild_registry_period(past)
    got = registry_cells(past.code)
    assert got[("organisations", past.code, NATIONAL, *TOTALS)] == 2  # kept, closed_later
    assert got[("organisations", past.code, "01", "_T", "_T", "suspended")] == 1
    assert got[("members", past.code, NATIONAL, *TOTALS)] == 2  # left_after and the one staying
    assert got[("good_fair", past.code, "19", *TOTALS)] == 1
    assert_nation_is_the_sum_of_provinces()
    live = registry_cells(run.code)
    assert live[("organisations", run.code, NATIONAL, *TOTALS)] == 2  # kept and the new one
    assert live[("members", run.code, NATIONAL, *TOTALS)] == 2
    # the running half-year rebuilt "as at" is the live count; a year is not a registry period
    statistics.rebuild_registry_period(run)
    assert registry_cells(run.code) == live
    with pytest.raises(ValueError):
        statistics.rebuild_registry_period(Period(run.year))


# -- the generator ------------------------------------------------------------------------------


def test_generated_history_is_consistent(reference):
    last = int(LAST_YEAR)
    OrganisationFactory(province_id="19")
    OrganisationFactory(province_id="01", sector="C")
    UnionFactory(province_id="19")
    CooperativeGroupFactory(province_id="19")  # does not report
    dissolved = OrganisationFactory(established_on=dt.date(2015, 1, 1))
    registry.change_status(None, dissolved.pk, Status.DISSOLVED, dt.date(last - 2, 6, 1))
    OrganisationFactory(established_on=dt.date(last, 7, 1))  # its first year is the last one
    approved(OrganisationFactory(province_id="19"))  # replaced by the history

    result = generator.generate_history(years=2, seed=3)
    assert result.reports == 4 * 2 + 1 == Report.objects.filter(organisation__isnull=False).count()
    assert result.summaries == 34 * 4 == Report.objects.filter(organisation__isnull=True).count()
    assert set(Report.objects.values_list("status", flat=True)) == {"approved"}
    by_generator = report_cells()
    assert by_generator[("reports_approved", LAST_YEAR, NATIONAL, *TOTALS)] == 5
    statistics.rebuild_reports()
    assert report_cells() == by_generator
    assert_nation_is_the_sum_of_provinces()
    for report in Report.objects.select_related("form_version", "organisation"):
        kind = report.organisation.kind if report.organisation else ""
        found = Definition(report.form_version.definition).check(report.values, kind)
        assert [f for f in found if f["severity"] == ERROR] == [], report.values
    first_half = registry_cells(f"{last}S1")
    second_half = registry_cells(f"{last}S2")
    assert first_half[("organisations", f"{last}S1", NATIONAL, "cooperative", "_T", "_T")] == 3
    assert second_half[("organisations", f"{last}S2", NATIONAL, "cooperative", "_T", "_T")] == 4


# -- concurrency (PostgreSQL) ---------------------------------------------------------------------


def _in_threads(*jobs) -> list:
    """Run the jobs at once (a barrier), each on its own connection; their outcomes."""
    from django.db import connections

    barrier = threading.Barrier(len(jobs), timeout=30)
    outcomes: list = [None] * len(jobs)

    def run(i, job):
        try:
            barrier.wait()
            outcomes[i] = job()
        except Exception as exc:  # collected and asserted by the caller
            outcomes[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


def _fresh_database() -> None:
    from htxso.core.tests.units_snapshot import restore_units

    restore_units()  # transactional tests start from flushed tables
    services.load_reference(reference_data())


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locking")
def test_concurrent_approvals_in_two_provinces_both_count(transactional_db):
    _fresh_database()
    reports = []
    for province, revenue in (("19", "1.250"), ("01", "2.000")):
        form = ReportForm.objects.get(code="htx-annual")
        org = OrganisationFactory(province_id=province)
        report = services.open_report(None, form, LAST_YEAR, organisation=org)
        services.save_values(None, report.pk, good_values(revenue=revenue))
        reports.append(services.submit(None, report.pk))
    outcomes = _in_threads(*(lambda r=r: services.approve(None, r.pk).status for r in reports))
    assert outcomes == ["approved", "approved"]
    got = report_cells()
    assert got[("revenue", LAST_YEAR, NATIONAL, *TOTALS)] == 3250
    assert got[("reports_approved", LAST_YEAR, NATIONAL, "cooperative", "_T", "_T")] == 2
    statistics.rebuild_reports()
    assert report_cells() == got


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locking")
def test_concurrent_first_registry_writes_of_a_half_year(transactional_db):
    _fresh_database()
    run = statistics.running_period().code
    assert registry_cells(run) == {}
    outcomes = _in_threads(*(lambda p=p: OrganisationFactory(province_id=p).pk for p in
                             ("19", "01", "79")))  # fmt: skip
    assert all(isinstance(pk, int) for pk in outcomes), outcomes
    assert registry_cells(run)[("organisations", run, NATIONAL, *TOTALS)] == 3
    assert_equals_a_full_recount(run)


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locking")
def test_editing_one_report_does_not_block_another_of_the_same_form(transactional_db):
    _fresh_database()
    form = ReportForm.objects.get(code="htx-annual")
    first, second = (
        services.open_report(None, form, LAST_YEAR, organisation=OrganisationFactory())
        for _ in range(2)
    )
    holding, done = threading.Event(), threading.Event()

    def slow_editor():
        with transaction.atomic():
            services.save_values(None, first.pk, {"revenue": "1"})
            holding.set()
            done.wait(20)  # its transaction, and its locks, stay open meanwhile
        return "first"

    def other_editor():
        holding.wait(20)
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '3s'")
                services.save_values(None, second.pk, {"revenue": "2"})
            return "second"
        finally:
            done.set()

    assert _in_threads(slow_editor, other_editor) == ["first", "second"]
    assert Report.objects.get(pk=second.pk).values["revenue"] == 2
