"""The traceability part of the inbox, for a cooperative's manager: harvested lots whose QR
labels have not been printed yet, and lots of theirs that someone recorded as recalled
(an EPCIS event with disposition `recalled`) in the last 90 days. One query each, from the
one query path."""

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from htxso.core import gs1, inbox
from htxso.core.inbox import Item, ItemKind, Severity
from htxso.core.scoping import Action, Kind, may

from .models import Event, EventEpc, Harvest

SOURCE = "traceability"
RECALL_DAYS = 90
RECENT_LOTS = 500  # the recall item looks at the manager's latest lots


def provide(user: Any) -> list[Item]:
    if not getattr(user, "organisation_id", None) or not may(user, Action.CREATE, Kind.TRACE):
        return []
    harvests = Harvest.objects.editable_by(user).filter(
        crop__plot__organisation_id=user.organisation_id
    )
    unlabelled = harvests.filter(labelled_at=None).count()
    lots = [
        gs1.lot_uri(gtin, lot)
        for gtin, lot in harvests.order_by("-harvested_on", "-pk").values_list(
            "product__gtin", "lot"
        )[:RECENT_LOTS]
    ]
    since = timezone.now() - dt.timedelta(days=RECALL_DAYS)
    recalled = (
        EventEpc.objects.filter(
            epc__in=lots,
            event__in=Event.objects.filter(disposition="recalled", event_time__gte=since),
        )
        .values("epc")
        .distinct()
        .count()
        if lots
        else 0
    )
    diary = reverse("traceability:diary")
    return [
        Item(
            _("%(count)s lô thu hoạch chưa in tem QR") % {"count": unlabelled},
            unlabelled,
            f"{diary}#harvests",
            ItemKind.TODO,
            Severity.INFO,
            source=SOURCE,
        ),
        Item(
            _("%(count)s lô của hợp tác xã bị ghi nhận thu hồi") % {"count": recalled},
            recalled,
            f"{diary}#events",
            ItemKind.FOLLOW,
            Severity.DANGER,
            detail=_("Trong %(days)s ngày qua; xem sự kiện và liên hệ cơ quan quản lý.")
            % {"days": RECALL_DAYS},
            source=SOURCE,
        ),
    ]


def register() -> None:
    inbox.register(provide, SOURCE)
