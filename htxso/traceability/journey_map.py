"""The journey on a map, drawn on the server as SVG: no tiles, no CDN, no script (none is
reachable from here, and a shopper's phone should not need one).

Vietnam is drawn from the project's own administrative units: the centre of every commune
(`core.Commune` latitude/longitude, loaded by `load_units`) as a small square on a 0.1° grid,
so the country — islands and special zones included — appears from its 3,321 communes. That
background is one cacheable SVG (`/traceability/map/vietnam.svg`); the page draws over it the
journey's places (the plot's commune for a harvest, the recording cooperative's commune or
province otherwise), numbered in time order and joined by a line."""

import functools
from dataclasses import dataclass
from typing import Any

from htxso.core.models import Commune, Province

from .models import Plot

# Equirectangular at 16° N (cos ≈ 0.96), 20 units per degree of latitude.
WEST, EAST, SOUTH, NORTH = 102.0, 117.5, 8.0, 23.6
SCALE = 20.0
ASPECT = 0.9613
GRID = 0.1
WIDTH = round((EAST - WEST) * SCALE * ASPECT)
HEIGHT = round((NORTH - SOUTH) * SCALE)


def xy(latitude: float, longitude: float) -> tuple[float, float]:
    """SVG coordinates of a point (one decimal)."""
    x = (longitude - WEST) * SCALE * ASPECT
    y = (NORTH - latitude) * SCALE
    return round(x, 1), round(y, 1)


@functools.cache
def _cells() -> tuple[tuple[float, float], ...]:
    rows = Commune.objects.exclude(latitude=None).values_list("latitude", "longitude")
    cells = {
        (round(lat / GRID) * GRID, round(lon / GRID) * GRID)
        for lat, lon in rows
        if lat is not None and lon is not None
    }
    return tuple(sorted(cells))


def background_svg() -> str:
    """Vietnam as the squares of its communes' centres (read once per process)."""
    size = round(GRID * SCALE, 1)
    squares = "".join(
        f"M{x:g} {y:g}h{size:g}v{size:g}h-{size:g}z" for x, y in (xy(*c) for c in _cells())
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}"><path fill="#b9c9c0" d="{squares}"/></svg>'
    )


@dataclass(frozen=True)
class Unit:
    name: str
    latitude: float | None
    longitude: float | None


_UNITS: dict[tuple[type, str], Unit] = {}


def _units(model: type[Commune] | type[Province], codes: set[str]) -> dict[str, Unit]:
    """Names and centres of administrative units, read once per process (they change only by
    `load_units`, a release): the page reads no unit table a scan."""
    missing = [code for code in codes if (model, code) not in _UNITS]
    if missing:
        rows = model.objects.filter(pk__in=missing).values_list(
            "pk", "name", "latitude", "longitude"
        )
        for code, name, latitude, longitude in rows:
            _UNITS[model, code] = Unit(name, latitude, longitude)
    return {code: _UNITS[model, code] for code in codes if (model, code) in _UNITS}


@dataclass(frozen=True)
class Place:
    number: int
    name: str
    x: float
    y: float


def _plot_ids(location: str, plots_by_gln: dict[str, int]) -> int | None:
    if location.startswith("urn:htxso:plot:"):
        tail = location.rsplit(":", 1)[1]
        return int(tail) if tail.isdigit() else None
    if "/414/" in location:
        return plots_by_gln.get(location.rsplit("/414/", 1)[1][:13])
    return None


def places(events: list[Any], organisations: dict[int, Any]) -> list[Place]:
    """The journey's places in time order (a place repeated in a row counted once). Two
    queries: the plots named by the events, and the communes/provinces of the cooperatives."""
    locations = [e.biz_location or e.read_point for e in events]
    glns = [loc.rsplit("/414/", 1)[1][:13] for loc in locations if "/414/" in loc]
    by_gln = dict(Plot.objects.filter(gln__in=glns).values_list("gln", "pk")) if glns else {}
    plot_ids = {pk for loc in locations if (pk := _plot_ids(loc, by_gln))}
    plots = (
        {
            p.pk: p.commune
            for p in Plot.objects.filter(pk__in=plot_ids, public=True)
            .select_related("commune")
            .only("commune__name", "commune__latitude", "commune__longitude")
        }
        if plot_ids
        else {}
    )
    communes = _units(Commune, {o.commune_id for o in organisations.values() if o.commune_id})
    provinces = _units(Province, {o.province_id for o in organisations.values()})
    out: list[Place] = []
    for event, location in zip(events, locations, strict=True):
        organisation = organisations.get(event.organisation_id)
        unit: Any = plots.get(_plot_ids(location, by_gln) or 0)
        if unit is None and organisation is not None:
            unit = communes.get(organisation.commune_id) or provinces.get(organisation.province_id)
        if unit is None or unit.latitude is None:
            continue
        x, y = xy(unit.latitude, unit.longitude)
        if out and (out[-1].x, out[-1].y) == (x, y):
            continue
        out.append(Place(len(out) + 1, unit.name, x, y))
    return out
