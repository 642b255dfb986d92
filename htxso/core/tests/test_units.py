"""Administrative units loaded by the session fixture: current 34/3,321 and the legacy tree."""

import pytest
from django.db.models import Count, F

from htxso.core.models import Commune, LegacyCommune, LegacyDistrict, LegacyProvince, Province
from htxso.core.units import LoadResult, load_units, province_names

EXPECTED = LoadResult(
    provinces=34,
    communes=3321,
    legacy_provinces=63,
    legacy_districts=696,
    legacy_communes=10035,
    unmapped_legacy_communes=0,
)
CENTRALLY_RUN_CITIES = {"01", "31", "46", "48", "79", "92"}
# Vietnam's mainland and near-shore islands (the Paracel and Spratly special zones lie east of it).
LAT_RANGE, LON_RANGE = (8.0, 24.0), (102.0, 110.0)


def _counts() -> dict[str, int]:
    return {
        "provinces": Province.objects.count(),
        "communes": Commune.objects.count(),
        "legacy_provinces": LegacyProvince.objects.count(),
        "legacy_districts": LegacyDistrict.objects.count(),
        "legacy_communes": LegacyCommune.objects.count(),
        "successor_links": LegacyCommune.successors.through.objects.count(),
    }


def _in_vietnam(lat, lon) -> bool:
    return LAT_RANGE[0] <= lat <= LAT_RANGE[1] and LON_RANGE[0] <= lon <= LON_RANGE[1]


# --- counts ---------------------------------------------------------------------------------


def test_counts(db):
    counts = _counts()
    assert counts["provinces"] == 34
    assert counts["communes"] == 3321
    assert counts["legacy_provinces"] == 63
    assert counts["legacy_districts"] == 696
    assert counts["legacy_communes"] == 10035


def test_every_legacy_commune_has_a_current_commune(db):
    assert not LegacyCommune.objects.filter(current_commune__isnull=True).exists()


def test_every_legacy_commune_default_is_one_of_its_successors(db):
    links = LegacyCommune.successors.through.objects
    default_links = links.filter(commune_id=F("legacycommune__current_commune_id"))
    assert default_links.count() == LegacyCommune.objects.count()


def test_codes_have_the_decision_19_shape(db):
    assert all(
        len(code) == 2 and code.isdigit() for code in Province.objects.values_list("pk", flat=True)
    )
    assert all(
        len(code) == 5 and code.isdigit() for code in Commune.objects.values_list("pk", flat=True)
    )


def test_commune_division_types(db):
    types = set(Commune.objects.values_list("division_type", flat=True))
    assert types == {"xã", "phường", "đặc khu"}


def test_commune_search_key_is_filled(db):
    assert not Commune.objects.filter(search_key="").exists()
    ba_dinh = Commune.objects.get(code="00004")
    assert ba_dinh.name == "Phường Ba Đình"
    assert ba_dinh.search_key == "phuong ba dinh"


# --- idempotency ----------------------------------------------------------------------------


def test_load_units_is_idempotent(db):
    before = _counts()
    mapping_before = dict(LegacyCommune.objects.values_list("code", "current_commune_id"))
    links_before = set(
        LegacyCommune.successors.through.objects.values_list("legacycommune_id", "commune_id")
    )
    provinces_before = list(Province.objects.values())

    first = load_units()
    second = load_units()

    assert first == second == EXPECTED
    assert _counts() == before
    assert dict(LegacyCommune.objects.values_list("code", "current_commune_id")) == mapping_before
    assert (
        set(LegacyCommune.successors.through.objects.values_list("legacycommune_id", "commune_id"))
        == links_before
    )
    assert list(Province.objects.values()) == provinces_before


# --- provinces ------------------------------------------------------------------------------


def test_six_centrally_run_cities(db):
    cities = {p.code: p for p in Province.objects.filter(code__in=CENTRALLY_RUN_CITIES)}
    assert set(cities) == CENTRALLY_RUN_CITIES
    for city in cities.values():
        assert "thành phố" in city.division_type
        assert city.name.startswith("Thành phố ")
    # Every other unit is a province (tỉnh), not a city.
    others = Province.objects.exclude(code__in=CENTRALLY_RUN_CITIES)
    assert others.count() == 28
    assert set(others.values_list("division_type", flat=True)) == {"tỉnh"}


def test_province_names_are_cached_in_code_order(db, django_assert_num_queries):
    province_names.cache_clear()  # another test may have filled it from a flushed table
    names = province_names()
    with django_assert_num_queries(0):
        assert province_names() is names
    assert len(names) == 34
    assert names[0] == ("01", "Thành phố Hà Nội")
    assert names[-1] == ("96", "Cà Mau")
    assert [code for code, _ in names] == sorted(code for code, _ in names)


@pytest.mark.parametrize(
    ("legacy_code", "legacy_name", "current_code", "current_name"),
    [
        ("06", "Bắc Kạn", "19", "Thái Nguyên"),
        ("02", "Hà Giang", "08", "Tuyên Quang"),
        ("74", "Bình Dương", "79", "Thành phố Hồ Chí Minh"),
        ("77", "Bà Rịa - Vũng Tàu", "79", "Thành phố Hồ Chí Minh"),
        ("01", "Hà Nội", "01", "Thành phố Hà Nội"),
        ("96", "Cà Mau", "96", "Cà Mau"),
    ],
)
def test_legacy_province_maps_to_current(db, legacy_code, legacy_name, current_code, current_name):
    legacy = LegacyProvince.objects.select_related("current_province").get(code=legacy_code)
    assert legacy_name in legacy.name
    assert legacy.current_province.code == current_code
    assert legacy.current_province.name == current_name


def test_every_current_province_has_legacy_predecessors(db):
    counts = dict(Province.objects.annotate(n=Count("legacy_provinces")).values_list("code", "n"))
    assert all(n >= 1 for n in counts.values())
    assert sum(counts.values()) == 63
    assert counts["79"] == 3  # Hồ Chí Minh + Bình Dương + Bà Rịa - Vũng Tàu
    assert counts["01"] == 1  # Hà Nội was not merged


def test_legacy_communes_belong_to_a_current_commune_of_the_mapped_province(db):
    """A commune's default successor lies in the current province its old province became."""
    mismatched = LegacyCommune.objects.exclude(
        current_commune__province=F("district__province__current_province")
    )
    # Boundaries were redrawn along provinces, not across them; allow no exception.
    assert not mismatched.exists()


# --- centroids ------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["00004", "00070"])
def test_commune_centroids_are_inside_vietnam(db, code):
    commune = Commune.objects.get(code=code)
    assert commune.latitude is not None and commune.longitude is not None
    assert _in_vietnam(commune.latitude, commune.longitude)


def test_communes_of_far_provinces_have_centroids_inside_vietnam(db):
    # The northernmost (Cao Bằng, Lai Châu) and southernmost (Cà Mau) provinces.
    for province in ("04", "12", "96"):
        commune = Commune.objects.filter(province_id=province, division_type="xã").order_by("code")[
            0
        ]
        assert commune.latitude is not None, commune
        assert _in_vietnam(commune.latitude, commune.longitude), commune


def test_hanoi_centroids_are_near_hanoi(db):
    ba_dinh = Commune.objects.get(code="00004")
    assert abs(ba_dinh.latitude - 21.03) < 0.1
    assert abs(ba_dinh.longitude - 105.84) < 0.1


def test_every_province_centroid_is_inside_vietnam(db):
    for province in Province.objects.all():
        assert province.latitude is not None, province
        assert _in_vietnam(province.latitude, province.longitude), province


# --- splits ---------------------------------------------------------------------------------


def test_split_legacy_communes_have_their_default_among_successors(db):
    split = LegacyCommune.objects.annotate(n=Count("successors")).filter(n__gt=1)
    assert split.exists()
    for old in split.select_related("current_commune")[:50]:
        assert old.is_split
        successors = set(old.successors.values_list("code", flat=True))
        assert len(successors) > 1
        assert old.current_commune_id in successors


def test_known_split_commune(db):
    # Phường Điện Biên (Ba Đình, Hà Nội) was divided between several new wards.
    old = LegacyCommune.objects.get(code="00019")
    assert old.is_split
    successors = set(old.successors.values_list("code", flat=True))
    assert {"00004", "00070"} <= successors
    assert old.current_commune_id in successors


def test_unsplit_legacy_commune_has_one_successor_which_is_its_default(db):
    whole = LegacyCommune.objects.annotate(n=Count("successors")).filter(n=1).first()
    assert whole is not None
    assert not whole.is_split
    assert list(whole.successors.values_list("code", flat=True)) == [whole.current_commune_id]
