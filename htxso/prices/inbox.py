"""Prices' part of the inbox (`core.inbox`): the user's price alerts not yet seen (one count)."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from htxso.core import inbox
from htxso.core.inbox import Item, ItemKind, Severity
from htxso.core.scoping import Action, Kind, may

from .models import Notice

SOURCE = "prices"


def provide(user: Any) -> list[Item]:
    if not may(user, Action.VIEW, Kind.ALERT):
        return []
    count = Notice.objects.visible_to(user).filter(seen=False).count()
    return [
        Item(
            _("%(count)s cảnh báo giá mới") % {"count": count},
            count,
            reverse("prices:alerts"),
            ItemKind.FOLLOW,
            Severity.WARNING,
            source=SOURCE,
        )
    ]


def register() -> None:
    inbox.register(provide, SOURCE)
