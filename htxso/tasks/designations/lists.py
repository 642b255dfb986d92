"""The designations' list on the UI kit (`core/lists.py`): by function, then agency."""

from functools import cache
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from htxso.core.lists import Column, ListSpec, counted, register


@cache
def _prefix() -> str:
    return reverse("tasks:designation-end", args=[0]).removesuffix("0/end/")


def _user(d: Any) -> str:
    return f"{d.user.get_full_name() or d.user.username} ({d.user.username})"


def _ended(d: Any) -> bool:
    return d.ends_on is not None and d.ends_on <= timezone.localdate()


def _state(d: Any) -> str:
    if d.active:
        return format_html('<span class="badge text-bg-success">{}</span>', _("Đang hiệu lực"))
    label = _("Đã kết thúc") if _ended(d) else _("Chưa hiệu lực")
    return format_html('<span class="badge text-bg-secondary">{}</span>', label)


def _end(d: Any) -> str:
    """The end button, for who may end designations (`may_end`, annotated by the view)."""
    if not getattr(d, "may_end", False) or _ended(d):
        return ""
    return format_html(
        '<a class="btn btn-sm btn-outline-danger" href="{}{}/end/">{}</a>',
        _prefix(),
        d.pk,
        _("Kết thúc"),
    )


DESIGNATIONS = register(
    ListSpec(
        name="tasks.designations",
        columns=(
            Column("user", gettext_lazy("Cán bộ"), _user, fixed=True),
            Column("function", gettext_lazy("Vai trò"), lambda d: d.get_function_display()),
            Column("agency", gettext_lazy("Cơ quan"), lambda d: d.agency.name if d.agency else "—"),
            Column(
                "starts",
                gettext_lazy("Hiệu lực từ"),
                lambda d: date_format(d.starts_on, "d/m/Y"),
                sort="starts",
            ),
            Column(
                "ends",
                gettext_lazy("Kết thúc ngày"),
                lambda d: date_format(d.ends_on, "d/m/Y") if d.ends_on else "—",
            ),
            Column("state", gettext_lazy("Tình trạng"), _state),
            Column("note", gettext_lazy("Ghi chú"), lambda d: d.note, default=False),
            Column(
                "by",
                gettext_lazy("Người phân công"),
                lambda d: d.assigned_by.username if d.assigned_by else "—",
                default=False,
            ),
            Column("end", gettext_lazy("Thao tác"), _end),
        ),
        sorts={
            "starts": ("starts_on", False, gettext_lazy("Hiệu lực sớm nhất")),
            "-starts": ("starts_on", True, gettext_lazy("Hiệu lực gần nhất")),
        },
        default_sort="-starts",
        counted=counted(
            lambda n: ngettext("%(n)s phân công", "%(n)s phân công", n),
            gettext_lazy("Hơn %(n)s phân công — hãy thu hẹp bộ lọc"),
        ),
    )
)
