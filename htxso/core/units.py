"""Load administrative units from the maintained packages (never hand-typed).

- current 34 provinces / 3,321 communes: `vietnam-provinces` (codes of Decision 19/2025/QĐ-TTg);
- centroids, the legacy 63-province tree and the old → new mapping: `vietnamadminunits`.

The two packages disagree on about a hundred commune codes; `vietnam-provinces` is the
authority for codes, so `vietnamadminunits` communes are matched to it by code when the
names agree and otherwise by name inside the province.
"""

import json
import re
from collections import defaultdict
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Model

from .audit import record
from .models import Commune, LegacyCommune, LegacyDistrict, LegacyProvince, Province
from .text import search_key


@dataclass
class LoadResult:
    provinces: int
    communes: int
    legacy_provinces: int
    legacy_districts: int
    legacy_communes: int
    unmapped_legacy_communes: int


def _compact(name: str) -> str:
    return re.sub(r"[\s-]+", "", search_key(name))


def _vau_rows(table: str) -> list[dict]:
    from vietnamadminunits.database import get_data

    return get_data(table=table)


def _vau_converter() -> dict:
    import vietnamadminunits

    path = Path(vietnamadminunits.__file__).parent / "data" / "converter_2025.json"
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


def _current_units() -> tuple[list[Province], list[Commune]]:
    from vietnam_provinces import NESTED_DIVISIONS_JSON_PATH

    with open(NESTED_DIVISIONS_JSON_PATH, encoding="utf-8") as handle:
        nested = json.load(handle)
    centroids = {row["wardCode"]: row for row in _vau_rows("admin_units")}
    province_centroids = {row["provinceCode"]: row for row in centroids.values()}
    provinces, communes = [], []
    for p in nested:
        code = f"{p['code']:02d}"
        pc = province_centroids.get(code, {})
        provinces.append(
            Province(
                code=code,
                name=p["name"],
                short_name=pc.get("provinceShort") or p["name"],
                division_type=p["division_type"],
                codename=p["codename"],
                latitude=pc.get("provinceLat"),
                longitude=pc.get("provinceLon"),
            )
        )
        for w in p["wards"]:
            communes.append(
                Commune(
                    code=f"{w['code']:05d}",
                    province_id=code,
                    name=w["name"],
                    division_type=w["division_type"],
                    search_key=search_key(w["name"]),
                )
            )
    _attach_centroids(communes, centroids)
    return provinces, communes


def _vau_to_current_codes(communes: list[Commune], vau_rows: list[dict]) -> dict[str, str]:
    """vietnamadminunits commune code -> vietnam-provinces commune code."""
    by_code = {c.code: c for c in communes}
    by_name: dict[tuple[str, str], list[str]] = defaultdict(list)
    for c in communes:
        by_name[(c.province_id, _compact(c.name))].append(c.code)
    mapping = {}
    for row in vau_rows:
        code, name = row["wardCode"], _compact(row["ward"])
        same = by_code.get(code)
        if same and same.province_id == row["provinceCode"] and _compact(same.name) == name:
            mapping[code] = code
            continue
        candidates = by_name.get((row["provinceCode"], name), [])
        if len(candidates) == 1:
            mapping[code] = candidates[0]
    return mapping


def _attach_centroids(communes: list[Commune], vau_rows_by_code: dict[str, dict]) -> None:
    mapping = _vau_to_current_codes(communes, list(vau_rows_by_code.values()))
    by_current = {current: vau_rows_by_code[vau] for vau, current in mapping.items()}
    for c in communes:
        row = by_current.get(c.code)
        if row:
            c.latitude, c.longitude, c.area_km2 = row["wardLat"], row["wardLon"], row["wardAreaKm2"]


def _upsert(model: type[Model], objects: list[Any], fields: list[str]) -> None:
    model._default_manager.bulk_create(
        objects,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=fields,
    )


@lru_cache(maxsize=1)
def province_names() -> tuple[tuple[str, str], ...]:
    """(code, name) of the 34 provinces, read once per process: they change only by decree."""
    return tuple(Province.objects.order_by("code").values_list("code", "name"))


def province_name(code: str) -> str:
    """A province's name from its code (lists show names, not codes); an unknown code as is."""
    return dict(province_names()).get(code, code)


@lru_cache(maxsize=64)
def commune_names(province: str) -> tuple[tuple[str, str], ...]:
    """(code, name) of one province's communes, read once per process and province."""
    return tuple(
        Commune.objects.filter(province_id=province).order_by("name").values_list("code", "name")
    )


@lru_cache(maxsize=1)
def _place_names() -> tuple[dict[str, str], dict[str, str]]:
    return (
        dict(Province.objects.values_list("code", "short_name")),
        dict(Commune.objects.values_list("code", "name")),
    )


_unknown_places: set[str] = set()  # codes a re-read did not find (forgotten with the units)


def place_name(province: str, commune: str | None) -> str:
    """ "Commune, Province" (the province's short name; the province alone without a commune),
    from every unit's name read once per process (3,355 short strings): a list page names its
    rows' places without a query. A code this process has not seen (units loaded by another
    process since) re-reads them once; a code still unknown after that shows as is and is not
    re-read for again (a dangling code would otherwise cost a re-read on every row)."""
    provinces, communes = _place_names()
    # Membership tests first: `{code} - d.keys()` copies every key (3,321 communes) per row.
    known = province in provinces and (not commune or commune in communes)
    if not known and _unseen(province, commune, provinces, communes) - _unknown_places:
        _place_names.cache_clear()
        provinces, communes = _place_names()
        if len(_unknown_places) < 10_000:
            _unknown_places.update(_unseen(province, commune, provinces, communes))
    name = provinces.get(province, province)
    return f"{communes.get(commune, commune)}, {name}" if commune else name


def _unseen(province: str, commune: str | None, provinces: dict, communes: dict) -> set[str]:
    return {province} - provinces.keys() | ({commune} - communes.keys() if commune else set())


def _forget_cached_units() -> None:
    from . import addresses

    province_names.cache_clear()
    commune_names.cache_clear()
    _place_names.cache_clear()
    _unknown_places.clear()
    addresses.forget()


@transaction.atomic
def load_units() -> LoadResult:
    """Create or update every unit; running it twice changes nothing the second time."""
    provinces, communes = _current_units()
    _upsert(
        Province,
        provinces,
        ["name", "short_name", "division_type", "codename", "latitude", "longitude"],
    )
    _upsert(
        Commune,
        communes,
        ["province", "name", "division_type", "search_key", "latitude", "longitude", "area_km2"],
    )

    vau_current = _vau_rows("admin_units")
    vau_to_current = _vau_to_current_codes(communes, vau_current)
    new_ward_code = {
        (r["provinceKey"], r["wardKey"]): vau_to_current.get(r["wardCode"]) for r in vau_current
    }
    new_province_code = {r["provinceKey"]: r["provinceCode"] for r in vau_current}

    converter = _vau_converter()
    old_to_new_province = {
        old: new_province_code[new]
        for new, olds in converter["DICT_PROVINCE"].items()
        for old in olds
    }
    # old "province_district_ward" key -> [(current code, is_default)]
    successors: dict[str, list[tuple[str, bool]]] = defaultdict(list)
    for new_prov, wards in converter["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for new_ward, old_keys in wards.items():
            for old_key in old_keys:
                code = new_ward_code.get((new_prov, new_ward))
                if code:
                    successors[old_key].append((code, True))
    for new_prov, olds in converter["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old_key, options in olds.items():
            for option in options:
                code = new_ward_code.get((new_prov, option["newWardKey"]))
                if code:
                    successors[old_key].append((code, bool(option["isDefaultNewWard"])))

    legacy = _vau_rows("admin_units_legacy")
    legacy_provinces, districts, legacy_communes = {}, {}, {}
    links: dict[str, list[tuple[str, bool]]] = {}
    for r in legacy:
        legacy_provinces[r["provinceCode"]] = LegacyProvince(
            code=r["provinceCode"],
            name=r["province"],
            current_province_id=old_to_new_province[r["provinceKey"]],
            latitude=r["provinceLat"],
            longitude=r["provinceLon"],
        )
        districts[r["districtCode"]] = LegacyDistrict(
            code=r["districtCode"],
            province_id=r["provinceCode"],
            name=r["district"],
            latitude=r["districtLat"],
            longitude=r["districtLon"],
        )
        if not r["wardCode"]:
            continue  # island districts without communes
        options = successors.get(f"{r['provinceKey']}_{r['districtKey']}_{r['wardKey']}", [])
        default = next((code for code, is_default in options if is_default), None)
        legacy_communes[r["wardCode"]] = LegacyCommune(
            code=r["wardCode"],
            district_id=r["districtCode"],
            name=r["ward"],
            latitude=r["wardLat"],
            longitude=r["wardLon"],
            current_commune_id=default,
        )
        links[r["wardCode"]] = options
    _upsert(
        LegacyProvince,
        list(legacy_provinces.values()),
        ["name", "current_province", "latitude", "longitude"],
    )
    _upsert(LegacyDistrict, list(districts.values()), ["province", "name", "latitude", "longitude"])
    _upsert(
        LegacyCommune,
        list(legacy_communes.values()),
        ["district", "name", "latitude", "longitude", "current_commune"],
    )

    through = LegacyCommune.successors.through
    through.objects.all().delete()
    through.objects.bulk_create(
        [
            through(legacycommune_id=old, commune_id=code)
            for old, options in links.items()
            for code in dict.fromkeys(code for code, _ in options)
        ],
        batch_size=2000,
    )
    transaction.on_commit(_forget_cached_units)
    result = LoadResult(
        provinces=len(provinces),
        communes=len(communes),
        legacy_provinces=len(legacy_provinces),
        legacy_districts=len(districts),
        legacy_communes=len(legacy_communes),
        unmapped_legacy_communes=sum(
            1 for c in legacy_communes.values() if not c.current_commune_id
        ),
    )
    # Reference data written by a command: one entry per run.
    record(
        None,
        "load_units",
        None,
        None,
        asdict(result),
        about=("core.units", "Đơn vị hành chính"),
        about_id="*",
    )
    return result
