"""A task's status, computed from its dates and accepted reports — never typed. One definition
in two forms: `q(status, today)` filters in SQL (each an indexable condition), `annotate`
gives every row its status in SQL (`Case`), for lists and the dashboards' grouped counts.

- done on time / done late: completed (the last period, or 100 %, accepted), on or before /
  after the deadline (the working day it ends on);
- overdue: open, the deadline passed;
- at risk: open, within the warning days before the deadline;
- not started: open, before the warning days, nothing reported yet;
- on track: open, before the warning days, reported."""

import datetime as dt

from django.db import models
from django.db.models import Case, F, Q, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    NOT_STARTED = "not_started", _("Chưa triển khai")
    ON_TRACK = "on_track", _("Đúng tiến độ")
    AT_RISK = "at_risk", _("Có nguy cơ chậm")
    OVERDUE = "overdue", _("Quá hạn")
    DONE_ON_TIME = "done_on_time", _("Hoàn thành đúng hạn")
    DONE_LATE = "done_late", _("Hoàn thành quá hạn")


OPEN = (Status.NOT_STARTED, Status.ON_TRACK, Status.AT_RISK, Status.OVERDUE)
DONE = (Status.DONE_ON_TIME, Status.DONE_LATE)


def q(status: str, today: dt.date, prefix: str = "") -> Q:
    """The condition of `status` on `today` (`prefix`: the path to the task, e.g. "task__")."""

    def f(name: str) -> str:
        return prefix + name

    is_open = Q(**{f("completed_on__isnull"): True})
    conditions = {
        Status.DONE_ON_TIME: Q(**{f("completed_on__lte"): F(f("effective_due_on"))}),
        Status.DONE_LATE: Q(**{f("completed_on__gt"): F(f("effective_due_on"))}),
        Status.OVERDUE: is_open & Q(**{f("effective_due_on__lt"): today}),
        Status.AT_RISK: is_open
        & Q(**{f("effective_due_on__gte"): today, f("warn_from__lte"): today}),
        Status.NOT_STARTED: is_open
        & Q(**{f("warn_from__gt"): today, f("last_reported_on__isnull"): True}),
        Status.ON_TRACK: is_open
        & Q(**{f("warn_from__gt"): today, f("last_reported_on__isnull"): False}),
    }
    return conditions[Status(status)]


def expression(today: dt.date) -> Case:
    return Case(
        *(When(q(s, today), then=Value(s.value)) for s in Status),
        default=Value(Status.ON_TRACK.value),
        output_field=models.CharField(),
    )


def annotate(queryset: QuerySet, today: dt.date) -> QuerySet:
    return queryset.annotate(status=expression(today))


def of(task: object, today: dt.date) -> Status:
    """The status of one task in memory (the same rules as `q`)."""
    completed = getattr(task, "completed_on", None)
    due: dt.date = getattr(task, "effective_due_on")  # noqa: B009
    if completed is not None:
        return Status.DONE_ON_TIME if completed <= due else Status.DONE_LATE
    if due < today:
        return Status.OVERDUE
    if getattr(task, "warn_from") <= today:  # noqa: B009
        return Status.AT_RISK
    if getattr(task, "last_reported_on", None) is None:
        return Status.NOT_STARTED
    return Status.ON_TRACK


def label(value: str) -> str:
    return str(Status(value).label)
