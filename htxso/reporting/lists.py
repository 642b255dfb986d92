"""The report list on the UI kit (`core/lists.py`): periods and provinces by name, not code;
sorted by period or by last change (indexes `report_period`, `report_updated` on (field, id))."""

from functools import cache
from typing import Any

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from htxso.core.lists import Column, ListSpec, counted, csv_and_xlsx, register
from htxso.core.units import province_name

from .models import ReportStatus
from .periods import Period

SORTS = {
    # key: (model field, descending, label)
    "-period": ("period", True, _("Kỳ mới nhất")),
    "period": ("period", False, _("Kỳ cũ nhất")),
    "-updated": ("updated_at", True, _("Cập nhật gần nhất")),
    "updated": ("updated_at", False, _("Cập nhật lâu nhất")),
}
STATUSES = dict(ReportStatus.choices)


@cache
def _link_prefix() -> str:
    return reverse("reporting:report", args=[0]).removesuffix("0/")


def _period(r: Any) -> str:
    try:
        label = Period.parse(r.period).label
    except ValidationError:  # a code stored before the rule: shown as it is
        label = r.period
    return format_html('<a href="{}{}/">{}</a>', _link_prefix(), r.pk, label)


def _respondent(r: Any) -> str:
    if r.organisation_id:
        return r.organisation.name
    return str(_("Tổng hợp của tỉnh"))


def _when(value: Any) -> str | None:
    return date_format(localtime(value), "d/m/Y H:i") if value else None


REPORTS = register(
    ListSpec(
        name="reporting.reports",
        columns=(
            Column("period", _("Kỳ"), _period, sort="period", fixed=True),
            Column("form", _("Biểu mẫu"), lambda r: r.form.title),
            Column("respondent", _("Đơn vị báo cáo"), _respondent),
            Column("province", _("Tỉnh/thành phố"), lambda r: province_name(r.province_id)),
            Column("status", _("Tình trạng"), lambda r: STATUSES.get(r.status, r.status)),
            Column("flags", _("Cảnh báo"), lambda r: len(r.flags) or "", numeric=True),
            Column("submitted", _("Nộp lúc"), lambda r: _when(r.submitted_at), default=False),
            Column(
                "updated",
                _("Cập nhật"),
                lambda r: _when(r.updated_at),
                sort="updated",
                default=False,
            ),
        ),
        sorts=SORTS,
        default_sort="-period",
        counted=counted(
            lambda n: ngettext("%(n)s báo cáo", "%(n)s báo cáo", n),
            _("Hơn %(n)s báo cáo — hãy thu hẹp bộ lọc"),
        ),
        empty=_("Chưa có báo cáo."),
        exports=csv_and_xlsx("reporting:export"),
    )
)
