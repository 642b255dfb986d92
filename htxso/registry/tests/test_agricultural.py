"""The agricultural flag has one rule (`services.is_agricultural`): the services derive it unless
the caller sets it, the import and the generator use the same function."""

import datetime as dt

import pytest

from htxso.registry import services
from htxso.registry.choices import AgriculturalType, OrganisationKind, Sector


def test_the_rule():
    assert services.is_agricultural(Sector.A, "")
    assert services.is_agricultural(Sector.C, AgriculturalType.values[0])
    assert not services.is_agricultural(Sector.C, "")


def _create(**fields):
    return services.create_organisation(
        None,
        kind=OrganisationKind.COOPERATIVE_GROUP,
        name="Tổ hợp tác thử nghiệm nông nghiệp",
        province_id="19",
        established_on=dt.date(2020, 1, 1),
        **fields,
    )


@pytest.mark.django_db
def test_derived_on_create_and_when_the_sector_changes_unless_set():
    derived = _create(sector=Sector.A)
    assert derived.is_agricultural
    moved = services.update_organisation(None, derived.pk, derived.version, sector=Sector.C)
    assert not moved.is_agricultural
    # Set by the caller (the page's checkbox): the caller's value stands.
    overridden = _create(sector=Sector.C, is_agricultural=True)
    assert overridden.is_agricultural
    kept = services.update_organisation(None, overridden.pk, overridden.version, name="Tên mới")
    assert kept.is_agricultural  # neither sector nor type changed: the stored flag stays
