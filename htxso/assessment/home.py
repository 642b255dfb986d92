"""The assessment's panels on the role homes (`core.home`): the adviser's organisations (their
latest DX level, the next visits), the province's classification round of the year."""

from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from htxso.core import home
from htxso.core.roles import Role

from .models import AdviserAssignment, Classification, ClassificationStatus


def adviser_panel(user: Any) -> home.Panel:
    assigned = (
        AdviserAssignment.objects.filter(adviser_id=user.pk)
        .select_related("organisation")
        .order_by("organisation__name_key", "id")
    )
    return home.Panel(
        "assessment/_home_adviser.html",
        {"count": assigned.count(), "assignments": list(assigned[:10])},
        wide=True,
    )


def round_panel(user: Any) -> home.Panel | None:
    year = timezone.localdate().year
    counts = (
        Classification.objects.visible_to(user)
        .filter(year=year)
        .aggregate(
            total=Count("id"),
            submitted=Count("id", filter=Q(status=ClassificationStatus.SUBMITTED)),
            approved=Count("id", filter=Q(status=ClassificationStatus.APPROVED)),
            returned=Count("id", filter=Q(status=ClassificationStatus.RETURNED)),
        )
    )
    if not counts["total"]:
        return None  # no round begun this year in what the user sees
    return home.Panel("assessment/_home_round.html", {"year": year, **counts})


def register() -> None:
    home.register(adviser_panel, [Role.ALLIANCE_ADVISER], order=5)
    home.register(
        round_panel,
        [
            Role.PROVINCIAL_OFFICER,
            Role.CENTRAL_OFFICER,
            Role.SYSTEM_ADMIN,
            Role.COOPERATIVE_MANAGER,
        ],
        order=45,
    )
