"""The tasks' list on the UI kit (`core/lists.py`): the nearest deadline first (index
`tasks_task_due` on effective deadline, id); the status computed for the page's rows."""

from functools import cache
from typing import Any

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from htxso.core.lists import Column, Export, ListSpec, counted, register

from . import status
from .services import today

SORTS = {
    "due": ("effective_due_on", False, _("Hạn gần nhất")),
    "-due": ("effective_due_on", True, _("Hạn xa nhất")),
}
BADGE = {
    status.Status.NOT_STARTED: "secondary",
    status.Status.ON_TRACK: "primary",
    status.Status.AT_RISK: "warning",
    status.Status.OVERDUE: "danger",
    status.Status.DONE_ON_TIME: "success",
    status.Status.DONE_LATE: "dark",
}


@cache
def _link_prefix() -> str:
    return reverse("tasks:task", args=[0]).removesuffix("0/")


def _title(t: Any) -> str:
    return format_html('<a href="{}{}/">{}</a>', _link_prefix(), t.pk, t.title)


def badge(value: str) -> str:
    s = status.Status(value)
    return format_html('<span class="badge text-bg-{}">{}</span>', BADGE[s], s.label)


def _status(t: Any) -> str:
    return badge(status.of(t, today()))


TASKS = register(
    ListSpec(
        name="tasks.tasks",
        columns=(
            Column("title", _("Nhiệm vụ"), _title, fixed=True),
            Column("directive", _("Văn bản"), lambda t: t.directive.number),
            Column("assignee", _("Cơ quan được giao"), lambda t: t.assignee.name),
            Column("due", _("Hạn"), lambda t: date_format(t.effective_due_on, "d/m/Y"), sort="due"),
            Column("status", _("Tình trạng"), _status),
            Column(
                "percent",
                _("Hoàn thành"),
                lambda t: "—" if t.percent_done is None else f"{t.percent_done}%",
                numeric=True,
            ),
            Column("recurrence", _("Định kỳ"), lambda t: t.get_recurrence_display(), default=False),
        ),
        sorts=SORTS,
        default_sort="due",
        page_size=25,  # a dashboard's list: the nearest deadlines; the pager or a filter for more
        counted=counted(
            lambda n: ngettext("%(n)s nhiệm vụ", "%(n)s nhiệm vụ", n),
            _("Hơn %(n)s nhiệm vụ — hãy thu hẹp bộ lọc"),
        ),
        exports=(
            Export(_("Tài liệu họp (PDF)"), "tasks:pack", ("pdf",)),
            Export(_("Tài liệu họp (XLSX)"), "tasks:pack", ("xlsx",)),
        ),
    )
)
