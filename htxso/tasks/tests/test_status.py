"""Status at its boundaries: computed from dates and accepted reports (in SQL and in memory,
the same answer), a deadline on a public holiday or a weekend, a recurrence across year end."""

import datetime as dt

import pytest

from htxso.core import workdays
from htxso.tasks import schedule, services, status
from htxso.tasks.models import Task
from htxso.tasks.status import Status

from .conftest import one_off, recurring


def sql_status(task: Task, on: dt.date) -> str:
    return status.annotate(Task.objects.filter(pk=task.pk), on).get().status


def both(task: Task, on: dt.date) -> str:
    task.refresh_from_db()
    in_memory = status.of(task, on)
    assert sql_status(task, on) == in_memory
    matching = [s for s in Status if Task.objects.filter(pk=task.pk).filter(status.q(s, on))]
    assert matching == [in_memory]  # exactly one status holds
    return in_memory


def test_a_deadline_on_a_public_holiday_ends_on_the_next_working_day(directive, agencies):
    # 1/1/2027 (Friday) is Tết Dương lịch: the deadline ends on Monday 4/1/2027.
    task = one_off(directive, agencies["ubnd-19"], dt.date(2027, 1, 1))
    assert task.effective_due_on == dt.date(2027, 1, 4)
    assert both(task, dt.date(2027, 1, 4)) == Status.AT_RISK  # the last day: not overdue yet
    assert both(task, dt.date(2027, 1, 5)) == Status.OVERDUE


def test_a_deadline_on_tet_moves_past_the_whole_holiday(directive, agencies):
    task = one_off(directive, agencies["bo-tc"], dt.date(2027, 2, 6))  # Saturday within Tết
    assert task.effective_due_on == dt.date(2027, 2, 11)
    # Five working days before 11/2 reach back before Tết: 28/1 … 3/2.
    assert task.warn_from == dt.date(2027, 1, 28)


def test_statuses_from_dates_and_reports(directive, agencies, province_19, secretariat):
    task = one_off(directive, agencies["ubnd-19"], dt.date(2026, 6, 30))  # a Tuesday
    assert both(task, dt.date(2026, 6, 1)) == Status.NOT_STARTED
    assert both(task, dt.date(2026, 6, 23)) == Status.AT_RISK  # 5 working days before
    assert both(task, dt.date(2026, 6, 22)) == Status.NOT_STARTED
    report = services.report_progress(
        province_19, task.pk, 1, "Đang làm", 40, on=dt.date(2026, 6, 1)
    )
    assert both(task, dt.date(2026, 6, 2)) == Status.ON_TRACK
    services.review_report(secretariat, report.pk, 1, True)
    task.refresh_from_db()
    assert task.percent_done == 40 and task.completed_on is None
    assert both(task, dt.date(2026, 7, 1)) == Status.OVERDUE
    done = services.report_progress(
        province_19, task.pk, task.version, "Xong", 100, on=dt.date(2026, 6, 30)
    )
    services.review_report(secretariat, done.pk, 1, True)
    assert both(task, dt.date(2026, 8, 1)) == Status.DONE_ON_TIME  # reported on the last day


def test_done_late_when_the_last_report_came_after_the_deadline(
    directive, agencies, province_19, secretariat
):
    task = one_off(directive, agencies["ubnd-19"], dt.date(2026, 6, 30))
    report = services.report_progress(province_19, task.pk, 1, "Xong", 100, on=dt.date(2026, 7, 1))
    assert both(task, dt.date(2026, 7, 2)) == Status.OVERDUE  # not accepted yet: still open
    services.review_report(secretariat, report.pk, 1, True)
    assert both(task, dt.date(2026, 7, 2)) == Status.DONE_LATE


def test_a_returned_report_changes_nothing_but_the_report(
    directive, agencies, province_19, secretariat
):
    task = one_off(directive, agencies["ubnd-19"], dt.date(2026, 6, 30))
    report = services.report_progress(province_19, task.pk, 1, "Xong", 100, on=dt.date(2026, 6, 1))
    services.review_report(secretariat, report.pk, 1, False, "Thiếu số liệu")
    task.refresh_from_db()
    assert task.completed_on is None and task.percent_done is None
    assert both(task, dt.date(2026, 7, 1)) == Status.OVERDUE


def test_a_monthly_recurrence_crosses_the_year_end(directive, agencies, province_19, secretariat):
    task = recurring(
        directive, agencies["ubnd-19"], "monthly", dt.date(2026, 11, 1), dt.date(2027, 1, 31)
    )
    # 5/12/2026 is a Saturday: the November report is due Monday 7/12.
    assert task.period_start == dt.date(2026, 11, 1)
    assert task.effective_due_on == dt.date(2026, 12, 7)

    def accept(on: dt.date) -> None:
        task.refresh_from_db()
        report = services.report_progress(province_19, task.pk, task.version, "Kỳ", 100, on=on)
        services.review_report(secretariat, report.pk, 1, True)
        task.refresh_from_db()

    accept(dt.date(2026, 12, 3))
    assert task.period_start == dt.date(2026, 12, 1)
    assert task.effective_due_on == dt.date(2027, 1, 5)  # December's report: January next year
    assert task.completed_on is None
    assert both(task, dt.date(2027, 1, 6)) == Status.OVERDUE
    accept(dt.date(2027, 1, 4))
    # January's report is written due 5/2/2027, inside Tết: it ends on 11/2.
    assert task.period_start == dt.date(2027, 1, 1)
    assert task.effective_due_on == dt.date(2027, 2, 11)
    accept(dt.date(2027, 2, 10))
    assert task.completed_on == dt.date(2027, 2, 10)
    assert both(task, dt.date(2027, 3, 1)) == Status.DONE_ON_TIME


def test_quarterly_and_yearly_deadlines_after_the_year_end():
    assert schedule.period_deadline("quarterly", dt.date(2026, 10, 1), 5) == dt.date(2027, 1, 5)
    assert schedule.period_deadline("yearly", dt.date(2026, 1, 1), 1) == dt.date(2027, 1, 1)
    assert schedule.deadline(dt.date(2027, 1, 1)).effective == dt.date(2027, 1, 4)
    assert schedule.period_of("quarterly", dt.date(2026, 11, 15)) == (
        dt.date(2026, 10, 1),
        dt.date(2026, 12, 31),
    )
    assert schedule.period_of("monthly", dt.date(2028, 2, 10))[1] == dt.date(2028, 2, 29)


def test_the_calendar_is_one_for_every_app():
    from htxso.registration import rules

    assert rules.load().holidays == workdays.holidays()
    assert workdays.on_or_after(dt.date(2026, 9, 2)) == dt.date(2026, 9, 3)
    assert workdays.subtract_working_days(dt.date(2026, 9, 3), 1) == dt.date(2026, 8, 31)


@pytest.mark.parametrize("day", [dt.date(2026, 4, 30), dt.date(2026, 5, 1), dt.date(2026, 5, 2)])
def test_a_deadline_over_the_april_holidays_ends_on_monday(day):
    assert schedule.deadline(day).effective == dt.date(2026, 5, 4)
