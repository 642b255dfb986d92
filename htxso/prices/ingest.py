"""Data that comes in whole: the catalogue (commodities, exchange rates, crop calendars, from
`fixtures/catalogue.json`) and the World Bank's monthly prices (`data/`, a copy shipped with
the code). Both are idempotent: a second load changes nothing, a newer file replaces the
series' observations in one transaction. Bad rows are counted with their reason, never
written."""

import csv
import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.db import transaction

from htxso.core.audit import record

from . import conversion
from .models import (
    Commodity,
    CropWindow,
    Currency,
    ExchangeRate,
    Frequency,
    Observation,
    PriceType,
    Series,
    Unit,
)

HERE = Path(__file__).resolve().parent
CATALOGUE = HERE / "fixtures" / "catalogue.json"
WORLD_BANK = HERE / "data" / "worldbank-pinksheet-monthly.csv"
WORLD_BANK_SOURCE = "Ngân hàng Thế giới (Pink Sheet)"
UNITS = {"$/kg": Unit.KG, "$/mt": Unit.TON}


def catalogue() -> dict[str, Any]:
    return json.loads(CATALOGUE.read_text(encoding="utf-8"))


@transaction.atomic
def load_catalogue() -> dict[str, int]:
    """Commodities, USD rates by month and crop calendars from the catalogue (upserts)."""
    data = catalogue()
    for item in data["commodities"]:
        Commodity.objects.update_or_create(
            code=item["code"],
            defaults={
                "name": item["name"],
                "name_en": item["name_en"],
                "unit": item["unit"],
                "is_crop": item.get("is_crop", True),
            },
        )
    rates = 0
    for year, vnd in data["usd_vnd_by_year"].items():
        for month in range(1, 13):
            ExchangeRate.objects.update_or_create(
                currency=Currency.USD,
                month=dt.date(int(year), month, 1),
                defaults={"vnd": Decimal(vnd), "source": data["rates_source"]},
            )
            rates += 1
    CropWindow.objects.all().delete()
    windows = 0
    by_code = {c.code: c for c in Commodity.objects.all()}
    for calendar in data["calendars"]:
        for stage, start, end, advice in calendar["windows"]:
            window = CropWindow.objects.create(
                commodity=by_code[calendar["commodity"]],
                region=calendar["region"],
                stage=stage,
                start_month=start,
                end_month=end,
                advice=advice,
                source=data["calendars_source"],
            )
            window.provinces.set(calendar["provinces"])
            windows += 1
    return {"commodities": len(data["commodities"]), "rates": rates, "windows": windows}


@dataclass
class Loaded:
    series: int = 0
    observations: int = 0
    outliers: int = 0
    errors: list[str] = field(default_factory=list)  # "dòng 12: …", the first 100


def _row(row: dict[str, str]) -> tuple[dt.date, Decimal]:
    try:
        month = dt.datetime.strptime(row.get("month") or "", "%Y-%m").date()
    except ValueError:
        raise ValueError(f"tháng không hợp lệ «{row.get('month')}» (cần YYYY-MM)") from None
    try:
        value = Decimal((row.get("price_usd") or "").strip())
    except InvalidOperation:
        raise ValueError(f"giá không phải là số «{row.get('price_usd')}»") from None
    if not value.is_finite() or value <= 0:
        raise ValueError(f"giá phải lớn hơn 0 «{row.get('price_usd')}»")
    if (row.get("unit") or "") not in UNITS:
        raise ValueError(f"đơn vị không rõ «{row.get('unit')}» (cần $/kg hoặc $/mt)")
    return month, value


@transaction.atomic
def load_world_bank(path: Path = WORLD_BANK) -> Loaded:
    """The World Bank's monthly prices: one series per code of the catalogue (USD, world or
    export FOB price), observations replaced, converted to VND/kg, outliers flagged."""
    load_catalogue()
    by_wb = {item["wb"]: item for item in catalogue()["commodities"] if item.get("wb")}
    commodities = {c.code: c for c in Commodity.objects.all()}
    found = Loaded()
    rows: dict[str, list[tuple[dt.date, Decimal, str]]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=2):
            code = row.get("code") or ""
            if code not in by_wb:
                found.errors.append(f"dòng {number}: mã chuỗi không có trong danh mục «{code}»")
                continue
            try:
                month, value = _row(row)
            except ValueError as error:
                found.errors.append(f"dòng {number}: {error}")
                continue
            rows.setdefault(code, []).append((month, value, row["unit"]))
    rates = conversion.Rates()
    for code, points in rows.items():
        item = by_wb[code]
        unit = UNITS[points[0][2]]
        series, _created = Series.objects.get_or_create(
            commodity=commodities[item["code"]],
            province=None,
            market="",
            price_type=item.get("price_type", PriceType.WORLD),
            currency=Currency.USD,
            unit=unit,
            frequency=Frequency.MONTHLY,
            source=WORLD_BANK_SOURCE,
            defaults={"source_code": code},
        )
        series.observations.all().delete()
        points.sort()
        observations = []
        recent: list[float] = []
        for month, value, _unit in points:
            note = conversion.outlier(float(value), recent[-12:])
            recent.append(float(value))
            observations.append(
                Observation(
                    series=series,
                    period=month,
                    value=value,
                    vnd_per_kg=conversion.to_vnd_per_kg(
                        value, series.currency, unit, rates.vnd(series.currency, month)
                    ),
                    outlier=bool(note),
                    outlier_note=note,
                )
            )
        Observation.objects.bulk_create(observations, batch_size=2000)
        series.last_period, series.observations_count = points[-1][0], len(points)
        series.save(update_fields=["last_period", "observations_count"])
        found.series += 1
        found.observations += len(observations)
        found.outliers += sum(o.outlier for o in observations)
    record(
        None,
        "import",
        None,
        None,
        {"file": path.name, "series": found.series, "observations": found.observations},
        about=("prices.series", WORLD_BANK_SOURCE),
        about_id="*",
    )
    found.errors = found.errors[:100]
    return found
