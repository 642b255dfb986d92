"""Loading the World Bank file: the real one, bad rows, conversion and idempotence."""

from decimal import Decimal

import pytest

from htxso.core.models import AuditEntry
from htxso.prices import conversion, ingest
from htxso.prices.models import Commodity, CropWindow, ExchangeRate, Observation, Series

pytestmark = pytest.mark.django_db

HEADER = "month,code,commodity,unit,price_usd\n"


def write(tmp_path, body: str):
    path = tmp_path / "pink.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def test_bad_rows_are_refused_with_their_reason_and_the_good_ones_kept(tmp_path):
    path = write(
        tmp_path,
        '2024-01,COFFEE_ROBUS,"Coffee, Robusta",$/kg,4.00\n'
        '2024-13,COFFEE_ROBUS,"Coffee, Robusta",$/kg,4.10\n'  # no 13th month
        '2024-02,COFFEE_ROBUS,"Coffee, Robusta",$/kg,-1\n'  # negative
        '2024-03,COFFEE_ROBUS,"Coffee, Robusta",$/kg,bốn\n'  # not a number
        '2024-04,COFFEE_ROBUS,"Coffee, Robusta",$/lb,4.2\n'  # unknown unit
        "2024-05,GOLD,Gold,$/toz,2300\n"  # not in the catalogue
        '2024-06,COFFEE_ROBUS,"Coffee, Robusta",$/kg,4.40\n',
    )
    loaded = ingest.load_world_bank(path)
    assert loaded.series == 1 and loaded.observations == 2
    assert len(loaded.errors) == 5
    assert loaded.errors[0] == "dòng 3: tháng không hợp lệ «2024-13» (cần YYYY-MM)"
    assert "giá phải lớn hơn 0" in loaded.errors[1]
    assert "không phải là số" in loaded.errors[2]
    assert "đơn vị không rõ" in loaded.errors[3]
    assert "không có trong danh mục «GOLD»" in loaded.errors[4]
    series = Series.objects.get()
    assert series.commodity.name == "Cà phê Robusta (nhân xô)"
    assert (series.currency, series.unit, series.observations_count) == ("USD", "kg", 2)
    # 4.00 $/kg at the 2024 rate (24,165 VND per USD, from the catalogue's rates).
    first = Observation.objects.get(period__month=1)
    assert first.vnd_per_kg == Decimal("96660.00")


def test_the_real_file_loads_every_catalogued_series_once(tmp_path):
    loaded = ingest.load_world_bank()
    assert loaded.errors == [] and loaded.series == 18
    assert loaded.observations == 7243
    rice = Series.objects.get(source_code="RICE_05_VNM")
    assert (rice.price_type, rice.unit) == ("export_fob", "tan")
    assert str(rice.last_period) == "2024-11-01"
    # Loading again replaces, never duplicates.
    again = ingest.load_world_bank()
    assert again.observations == loaded.observations
    assert Observation.objects.count() == loaded.observations
    assert AuditEntry.objects.filter(object_type="prices.series", action="import").count() == 2


def test_an_outlier_is_flagged_not_dropped(tmp_path):
    rows = "".join(f"2023-{m:02d},TEA_AVG,Tea,$/kg,3.0\n" for m in range(1, 13))
    path = write(tmp_path, rows + "2024-01,TEA_AVG,Tea,$/kg,30.0\n2024-02,TEA_AVG,Tea,$/kg,3.1\n")
    loaded = ingest.load_world_bank(path)
    assert loaded.observations == 13 + 1 and loaded.outliers == 1
    flagged = Observation.objects.get(outlier=True)
    assert flagged.value == Decimal("30.0") and "10.0 × trung vị" in flagged.outlier_note


def test_the_catalogue_gives_rates_calendars_and_units(db):
    counts = ingest.load_catalogue()
    assert counts["commodities"] == Commodity.objects.count() == 20
    assert ExchangeRate.objects.count() == 35 * 12
    coffee = CropWindow.objects.filter(commodity__code="ca-phe-robusta", stage="harvest").get()
    assert coffee.covers(11) and coffee.covers(1) and not coffee.covers(2)  # Oct → Jan
    assert set(coffee.provinces.values_list("code", flat=True)) == {"66", "52", "68"}


def test_conversions_of_units_and_currencies():
    rates = conversion.Rates([("USD", __import__("datetime").date(2024, 1, 1), Decimal(24165))])
    day = __import__("datetime").date(2024, 6, 15)
    assert rates.vnd("USD", day) == Decimal(24165)  # the nearest earlier month
    assert rates.vnd("USD", __import__("datetime").date(2023, 12, 31)) is None
    assert rates.vnd("VND", day) == 1
    # 580 $/tonne of rice → 14,015.70 đ/kg; 1.250.000 đ per tạ → 12,500 đ/kg.
    assert conversion.to_vnd_per_kg(Decimal(580), "USD", "tan", Decimal(24165)) == Decimal(
        "14015.70"
    )
    assert conversion.to_vnd_per_kg(Decimal(1_250_000), "VND", "ta", Decimal(1)) == 12500
    assert conversion.to_vnd_per_kg(Decimal(1), "USD", "kg", None) is None


def test_the_outlier_rule():
    assert conversion.outlier(100, [10] * 5) == ""  # too little history to judge
    assert conversion.outlier(24, [10] * 6) == ""  # 2.4 × is within the rule
    assert conversion.outlier(26, [10] * 6).startswith("2.6 ×")
    assert conversion.outlier(3, [10] * 6).startswith("0.3 ×")
