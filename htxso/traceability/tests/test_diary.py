"""The production diary: the pre-harvest interval refuses a harvest with its reason and writes
nothing; who may write; every write audited; what is typed wrong is a Vietnamese refusal."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from htxso.core.models import AuditEntry
from htxso.registry.models import Organisation
from htxso.traceability import services
from htxso.traceability.models import Event, Harvest, Plot, Product

from .conftest import GTIN, GTIN_2


def _spray(coop, on=dt.date(2026, 4, 20), days=14):
    return services.add_treatment(
        coop.manager, coop.crop.pk, "Thuốc trừ sâu Abamectin", "0,5 l/ha", on, days
    )


def test_a_harvest_inside_the_pre_harvest_interval_is_refused_with_its_reason(coop):
    _spray(coop)
    with pytest.raises(ValidationError) as refusal:
        services.record_harvest(
            coop.manager, coop.crop.pk, coop.product.pk, "LO-01", dt.date(2026, 5, 3), 100
        )
    assert refusal.value.message_dict["harvested_on"] == [
        "Chưa được thu hoạch: «Thuốc trừ sâu Abamectin» dùng ngày 20/04/2026 có thời gian "
        "cách ly 14 ngày; được thu hoạch từ ngày 04/05/2026."
    ]
    assert not Harvest.objects.exists() and not Event.objects.exists()
    assert not AuditEntry.objects.filter(object_type="traceability.harvest").exists()


def test_the_day_the_interval_ends_the_harvest_is_recorded_with_its_event(coop):
    _spray(coop)
    harvest = services.record_harvest(
        coop.manager, coop.crop.pk, coop.product.pk, "LO-01", dt.date(2026, 5, 4), 100
    )
    assert harvest.event.body["bizStep"] == "commissioning"
    assert (
        harvest.event.body["quantityList"][0]["epcClass"]
        == f"https://id.gs1.org/01/0{GTIN}/10/LO-01"
    )
    assert harvest.event.public  # plot and product public
    assert (
        AuditEntry.objects.filter(object_type="traceability.harvest", action="create").count() == 1
    )


def test_the_latest_interval_counts_not_only_the_last_spray(coop):
    _spray(coop, dt.date(2026, 4, 1), 60)  # until 31/05
    _spray(coop, dt.date(2026, 4, 25), 3)
    with pytest.raises(ValidationError, match="31/05/2026"):
        services.record_harvest(
            coop.manager, coop.crop.pk, coop.product.pk, "LO-01", dt.date(2026, 5, 10), 100
        )


@pytest.mark.parametrize(
    ("lot", "day", "kg", "field"),
    [
        ("Lô 1", dt.date(2026, 5, 1), 10, "lot"),
        ("", dt.date(2026, 5, 1), 10, "lot"),
        ("LO-1", dt.date(2025, 12, 1), 10, "harvested_on"),
        ("LO-1", dt.date(2026, 5, 1), 0, "quantity_kg"),
    ],
)  # fmt: skip
def test_bad_harvests_are_refused_field_by_field(coop, lot, day, kg, field):
    with pytest.raises(ValidationError) as refusal:
        services.record_harvest(coop.manager, coop.crop.pk, coop.product.pk, lot, day, kg)
    assert field in refusal.value.message_dict
    assert not Event.objects.exists()


def test_a_lot_is_used_once_per_product(coop):
    services.record_harvest(
        coop.manager, coop.crop.pk, coop.product.pk, "LO-01", dt.date(2026, 5, 1), 1
    )
    with pytest.raises(ValidationError, match="đã được dùng"):
        services.record_harvest(
            coop.manager, coop.crop.pk, coop.product.pk, "LO-01", dt.date(2026, 5, 2), 1
        )
    assert Event.objects.count() == 1


def test_products_carry_a_checked_unique_gtin(coop):
    with pytest.raises(ValidationError, match="Số kiểm tra"):
        services.create_product(coop.manager, coop.org.pk, "Chè", "8930000000018")
    with pytest.raises(ValidationError, match="đã được gán"):
        services.create_product(coop.manager, coop.org.pk, "Chè khác", GTIN)
    other = services.create_product(coop.manager, coop.org.pk, "Chè xanh", GTIN_2)
    assert other.gtin == "0" + GTIN_2


def test_plots_are_in_the_organisations_province_with_a_valid_gln(coop):
    commune_01 = type(coop.commune).objects.filter(province_id="01")[0]
    with pytest.raises(ValidationError, match="xã/phường"):
        services.create_plot(coop.manager, coop.org.pk, commune_01.pk, "Ruộng", 100)
    with pytest.raises(ValidationError, match="GLN"):
        services.create_plot(coop.manager, coop.org.pk, coop.commune.pk, "Ruộng", 100, gln="123")
    assert Plot.objects.count() == 1


def test_another_cooperative_cannot_write_in_this_diary(coop):
    with pytest.raises(PermissionDenied):
        services.create_product(coop.manager_01, coop.org.pk, "Giả", GTIN_2)
    with pytest.raises(PermissionDenied):  # the plot is public (seen) but not theirs
        services.add_crop(coop.manager_01, coop.plot.pk, "Lúa", "crop", dt.date(2026, 1, 1))
    with pytest.raises(PermissionDenied):
        services.add_treatment(coop.officer, coop.crop.pk, "X", "1", dt.date(2026, 2, 1), 1)
    assert Product.objects.count() == 1


def test_a_private_plot_is_not_even_seen_by_another_cooperative(coop):
    plot = services.create_plot(
        coop.manager, coop.org.pk, coop.commune.pk, "Riêng", 10, public=False
    )
    with pytest.raises(Plot.DoesNotExist):
        services.add_crop(coop.manager_01, plot.pk, "Lúa", "crop", dt.date(2026, 1, 1))
    assert Organisation.objects.count() == 2
