"""The report list as a download (CSV, XLSX): the reports the list page shows for the same GET
parameters (`visible_to`, `ReportFilter`, the list's sort), every one, not one page. Names, not
codes (period label, form title, province name); no figures (those are the cube's downloads,
with their disclosure rules). One audit entry per export, written before the first row."""

from collections.abc import Iterator, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from htxso.core.audit import record
from htxso.core.lists import resolve_sort
from htxso.core.units import province_name

from .filters import ReportFilter
from .lists import REPORTS, SORTS, STATUSES
from .models import Report, ReportForm
from .periods import Period

FORMATS = ("csv", "xlsx")
CHUNK_SIZE = 2000
WIDTHS = (10, 28, 9, 40, 40, 14, 24, 18, 17, 17, 10)


def _when(value: Any) -> str:
    return date_format(localtime(value), "d/m/Y H:i") if value else ""


def _period(code: str) -> str:
    try:
        return Period.parse(code).label
    except ValidationError:
        return code


def headers() -> list[str]:
    return [
        _("Mã báo cáo"),
        _("Kỳ"),
        _("Mã kỳ"),
        _("Biểu mẫu"),
        _("Đơn vị báo cáo"),
        _("Mã số thuế"),
        _("Tỉnh/thành phố"),
        _("Tình trạng"),
        _("Nộp lúc"),
        _("Duyệt lúc"),
        _("Cảnh báo"),
    ]


def report_rows(
    user: Any, params: Mapping[str, Any], fmt: str
) -> tuple[list[str], Iterator[tuple[Any, ...]]]:
    """(headers, rows). Invalid filters raise ValidationError: an export never silently widens
    to everything, unlike the page (which shows the valid filters' rows and names the rest)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    form = ReportFilter(params)
    if not form.is_valid():
        raise ValidationError([m for errors in form.errors.values() for m in errors])
    sort, _ignored = resolve_sort(REPORTS, params.get("sort"))
    field, descending, _label = SORTS[sort]
    sign = "-" if descending else ""
    reports = form.filter(Report.objects.visible_to(user)).order_by(f"{sign}{field}", f"{sign}id")
    titles = {f.pk: f.title for f in ReportForm.objects.all()}  # a handful, in this language
    summary = _("Tổng hợp của tỉnh")
    record(
        user,
        "export",
        None,
        None,
        {
            "format": fmt,
            "filters": {k: v for k, v in form.cleaned_data.items() if v not in (None, "")},
            "sort": sort,
            "personal_data": "none",
        },
        about=(Report._meta.label_lower, _("Xuất danh sách báo cáo (%s)") % fmt.upper()),
        about_id="*",
    )
    values = reports.values_list(
        "id",
        "period",
        "form_id",
        "organisation__name",
        "organisation__tax_code",
        "province_id",
        "status",
        "submitted_at",
        "reviewed_at",
        "flags",
    ).iterator(chunk_size=CHUNK_SIZE)
    return headers(), (_row(v, titles, summary) for v in values)


def _row(values: tuple[Any, ...], titles: Mapping[int, str], summary: str) -> tuple[Any, ...]:
    pk, period, form_id, organisation, tax_code, province, status, submitted, reviewed, flags = (
        values
    )
    return (
        pk,
        _period(period),
        period,
        titles.get(form_id, ""),
        organisation or summary,
        tax_code or "",
        province_name(province),
        str(STATUSES.get(status, status)),
        _when(submitted),
        _when(reviewed),
        len(flags or ()),
    )
