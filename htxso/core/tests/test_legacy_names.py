"""A pre-2025 address written with the unit tables' own names is placed by a lookup, without
the parser (`addresses._legacy_names`, #17 item 6): the same place the parser finds."""

import random

import pytest

from htxso.core import addresses
from htxso.core.models import LegacyCommune


@pytest.fixture
def sample(db):
    rows = list(
        LegacyCommune.objects.filter(current_commune__isnull=False)
        .order_by("code")
        .values_list("code", "name", "district__name", "district__province__name")
    )
    return random.Random(17).sample(rows, 400)


def test_the_lookup_places_as_the_parser_does(sample):
    addresses.forget()
    names, units = addresses._legacy_names(), addresses._legacy_units()
    checked = 0
    for code, commune, district, province in sample:
        key = tuple(addresses._exact(n) for n in (province, district, commune))
        if names.get(key) != code or len(units[code][2]) > 1:
            continue  # a name two communes share, or a split commune: the parser decides
        checked += 1
        place = addresses.convert_legacy(province, district, commune)
        parsed = addresses._legacy(f"{commune}, {district}, {province}")
        assert (place.province_id, place.commune_id) == parsed[:2], (commune, district, province)
        assert place.legacy_text == f"{commune}, {district}, {province}"
    assert checked > 300


def test_case_and_spacing_aside_diacritics_kept(sample):
    _code, commune, district, province = sample[0]
    exact = addresses.convert_legacy(province, district, commune)
    loose = addresses.convert_legacy(f" {province.upper()}", district, f"{commune}  ")
    assert (loose.province_id, loose.commune_id) == (exact.province_id, exact.commune_id)
    assert (province.upper(), district, commune) not in addresses._legacy_names()
    assert addresses._exact("Văn Lăng") != addresses._exact("Văn Lang")


def test_a_split_commune_still_asks_for_the_new_commune(db):
    split = next(c for c, (_p, _d, s) in sorted(addresses._legacy_units().items()) if len(s) > 1)
    unit = LegacyCommune.objects.select_related("district__province").get(code=split)
    with pytest.raises(addresses.AddressError, match="nhiều xã/phường mới"):
        addresses.convert_legacy(unit.district.province.name, unit.district.name, unit.name)
