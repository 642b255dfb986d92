"""Designations: who holds which function in the steering committee's follow-up, beyond their
role — the secretariat (Văn phòng Ban Chỉ đạo: gives tasks, accepts reports, routes
recommendations), a member of the committee (reads everything, writes nothing), a focal point
of a ministry or another body (reports its tasks' progress, answers what is routed to it).

A designation is in force from `starts_on` until `ends_on` (the day it ended; empty: until it
is ended). `core.scoping` reads the ones in force through `held` (registered in apps.py); only
`services.py` writes them, with audit."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from htxso.core.scoping import Held, Kind, Scope, ScopedQuerySet


class Function(models.TextChoices):
    SECRETARIAT = "secretariat", _("Văn phòng Ban Chỉ đạo")
    COMMITTEE = "committee", _("Thành viên Ban Chỉ đạo (chỉ xem)")
    FOCAL_POINT = "focal_point", _("Đầu mối của cơ quan")


def in_force(on: dt.date | None = None) -> Q:
    on = on or timezone.localdate()
    return Q(starts_on__lte=on) & (Q(ends_on__isnull=True) | Q(ends_on__gt=on))


class Designation(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cán bộ"),
        on_delete=models.PROTECT,
        related_name="task_designations",
    )
    function = models.CharField(_("vai trò"), max_length=12, choices=Function.choices)
    agency = models.ForeignKey(  # the focal point's agency (empty for the other functions)
        "tasks.Agency",
        verbose_name=_("cơ quan"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="designations",
    )
    starts_on = models.DateField(_("hiệu lực từ"))
    ends_on = models.DateField(_("kết thúc ngày"), null=True, blank=True)
    note = models.CharField(_("ghi chú (số quyết định)"), max_length=300, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope = Scope(Kind.DESIGNATION, owner="user_id")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["function", "agency__name", "user__username", "-starts_on"]
        indexes = [models.Index(fields=["user", "ends_on"], name="tasks_desig_user")]
        constraints = [
            models.CheckConstraint(
                condition=Q(function="focal_point", agency__isnull=False)
                | (~Q(function="focal_point") & Q(agency__isnull=True)),
                name="tasks_desig_agency",
            )
        ]
        verbose_name = _("chỉ định")
        verbose_name_plural = _("chỉ định")

    def __str__(self) -> str:
        return f"{self.user_id} {self.function} {self.agency_id or ''}"

    @property
    def active(self) -> bool:
        today = timezone.localdate()
        return self.starts_on <= today and (self.ends_on is None or self.ends_on > today)


def held(user_id: int) -> Held:
    """What a user holds today (`core.scoping.designations_of` calls it once a request)."""
    rows = Designation.objects.filter(in_force(), user_id=user_id).values_list(
        "function", "agency_id"
    )
    functions = frozenset(f for f, _a in rows if f != Function.FOCAL_POINT)
    units = frozenset(a for f, a in rows if f == Function.FOCAL_POINT and a is not None)
    return Held(functions, units)
