"""The write path of prices: a reported price, alert subscriptions. Each write checks the
permission from `core.scoping.TABLE`, validates in Vietnamese, writes and audits in one
transaction. (Whole files: `ingest.py`; forecasts: `jobs.py`; alerts sent: `alerts.py`.)"""

import datetime as dt
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
    item = _commodity(commodity)
    if not Province.objects.filter(pk=province_id).exists():
        raise ValidationError({"province": _("Tỉnh/thành phố không hợp lệ.")})
    if price_type not in PriceType.values or price_type == PriceType.WORLD:
        raise ValidationError({"price_type": _("Loại giá không hợp lệ.")})
    number = _value(value, unit)
    today = timezone.localdate()
    if period > today:
        raise ValidationError({"period": _("Ngày báo giá không được ở tương lai.")})
    if period < today - dt.timedelta(days=366):
        raise ValidationError({"period": _("Chỉ báo giá trong vòng một năm trở lại.")})
    market = " ".join(market.split())[:120]
    if not may(actor, Action.CREATE, Series(province_id=province_id)):
        raise PermissionDenied(_("Bạn không được báo giá cho tỉnh/thành phố này."))
    series, _created = Series.objects.get_or_create(
        commodity=item,
        province_id=province_id,
        market=market,
        price_type=price_type,
        currency=Currency.VND,
        unit=unit,
        frequency=Frequency.DAILY,
        source=REPORTED,
    )
    series = Series.objects.select_for_update().get(pk=series.pk)
    recent = [
        float(v)
        for v in series.observations.filter(period__lte=period)
        .order_by("-period", "-id")
        .values_list("value", flat=True)[:12]
    ]
    note = conversion.outlier(float(number), recent)
    observation = Observation.objects.create(
        series=series,
        period=period,
        value=number,
        vnd_per_kg=conversion.to_vnd_per_kg(number, Currency.VND, unit, Decimal(1)),
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
