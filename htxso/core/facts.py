"""Facts one domain app offers another through core (never a sideways import).

An app that owns a fact registers a provider from its `AppConfig.ready`; an app that needs it
asks here. Today: the approved yearly report of an organisation (reporting provides it, the
assessment's classification prefills its criteria from it). No provider: no facts (None).
The other way round, the statistics cube reads figures other apps provide (the marketplace's
e-commerce participation) through `provide_cube_figures` / `cube_figures`.
"""

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any

# (organisation id, year) → the approved yearly report's values, or None.
YearlyReport = Callable[[int, int], Mapping[str, Any] | None]

_YEARLY_REPORT: list[YearlyReport] = []


def provide_yearly_report(provider: YearlyReport) -> None:
    """Register the one provider of approved yearly reports (a second registration replaces
    the first: `ready` may run twice in tests)."""
    _YEARLY_REPORT[:] = [provider]


def yearly_report(organisation_id: int, year: int) -> Mapping[str, Any] | None:
    """The values of the organisation's approved yearly report for `year`, if any."""
    if not _YEARLY_REPORT:
        return None
    return _YEARLY_REPORT[0](organisation_id, year)


# The opposite direction: figures a domain app offers the statistics cube. A provider gets a
# period's first and last day and returns rows (province, dimensions, measures): the
# dimensions are the organisation's `kind`, `sector` and `status`, the measures named by the
# provider (`"market_listings"` …). Reporting asks every provider when it builds or releases a
# half-year (`reporting.statistics.rebuild_provided`) and stores what indicators with a
# `{"provided": "<measure>"}` measure name.
FigureRow = tuple[str, Mapping[str, str], Mapping[str, int]]
CubeFigures = Callable[[dt.date, dt.date, bool], Iterable[FigureRow]]

_CUBE_FIGURES: dict[str, CubeFigures] = {}


def provide_cube_figures(name: str, provider: CubeFigures) -> None:
    """Register `provider` under `name` (a second registration replaces the first). It is
    called as provider(first_day, last_day, live): `live` asks for the stock as it stands now
    (the running half-year) rather than as at `last_day`."""
    _CUBE_FIGURES[name] = provider


def cube_figures(first: dt.date, last: dt.date, live: bool = False) -> list[FigureRow]:
    """Every provider's rows for the period from `first` to `last` (inclusive)."""
    rows: list[FigureRow] = []
    for name in sorted(_CUBE_FIGURES):
        rows.extend(_CUBE_FIGURES[name](first, last, live))
    return rows
