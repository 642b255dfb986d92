"""The forum's part of the inbox (`core.inbox`): the secretariat's recommendations to route
and those waiting for an agency's answer; an agency's (a province's officer's) waiting for its
answer; whoever raised recommendations, the answers of the last 30 days. Counts only."""

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from htxso.core.inbox import Item, ItemKind, Severity
from htxso.core.scoping import Action, Kind, may

from ..services import today
from .models import ANSWER, Recommendation, RecState

SOURCE = "tasks"
RECENT_DAYS = 30


def provide(user: Any) -> list[Item]:
    if not getattr(user, "is_authenticated", False):
        return []
    url = reverse("tasks:forum-recommendations")
    items: list[Item] = []
    if may(user, Action.RELEASE, Kind.FORUM):
        n = Recommendation.objects.filter(state=RecState.SUBMITTED).count()
        items.append(
            Item(
                _("%(count)s kiến nghị chờ chuyển cơ quan trả lời") % {"count": n},
                n,
                f"{url}?state=submitted",
                ItemKind.REVIEW,
                Severity.WARNING,
                source=SOURCE,
            )
        )
        n = Recommendation.objects.filter(state=RecState.ROUTED).count()
        items.append(
            Item(
                _("%(count)s kiến nghị chờ cơ quan có thẩm quyền trả lời") % {"count": n},
                n,
                f"{url}?state=routed",
                ItemKind.FOLLOW,
                Severity.INFO,
                source=SOURCE,
            )
        )
    elif may(user, Action.REVIEW, Kind.FORUM):
        routed = Recommendation.objects.filter(state=RecState.ROUTED)
        n = ANSWER.filter(routed, user, Action.REVIEW).count()
        items.append(
            Item(
                _("%(count)s kiến nghị chờ tỉnh trả lời") % {"count": n},
                n,
                f"{url}?state=routed",
                ItemKind.TODO,
                Severity.WARNING,
                source=SOURCE,
            )
        )
    since = today() - dt.timedelta(days=RECENT_DAYS)
    n = Recommendation.objects.filter(
        raised_by_id=user.pk, state=RecState.ANSWERED, answered_on__gte=since
    ).count()
    items.append(
        Item(
            _("%(count)s kiến nghị của bạn đã có trả lời") % {"count": n},
            n,
            f"{url}?state=answered&mine=on",
            ItemKind.DONE,
            Severity.SUCCESS,
            source=SOURCE,
        )
    )
    return items
