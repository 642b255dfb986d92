"""Reminders: before the deadline and once overdue, each exactly once per task, kind and
deadline — a second run, a run the next day, and two runs at once send nothing more."""

import datetime as dt
import threading

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection

from htxso.tasks import services
from htxso.tasks.chasing import chase
from htxso.tasks.designations.models import Function
from htxso.tasks.designations.services import designate
from htxso.tasks.models import Reminder

from .conftest import one_off

DUE = dt.date(2026, 6, 30)  # reminders from 23/6 (5 working days before)


def test_reminders_are_sent_exactly_once(directive, agencies, province_19, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    ubnd = agencies["ubnd-19"]
    designate(None, province_19.pk, Function.FOCAL_POINT, ubnd.pk, starts_on=dt.date(2026, 1, 1))
    task = one_off(directive, agencies["ubnd-19"], DUE)
    assert chase(dt.date(2026, 6, 22)) == {"before": 0, "overdue": 0}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("django.db.transaction.on_commit", lambda f, using=None, robust=False: f())
        assert chase(dt.date(2026, 6, 23)) == {"before": 1, "overdue": 0}
        assert chase(dt.date(2026, 6, 23)) == {"before": 0, "overdue": 0}
        assert chase(dt.date(2026, 6, 29)) == {"before": 0, "overdue": 0}
        assert chase(dt.date(2026, 7, 1)) == {"before": 0, "overdue": 1}
        assert chase(dt.date(2026, 7, 8)) == {"before": 0, "overdue": 0}
    assert [m.to for m in mail.outbox] == [["tn@example.vn"], ["tn@example.vn"]]
    assert "quá hạn" in mail.outbox[1].subject
    assert Reminder.objects.filter(task=task).count() == 2


def test_no_reminder_for_a_completed_task_and_a_new_period_is_reminded_again(
    directive, agencies, province_19, secretariat
):
    done = one_off(directive, agencies["ubnd-19"], DUE)
    report = services.report_progress(province_19, done.pk, 1, "Xong", 100, on=dt.date(2026, 6, 1))
    services.review_report(secretariat, report.pk, 1, True)
    monthly = services.create_task(
        None,
        done.directive_id,
        "Báo cáo tháng",
        agencies["ubnd-19"].pk,
        recurrence="monthly",
        starts_on=dt.date(2026, 6, 1),
        ends_on=dt.date(2026, 12, 31),
    )
    assert monthly.effective_due_on == dt.date(2026, 7, 6)  # 5/7 is a Sunday
    assert chase(dt.date(2026, 7, 7))["overdue"] == 1
    r = services.report_progress(province_19, monthly.pk, 1, "Tháng 6", 100, on=dt.date(2026, 7, 7))
    services.review_report(secretariat, r.pk, 1, True)
    assert chase(dt.date(2026, 8, 6)) == {"before": 0, "overdue": 1}  # July's, due 5/8
    assert Reminder.objects.filter(task=done).count() == 0


def test_the_command_reports_what_it_sent(directive, agencies, capsys):
    one_off(directive, agencies["bo-tc"], DUE)
    call_command("chase_tasks", "--on", "2026-07-01")
    call_command("chase_tasks", "--on", "2026-07-01")
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "Đã gửi 0 lời nhắc trước hạn, 1 lời nhắc quá hạn.",
        "Đã gửi 0 lời nhắc trước hạn, 0 lời nhắc quá hạn.",
    ]


def test_the_beat_schedule_names_the_celery_task(settings):
    from htxso.tasks.jobs import chase_daily

    assert settings.CELERY_BEAT_SCHEDULE["tasks-chase"]["task"] == chase_daily.name == "tasks.chase"


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_send_one_reminder(settings):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL")
    from htxso.core.tests.units_snapshot import restore_units
    from htxso.tasks.reference import ensure_agencies

    restore_units()
    ensure_agencies()
    directive = services.create_directive(None, "1/TB", DUE, "VPCP", "Thử song song")
    from htxso.tasks.models import Agency

    for i in range(20):
        one_off(directive, Agency.objects.get(code="bo-tc"), DUE, title=f"Nhiệm vụ {i}")
    results: list[dict[str, int]] = []
    barrier = threading.Barrier(2)

    def run() -> None:
        barrier.wait()
        try:
            results.append(chase(dt.date(2026, 7, 1)))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r["overdue"] for r in results) == 20
    assert Reminder.objects.count() == 20
