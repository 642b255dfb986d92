"""The marketplace's part of the inbox: the seller's new orders to confirm and paid ones to
ship. One grouped query from the one query path."""

from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from htxso.core import inbox
from htxso.core.inbox import Item, ItemKind, Severity

from .models import Order, OrderStatus, SellerStaff

SOURCE = "marketplace"


def provide(user: Any) -> list[Item]:
    if not getattr(user, "organisation_id", None) and not (
        getattr(user, "is_authenticated", False)
        and SellerStaff.objects.filter(user_id=user.pk).exists()  # invited seller staff
    ):
        return []
    found = Order.objects.reviewable_by(user).aggregate(
        placed=Count("id", filter=Q(status=OrderStatus.PLACED)),
        confirmed=Count("id", filter=Q(status=OrderStatus.CONFIRMED)),
    )
    url = reverse("marketplace:board")
    return [
        Item(
            _("%(count)s đơn hàng mới chờ xác nhận") % {"count": found["placed"]},
            found["placed"],
            url,
            ItemKind.TODO,
            Severity.WARNING,
            source=SOURCE,
        ),
        Item(
            _("%(count)s đơn hàng chờ giao") % {"count": found["confirmed"]},
            found["confirmed"],
            url,
            ItemKind.TODO,
            Severity.INFO,
            source=SOURCE,
        ),
    ]


def register() -> None:
    inbox.register(provide, SOURCE)
