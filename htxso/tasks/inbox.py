"""The follow-up's part of the inbox (`core.inbox`): for focal points, their open tasks overdue
and at risk (the nearest deadline); for the secretariat, progress reports waiting to be
accepted or returned. One grouped query each, from the one query path."""

from typing import Any

from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from htxso.core import inbox
from htxso.core.inbox import Item, ItemKind, Severity
from htxso.core.scoping import Action, Kind, may

from . import status
from .forum import inbox as forum_inbox
from .models import ProgressReport, ReportState, Task
from .services import today

SOURCE = "tasks"


def provide(user: Any) -> list[Item]:
    items: list[Item] = []
    on = today()
    if may(user, Action.EDIT, Kind.TASK) and not may(user, Action.REVIEW, Kind.TASK):
        found = (
            Task.objects.editable_by(user)
            .filter(completed_on__isnull=True)
            .aggregate(
                overdue=Count("id", filter=status.q(status.Status.OVERDUE, on)),
                risk=Count("id", filter=status.q(status.Status.AT_RISK, on)),
                due=Min("effective_due_on", filter=Q(effective_due_on__gte=on)),
            )
        )
        url = reverse("tasks:dashboard")
        items.append(
            Item(
                _("%(count)s nhiệm vụ quá hạn") % {"count": found["overdue"]},
                found["overdue"],
                f"{url}?status=overdue",
                ItemKind.TODO,
                Severity.DANGER,
                source=SOURCE,
            )
        )
        items.append(
            Item(
                _("%(count)s nhiệm vụ sắp đến hạn") % {"count": found["risk"]},
                found["risk"],
                f"{url}?status=at_risk",
                ItemKind.TODO,
                Severity.WARNING,
                deadline=found["due"],
                source=SOURCE,
            )
        )
    if may(user, Action.REVIEW, Kind.TASK):
        n = ProgressReport.objects.reviewable_by(user).filter(state=ReportState.SUBMITTED).count()
        items.append(
            Item(
                _("%(count)s báo cáo tiến độ chờ xem xét") % {"count": n},
                n,
                reverse("tasks:dashboard") + "?waiting=1",
                ItemKind.REVIEW,
                Severity.WARNING,
                source=SOURCE,
            )
        )
    return items


def register() -> None:
    inbox.register(provide, SOURCE)
    inbox.register(forum_inbox.provide, "tasks.forum")
