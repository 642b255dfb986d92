"""The office's queue on the UI kit (`core/lists.py`): the nearest legal deadline first (index
`application_queue` on province, status, due date, id); working days left in words."""

from functools import cache
from typing import Any

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from htxso.core.lists import Column, ListSpec, counted, register
from htxso.core.units import commune_names

from . import rules
from .workflow import today

SORTS = {
    "due": ("due_on", False, _("Hạn gần nhất")),
    "-due": ("due_on", True, _("Hạn xa nhất")),
    "-updated": ("updated_at", True, _("Cập nhật gần nhất")),
    "updated": ("updated_at", False, _("Cập nhật lâu nhất")),
}


@cache
def _link_prefix() -> str:
    return reverse("registration:application", args=[0]).removesuffix("0/")


def _number(a: Any) -> str:
    return format_html('<a href="{}{}/">{}</a>', _link_prefix(), a.pk, a.number or f"#{a.pk}")


def _commune(a: Any) -> str:
    return dict(commune_names(a.province_id)).get(a.commune_id or "", "")


def left(a: Any) -> str:
    """ "còn 2 ngày làm việc", "hạn hôm nay", "quá hạn 1 ngày làm việc"."""
    if a.due_on is None:
        return ""
    on = today()
    if a.due_on == on:
        return _g("hạn hôm nay")
    if a.due_on > on:
        n = rules.working_days_between(on, a.due_on)
        return ngettext("còn %(n)s ngày làm việc", "còn %(n)s ngày làm việc", n) % {"n": n}
    n = rules.working_days_between(a.due_on, on)
    return ngettext("quá hạn %(n)s ngày làm việc", "quá hạn %(n)s ngày làm việc", n) % {"n": n}


def _due(a: Any) -> str:
    if a.due_on is None:
        return ""
    return f"{date_format(a.due_on, 'd/m/Y')} ({left(a)})"


QUEUE = register(
    ListSpec(
        name="registration.queue",
        columns=(
            Column("number", _("Số hồ sơ"), _number, fixed=True),
            Column("name", _("Tên dự kiến"), lambda a: a.name),
            Column("kind", _("Loại hình"), lambda a: a.get_kind_display()),
            Column("commune", _("Xã/phường"), _commune),
            Column("status", _("Trạng thái"), lambda a: a.get_status_display()),
            Column("due", _("Hạn giải quyết"), _due, sort="due", fixed=True),
            Column(
                "updated",
                _("Cập nhật"),
                lambda a: date_format(a.updated_at, "d/m/Y H:i"),
                sort="updated",
                default=False,
            ),
        ),
        sorts=SORTS,
        default_sort="due",
        counted=counted(
            lambda n: ngettext("%(n)s hồ sơ", "%(n)s hồ sơ", n),
            _("Hơn %(n)s hồ sơ — hãy thu hẹp bộ lọc"),
        ),
    )
)
