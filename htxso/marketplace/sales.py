"""What the marketplace sold, as prices (`core.facts.SalePrice`): per commodity of the price
catalogue, sellers' province and month, the median price per kg over the orders that were
delivered, or paid and not cancelled or refunded. Registered from `ready()` as the provider of
`core.facts.sale_prices`; prices reads it (`prices/sales.py`) without importing this app.

A product counts only when its seller named its commodity and, unless sold by the kg, how many
kg one unit holds (`Product.price_commodity`, `kg_per_unit`): never guessed from its name. The
median is by weight: each kilogram sold counts once (a 500 kg order weighs more than a 1 kg
one); when the middle falls between two prices, their mean. The month is the order's (the
price was agreed then), in the site's time zone."""

import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q
from django.utils import timezone

from htxso.core.facts import SalePrice

from .models import OrderLine, OrderStatus

SOLD = Q(order__status=OrderStatus.DELIVERED) | (
    Q(order__paid_at__isnull=False)
    & ~Q(order__status__in=[OrderStatus.CANCELLED, OrderStatus.REFUNDED])
)


def _month(day: dt.date, months: int = 0) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def weighted_median(points: list[tuple[Decimal, Decimal]]) -> Decimal:
    """The median of (price, weight) pairs with each unit of weight counted once: the price
    where half the weight is sold cheaper or at it; the mean of two prices when half the weight
    lies exactly at the border between them."""
    ordered = sorted(p for p in points if p[1] > 0)
    if not ordered:
        raise ValueError("no weight")
    half = sum(w for _p, w in ordered) / 2
    below = Decimal(0)
    for index, (price, weight) in enumerate(ordered):
        below += weight
        if below > half:
            return price
        if below == half:
            return (price + ordered[index + 1][0]) / 2
    return ordered[-1][0]  # unreachable: the last weight always passes the half


def sale_prices(first: dt.date, last: dt.date) -> list[SalePrice]:
    """The median price per kg by commodity, sellers' province and month, for the months from
    `first` to `last` (both included)."""
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(_month(first), dt.time(), zone)
    end = dt.datetime.combine(_month(last, 1), dt.time(), zone)
    lines = (
        OrderLine.objects.filter(
            SOLD,
            order__created_at__gte=start,
            order__created_at__lt=end,
        )
        .exclude(product__price_commodity="")
        .filter(product__kg_per_unit__gt=0)
        .values_list(
            "product__price_commodity",
            "order__province_id",
            "order__created_at",
            "order_id",
            "order__seller_id",
            "product__kg_per_unit",
            "quantity",
            "unit_price",
        )
    )
    groups: dict[tuple[str, str, dt.date], list[tuple[Decimal, Decimal]]] = defaultdict(list)
    orders: dict[tuple[str, str, dt.date], set[int]] = defaultdict(set)
    sellers: dict[tuple[str, str, dt.date], set[int]] = defaultdict(set)
    for code, province, created, order, seller, kg, quantity, price in lines.iterator(2000):
        month = timezone.localtime(created, zone).date().replace(day=1)
        key = (code, province, month)
        weight = Decimal(kg or 0)
        groups[key].append((Decimal(price) / weight, weight * quantity))
        orders[key].add(order)
        sellers[key].add(seller)
    return [
        SalePrice(
            commodity=code,
            province_id=province,
            month=month,
            vnd_per_kg=weighted_median(points).quantize(Decimal("0.01"), ROUND_HALF_UP),
            orders=len(orders[key]),
            sellers=len(sellers[key]),
            kg=sum((w for _p, w in points), Decimal(0)),
        )
        for key, points in sorted(groups.items())
        for code, province, month in [key]
    ]
