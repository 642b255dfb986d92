"""The write path of prices: a reported price, alert subscriptions. Each write checks the
permission from `core.scoping.TABLE`, validates in Vietnamese, writes and audits in one
transaction. (Whole files: `ingest.py`; forecasts: `jobs.py`; alerts sent: `alerts.py`.)"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from htxso.core.audit import record, snapshot
from htxso.core.models import Province
from htxso.core.scoping import Action, Kind, may

from . import alerts, conversion
from .models import (
    Commodity,
    Currency,
    Frequency,
    Observation,
    PriceType,
    Series,
    Subscription,
    Unit,
)

REPORTED = "Thành viên, cán bộ báo giá"  # the source of prices reported on the page or API
MAX_VND_PER_KG = Decimal(100_000_000)  # nothing a cooperative sells costs more per kg


def _commodity(commodity: Any) -> Commodity:
    found = Commodity.objects.filter(
        **({"pk": commodity} if str(commodity).isdigit() else {"code": commodity})
    ).first()
    if found is None:
        raise ValidationError({"commodity": _("Không có mặt hàng này trong danh mục.")})
    return found


def _value(value: Any, unit: str) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({"value": _("Giá phải là một số.")}) from None
    if not number.is_finite() or number <= 0:
        raise ValidationError({"value": _("Giá phải lớn hơn 0.")})
    if unit not in Unit.values:
        raise ValidationError({"unit": _("Đơn vị không hợp lệ.")})
    if conversion.to_vnd_per_kg(number, Currency.VND, unit, Decimal(1)) > MAX_VND_PER_KG:  # type: ignore[operator]
        raise ValidationError({"value": _("Giá quá lớn: kiểm tra lại đơn vị và số chữ số 0.")})
    return number


@dataclass
class Lookups:
    """What `check_price` looks up, read once for a file of many rows: the catalogue (by code
    and id), the provinces, and the actor's right per province (asked once each)."""

    commodities: dict[str, Commodity]
    provinces: set[str]
    allowed: dict[tuple[str, str], bool] = field(default_factory=dict)

    @classmethod
    def load(cls) -> "Lookups":
        items = list(Commodity.objects.all())
        by = {c.code: c for c in items} | {str(c.pk): c for c in items}
        return cls(by, set(Province.objects.values_list("pk", flat=True)))

    def may(self, actor: Any, action: str, province_id: str) -> bool:
        key = (action, province_id)
        if key not in self.allowed:
            self.allowed[key] = may(actor, action, Series(province_id=province_id))
        return self.allowed[key]


@dataclass(frozen=True)
class Price:
    """A price checked by `check_price`, ready to be written."""

    commodity: Commodity
    province_id: str
    price_type: str
    value: Decimal
    unit: str
    period: dt.date
    market: str


def check_price(
    actor: Any,
    commodity: Any,
    province_id: str,
    price_type: str,
    value: Any,
    unit: str,
    period: dt.date,
    market: str = "",
    *,
    oldest: dt.date | None = None,
    action: str = Action.CREATE,
    lookups: Lookups | None = None,
) -> Price:
    """The rules of a price in VND, one set for the page, the API and files: a commodity of the
    catalogue, a province, a price type a person sees (not the world's), a positive value no
    larger than `MAX_VND_PER_KG`, a known unit, a day not in the future nor before `oldest` (a
    year back by default: the page and the API; files carry history), and the actor's right to
    `action` prices of that province. ValidationError / PermissionDenied in Vietnamese.
    `lookups`: the catalogue, provinces and rights read once (a file's rows)."""
    if lookups is not None:
        found = lookups.commodities.get(str(commodity))
        if found is None:
            raise ValidationError({"commodity": _("Không có mặt hàng này trong danh mục.")})
        item = found
    else:
        item = _commodity(commodity)
    known = (
        province_id in lookups.provinces
        if lookups is not None
        else bool(province_id) and Province.objects.filter(pk=province_id).exists()
    )
    if not province_id or not known:
        raise ValidationError({"province": _("Tỉnh/thành phố không hợp lệ.")})
    if price_type not in PriceType.values or price_type == PriceType.WORLD:
        raise ValidationError({"price_type": _("Loại giá không hợp lệ.")})
    number = _value(value, unit)
    today = timezone.localdate()
    if period > today:
        raise ValidationError({"period": _("Ngày báo giá không được ở tương lai.")})
    if oldest is None and period < today - dt.timedelta(days=366):
        raise ValidationError({"period": _("Chỉ báo giá trong vòng một năm trở lại.")})
    if oldest is not None and period < oldest:
        raise ValidationError(
            {"period": _("Ngày quá xa: chỉ nhận từ %(day)s.") % {"day": f"{oldest:%d/%m/%Y}"}}
        )
    allowed = (
        lookups.may(actor, action, province_id)
        if lookups is not None
        else may(actor, action, Series(province_id=province_id))
    )
    if not allowed:
        raise PermissionDenied(_("Bạn không được báo giá cho tỉnh/thành phố này."))
    market = " ".join(market.split())[:120]
    return Price(item, province_id, price_type, number, unit, period, market)


def reported_series(price: Price, source: str = REPORTED) -> Series:
    """The series a reported price goes to: one per commodity, province, market, type, unit
    and source, daily, in VND."""
    series, _created = Series.objects.get_or_create(
        commodity=price.commodity,
        province_id=price.province_id,
        market=price.market,
        price_type=price.price_type,
        currency=Currency.VND,
        unit=price.unit,
        frequency=Frequency.DAILY,
        source=source,
    )
    return series


@transaction.atomic
def report_price(
    actor: Any,
    commodity: Any,
    province_id: str,
    price_type: str,
    value: Any,
    unit: str,
    period: dt.date,
    market: str = "",
) -> Observation:
    """A price seen at a market, in VND: kept in the province's series of reported prices
    (one per commodity, market, price type and unit), flagged when far from the series' recent
    median, audited; alerts of that commodity and province are checked."""
    price = check_price(actor, commodity, province_id, price_type, value, unit, period, market)
    series = Series.objects.select_for_update().get(pk=reported_series(price).pk)
    recent = [
        float(v)
        for v in series.observations.filter(period__lte=period)
        .order_by("-period", "-id")
        .values_list("value", flat=True)[:12]
    ]
    note = conversion.outlier(float(price.value), recent)
    observation = Observation.objects.create(
        series=series,
        period=period,
        value=price.value,
        vnd_per_kg=conversion.to_vnd_per_kg(price.value, Currency.VND, unit, Decimal(1)),
        outlier=bool(note),
        outlier_note=note,
        reported_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    counts: dict[str, Any] = {"observations_count": F("observations_count") + 1}
    if series.last_period is None or period > series.last_period:
        counts["last_period"] = period
    Series.objects.filter(pk=series.pk).update(**counts)
    record(actor, "create", observation, None, snapshot(observation))
    if not observation.outlier:
        alerts.check_price(observation)
    return observation


def write_prices(
    actor: Any, rows: list[tuple[int, Price, str]], filename: str, commit: bool
) -> tuple[dict[str, int], list[tuple[int, str]]]:
    """Checked prices of a file (row number, price, source) into their series, set-wise, in the
    caller's transaction: a price already there (same series, day and value, or twice in the
    file) is left; each new one is flagged against the 12 values before it in its series (the
    series' history and the file's earlier days together). When `commit`: one audit entry for
    the file, and the alerts of each series' newest price of the last month. Returns the counts
    and the (row, why) of the prices flagged."""
    groups: dict[int, tuple[Series, list[tuple[int, Price]]]] = {}
    made: dict[tuple[Any, ...], Series] = {}
    for number, price, source in rows:
        key: tuple[Any, ...] = (price.commodity.pk, price.province_id, price.market)
        key += (price.price_type, price.unit, source)
        series = made.get(key) or made.setdefault(key, reported_series(price, source))
        groups.setdefault(series.pk, (series, []))[1].append((number, price))
    counts = {"created": 0, "unchanged": 0, "outliers": 0, "series": len(groups)}
    flagged: list[tuple[int, str]] = []
    newest: list[Observation] = []
    author = actor if getattr(actor, "is_authenticated", False) else None
    for series, prices in groups.values():
        history = list(series.observations.order_by("period", "id").values_list("period", "value"))
        seen = set(history)
        timeline = [(period, float(value), 0) for period, value in history]
        fresh = []
        for number, price in sorted(prices, key=lambda p: (p[1].period, p[0])):
            if (price.period, price.value) in seen:
                counts["unchanged"] += 1
                continue
            seen.add((price.period, price.value))
            fresh.append((number, price))
            timeline.append((price.period, float(price.value), number))
        timeline.sort(key=lambda t: (t[0], t[2]))
        notes: dict[int, str] = {}
        for index, (_period, value, number) in enumerate(timeline):
            if number:
                before = [v for _p, v, _n in timeline[max(0, index - 12) : index]]
                notes[number] = conversion.outlier(value, before)
        objects = [
            Observation(
                series=series,
                period=price.period,
                value=price.value,
                vnd_per_kg=conversion.to_vnd_per_kg(
                    price.value, Currency.VND, price.unit, Decimal(1)
                ),
                outlier=bool(notes[number]),
                outlier_note=notes[number],
                reported_by=author,
            )
            for number, price in fresh
        ]
        Observation.objects.bulk_create(objects, batch_size=2000)
        flagged += [(number, notes[number]) for number, _p in fresh if notes[number]]
        counts["created"] += len(objects)
        counts["outliers"] += sum(o.outlier for o in objects)
        if objects:
            last = max(o.period for o in objects)
            Series.objects.filter(pk=series.pk).update(
                observations_count=F("observations_count") + len(objects),
                last_period=max(last, series.last_period or last),
            )
            latest = max(
                (o for o in objects if not o.outlier), key=lambda o: o.period, default=None
            )
            if latest is not None:
                newest.append(latest)
    if commit:
        record(
            actor,
            "import",
            None,
            None,
            {"file": filename[:200], **counts},
            about=("prices.observation", filename[:200]),
            about_id="*",
        )
        recent = timezone.localdate() - dt.timedelta(days=31)
        for observation in newest:
            if observation.period >= recent and observation.pk:
                alerts.check_price(observation)
    return counts, flagged


def _threshold(value: Any, field: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise ValidationError({field: _("Ngưỡng phải là một số.")}) from None
    if not number.is_finite() or number <= 0 or number > MAX_VND_PER_KG:
        raise ValidationError({field: _("Ngưỡng phải lớn hơn 0 (đồng/kg).")})
    return number


@transaction.atomic
def subscribe(
    actor: Any, commodity: Any, province_id: str | None, above: Any = None, below: Any = None
) -> Subscription:
    """The actor's alert on a commodity (in a province, or anywhere): a price or forecast in
    VND/kg above `above` or below `below`."""
    if not may(actor, Action.CREATE, Kind.ALERT):
        raise PermissionDenied(_("Cần đăng nhập để đăng ký nhận cảnh báo giá."))
    item = _commodity(commodity)
    if province_id and not Province.objects.filter(pk=province_id).exists():
        raise ValidationError({"province": _("Tỉnh/thành phố không hợp lệ.")})
    high, low = _threshold(above, "above"), _threshold(below, "below")
    if high is None and low is None:
        raise ValidationError(_("Hãy nhập ít nhất một ngưỡng: giá lên trên hoặc xuống dưới."))
    if high is not None and low is not None and low >= high:
        raise ValidationError({"below": _("Ngưỡng dưới phải nhỏ hơn ngưỡng trên.")})
    subscription = Subscription.objects.create(
        user=actor, commodity=item, province_id=province_id or None, above=high, below=low
    )
    record(actor, "create", subscription, None, snapshot(subscription))
    return subscription


@transaction.atomic
def unsubscribe(actor: Any, pk: int) -> None:
    subscription = Subscription.objects.visible_to(actor).select_for_update().get(pk=pk)
    if not may(actor, Action.EDIT, subscription):
        raise PermissionDenied(_("Bạn không được xoá cảnh báo này."))
    record(actor, "delete", subscription, snapshot(subscription), None)
    subscription.delete()
