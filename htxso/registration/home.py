"""Registration's panels on the role homes (`core.home`): the office's queue (waiting cases by
status, those past their legal deadline) and the founder's applications."""

from typing import Any

from django.db.models import Count, Q

from htxso.core import home
from htxso.core.roles import Role

from .models import WAITING, Application, Status
from .workflow import today


def office_panel(user: Any) -> home.Panel:
    waiting = Application.objects.reviewable_by(user).filter(status__in=WAITING)
    counts = waiting.aggregate(
        total=Count("id"),
        new=Count("id", filter=Q(status__in=(Status.SUBMITTED, Status.RESUBMITTED))),
        overdue=Count("id", filter=Q(due_on__lt=today())),
    )
    return home.Panel("registration/_home_office.html", counts)


def founder_panel(user: Any) -> home.Panel:
    mine = Application.objects.visible_to(user).filter(applicant_id=user.pk)
    return home.Panel(
        "registration/_home_founder.html",
        {"applications": list(mine.order_by("-updated_at")[:5])},
    )


def register() -> None:
    home.register(
        office_panel,
        [Role.PROVINCIAL_OFFICER, Role.COMMUNE_OFFICER, Role.SYSTEM_ADMIN],
        order=40,
    )
    home.register(founder_panel, [Role.APPLICANT], order=10)
