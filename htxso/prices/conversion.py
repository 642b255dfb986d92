"""Units, currencies and outliers: one rule each, for every way a price comes in.

A price is kept as it was given (its series' currency and unit) and, beside it, in VND per kg
with the exchange rate of its month taken from `ExchangeRate` rows (data, never a constant).
A price far from its series' recent median is flagged, never dropped."""

import datetime as dt
import math
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from statistics import median

from .models import KG_PER_UNIT, Currency, ExchangeRate, Unit

OUTLIER_RATIO = 2.5  # × or ÷ the median of the series' last values
OUTLIER_HISTORY = 6  # values needed before anything is flagged


class Rates:
    """Exchange rates to VND by month, read once (the nearest earlier month applies)."""

    def __init__(self, rows: Sequence[tuple[str, dt.date, Decimal]] | None = None) -> None:
        if rows is None:
            rows = list(ExchangeRate.objects.values_list("currency", "month", "vnd"))
        self._by: dict[str, list[tuple[dt.date, Decimal]]] = {}
        for currency, month, vnd in sorted(rows, key=lambda r: (r[0], r[1])):
            self._by.setdefault(currency, []).append((month, Decimal(vnd)))

    def vnd(self, currency: str, day: dt.date) -> Decimal | None:
        """VND per one `currency` on `day`; None when no rate is known that early."""
        if currency == Currency.VND:
            return Decimal(1)
        found = None
        for month, vnd in self._by.get(currency, []):
            if month > day:
                break
            found = vnd
        return found


def to_vnd_per_kg(value: Decimal, currency: str, unit: str, rate: Decimal | None) -> Decimal | None:
    """`value` (in `currency` per `unit`) in VND per kg, rounded to the đồng; None without a
    rate."""
    if rate is None:
        return None
    per_kg = Decimal(value) * rate / Decimal(KG_PER_UNIT[Unit(unit)])
    return per_kg.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def outlier(value: float, recent: Sequence[float]) -> str:
    """Why `value` is unusual against the series' recent values ("" when it is not)."""
    history = [v for v in recent if v > 0]
    if len(history) < OUTLIER_HISTORY or value <= 0:
        return ""
    middle = median(history)
    ratio = value / middle
    if abs(math.log(ratio)) <= math.log(OUTLIER_RATIO):
        return ""
    return f"{ratio:.1f} × trung vị {len(history)} kỳ trước ({middle:,.0f})".replace(",", ".")
