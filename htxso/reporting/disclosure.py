"""What the cube discloses to whom, in one place: national roles (and a provincial officer for
their own province) see every cell live; everyone else sees released periods
(`IndicatorCell.objects.visible_to`), published indicators only, and no report figure resting
on fewer than `MIN_REPORTS` approved reports (primary suppression: one or two cooperatives'
own business figures).

`shown_cells` applies the rule in SQL (API lists with keyset cursors, SDMX/CSV/XLSX downloads);
the dashboards read an area's cells at once and apply the same rule in memory with
`report_counters` and `is_small` (a suppressed sum also hides the ratios derived from it).
"""

from collections.abc import Iterable
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from .models import MIN_REPORTS, Indicator, IndicatorCell, Source, sees_live


def report_counters(indicators: Iterable[Indicator]) -> dict[str, str]:
    """report indicator (or a ratio of two) -> the indicator counting its form's approved
    reports: what a figure rests on, and what small-cell suppression looks at."""
    indicators = list(indicators)
    reports = [i for i in indicators if i.source == Source.REPORT]
    count_of = {i.measure.get("report"): i.code for i in reports if i.measure.get("count")}
    guarded = {
        i.code: count_of[i.measure["report"]]
        for i in reports
        if i.measure.get("report") in count_of and not i.measure.get("count")
    }
    # A ratio of two sums of one form (average income) rests on the same reports.
    for i in indicators:
        if i.source == Source.DERIVED:
            parts = {guarded.get(code, "") for code in i.measure["ratio"]}
            if len(parts) == 1 and "" not in parts:
                guarded[i.code] = parts.pop()
    return guarded


def shown_cells(user: Any, area: str = "*") -> QuerySet[IndicatorCell]:
    """The cells `user` may read when looking at `area` ("*": every province at once): all of
    them live, otherwise released periods of published indicators with small report cells
    left out (a guarded cell needs its counter cell, same coordinates, at `MIN_REPORTS`)."""
    if sees_live(user, area):
        return IndicatorCell.objects.all()
    indicators = list(Indicator.objects.filter(is_published=True))
    shown = IndicatorCell.objects.visible_to(user, area).filter(
        indicator__in=[i.code for i in indicators]
    )
    counters = report_counters(Indicator.objects.all())
    if not counters:
        return shown
    coordinates = ("period", "area", "kind", "sector", "status")
    guarded: Any = ~Q(indicator__in=list(counters))
    for code, counter in counters.items():
        large = IndicatorCell.objects.filter(
            indicator=counter,
            value__gte=MIN_REPORTS,
            **{name: OuterRef(name) for name in coordinates},
        )
        guarded |= Q(indicator=code) & Exists(large)
    return shown.filter(guarded)
