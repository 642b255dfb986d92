"""Price pages: the series (filtered, bounded), one series (its chart with the forecast and its
intervals, the seasonal profile, the backtest in plain words, the latest prices), comparisons
of a commodity across provinces and sources, reporting a price, the crop calendar ("what to do
this month") and one's price alerts. Forms validate; services write; a refusal says why in
Vietnamese (422, what was typed kept)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from htxso.core.scoping import Action, Kind, may
from htxso.core.units import province_name

from . import charts, crop_calendar, services
from .filters import SeriesFilter
from .forms import AlertForm, ReportForm
from .models import Commodity, CropWindow, Notice, Series, Subscription

LIST_LIMIT = 200  # series on one page: narrow the filter for the rest


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    filters = SeriesFilter(request.GET or None)
    series = filters.filter(Series.objects.visible_to(request.user)).select_related(
        "commodity", "province", "forecast"
    )
    rows = list(
        series.order_by("commodity__name", "province_id", "price_type", "id")[: LIST_LIMIT + 1]
    )
    latest = charts.latest_prices(rows[:LIST_LIMIT])
    return render(
        request,
        "prices/index.html",
        {
            "filters": filters,
            "rows": [(s, latest.get(s.pk)) for s in rows[:LIST_LIMIT]],
            "more": len(rows) > LIST_LIMIT,
            "limit": LIST_LIMIT,
            "may_report": may(request.user, Action.CREATE, Kind.PRICES),
            "may_import": may(request.user, Action.IMPORT, Kind.PRICES),
        },
        status=400 if filters.is_bound and not filters.is_valid() else 200,
    )


@require_GET
def series(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(
        Series.objects.visible_to(request.user).select_related("commodity", "province"), pk=pk
    )
    chart = charts.series_chart(item)
    return render(
        request,
        "prices/series.html",
        {
            "series": item,
            "chart": chart,
            "forecast": chart["forecast"],
            "verdict": charts.verdict(chart["forecast"]),
            "recent": item.observations.order_by("-period", "-id")[:24],
        },
    )


@require_GET
def compare(request: HttpRequest) -> HttpResponse:
    code = request.GET.get("commodity", "")
    commodity = Commodity.objects.visible_to(request.user).filter(code=code).first()
    commodities = Commodity.objects.visible_to(request.user).filter(series__isnull=False).distinct()
    data = charts.comparison(commodity) if commodity else None
    return render(
        request,
        "prices/compare.html",
        {"commodity": commodity, "commodities": commodities.order_by("name"), "chart": data},
        status=404 if code and commodity is None else 200,
    )


@require_http_methods(["GET", "POST"])
@login_required
def report(request: HttpRequest) -> HttpResponse:
    if not may(request.user, Action.CREATE, Kind.PRICES):
        raise PermissionDenied(_("Bạn không được báo giá."))
    initial = {"province": getattr(request.user, "province_id", None) or ""}
    form = ReportForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                observation = services.report_price(
                    request.user,
                    data["commodity"],
                    data["province"],
                    data["price_type"],
                    data["value"],
                    data["unit"],
                    data["period"],
                    data["market"],
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items() if hasattr(exc, "error_dict") else []:
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
                if not hasattr(exc, "error_dict"):
                    for error in exc.messages:
                        form.add_error(None, error)
            else:
                if observation.outlier:
                    messages.warning(
                        request,
                        _("Đã ghi giá, nhưng giá này khác thường (%(note)s): hãy kiểm tra lại.")
                        % {"note": observation.outlier_note},
                    )
                else:
                    messages.success(request, _("Cảm ơn! Đã ghi giá bạn báo."))
                return redirect("prices:series", observation.series_id)
        status = 422
    return render(request, "prices/report.html", {"form": form}, status=status)


@require_GET
def calendar(request: HttpRequest) -> HttpResponse:
    province = request.GET.get("province") or getattr(request.user, "province_id", None) or ""
    month = timezone.localdate().month
    windows = CropWindow.objects.visible_to(request.user).select_related("commodity")
    if province:
        windows = windows.filter(provinces=province)
    rows = list(windows.order_by("commodity__name", "region", "start_month"))
    now = [w for w in rows if w.covers(month)]
    return render(
        request,
        "prices/calendar.html",
        {
            "province": province,
            "province_label": province_name(province) if province else "",
            "provinces": charts.calendar_provinces(),
            "month": month,
            "now": now,
            "rows": rows,
            "months": range(1, 13),
            "mine": crop_calendar.my_crops(request.user, month),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def alerts(request: HttpRequest) -> HttpResponse:
    if not may(request.user, Action.VIEW, Kind.ALERT):
        raise PermissionDenied(_("Tài khoản này không nhận cảnh báo giá."))
    form = AlertForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.subscribe(
                    request.user, data["commodity"], data["province"], data["above"], data["below"]
                )
            except ValidationError as exc:
                for error in exc.messages:
                    form.add_error(None, error)
            else:
                messages.success(request, _("Đã đăng ký nhận cảnh báo giá."))
                return redirect("prices:alerts")
        status = 422
    mine = Subscription.objects.visible_to(request.user).select_related("commodity", "province")
    notices = Notice.objects.visible_to(request.user).order_by("-created_at")[:50]
    Notice.objects.visible_to(request.user).filter(seen=False).update(seen=True)
    return render(
        request,
        "prices/alerts.html",
        {"form": form, "subscriptions": mine.order_by("-created_at"), "notices": notices},
        status=status,
    )


@require_POST
@login_required
def alert_delete(request: HttpRequest, pk: int) -> HttpResponse:
    get_object_or_404(Subscription.objects.visible_to(request.user), pk=pk)
    services.unsubscribe(request.user, pk)
    messages.success(request, _("Đã xoá cảnh báo."))
    return redirect("prices:alerts")
