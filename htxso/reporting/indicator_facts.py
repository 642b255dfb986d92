"""The indicator catalogue and its latest released figures, offered through `core.facts` (the
steering committee's tasks name the indicators they move; they never import this app).

Released means what the public sees: released periods only, small report cells suppressed,
unpublished indicators without figures (`dashboards.area_cells` with the public's view)."""

from collections.abc import Sequence

from django.contrib.auth.models import AnonymousUser

from htxso.core.facts import IndicatorFacts, Released

from .dashboards import Catalogue, area_cells, unit_label
from .models import TOTAL, IndicatorCell
from .periods import Period


def indicator_facts(codes: Sequence[str], areas: Sequence[str]) -> dict[str, IndicatorFacts]:
    catalogue = Catalogue.load(live=False)
    known = [c for c in dict.fromkeys(codes) if c in catalogue.indicators]
    if not known:
        return {}
    visible = IndicatorCell.objects.visible_to(AnonymousUser())
    cells = {area: area_cells(area, visible, catalogue) for area in dict.fromkeys(areas)}
    found = {}
    for code in known:
        figures = {}
        for area, area_figures in cells.items():
            points = area_figures.series(code, TOTAL)
            if points:
                period, value = points[-1]
                figures[area] = Released(
                    str(Period.parse(period.code).label),
                    value,
                    unit_label(catalogue.indicators[code].unit),
                )
        found[code] = IndicatorFacts(code, catalogue.name(code), figures)
    return found
