"""The recommendations' list on the UI kit (`core/lists.py`): the latest raised first."""

from functools import cache
from typing import Any

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from htxso.core.lists import Column, ListSpec, counted, register

from .models import RecState

BADGE = {RecState.SUBMITTED: "secondary", RecState.ROUTED: "warning", RecState.ANSWERED: "success"}


@cache
def _prefix() -> str:
    return reverse("tasks:forum-recommendation", args=[0]).removesuffix("0/")


def _title(r: Any) -> str:
    return format_html('<a href="{}{}/">{}</a>', _prefix(), r.pk, r.title)


def state_badge(r: Any) -> str:
    return format_html(
        '<span class="badge text-bg-{}">{}</span>', BADGE[RecState(r.state)], r.get_state_display()
    )


RECOMMENDATIONS = register(
    ListSpec(
        name="tasks.recommendations",
        columns=(
            Column("title", _("Kiến nghị"), _title, fixed=True),
            Column("topic", _("Lĩnh vực"), lambda r: r.get_topic_display()),
            Column("raiser", _("Đơn vị kiến nghị"), lambda r: r.raiser_name),
            Column(
                "raised", _("Ngày gửi"), lambda r: date_format(r.raised_on, "d/m/Y"), sort="raised"
            ),
            Column("stage", _("Thời điểm"), lambda r: r.get_stage_display(), default=False),
            Column("agency", _("Cơ quan trả lời"), lambda r: r.agency.name if r.agency else "—"),
            Column("state", _("Tình trạng"), state_badge),
        ),
        sorts={
            "raised": ("raised_on", False, _("Gửi sớm nhất")),
            "-raised": ("raised_on", True, _("Gửi gần nhất")),
        },
        default_sort="-raised",
        counted=counted(
            lambda n: ngettext("%(n)s kiến nghị", "%(n)s kiến nghị", n),
            _("Hơn %(n)s kiến nghị — hãy thu hẹp bộ lọc"),
        ),
    )
)
