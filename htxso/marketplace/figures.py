"""The marketplace's public figures for the statistics cube (issue #20, item 6: "e-commerce
participation"), handed to reporting through `core.facts.provide_cube_figures` (the
marketplace never imports reporting). Per seller's province, kind, sector and status:

- `market_sellers`: organisations with at least one listed product, `market_listings`: their
  listed products — active sellers only, as the catalogue shows them; for an ended half-year
  the products created by its last day that are still listed (listing history is not kept);
- `market_orders`, `market_sales`: orders placed in the half-year that were not cancelled or
  refunded, and their value in thousand đồng (rounded).
"""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Sum
from django.utils import timezone

from htxso.core.facts import FigureRow
from htxso.registry.choices import Status as OrganisationStatus

from .models import Order, OrderStatus, Product

DIMENSIONS = ("seller__province_id", "seller__kind", "seller__sector", "seller__status")
NOT_SOLD = (OrderStatus.CANCELLED, OrderStatus.REFUNDED)


def _dims(row: dict[str, Any]) -> tuple[str, dict[str, str]]:
    return row["seller__province_id"], {
        "kind": row["seller__kind"],
        "sector": row["seller__sector"],
        "status": row["seller__status"],
    }


def _start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def cube_figures(first: dt.date, last: dt.date, live: bool) -> Iterable[FigureRow]:
    """The provider `core.facts` calls (one grouped query for listings, one for orders)."""
    listed = Product.objects.filter(listed=True, seller__status=OrganisationStatus.ACTIVE)
    if not live:
        listed = listed.filter(created_at__lt=_start(last + dt.timedelta(days=1)))
    out: dict[tuple, dict[str, int]] = {}
    for row in listed.values(*DIMENSIONS).annotate(
        n=Count("id"), sellers=Count("seller_id", distinct=True)
    ):
        province, dims = _dims(row)
        key = (province, tuple(sorted(dims.items())))
        out.setdefault(key, {}).update(market_listings=row["n"], market_sellers=row["sellers"])
    sold = Order.objects.filter(
        created_at__gte=_start(first), created_at__lt=_start(last + dt.timedelta(days=1))
    ).exclude(status__in=NOT_SOLD)
    for row in sold.values(*DIMENSIONS).annotate(n=Count("id"), value=Sum("total")):
        province, dims = _dims(row)
        key = (province, tuple(sorted(dims.items())))
        out.setdefault(key, {}).update(
            market_orders=row["n"], market_sales=round((row["value"] or 0) / 1_000)
        )
    return [(province, dict(dims), values) for (province, dims), values in out.items()]
