"""Statistics pages: national and provincial dashboards, the indicator catalogue, releases,
and the downloads (each chart's table as XLSX, the cube as XLSX, SDMX-ML 2.1 and SDMX-CSV).

Everyone may look; what they see is the live cube (national roles; a provincial officer in
their province) or the released periods only (`IndicatorCell.objects.visible_to`).
"""

import io
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from openpyxl import Workbook

from htxso.core.models import Province
from htxso.core.units import province_names
from htxso.registry.choices import OrganisationKind, Sector, Status
from htxso.tabular.workbooks import stream_xlsx

from . import dashboard_cache, dashboards, disclosure, formulas, sdmx, services
from .models import (
    NATIONAL,
    TOTAL,
    Indicator,
    Release,
    Source,
    Target,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _map_indicator(request: HttpRequest) -> str:
    wanted = request.GET.get("map", "organisations")
    return wanted if wanted in dashboards.MAP_INDICATORS else "organisations"


def _province_links() -> list[dict[str, str]]:
    """The 34 dashboards for the area select: the names read once per process and one
    reverse() for all (a `{% url %}` per province was a fifth of the page, issue #24)."""
    prefix = reverse("statistics:province", args=["00"]).removesuffix("00/")
    return [{"code": c, "name": n, "url": f"{prefix}{c}/"} for c, n in province_names()]


def dashboard(request: HttpRequest, code: str = NATIONAL) -> HttpResponse:
    province = None
    if code != NATIONAL:
        # The province's name from the process's list (one query less a page).
        name = dict(province_names()).get(code)
        if name is None:
            raise Http404(code)
        province = {"code": code, "name": name}
    key, data = dashboard_cache.keyed_panel(request.user, code, _map_indicator(request))
    return render(
        request,
        "reporting/dashboard.html",
        {
            "data": data,
            "cache_key": key,
            "cache_seconds": dashboard_cache.CACHE_SECONDS,
            "province": province,
            "provinces": _province_links(),
            "map_choices": data["map_choices"],
            "map_indicator": data["map"].get("indicator"),
            "may_release": services.may_release(request.user),
        },
    )


def province_dashboard(request: HttpRequest, code: str) -> HttpResponse:
    return dashboard(request, code)


def _chart_table(data: dict, chart: str) -> tuple[str, list[str], list[list[Any]]]:
    """The table behind one chart of a panel: (title, headers, rows)."""
    if chart == "cards":
        headers = [_("Mục tiêu"), _("Chỉ tiêu"), _("Kỳ"), _("Giá trị"), _("Mục tiêu"),
                   _("Năm"), _("% đạt"), _("Dự báo năm mục tiêu"), _("Nguồn")]  # fmt: skip
        rows = [
            [
                c["label"],
                c["indicator"],
                c["period"],
                c["value"],
                c["target"],
                c["target_year"],
                c["achieved"],
                c["projection"],
                c["source"],
            ]
            for c in data["cards"]
        ]
        return _("Tiến độ mục tiêu"), headers, rows
    if chart in ("map", "ranking"):
        m = data["map"]
        headers = [_("Mã tỉnh"), _("Tỉnh/thành phố"), f"{m.get('name', '')} ({m.get('unit', '')})"]
        return (
            f"{m.get('name', '')} {m.get('period', '')}",
            headers,
            [[v["code"], v["name"], v["value"]] for v in m.get("values", [])],
        )
    for trend in data["trends"]:
        if trend["id"] == chart:
            headers = [_("Kỳ"), *[s["name"] for s in trend["series"]]]
            rows = [
                [period, *[s["data"][i] for s in trend["series"]]]
                for i, period in enumerate(trend["periods"])
            ]
            return trend["title"], headers, rows
    raise Http404(_("Không có biểu đồ này."))


def chart_xlsx(request: HttpRequest, chart: str) -> HttpResponse:
    area = request.GET.get("area", NATIONAL)
    if area != NATIONAL and not Province.objects.filter(code=area).exists():
        raise Http404(_("Không có tỉnh/thành phố này."))
    data = dashboard_cache.panel(request.user, area, _map_indicator(request))
    title, headers, rows = _chart_table(data, chart)
    wb = Workbook()
    sheet: Any = wb.active
    sheet.title = _("Số liệu")
    sheet.append([title])
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    sheet.append([])
    sheet.append([_("Nguồn: HTX Số"), "" if data["live"] else _("(số liệu đã công bố)")])
    out = io.BytesIO()
    wb.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{chart}-{area}.xlsx"'
    return response


def indicators(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "reporting/indicators.html",
        {
            "indicators": formulas.catalogue(translation.get_language() == "en"),
            "targets": Target.objects.select_related("indicator").order_by("area", "year", "id"),
            "units": {code: dashboards.unit_label(code) for code in dashboards.UNITS},
            "provinces": dict(Province.objects.values_list("code", "name")),
        },
    )


def releases(request: HttpRequest) -> HttpResponse:
    """The published periods; a central officer publishes one (POST)."""
    if request.method == "POST":
        if not services.may_release(request.user):
            raise PermissionDenied(_("Chỉ cán bộ trung ương được công bố số liệu."))
        try:
            services.release(
                request.user, request.POST.get("period", ""), request.POST.get("note", "")
            )
            messages.success(request, _("Đã công bố số liệu kỳ %s.") % request.POST["period"])
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        return redirect("statistics:releases")
    return render(
        request,
        "reporting/releases.html",
        {"releases": Release.objects.all(), "may_release": services.may_release(request.user)},
    )


# -- the cube as data ----------------------------------------------------------------------


def _codes(choices: Sequence[tuple[str, str | Promise]]) -> tuple[sdmx.Code, ...]:
    """A code list with its Vietnamese and English names (whatever the request's language)."""
    with translation.override("vi"):
        vi = {value: str(label) for value, label in choices}
    with translation.override("en"):
        en = {value: str(label) for value, label in choices}
    return (
        sdmx.Code(TOTAL, "Tổng số", "Total"),
        *(sdmx.Code(str(value), vi[value], en[value]) for value in vi),
    )


def structure() -> sdmx.Structure:
    published = Indicator.objects.filter(is_published=True).exclude(source=Source.DERIVED)
    areas = [sdmx.Code(NATIONAL, "Việt Nam", "Viet Nam")] + [
        sdmx.Code(code, name, name) for code, name in Province.objects.values_list("code", "name")
    ]
    return sdmx.Structure(
        name_vi="Chỉ tiêu thống kê kinh tế tập thể",
        name_en="Collective economy statistical indicators",
        dimensions=(
            sdmx.Dimension(
                "INDICATOR",
                "Chỉ tiêu",
                "Indicator",
                tuple(sdmx.Code(i.code, i.name, i.name_en) for i in published),
            ),
            sdmx.Dimension("REF_AREA", "Địa bàn", "Reference area", tuple(areas)),
            sdmx.Dimension("ORG_KIND", "Loại hình", "Kind", _codes(OrganisationKind.choices)),
            sdmx.Dimension("SECTOR", "Ngành VSIC", "VSIC section", _codes(Sector.choices)),
            sdmx.Dimension("STATUS", "Tình trạng", "Status", _codes(Status.choices)),
        ),
        units=tuple(sdmx.Code(code, str(vi), en) for code, (vi, en) in dashboards.UNITS.items()),
    )


def observations(user: Any) -> Iterator[dict[str, Any]]:
    """The cube's published cells the user may see, sorted by series key then time."""
    published = dict(
        Indicator.objects.filter(is_published=True)
        .exclude(source=Source.DERIVED)
        .values_list("code", "unit")
    )
    cells = (
        disclosure.shown_cells(user, "*")
        .filter(indicator__in=list(published))
        .order_by("indicator", "area", "kind", "sector", "status", "period")
        .values_list("indicator", "area", "kind", "sector", "status", "period", "value")
    )
    for indicator, area, kind, sector, status, period, value in cells.iterator(chunk_size=5000):
        yield {
            "INDICATOR": indicator,
            "REF_AREA": area,
            "ORG_KIND": kind,
            "SECTOR": sector,
            "STATUS": status,
            "TIME_PERIOD": period,
            "OBS_VALUE": value,
            "UNIT_MEASURE": published[indicator],
        }


def _download(
    content: Iterable[bytes | str], content_type: str, filename: str
) -> StreamingHttpResponse:
    response = StreamingHttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def sdmx_structure(request: HttpRequest) -> StreamingHttpResponse:
    return _download(
        sdmx.structure_message(structure(), timezone.now()),
        "application/xml; charset=utf-8",
        "htxso-structure.xml",
    )


def sdmx_data(request: HttpRequest) -> StreamingHttpResponse:
    return _download(
        sdmx.generic_data_message(structure(), observations(request.user), timezone.now()),
        "application/xml; charset=utf-8",
        "htxso-data.xml",
    )


def sdmx_csv(request: HttpRequest) -> StreamingHttpResponse:
    return _download(
        sdmx.sdmx_csv(structure(), observations(request.user)),
        "text/csv; charset=utf-8",
        "htxso-data.csv",
    )


def export_xlsx(request: HttpRequest) -> StreamingHttpResponse:
    names = dict(Indicator.objects.values_list("code", "name"))
    provinces = dict(Province.objects.values_list("code", "name"))
    provinces[NATIONAL] = _("Toàn quốc")
    headers = [_("Mã chỉ tiêu"), _("Chỉ tiêu"), _("Mã địa bàn"), _("Địa bàn"), _("Loại hình"),
               _("Ngành"), _("Tình trạng"), _("Kỳ"), _("Giá trị"), _("Đơn vị")]  # fmt: skip
    rows = (
        [
            o["INDICATOR"],
            names.get(o["INDICATOR"], ""),
            o["REF_AREA"],
            provinces.get(o["REF_AREA"], ""),
            o["ORG_KIND"],
            o["SECTOR"],
            o["STATUS"],
            o["TIME_PERIOD"],
            o["OBS_VALUE"],
            dashboards.unit_label(o["UNIT_MEASURE"]),
        ]
        for o in observations(request.user)
    )
    return _download(stream_xlsx(headers, rows, widths=[18, 40, 8, 24, 18, 8, 14, 8, 14, 16]),
                     XLSX, f"htxso-chi-tieu-{timezone.localdate():%Y%m%d}.xlsx")  # fmt: skip
