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

from .models import (
    CLOSED,
    ActionStatus,
    AdviceAction,
    Classification,
    ClassificationStatus,
    ProvinceRound,
    RoundStatus,
)

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
    items.extend(_rounds(user, today))
    return items


def _rounds(user: Any, today: dt.date) -> list[Item]:
    """Central officers: the provinces' results sent, to receive. A province's officer: its
    results of this year or the last not yet sent (or returned by the centre), by 21/12."""
    items: list[Item] = []
    url = reverse("assessment:rounds")
    if may(user, Action.REVIEW, Kind.ROUND):
        found = (
            ProvinceRound.objects.reviewable_by(user)
            .filter(status=RoundStatus.SENT)
            .aggregate(n=Count("id"), year=Min("year"))
        )
        items.append(
            Item(
                _("%(count)s tỉnh đã gửi kết quả phân loại HTX, chờ trung ương tiếp nhận")
                % {"count": found["n"]},
                found["n"],
                f"{url}?year={found['year']}" if found["year"] else url,
                ItemKind.REVIEW,
                Severity.WARNING,
                source=SOURCE,
            )
        )
    province = getattr(user, "province_id", None)
    if province and may(user, Action.CREATE, ProvinceRound(province_id=province)):
        years = (today.year - 1, today.year)
        decided = set(
            Classification.objects.visible_to(user)
            .filter(
                province_id=province,
                year__in=years,
                status__in=(ClassificationStatus.APPROVED, ClassificationStatus.EXCLUDED),
            )
            .values_list("year", flat=True)
            .distinct()
        )
        sent = set(
            ProvinceRound.objects.visible_to(user)
            .filter(province_id=province, year__in=years, status__in=CLOSED)
            .values_list("year", flat=True)
        )
        unsent = sorted(decided - sent)
        due = dt.date(unsent[0], 12, 21) if unsent else None
        items.append(
            Item(
                _("%(count)s kết quả phân loại HTX chưa gửi trung ương") % {"count": len(unsent)},
                len(unsent),
                f"{url}?year={unsent[0]}" if unsent else url,
                ItemKind.TODO,
                Severity.DANGER if due and due < today else Severity.WARNING,
                deadline=due,
                source=SOURCE,
            )
        )
    return items


def register() -> None:
    inbox.register(provide, SOURCE)
