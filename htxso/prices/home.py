"""Prices' panel on the homes of members and cooperative managers (`core.home`): what the crop
calendar says to do this month for their own crops (the production diary's, through
`core.facts`) and in their province, and the watched prices' latest alerts."""

from typing import Any

from django.utils import timezone

from htxso.core import home
from htxso.core.roles import Role

from .crop_calendar import my_crops, province_windows
from .models import Notice


def panel(user: Any) -> home.Panel:
    month = timezone.localdate().month
    mine = my_crops(user, month)
    answered = {m.crop.commodity for m in mine if m.has_calendar}
    now = province_windows(user, getattr(user, "province_id", None), month, answered)
    notices = list(Notice.objects.visible_to(user).order_by("-created_at")[:3])
    return home.Panel(
        "prices/_home.html",
        {"month": month, "mine": mine[:8], "now": now[:6], "notices": notices},
    )


def register() -> None:
    home.register(panel, [Role.MEMBER, Role.COOPERATIVE_MANAGER], order=60)
