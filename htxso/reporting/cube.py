"""The cube: pre-aggregated indicator cells, refreshed by deltas in the writer's transaction.

A *contribution* is what one group of organisations (or one report) adds to the indicators for
one period in one province, with its kind, sector and status; `rollup` spreads it over the
stored roll-ups (all, by kind, by sector, by status, by kind × status) of the province and the
nation, and `apply` adds the result with `value = value + delta` (one upsert statement per
batch, the same SQL on PostgreSQL and SQLite). Dashboards only read cells.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping

from django.db import connection, transaction

from htxso.core import stamps

from .models import NATIONAL, TOTAL, IndicatorCell

STAMP = "statistics"  # `dashboard_cache.SCOPE`: moved by every write of cells

# The disaggregations stored for each area (the dimensions not listed are totals).
ROLLUPS: tuple[tuple[str, ...], ...] = ((), ("kind",), ("sector",), ("status",), ("kind", "status"))
DIMENSIONS = ("kind", "sector", "status")

Key = tuple[str, str, str, str, str, str]  # indicator, period, area, kind, sector, status


def rollup(
    period: str, area: str, dims: Mapping[str, str], measures: Mapping[str, int]
) -> dict[Key, int]:
    """The cell deltas of one contribution: each measure into every roll-up of its province
    and of the nation. Dimensions given as `_T` (a province summary) collapse their roll-ups."""
    keys: set[tuple[str, str, str, str]] = set()
    for target in {area, NATIONAL}:
        for kept in ROLLUPS:
            keys.add(
                (target, *(dims.get(d, TOTAL) if d in kept else TOTAL for d in DIMENSIONS))  # type: ignore[arg-type]
            )
    out: dict[Key, int] = {}
    for indicator, value in measures.items():
        if value:
            for target, kind, sector, status in keys:
                out[(indicator, period, target, kind, sector, status)] = value
    return out


def add(total: dict[Key, int], more: Mapping[Key, int], sign: int = 1) -> None:
    for key, value in more.items():
        total[key] = total.get(key, 0) + sign * value


_UPSERT = (
    "INSERT INTO reporting_indicatorcell "
    "(indicator, period, area, kind, sector, status, value) VALUES (%s, %s, %s, %s, %s, %s, %s) "
    "ON CONFLICT (indicator, period, area, kind, sector, status) "
    "DO UPDATE SET value = reporting_indicatorcell.value + excluded.value"
)


def apply(deltas: Mapping[Key, int]) -> int:
    """Add the deltas to the cells (creating missing ones). Keys are applied in sorted order,
    so concurrent writers lock the shared national cells in the same order (no deadlock).
    A cell that falls to zero is removed (absent means zero, as a rebuild leaves it)."""
    rows = [(*key, value) for key, value in sorted(deltas.items()) if value]
    if not rows:
        return 0
    with transaction.atomic(savepoint=False):  # a failed upsert fails the writer's transaction
        stamps.bump([STAMP])  # the dashboards' cache (`dashboard_cache`), in this transaction
        with connection.cursor() as cursor:
            for start in range(0, len(rows), 2000):
                cursor.executemany(_UPSERT, rows[start : start + 2000])
        lowered = [row for row in rows if row[6] < 0]
        if lowered:
            IndicatorCell.objects.filter(
                indicator__in={r[0] for r in lowered},
                period__in={r[1] for r in lowered},
                area__in={r[2] for r in lowered},
                value=0,
            ).delete()
    return len(rows)


def replace(period: str, indicators: Iterable[str], cells: Mapping[Key, int]) -> None:
    """Replace every cell of `indicators` in `period` (a full rebuild of that slice)."""
    with transaction.atomic():
        stamps.bump([STAMP])
        IndicatorCell.objects.filter(period=period, indicator__in=list(indicators)).delete()
        IndicatorCell.objects.bulk_create(
            (
                IndicatorCell(
                    indicator=k[0],
                    period=k[1],
                    area=k[2],
                    kind=k[3],
                    sector=k[4],
                    status=k[5],
                    value=v,
                )
                for k, v in cells.items()
                if v
            ),
            batch_size=2000,
        )


def stored(period: str, indicators: Iterable[str], areas: Iterable[str]) -> dict[Key, int]:
    """The stored cells of a slice, locked for update (PostgreSQL) until the transaction ends:
    two writers of one province cannot both compute a delta from the same old cells."""
    rows = (
        IndicatorCell.objects.select_for_update()
        .filter(period=period, indicator__in=list(indicators), area__in=list(areas))
        .values_list("indicator", "period", "area", "kind", "sector", "status", "value")
    )
    return {tuple(r[:6]): r[6] for r in rows}  # type: ignore[misc]


def totals(
    contributions: Iterable[tuple[str, str, Mapping[str, str], Mapping[str, int]]],
) -> dict[Key, int]:
    """All cells of many contributions (period, area, dims, measures), summed."""
    out: dict[Key, int] = defaultdict(int)
    for period, area, dims, measures in contributions:
        for key, value in rollup(period, area, dims, measures).items():
            out[key] += value
    return dict(out)
