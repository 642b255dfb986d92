"""The ECharts map of the 34 provinces (htxso/static/htxso/vn-provinces.json).

Built by scripts/build_province_map.py; checked here against `vietnam-provinces` without the DB.
"""

import json
import math
from functools import cache
from itertools import pairwise
from pathlib import Path

import pytest
from vietnam_provinces import Province

import htxso

MAP = Path(htxso.__file__).parent / "static" / "htxso" / "vn-provinces.json"
LON, LAT = (102.0, 118.0), (6.0, 24.0)  # Vietnam's bounding box, islands included


@cache
def collection() -> dict:
    return json.loads(MAP.read_text(encoding="utf-8"))


def features() -> dict[str, dict]:
    return {f["properties"]["code"]: f for f in collection()["features"]}


def provinces() -> dict[str, Province]:
    return {f"{int(p.code):02d}": p for p in Province.iter_all()}


def polygons(geometry: dict) -> list:
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    return geometry["coordinates"]


def points(geometry: dict):
    for polygon in polygons(geometry):
        for ring in polygon:
            yield from ring


def inside_box(lon: float, lat: float) -> bool:
    return LON[0] <= lon <= LON[1] and LAT[0] <= lat <= LAT[1]


def contains(geometry: dict, lon: float, lat: float) -> bool:
    """Even-odd ray casting over every ring (holes count too)."""
    hit = False
    for polygon in polygons(geometry):
        for ring in polygon:
            for (x1, y1), (x2, y2) in pairwise(ring):
                if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
                    hit = not hit
    return hit


def test_is_a_small_feature_collection_with_source_and_licence():
    data = collection()
    assert data["type"] == "FeatureCollection"
    assert len(data["features"]) == 34
    assert MAP.stat().st_size <= 250 * 1024
    meta = data["metadata"]
    assert "Natural Earth" in meta["source"]
    assert "public domain" in meta["licence"]


def test_codes_are_the_34_of_vietnam_provinces():
    codes = [f["properties"]["code"] for f in collection()["features"]]
    assert len(codes) == len(set(codes)) == 34
    assert set(codes) == set(provinces())


@pytest.mark.parametrize("code", sorted(provinces()))
def test_names_follow_vietnam_provinces(code):
    props = features()[code]["properties"]
    official = provinces()[code].name
    assert props["full_name"] == official
    assert props["name"] == official.removeprefix("Thành phố ")
    assert props["name_en"].isascii()
    assert props["name_en"].replace(" ", "").isalpha()


@pytest.mark.parametrize("code", sorted(provinces()))
def test_geometry_is_finite_and_inside_vietnam(code):
    geometry = features()[code]["geometry"]
    assert geometry["type"] in {"Polygon", "MultiPolygon"}
    for polygon in polygons(geometry):
        for ring in polygon:
            assert len(ring) >= 4 and ring[0] == ring[-1]
    for lon, lat in points(geometry):
        assert math.isfinite(lon) and math.isfinite(lat)
        assert inside_box(lon, lat), (code, lon, lat)


@pytest.mark.parametrize("code", sorted(provinces()))
def test_label_centre_lies_in_the_province(code):
    feature = features()[code]
    lon, lat = feature["properties"]["center"]
    assert inside_box(lon, lat)
    assert feature["properties"]["cp"] == [lon, lat]  # what ECharts reads
    assert contains(feature["geometry"], lon, lat)


def test_hoang_sa_and_truong_sa_are_drawn():
    east = {code: max(lon for lon, _ in points(f["geometry"])) for code, f in features().items()}
    assert east["48"] > 111.5  # Đà Nẵng: Hoàng Sa
    assert east["56"] > 111.5  # Khánh Hòa: Trường Sa
    assert max(v for k, v in east.items() if k not in {"48", "56"}) < 111.5
    spratly = [(x, y) for x, y in points(features()["56"]["geometry"]) if x > 111.5]
    paracel = [(x, y) for x, y in points(features()["48"]["geometry"]) if x > 111.5]
    assert all(7.5 < y < 11.6 for _, y in spratly)
    assert all(15.5 < y < 17.2 for _, y in paracel)
