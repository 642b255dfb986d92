"""The assessment's part of the inbox: the manager's classification to score or sent back,
the province's classifications to review (the nearest deadline, 21/12), the adviser's overdue
plan actions and visits. One grouped query each, from the one query path."""

import datetime as dt
from typing import Any

from django.db.models import Count, Min
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from htxso.core import inbox
from htxso.core.inbox import Item, ItemKind, Severity
from htxso.core.roles import Role
from htxso.core.scoping import Action, Kind, may, role_of

from .models import ActionStatus, AdviceAction, Classification, ClassificationStatus

SOURCE = "assessment"


def provide(user: Any) -> list[Item]:
    items: list[Item] = []
    url = reverse("assessment:classifications")
    today = timezone.localdate()
    if may(user, Action.REVIEW, Kind.CLASSIFICATION):
        found = (
            Classification.objects.reviewable_by(user)
            .filter(status=ClassificationStatus.SUBMITTED)
            .aggregate(n=Count("id"), year=Min("year"))
        )
        due = dt.date(found["year"], 12, 21) if found["year"] else None
        items.append(
            Item(
                _("%(count)s bản phân loại HTX chờ duyệt") % {"count": found["n"]},
                found["n"],
                f"{url}?status=submitted",
                ItemKind.REVIEW,
                Severity.DANGER if due and due < today else Severity.WARNING,
                deadline=due,
                source=SOURCE,
            )
        )
    if role_of(user) == Role.COOPERATIVE_MANAGER:
        counts = dict(
            Classification.objects.editable_by(user)
            .values_list("status")
            .annotate(n=Count("id"))
            .values_list("status", "n")
        )
        returned = counts.get(ClassificationStatus.RETURNED, 0)
        drafts = counts.get(ClassificationStatus.DRAFT, 0)
        items.append(
            Item(
                _("%(count)s bản phân loại bị tỉnh trả lại") % {"count": returned},
                returned,
                url,
                ItemKind.RETURNED,
                Severity.DANGER,
                source=SOURCE,
            )
        )
        items.append(
            Item(
                _("%(count)s bản tự chấm điểm chưa nộp") % {"count": drafts},
                drafts,
                url,
                ItemKind.TODO,
                Severity.WARNING,
                deadline=dt.date(today.year, 12, 15),
                source=SOURCE,
            )
        )
    if role_of(user) in (Role.ALLIANCE_ADVISER, Role.COOPERATIVE_MANAGER):
        overdue = (
            AdviceAction.objects.visible_to(user)
            .filter(status__in=(ActionStatus.PLANNED, ActionStatus.DOING), due_on__lt=today)
            .aggregate(n=Count("id"), due=Min("due_on"))
        )
        items.append(
            Item(
                _("%(count)s việc trong kế hoạch chuyển đổi số đã quá hạn")
                % {"count": overdue["n"]},
                overdue["n"],
                reverse("assessment:index"),
                ItemKind.FOLLOW,
                Severity.DANGER,
                deadline=overdue["due"],
                source=SOURCE,
            )
        )
    return items


def register() -> None:
    inbox.register(provide, SOURCE)
