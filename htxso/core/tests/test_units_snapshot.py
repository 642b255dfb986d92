"""The test helper that puts the administrative units back after a flush writes exactly what
`load_units()` wrote, and falls back to it when the tables hold something else."""

from typing import Any

from htxso.core.models import Commune, LegacyCommune, LegacyDistrict, LegacyProvince, Province
from htxso.core.tests.units_snapshot import restore_units

THROUGH = LegacyCommune.successors.through
CHILDREN_FIRST: list[Any] = [
    THROUGH,
    LegacyCommune,
    LegacyDistrict,
    LegacyProvince,
    Commune,
    Province,
]


def _units() -> dict[str, list[tuple]]:
    out: dict[str, list[tuple]] = {}
    for model in CHILDREN_FIRST:
        fields = [f.attname for f in model._meta.concrete_fields if not f.primary_key]
        if model is not THROUGH:
            fields.insert(0, "pk")
        out[str(model._meta.model_name)] = sorted(model.objects.values_list(*fields))
    return out


def _empty() -> None:
    for model in CHILDREN_FIRST:
        model.objects.all()._raw_delete(model.objects.db)


def test_restore_units_writes_back_what_load_units_wrote(db):
    loaded = _units()
    assert len(loaded["commune"]) == 3321 and len(loaded["province"]) == 34
    assert len(loaded["legacycommune_successors"]) > 10_000
    _empty()
    assert Commune.objects.count() == 0
    restore_units()
    assert _units() == loaded


def test_restore_units_leaves_complete_tables_alone(db, django_assert_max_num_queries):
    loaded = _units()
    with django_assert_max_num_queries(6):  # one count per table, nothing written
        restore_units()
    assert _units() == loaded


def test_restore_units_loads_from_the_sources_when_the_tables_hold_something_else(db):
    loaded = _units()
    THROUGH.objects.all().delete()
    restore_units()  # the link table alone is empty: load_units() fills it again
    assert _units() == loaded
