"""Forecasts as background jobs: `schedule` queues the series on the configured backend (the
Celery task `prices.forecast` in production, a thread in the embedded default, inline in tests
and in `htxso forecast_prices`); `forecast_series` computes one series' forecast and its
rolling-origin backtest and keeps them (one `Forecast` per series), then checks the alerts
that look at forecasts.

A series is forecast on its months: a monthly series' values, a daily or weekly one's monthly
medians; the trailing run of consecutive months is used (a gap ends the history), outliers
left out (they stay on the charts, flagged)."""

import datetime as dt
import logging
import threading
from collections.abc import Iterable
from decimal import Decimal
from statistics import median

from django.conf import settings
from django.db import close_old_connections, connection, transaction

from . import alerts, conversion, forecasting
from .models import Forecast, Frequency, Series

log = logging.getLogger(__name__)
CHUNK = 200  # series per Celery task


def _next_month(day: dt.date, months: int = 1) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def monthly(series: Series) -> tuple[list[dt.date], list[float]]:
    """The series' trailing run of consecutive months and their values (outliers left out)."""
    rows = (
        series.observations.filter(outlier=False).order_by("period").values_list("period", "value")
    )
    by_month: dict[dt.date, list[float]] = {}
    for period, value in rows:
        by_month.setdefault(period.replace(day=1), []).append(float(value))
    months = sorted(by_month)
    if series.frequency == Frequency.MONTHLY:
        values = [by_month[m][-1] for m in months]
    else:
        values = [median(by_month[m]) for m in months]
    start = len(months) - 1
    while start > 0 and _next_month(months[start - 1]) == months[start]:
        start -= 1
    return months[start:], values[start:]


def forecast_series(series_id: int) -> Forecast | None:
    """Forecast one series and backtest it; None (and no forecast kept) when its history is
    shorter than `forecasting.MIN_HISTORY` months."""
    series = Series.objects.select_related("commodity").get(pk=series_id)
    months, values = monthly(series)
    if len(values) < forecasting.MIN_HISTORY:
        Forecast.objects.filter(series=series).delete()
        return None
    predicted = forecasting.forecast(values)
    tested = forecasting.backtest(values)
    points = [
        {
            "period": _next_month(months[-1], i + 1).isoformat(),
            **{
                key.replace("-", ""): round(float(predicted[key][i]), 4) for key in forecasting.KEYS
            },
        }
        for i in range(forecasting.HORIZON)
    ]
    with transaction.atomic():
        forecast, _created = Forecast.objects.update_or_create(
            series=series,
            defaults={
                "method": forecasting.METHOD,
                "origin": months[-1],
                "points": points,
                "mase_1": tested.mase[1] if tested else None,
                "mase_6": tested.mase[6] if tested else None,
                "coverage_80": tested.coverage_80 if tested else None,
                "coverage_95": tested.coverage_95 if tested else None,
                "backtest_origins": tested.origins if tested else 0,
            },
        )
        rates = conversion.Rates()

        def vnd_per_kg(value: float, period: dt.date) -> Decimal | None:
            rate = rates.vnd(series.currency, period)
            return conversion.to_vnd_per_kg(Decimal(str(value)), series.currency, series.unit, rate)

        alerts.check_forecast(forecast, vnd_per_kg)
    return forecast


def run(series_ids: Iterable[int]) -> int:
    """Forecast each series; a series that fails is logged and skipped. How many were kept."""
    kept = 0
    for series_id in series_ids:
        try:
            kept += forecast_series(series_id) is not None
        except Exception:  # one bad series must not stop the others
            log.exception("forecast of series %s failed", series_id)
    return kept


def _in_thread(series_ids: list[int]) -> None:
    try:
        run(series_ids)
    finally:
        connection.close()


def schedule(series_ids: Iterable[int] | None = None) -> int:
    """Queue the forecasts of `series_ids` (every series when None) on `JOBS_BACKEND`; how many
    series were queued."""
    ids = list(
        series_ids if series_ids is not None else Series.objects.values_list("pk", flat=True)
    )
    backend = settings.JOBS_BACKEND
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        if backend == "inline":
            run(chunk)
        elif backend == "celery":
            from htxso.celery import app

            transaction.on_commit(
                lambda chunk=chunk: app.send_task("prices.forecast", args=[chunk])  # type: ignore[misc]
            )
        else:
            if not connection.in_atomic_block:  # inside one it would close the caller's
                close_old_connections()  # transaction's connection (PostgreSQL: "closed")
            transaction.on_commit(
                lambda chunk=chunk: threading.Thread(  # type: ignore[misc]
                    target=_in_thread, args=(chunk,), daemon=True
                ).start()
            )
    return len(ids)
