"""Deadlines: a task's current period and its deadline, moved to a working day.

A one-off task's deadline is its `due_on`. A recurring task reports per period (month, quarter,
year) from `starts_on` to `ends_on`; a period's report is due on `report_day` of the month after
the period ends (December's monthly report, Q4's and the year's are due in January of the next
year). A deadline that falls on a weekend or a public holiday ends on the next working day
(Civil Code 2015, art. 148(4)); reminders start `TASKS_WARN_WORKING_DAYS` working days before."""

import calendar
import datetime as dt
from dataclasses import dataclass

from django.conf import settings

from htxso.core import workdays

MONTHS = {"monthly": 1, "quarterly": 3, "yearly": 12}


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, 1)


def period_of(recurrence: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """The period (first day, last day) of `recurrence` holding `day`."""
    length = MONTHS[recurrence]
    month0 = (day.month - 1) // length * length
    start = dt.date(day.year, month0 + 1, 1)
    end = _add_months(start, length) - dt.timedelta(days=1)
    return start, end


def next_period(recurrence: str, start: dt.date) -> dt.date:
    return _add_months(start, MONTHS[recurrence])


def period_deadline(recurrence: str, start: dt.date, report_day: int) -> dt.date:
    """The written deadline of the period starting `start`: `report_day` of the next month after
    the period (capped at the month's last day)."""
    _, end = period_of(recurrence, start)
    following = end + dt.timedelta(days=1)
    last = calendar.monthrange(following.year, following.month)[1]
    return following.replace(day=min(max(report_day, 1), last))


@dataclass(frozen=True)
class Deadline:
    period_start: dt.date | None
    written: dt.date
    effective: dt.date  # the working day it ends on
    warn_from: dt.date


def deadline(written: dt.date, period_start: dt.date | None = None) -> Deadline:
    effective = workdays.on_or_after(written)
    warn = workdays.subtract_working_days(effective, settings.TASKS_WARN_WORKING_DAYS)
    return Deadline(period_start, written, effective, warn)


def current(
    recurrence: str,
    due_on: dt.date | None,
    period_start: dt.date | None,
    report_day: int,
) -> Deadline:
    """The deadline now owed: the one-off deadline, or the period `period_start`'s."""
    if recurrence == "once":
        assert due_on is not None
        return deadline(due_on)
    assert period_start is not None
    return deadline(period_deadline(recurrence, period_start, report_day), period_start)
