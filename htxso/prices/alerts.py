"""Price alerts: when a price (or a forecast) of a commodity in a province crosses a
subscriber's threshold, a notice is written — once per subscription, period and direction (a
unique constraint, so two workers cannot send it twice) — shown in the inbox and on the alerts
page, and e-mailed after the transaction commits."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from .models import Forecast, Notice, Observation, Subscription


def _crossed(subscription: Subscription, vnd_per_kg: Decimal) -> str:
    if subscription.above is not None and vnd_per_kg > subscription.above:
        return "above"
    if subscription.below is not None and vnd_per_kg < subscription.below:
        return "below"
    return ""


def _subscribers(commodity_id: int, province_id: str | None) -> list[Subscription]:
    where = Q(province__isnull=True)
    if province_id:
        where |= Q(province_id=province_id)
    return list(
        Subscription.objects.filter(where, commodity_id=commodity_id).select_related(
            "user", "commodity"
        )
    )


def _send(
    subscription: Subscription,
    period: dt.date,
    vnd_per_kg: Decimal,
    direction: str,
    forecast: bool,
) -> Notice | None:
    words = {
        (False, "above"): _("Giá %(name)s đã lên %(price)s đ/kg (ngưỡng %(limit)s đ/kg), %(date)s"),
        (False, "below"): _(
            "Giá %(name)s đã xuống %(price)s đ/kg (ngưỡng %(limit)s đ/kg), %(date)s"
        ),
        (True, "above"): _(
            "Dự báo giá %(name)s lên %(price)s đ/kg (ngưỡng %(limit)s đ/kg) vào %(date)s"
        ),
        (True, "below"): _(
            "Dự báo giá %(name)s xuống %(price)s đ/kg (ngưỡng %(limit)s đ/kg) vào %(date)s"
        ),
    }
    limit = subscription.above if direction == "above" else subscription.below
    message = words[(forecast, direction)] % {
        "name": subscription.commodity.name,
        "price": f"{vnd_per_kg:,.0f}".replace(",", "."),
        "limit": f"{limit:,.0f}".replace(",", "."),
        "date": period.strftime("%m/%Y") if forecast else period.strftime("%d/%m/%Y"),
    }
    try:
        with transaction.atomic():
            notice = Notice.objects.create(
                subscription=subscription,
                period=period,
                direction=direction,
                forecast=forecast,
                vnd_per_kg=vnd_per_kg,
                message=message[:300],
            )
    except IntegrityError:
        return None  # already sent for this period and direction
    email = subscription.user.email
    if email:

        def mail() -> None:
            send_mail(_("Cảnh báo giá HTX Số"), message, None, [email], fail_silently=True)
            Notice.objects.filter(pk=notice.pk).update(emailed=True)

        transaction.on_commit(mail)
    return notice


def check_price(observation: Observation) -> list[Notice]:
    """Notices for a new price (in VND/kg) crossing its subscribers' thresholds."""
    if observation.vnd_per_kg is None:
        return []
    series = observation.series
    sent = []
    for subscription in _subscribers(series.commodity_id, series.province_id):
        direction = _crossed(subscription, observation.vnd_per_kg)
        if direction:
            notice = _send(
                subscription, observation.period, observation.vnd_per_kg, direction, False
            )
            if notice:
                sent.append(notice)
    return sent


def check_forecast(forecast: Forecast, vnd_per_unit: Any) -> list[Notice]:
    """Notices for a forecast whose mean crosses a threshold in the coming months (the first
    month that crosses; `vnd_per_unit(value, period)` converts the series' prices)."""
    series = forecast.series
    sent = []
    subscribers = _subscribers(series.commodity_id, series.province_id)
    for subscription in subscribers:
        for point in forecast.points:
            period = dt.date.fromisoformat(point["period"])
            value = vnd_per_unit(point["mean"], period)
            if value is None:
                continue
            direction = _crossed(subscription, value)
            if direction:
                notice = _send(subscription, period, value, direction, True)
                if notice:
                    sent.append(notice)
                break
    return sent
