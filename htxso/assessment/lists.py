"""The classification list on the UI kit (`core/lists.py`): newest first by id (index
`class_queue` on province, year, status, id answers the province's queue)."""

from functools import cache
from typing import Any

from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from htxso.core.lists import Column, ListSpec, counted, register
from htxso.core.units import province_name
from htxso.registry.choices import Classification as Grade

SORTS = {
    "-id": ("id", True, _("Mới nhất")),
    "id": ("id", False, _("Cũ nhất")),
}


@cache
def _prefix() -> str:
    return reverse("assessment:classification", args=[0]).removesuffix("0/")


def _name(c: Any) -> str:
    return format_html('<a href="{}{}/">{}</a>', _prefix(), c.pk, c.organisation.name)


CLASSIFICATIONS = register(
    ListSpec(
        name="assessment.classifications",
        columns=(
            Column("organisation", _("Tổ chức"), _name, fixed=True),
            Column("province", _("Tỉnh/thành phố"), lambda c: province_name(c.province_id)),
            Column("year", _("Năm"), lambda c: str(c.year)),
            Column("status", _("Trạng thái"), lambda c: c.get_status_display()),
            Column("total", _("Tổng điểm"), lambda c: str(c.total)),
            Column("grade", _("Xếp loại"), lambda c: Grade(c.grade).label if c.grade else "—"),
        ),
        sorts=SORTS,
        default_sort="-id",
        counted=counted(
            lambda n: ngettext("%(n)s bản phân loại", "%(n)s bản phân loại", n),
            _("Hơn %(n)s bản phân loại — hãy thu hẹp bộ lọc"),
        ),
    )
)
