"""What the price pages draw (ECharts, `static/prices/prices.js`): a series' months in VND/kg
with its forecast and intervals, its seasonal profile, the comparison of a commodity's series,
and the backtest said in plain Vietnamese. Bounded reads: a series' months (≤ 40 years), at
most `COMPARE_LIMIT` series on one comparison, the latest price of the listed series in one
query."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Max, OuterRef, Subquery
from django.utils.translation import gettext as _

from htxso.core.units import province_name, province_names

from . import conversion, forecasting
from .models import Commodity, CropWindow, Forecast, Observation, Series

COMPARE_LIMIT = 8
PROFILE_MONTHS = 120


def latest_prices(series: list[Series]) -> dict[int, Observation]:
    """The latest observation of each listed series (one query)."""
    latest = Observation.objects.filter(series=OuterRef("series_id")).order_by("-period", "-id")
    rows = Observation.objects.filter(
        series__in=[s.pk for s in series], pk=Subquery(latest.values("pk")[:1])
    )
    return {o.series_id: o for o in rows}


def _monthly_vnd(item: Series) -> tuple[list[str], list[float | None], list[bool]]:
    """(months "2024-01", VND/kg — the month's median for daily series —, outlier flags)."""
    by_month: dict[dt.date, list[tuple[float | None, bool]]] = {}
    rows = item.observations.order_by("period", "id").values_list("period", "vnd_per_kg", "outlier")
    for period, vnd, outlier in rows:
        by_month.setdefault(period.replace(day=1), []).append(
            (float(vnd) if vnd is not None else None, outlier)
        )
    months, values, flags = [], [], []
    for month in sorted(by_month):
        points = by_month[month]
        kept = sorted(v for v, o in points if v is not None and not o) or [
            v for v, _o in points if v is not None
        ]
        months.append(month.strftime("%Y-%m"))
        values.append(kept[len(kept) // 2] if kept else None)
        flags.append(all(o for _v, o in points))
    return months, values, flags


def series_chart(item: Series) -> dict[str, Any]:
    months, values, flags = _monthly_vnd(item)
    forecast = Forecast.objects.filter(series=item).first()
    rates = conversion.Rates()
    band: dict[str, list] = {
        "months": [],
        "mean": [],
        "lo80": [],
        "hi80": [],
        "lo95": [],
        "hi95": [],
    }
    if forecast:
        for point in forecast.points:
            period = dt.date.fromisoformat(point["period"])
            rate = rates.vnd(item.currency, period)
            band["months"].append(period.strftime("%Y-%m"))
            for key in ("mean", "lo80", "hi80", "lo95", "hi95"):
                value = conversion.to_vnd_per_kg(
                    Decimal(str(point[key])), item.currency, item.unit, rate
                )
                band[key].append(float(value) if value is not None else None)
    known = [(int(m[5:7]), v) for m, v, o in zip(months, values, flags, strict=True) if v and not o]
    known = known[-PROFILE_MONTHS:]  # the last ten years: older prices would weigh on the months
    profile = forecasting.seasonal_profile([m for m, _v in known], [v for _m, v in known])
    return {
        "months": months,
        "values": values,
        "outliers": [v if o else None for v, o in zip(values, flags, strict=True)],
        "forecast": forecast,
        "band": band,
        "profile": [round(p) if p is not None else None for p in profile],
        "labels": {
            "history": _("Giá (đồng/kg)"),
            "forecast": _("Dự báo"),
            "i80": _("Khoảng 80%"),
            "i95": _("Khoảng 95%"),
            "outlier": _("Giá bất thường"),
            "profile": _("Giá bình quân theo tháng (đồng/kg)"),
            "month": _("Tháng"),
        },
    }


def verdict(forecast: Forecast | None) -> str:
    """The backtest in plain Vietnamese."""
    if forecast is None:
        return _("Chưa có dự báo: chuỗi cần ít nhất 24 tháng liên tục.")
    if forecast.beats_naive is None:
        return _("Chưa đủ lịch sử để kiểm tra dự báo trên số liệu đã qua; hãy dùng thận trọng.")
    if forecast.beats_naive:
        return _(
            "Trên 36 tháng gần nhất, dự báo này sai ít hơn cách đoán «giá bằng cùng tháng năm "
            "trước» (sai số bằng %(one)s%% khi đoán trước 1 tháng, %(six)s%% khi đoán trước 6 "
            "tháng)."
        ) % {"one": round(100 * forecast.mase_1), "six": round(100 * forecast.mase_6)}  # type: ignore[operator]
    return _(
        "Dự báo này KHÔNG tốt hơn cách đoán đơn giản «giá bằng cùng tháng năm trước» trên 36 "
        "tháng gần nhất; đừng dựa vào nó để quyết định bán hay trữ hàng."
    )


def comparison(commodity: Commodity) -> dict[str, Any]:
    """The commodity's series (the longest first, at most COMPARE_LIMIT) month by month."""
    chosen = list(
        Series.objects.filter(commodity=commodity)
        .select_related("province")
        .order_by("-observations_count", "id")[:COMPARE_LIMIT]
    )
    lines = []
    all_months: set[str] = set()
    for item in chosen:
        months, values, _flags = _monthly_vnd(item)
        all_months.update(months)
        where = province_name(item.province_id) if item.province_id else _("Thế giới")
        name = f"{where} — {item.get_price_type_display()}"
        lines.append({"name": name, "pk": item.pk, "data": dict(zip(months, values, strict=True))})
    axis = sorted(all_months)
    return {
        "months": axis,
        "lines": [
            {"name": line["name"], "data": [line["data"].get(m) for m in axis]} for line in lines
        ],
        "series": chosen,
        "unit": _("đồng/kg"),
    }


def calendar_provinces() -> list[tuple[str, str]]:
    """The provinces some crop calendar covers."""
    covered = set(CropWindow.provinces.through.objects.values_list("province_id", flat=True))
    return [(code, name) for code, name in province_names() if code in covered]


def last_update() -> dt.date | None:
    return Series.objects.aggregate(last=Max("last_period"))["last"]
