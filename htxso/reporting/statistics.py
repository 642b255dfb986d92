"""Keeping the cube true: the registry's running half-year by deltas, past periods and
reports by rebuilds (`htxso rebuild_statistics`).

`on_registry_refresh` runs inside every registry write's transaction (the registry's
`stats.refreshed` signal): it re-counts only the provinces the write touched, for the running
half-year, and applies the differences to those provinces' cells and to the nation's.
"""

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from htxso.core import facts, stamps

from . import cube, measures
from .models import NATIONAL, IndicatorCell, Report, ReportStatus, Source
from .periods import HALF, Period


def running_period(today: dt.date | None = None) -> Period:
    return Period.containing(today or timezone.localdate(), HALF)


def registry_codes() -> list[str]:
    return [i.code for i in measures.indicators(Source.REGISTRY)]


@transaction.atomic
def refresh_registry(provinces: Iterable[str] | None, today: dt.date | None = None) -> int:
    """Re-count the running half-year for `provinces` (None: all) and apply the deltas."""
    codes = registry_codes()
    if provinces is not None:
        provinces = sorted(set(provinces))
    if not codes or provinces == []:
        return 0
    period = running_period(today).code

    def started() -> bool:
        return IndicatorCell.objects.filter(
            period=period, area=NATIONAL, indicator__in=codes
        ).exists()

    whole = provinces is None or not started()
    if whole:
        _lock_registry_cells(exclusive=True)
        whole = provinces is None or not started()  # another writer may have begun it
    else:
        _lock_registry_cells(exclusive=False)
    if whole:  # a new half-year (or everything): count it whole
        cells = measures.registry_cells(period, None, None)
        cube.replace(period, codes, cells)
        return len(cells)
    assert provinces is not None
    wanted = provinces
    # Lock the provinces' cells first, then count: a writer of the same province that
    # committed meanwhile is then both in the old cells and in the count.
    old = cube.stored(period, codes, wanted)
    fresh = {
        k: v for k, v in measures.registry_cells(period, wanted, None).items() if k[2] != NATIONAL
    }
    deltas: dict[cube.Key, int] = {}
    for key in fresh.keys() | old.keys():
        delta = fresh.get(key, 0) - old.get(key, 0)
        if delta:
            deltas[key] = deltas.get(key, 0) + delta
            national = (key[0], key[1], NATIONAL, key[3], key[4], key[5])
            deltas[national] = deltas.get(national, 0) + delta
    cube.apply(deltas)  # a cell that falls to zero is removed (absent means zero)
    return len(deltas)


# PostgreSQL advisory lock of the running half-year's registry cells: writers by deltas share
# it; a whole count (the first write of a half-year, a full refresh) takes it alone, so two
# first writers do not both insert the half-year, and no delta is computed against cells a
# whole count is replacing. (SQLite serialises writers by itself.)
_REGISTRY_LOCK = 0x48545853  # "HTXS"


def _lock_registry_cells(exclusive: bool) -> None:
    # The dashboards' stamp first: every cube writer takes it before any other lock of the
    # cube (`cube.apply`/`replace` bump it first too), so a whole count holding this lock
    # never waits for the stamp behind a writer waiting for this lock.
    stamps.bump([cube.STAMP])
    if connection.vendor != "postgresql":
        return
    function = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(%s)", [_REGISTRY_LOCK])


class RunningRegistryCells:
    """The running half-year's registry cells as a registry `Derived` (`aggregates.changing`):
    a write to a few organisations adds what they contribute after it minus what they did
    before, to their provinces' cells and the nation's — no province is re-counted."""

    def before(self, organisations: list[int]) -> dict[int, Any]:
        specs = {i.code: i.measure for i in measures.indicators(Source.REGISTRY)}
        return measures.registry_contributions(specs, organisations)

    def after(self, organisations: list[int], before: Mapping[int, Any]) -> None:
        specs = {i.code: i.measure for i in measures.indicators(Source.REGISTRY)}
        if not specs:
            return
        period = running_period().code
        if not IndicatorCell.objects.filter(
            period=period, area=NATIONAL, indicator__in=list(specs)
        ).exists():
            refresh_registry(None)  # a new half-year: counted whole, once
            return
        _lock_registry_cells(exclusive=False)
        now = measures.registry_contributions(specs, organisations)
        deltas: dict[cube.Key, int] = {}
        for sign, side in ((-1, before), (1, now)):
            for pk in organisations:
                if side.get(pk) is not None:
                    area, dims, values = side[pk]
                    cube.add(deltas, cube.rollup(period, area, dims, values), sign)
        cube.apply(deltas)


def on_registry_refresh(
    sender: type[Model], provinces: Iterable[str] | None = None, **kwargs: Any
) -> None:
    refresh_registry(provinces)


def approved_yearly_values(organisation_id: int, year: int) -> dict[str, Any] | None:
    """The approved yearly report's values of an organisation (`core.facts`: what other apps
    may read of reports, e.g. the classification's prefill). One indexed query."""
    values = (
        Report.objects.filter(
            organisation_id=organisation_id,
            period=str(year),
            status=ReportStatus.APPROVED,
            form__periodicity="year",
        )
        .values_list("values", flat=True)
        .first()
    )
    return dict(values) if values is not None else None


def rebuild_registry_period(period: Period, today: dt.date | None = None) -> int:
    """Reconstruct a half-year's registry figures as they stood at its end (from the dated
    history); the running half-year is counted live."""
    today = today or timezone.localdate()
    if period.periodicity != HALF:
        raise ValueError("registry figures are half-yearly")
    if period.end >= today:
        return refresh_registry(None, today)
    cells = measures.registry_cells(period.code, None, period.end)
    cube.replace(period.code, registry_codes(), cells)
    return len(cells)


def rebuild_reports() -> int:
    """Recompute every report indicator from the approved reports' values, replacing what the
    deltas built: the check that deltas are exact, and how a changed or new report indicator
    reaches past periods. A report counts where its organisation stood when it was approved
    (the area and dimensions of its stored contribution: a 2023 report stays in the 2023
    province after a move); one without a stored contribution (bulk-loaded) takes its
    organisation's current ones. Changed contributions are stored (a later reopen subtracts
    what the cube holds)."""
    specs = measures.indicators(Source.REPORT)
    codes = [i.code for i in specs]
    with transaction.atomic():
        stamps.bump([cube.STAMP])  # even when no approved report is left to add back
        IndicatorCell.objects.filter(indicator__in=codes).delete()
        approved = (
            Report.objects.filter(status=ReportStatus.APPROVED)
            .select_related("form", "organisation")
            .iterator(chunk_size=5000)
        )
        total: dict[cube.Key, int] = {}
        for report in approved:
            stored = report.contribution or {}
            if stored.get("area"):
                area, dims = stored["area"], stored["dims"]
            else:
                area, dims = measures.report_dims(report)
            c = {
                "area": area,
                "dims": dims,
                "measures": measures.report_measures(report.form.code, report.values, specs),
            }
            if c != stored:  # a derived field of the report, not an edit of it: no audit
                Report.objects.filter(pk=report.pk).update(contribution=c)
            cube.add(total, cube.rollup(report.period, area, dims, c["measures"]))
        cube.apply(total)
    return len(total)


def provided_specs() -> dict[str, str]:
    """Indicator code → the provided measure it stores (`{"provided": "market_listings"}`)."""
    return {i.code: i.measure["provided"] for i in measures.indicators(Source.PROVIDED)}


def rebuild_provided(period: Period, today: dt.date | None = None) -> int:
    """Replace a half-year's cells of the provided indicators (the marketplace's e-commerce
    participation, `core.facts.cube_figures`) with what the providers count for it: the
    running half-year as it stands, an ended one as at its end. A year is its half-years."""
    today = today or timezone.localdate()
    specs = provided_specs()
    if not specs:
        return 0
    done = 0
    for half in period.halves() if period.half is None else (period,):
        rows = facts.cube_figures(half.start, min(half.end, today), live=half.end >= today)
        cells = cube.totals(
            (half.code, province, dims, {code: values.get(name, 0) for code, name in specs.items()})
            for province, dims, values in rows
        )
        cube.replace(half.code, list(specs), cells)
        done += len(cells)
    return done
