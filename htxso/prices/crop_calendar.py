""" "What to do this month": the crop calendar's windows for the user's own crops — those of the
production diary (`core.facts.diary_crops`: traceability provides them; each crop names its
commodity) in their plot's province — and, for the rest, the windows of the user's province."""

from dataclasses import dataclass, field
from typing import Any

from htxso.core import facts

from .models import CropWindow


@dataclass
class MyCrop:
    crop: facts.DiaryCrop
    windows: list[CropWindow] = field(default_factory=list)  # this month's, in its province
    has_calendar: bool = False  # the commodity has a calendar for the crop's province


def my_crops(user: Any, month: int) -> list[MyCrop]:
    """The user's diary crops with this month's windows of their commodity in their province."""
    crops = facts.diary_crops(user)
    codes = {c.commodity for c in crops if c.commodity}
    windows = list(
        CropWindow.objects.visible_to(user)
        .filter(commodity__code__in=codes)
        .select_related("commodity")
        .prefetch_related("provinces")
        .order_by("start_month", "id")
    )
    provinces = {w.pk: {p.pk for p in w.provinces.all()} for w in windows}
    found = []
    for crop in crops:
        mine = [
            w
            for w in windows
            if w.commodity.code == crop.commodity and crop.province_id in provinces[w.pk]
        ]
        found.append(MyCrop(crop, [w for w in mine if w.covers(month)], bool(mine)))
    return found


def province_windows(
    user: Any, province: str | None, month: int, leave_out: set[str] | None = None
) -> list[CropWindow]:
    """This month's windows in `province` (every province when None), except the commodities
    `leave_out` (those the user's own crops already answer)."""
    windows = CropWindow.objects.visible_to(user).select_related("commodity")
    if province:
        windows = windows.filter(provinces=province)
    if leave_out:
        windows = windows.exclude(commodity__code__in=leave_out)
    rows = windows.order_by("commodity__name", "start_month", "id")[:200]
    return [w for w in rows if w.covers(month)]
