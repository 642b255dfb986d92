"""Prices' panel on the homes of members and cooperative managers (`core.home`): what the crop
calendar says to do this month in their province, and the watched prices' latest alerts."""

from typing import Any

from django.utils import timezone

from htxso.core import home
from htxso.core.roles import Role

from .models import CropWindow, Notice


def panel(user: Any) -> home.Panel:
    month = timezone.localdate().month
    windows = CropWindow.objects.visible_to(user).select_related("commodity")
    province = getattr(user, "province_id", None)
    if province:
        windows = windows.filter(provinces=province)
    now = [w for w in windows.order_by("commodity__name", "start_month")[:200] if w.covers(month)]
    notices = list(Notice.objects.visible_to(user).order_by("-created_at")[:3])
    return home.Panel("prices/_home.html", {"month": month, "now": now[:6], "notices": notices})


def register() -> None:
    home.register(panel, [Role.MEMBER, Role.COOPERATIVE_MANAGER], order=60)
