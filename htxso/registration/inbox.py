"""Registration's part of the inbox (`core.inbox`): the office's queue (cases waiting to be
taken or decided, the nearest legal deadline) and the applicant's own applications (drafts,
dossiers returned for corrections). One grouped query each, from the one query path."""

from typing import Any

from django.db.models import Count, Min
from django.urls import reverse
from django.utils.translation import gettext as _

from htxso.core import inbox
from htxso.core.inbox import Item, ItemKind, Severity
from htxso.core.scoping import Action, Kind, may

from .models import EDITABLE, WAITING, Application, Status

SOURCE = "registration"


def provide(user: Any) -> list[Item]:
    items: list[Item] = []
    if may(user, Action.REVIEW, Kind.APPLICATION):
        found = (
            Application.objects.reviewable_by(user)
            .filter(status__in=WAITING)
            .aggregate(n=Count("id"), due=Min("due_on"))
        )
        items.append(
            Item(
                _("%(count)s hồ sơ đăng ký chờ giải quyết") % {"count": found["n"]},
                found["n"],
                reverse("registration:queue"),
                ItemKind.REVIEW,
                Severity.WARNING,
                deadline=found["due"],
                source=SOURCE,
            )
        )
    if may(user, Action.CREATE, Kind.APPLICATION):
        own = Application.objects.visible_to(user).filter(applicant_id=user.pk, status__in=EDITABLE)
        counts = dict(own.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
        url = reverse("registration:mine")
        items.append(
            Item(
                _("%(count)s hồ sơ cần sửa đổi, bổ sung")
                % {"count": counts.get(Status.NEEDS_CORRECTION, 0)},
                counts.get(Status.NEEDS_CORRECTION, 0),
                url,
                ItemKind.RETURNED,
                Severity.DANGER,
                source=SOURCE,
            )
        )
        items.append(
            Item(
                _("%(count)s hồ sơ nháp chưa nộp") % {"count": counts.get(Status.DRAFT, 0)},
                counts.get(Status.DRAFT, 0),
                url,
                ItemKind.TODO,
                Severity.INFO,
                source=SOURCE,
            )
        )
    return items


def register() -> None:
    inbox.register(provide, SOURCE)
