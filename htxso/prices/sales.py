"""The marketplace's own sales as price series: per commodity and sellers' province, the monthly
median price per kg of what was delivered or paid (`core.facts.sale_prices`, provided by the
marketplace: this app never imports it), kept as a retail series in VND/kg of source
`MARKET_SOURCE`. Run daily (`htxso ingest_market_prices`, Celery beat `prices.ingest_market`).

Each run recomputes the last `months` complete months and replaces them in one transaction: a
month's figure changes when a late order is delivered or a paid one refunded, and a re-run with
nothing new changes nothing. A month sold in fewer than `MIN_ORDERS` orders is not published
(one cooperative's price is its own business, and one order is no market). Outliers are flagged
against the series' earlier months, as for every price; new or changed months are checked
against alerts, and the series changed are queued for a forecast."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from htxso.core import facts
from htxso.core.audit import record

from . import alerts, conversion, jobs
from .models import Commodity, Currency, Frequency, Observation, PriceType, Series, Unit

MARKET_SOURCE = "Sàn HTX Số (giá bán trung vị)"
MIN_ORDERS = 3
MONTHS = 12


@dataclass
class Ingested:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    too_few: int = 0  # months sold in fewer than MIN_ORDERS orders
    series: int = 0


def _month(day: dt.date, months: int = 0) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _series(commodity: Commodity, province_id: str) -> Series:
    series, _created = Series.objects.get_or_create(
        commodity=commodity,
        province_id=province_id,
        market="",
        price_type=PriceType.RETAIL,
        currency=Currency.VND,
        unit=Unit.KG,
        frequency=Frequency.MONTHLY,
        source=MARKET_SOURCE,
    )
    return series


def _keep(series: Series, month: dt.date, vnd: Decimal, found: Ingested) -> Observation | None:
    """The month's median in the series (created, changed or left); the observation when it
    is new or changed."""
    existing = list(series.observations.filter(period=month).order_by("id"))
    if existing and existing[0].value == vnd and len(existing) == 1:
        found.unchanged += 1
        return None
    recent = [
        float(v)
        for v in series.observations.filter(period__lt=month)
        .order_by("-period")
        .values_list("value", flat=True)[:12]
    ]
    note = conversion.outlier(float(vnd), recent)
    series.observations.filter(period=month).delete()
    found.updated += bool(existing)
    found.created += not existing
    return Observation.objects.create(
        series=series,
        period=month,
        value=vnd,
        vnd_per_kg=vnd,
        outlier=bool(note),
        outlier_note=note,
    )


@transaction.atomic
def ingest(months: int = MONTHS, today: dt.date | None = None, actor: Any = None) -> Ingested:
    """Recompute the marketplace's median prices of the last `months` complete months."""
    today = today or timezone.localdate()
    last = _month(today, -1)
    first = _month(last, -(months - 1))
    commodities = {c.code: c for c in Commodity.objects.all()}
    found = Ingested()
    kept: dict[int, set[dt.date]] = {}
    fresh: list[Observation] = []
    for sale in facts.sale_prices(first, last):
        commodity = commodities.get(sale.commodity)
        if commodity is None:
            continue
        if sale.orders < MIN_ORDERS:
            found.too_few += 1
            continue
        series = _series(commodity, sale.province_id)
        kept.setdefault(series.pk, set()).add(sale.month)
        observation = _keep(series, sale.month, sale.vnd_per_kg, found)
        if observation is not None:
            fresh.append(observation)
    touched = {o.series_id for o in fresh}
    old = Observation.objects.filter(
        series__source=MARKET_SOURCE, period__gte=first, period__lte=last
    )
    for series_id, period in set(old.values_list("series_id", "period")):
        if period not in kept.get(series_id, set()):
            found.removed += Observation.objects.filter(
                series_id=series_id, period=period
            ).delete()[0]
            touched.add(series_id)
    for series in Series.objects.filter(pk__in=touched):
        rows = series.observations.order_by("-period").values_list("period", flat=True)
        series.observations_count = rows.count()
        series.last_period = rows.first()
        series.save(update_fields=["observations_count", "last_period"])
    found.series = len(kept)
    if fresh or found.removed:
        record(
            actor,
            "import",
            None,
            None,
            {
                "source": MARKET_SOURCE,
                "months": f"{first:%m/%Y}–{last:%m/%Y}",
                "created": found.created,
                "updated": found.updated,
                "removed": found.removed,
            },
            about=("prices.series", MARKET_SOURCE),
            about_id="*",
        )
    for observation in fresh:
        if not observation.outlier:
            alerts.check_price(observation)
    if touched:
        jobs.schedule(sorted(touched))
    return found
