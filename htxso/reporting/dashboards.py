"""Dashboard panels read from the cube: headline cards against targets, trends, the map and
the ranking of provinces. One area (`VN` or a province) costs two indexed queries.

Who sees what is decided in one place, `IndicatorCell.objects.visible_to(user, area)`:
national roles, and a provincial officer for their own province, see live figures; everyone
else sees released periods only, small report cells suppressed (`models.is_small`).
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from htxso.core.units import province_names
from htxso.registry.choices import OrganisationKind

from .disclosure import report_counters
from .models import MIN_REPORTS as MIN_REPORTS  # kept under its old name here
from .models import (
    NATIONAL,
    TOTAL,
    Indicator,
    IndicatorCell,
    IndicatorCellQuerySet,
    Source,
    Target,
    is_small,
    released_periods,
    sees_live,
)
from .periods import Period

UNITS = {
    "org": (_("tổ chức"), "organisations"),
    "person": (_("người"), "persons"),
    "report": (_("báo cáo"), "reports"),
    "product": (_("sản phẩm"), "products"),
    "order": (_("đơn hàng"), "orders"),
    "mvnd": (_("triệu đồng"), "million VND"),
    "kvnd": (_("nghìn đồng"), "thousand VND"),
    "kvnd_month": (_("nghìn đồng/tháng"), "thousand VND/month"),
    "percent": ("%", "%"),
}
KINDS = [k for k, _label in OrganisationKind.choices]
MAP_INDICATORS = ("organisations", "members", "revenue", "workers", "value_chain_share")


def unit_label(code: str) -> str:
    vi, en = UNITS.get(code, (code, code))
    return en if (get_language() or "vi").startswith("en") else str(vi)


def visible_periods(user: Any, area: str) -> set[str] | None:
    """None: every period (live); otherwise the released ones (`IndicatorCell.objects.visible_to`
    is the rule; this name is kept for callers that filter periods themselves)."""
    return None if sees_live(user, area) else released_periods()


@dataclass
class Catalogue:
    indicators: dict[str, Indicator]
    live: bool = True  # False: published indicators only, small cells suppressed

    @classmethod
    def load(cls, live: bool = True) -> "Catalogue":
        return cls({i.code: i for i in Indicator.objects.all()}, live)

    def name(self, code: str) -> str:
        i = self.indicators[code]
        return i.name_en if (get_language() or "vi").startswith("en") and i.name_en else i.name

    def shown(self, code: str) -> bool:
        ind = self.indicators.get(code)
        return ind is not None and (self.live or ind.is_published)

    def counters(self) -> dict[str, str]:
        """report indicator -> the indicator counting its reports (`disclosure`)."""
        return report_counters(self.indicators.values())


@lru_cache(maxsize=1024)
def _period(code: str) -> Period:
    return Period.parse(code)


class Cells(dict[tuple[str, str, str], float]):
    """(indicator, period, kind) -> value, each series indexed once (on first use, after the
    derived ratios are added): a panel reads ~20 series of one area's ~2,000 cells."""

    _index: dict[tuple[str, str], list[tuple[Period, float]]] | None = None

    def series(self, code: str, kind: str) -> list[tuple[Period, float]]:
        if self._index is None:
            index: dict[tuple[str, str], list[tuple[Period, float]]] = defaultdict(list)
            for (c, p, k), value in self.items():
                index[(c, k)].append((_period(p), value))
            for points in index.values():
                points.sort(key=lambda item: item[0])
            self._index = dict(index)
        return self._index.get((code, kind), [])


def _derive(cells: Cells, catalogue: Catalogue) -> None:
    """Add ratio indicators computed from their stored numerator and denominator."""
    for code, ind in catalogue.indicators.items():
        if ind.source != Source.DERIVED:
            continue
        num, den = ind.measure["ratio"]
        scale = ind.measure.get("scale", 1)
        for (code_, period, kind), value in list(cells.items()):
            if code_ != den or not value:
                continue
            top = cells.get((num, period, kind), 0)
            cells[(code, period, kind)] = round(top * scale / value, 1)


def area_cells(area: str, visible: IndicatorCellQuerySet, catalogue: Catalogue) -> Cells:
    """All visible cells of one area, by kind (sector and status totals), derived ratios added;
    for a viewer who does not see live data, small report cells suppressed and unpublished
    indicators dropped (after deriving: a published average may rest on internal sums)."""
    rows = visible.filter(area=area, sector=TOTAL, status=TOTAL).values_list(
        "indicator", "period", "kind", "value"
    )
    cells = Cells()
    for indicator, period, kind, value in rows:
        cells[(indicator, period, kind)] = value
    if not catalogue.live:
        counters = catalogue.counters()
        for key in [k for k in cells if k[0] in counters]:
            if is_small(cells.get((counters[key[0]], key[1], key[2]))):
                del cells[key]
    _derive(cells, catalogue)
    if not catalogue.live:
        for key in [k for k in cells if not catalogue.shown(k[0])]:
            del cells[key]
    return cells


def _series(cells: Cells, code: str, kind: str, periods: list[str]) -> list[float | None]:
    return [cells.get((code, p, kind)) for p in periods]


def _periods(cells: Cells, half: bool) -> list[str]:
    found = {p for (_c, p, _k) in cells if ("S" in p) == half}
    return sorted(found, key=_period)


def _year_points(cells: Cells, code: str, kind: str) -> list[tuple[float, float]]:
    """(time, value) points for a projection, the last of each year: a yearly figure and a
    half-yearly stock at the end of the year (S2), the latest half-year at mid-year."""
    points: dict[int, tuple[float, float]] = {}
    for period, value in cells.series(code, kind):
        x = period.year + (0.5 if period.half == 1 else 1.0)
        if period.year not in points or points[period.year][0] < x:
            points[period.year] = (x, value)
    return sorted(points.values())[-6:]


def project(points: list[tuple[float, float]], year: int) -> float | None:
    """Least-squares line through the points, read at the end of `year`."""
    if len(points) < 2:
        return None
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    if not sxx:
        return None
    slope = sum((x - mx) * (y - my) for x, y in points) / sxx
    return my + slope * (year + 1.0 - mx)


def _latest(cells: Cells, code: str, kind: str) -> tuple[str, float] | None:
    points = cells.series(code, kind)
    return (points[-1][0].code, points[-1][1]) if points else None


_COMPARE = {
    ">": lambda v, t: v > t,
    ">=": lambda v, t: v >= t,
    "<": lambda v, t: v < t,
    "<=": lambda v, t: v <= t,
}


def _meets(value: float, target: Target) -> bool:
    return _COMPARE.get(target.comparison, _COMPARE[">="])(value, target.value)


def _at_end_of(cells: Cells, code: str, kind: str, year: int) -> tuple[str, float] | None:
    """The figure at the end of `year`: the year itself, or its second half-year's stock."""
    found = [(p, v) for p, v in cells.series(code, kind) if p.year == year and p.half != 1]
    return (found[-1][0].code, found[-1][1]) if found else None


def cards(cells: Cells, targets: Iterable[Target], catalogue: Catalogue) -> list[dict]:
    """One card per target: the figure, % achieved, change from the previous period, and a
    projection to the target year; once the target year has ended, the figure at its end
    decides (met or not met), with no projection."""
    en = (get_language() or "vi").startswith("en")
    this_year = timezone.localdate().year
    out = []
    for target in targets:
        code, kind = target.indicator.code, target.kind
        if not catalogue.shown(code):
            continue
        closed = target.year < this_year
        points = _year_points(cells, code, kind)
        if closed:
            latest = _at_end_of(cells, code, kind, target.year)
            projection = None
        else:
            latest = _latest(cells, code, kind)
            projection = project(points, target.year)
        value = latest[1] if latest else None
        previous = None
        if latest:
            previous = cells.get((code, _period(latest[0]).previous().code, kind))
        met = value is not None and _meets(value, target)
        out.append(
            {
                "label": (target.label_en if en and target.label_en else target.label),
                "indicator": catalogue.name(code),
                "code": code,
                "kind": kind,
                "unit": unit_label(target.indicator.unit),
                "period": latest[0] if latest else None,
                "value": value,
                "previous": previous,
                "change": (value - previous)
                if value is not None and previous is not None
                else None,
                "target": target.value,
                "target_year": target.year,
                "comparison": target.comparison,
                "closed": closed,
                "achieved": round(100 * value / target.value, 1)
                if value is not None and target.value
                else None,
                "met": met,
                "projection": round(projection, 1) if projection is not None else None,
                "on_track": met
                if closed
                else projection is not None and _meets(projection, target),
                "source": target.source_document,
                "spark": [v for _x, v in points],
            }
        )
    return out


def trends(cells: Cells, catalogue: Catalogue) -> list[dict]:
    halves, years = _periods(cells, half=True), _periods(cells, half=False)
    kind_labels = dict(OrganisationKind.choices)

    def by_kind(code: str) -> dict:
        return {
            "id": f"trend-{code}",
            "title": catalogue.name(code) + " " + _("theo loại hình"),
            "unit": unit_label(catalogue.indicators[code].unit),
            "periods": halves,
            "series": [
                {"name": str(kind_labels[k]), "data": _series(cells, code, k, halves)}
                for k in KINDS
                if any(v is not None for v in _series(cells, code, k, halves))
            ],
        }

    def pair(chart_id: str, title: str, codes: tuple[str, ...]) -> dict:
        return {
            "id": chart_id,
            "title": title,
            "unit": " / ".join(unit_label(catalogue.indicators[c].unit) for c in codes),
            "periods": years,
            "series": [
                {"name": catalogue.name(c), "data": _series(cells, c, TOTAL, years)} for c in codes
            ],
        }

    charts = [by_kind(code) for code in ("organisations", "members") if catalogue.shown(code)]
    for chart_id, title, codes in (
        ("trend-business", _("Doanh thu và lợi nhuận"), ("revenue", "profit")),
        ("trend-workers", _("Lao động và thu nhập"), ("workers", "avg_income")),
    ):
        shown = tuple(c for c in codes if catalogue.shown(c))
        if years and shown:
            charts.append(pair(chart_id, title, shown))
    return charts


def map_data(indicator: str, visible: IndicatorCellQuerySet, catalogue: Catalogue) -> dict:
    """The latest visible period of one indicator for the 34 provinces (one query)."""
    if not catalogue.shown(indicator):
        return {}
    ind = catalogue.indicators[indicator]
    codes = [indicator] if ind.source != Source.DERIVED else list(ind.measure["ratio"])
    counters = {} if catalogue.live else catalogue.counters()
    guards = {counters[c] for c in codes if c in counters}
    rows = visible.filter(
        indicator__in=[*codes, *guards], kind=TOTAL, sector=TOTAL, status=TOTAL
    ).values_list("indicator", "period", "area", "value")
    by_period: dict[str, dict[str, dict[str, float]]] = defaultdict(lambda: defaultdict(dict))
    for code, period, area, stored in rows:
        if area != NATIONAL:
            by_period[period][area][code] = stored
    if not by_period:
        return {"indicator": indicator, "name": catalogue.name(indicator), "values": []}
    period = max(by_period, key=_period)
    names = dict(province_names())  # read once per process
    values: list[dict[str, Any]] = []
    for area, got in by_period[period].items():
        if any(is_small(got.get(counters[c])) for c in codes if c in counters):
            continue  # one or two cooperatives' figures
        if ind.source == Source.DERIVED:
            num, den = ind.measure["ratio"]
            if not got.get(den):
                continue
            value: float = round(got.get(num, 0) * ind.measure.get("scale", 1) / got[den], 1)
        elif indicator in got:
            value = got[indicator]
        else:
            continue
        values.append({"code": area, "name": names.get(area, area), "value": value})
    values.sort(key=lambda v: -float(v["value"]))
    return {
        "indicator": indicator,
        "name": catalogue.name(indicator),
        "unit": unit_label(ind.unit),
        "period": period,
        "values": values,
    }


def panel(user: Any, area: str = NATIONAL, map_indicator: str = "organisations") -> dict:
    """Everything one dashboard shows."""
    live = sees_live(user, area)
    catalogue = Catalogue.load(live=live)
    cells = area_cells(area, IndicatorCell.objects.visible_to(user, area), catalogue)
    targets = Target.objects.filter(area=area).select_related("indicator").order_by("year", "id")
    counters = catalogue.counters()
    map_catalogue = Catalogue(catalogue.indicators, sees_live(user, "*"))
    headline = []
    for code, kind in (
        ("organisations", TOTAL),
        ("organisations", "cooperative"),
        ("members", TOTAL),
        ("workers", TOTAL),
        ("revenue", TOTAL),
        ("avg_income", TOTAL),
    ):
        if not catalogue.shown(code):
            continue
        latest = _latest(cells, code, kind)
        headline.append(
            {
                "code": code,
                "kind": kind,
                "name": catalogue.name(code)
                + (f" — {OrganisationKind(kind).label}" if kind != TOTAL else ""),
                "unit": unit_label(catalogue.indicators[code].unit),
                "period": latest[0] if latest else None,
                "value": latest[1] if latest else None,
                # How many approved reports a report figure rests on (a year still being
                # reported shows as partial, not as a fall).
                "reports": cells.get((counters[code], latest[0], kind))
                if latest and code in counters
                else None,
                "spark": [v for _x, v in _year_points(cells, code, kind)],
            }
        )
    return {
        "area": area,
        "live": live,
        "generated": dt.datetime.now().isoformat(timespec="seconds"),
        "headline": headline,
        "map_choices": [(c, catalogue.name(c)) for c in MAP_INDICATORS if catalogue.shown(c)],
        "cards": cards(cells, targets, catalogue),
        "trends": trends(cells, catalogue),
        # The map compares provinces: live only for those who see every province live.
        "map": map_data(
            map_indicator if map_catalogue.shown(map_indicator) else "organisations",
            IndicatorCell.objects.visible_to(user, "*"),
            map_catalogue,
        ),
    }
