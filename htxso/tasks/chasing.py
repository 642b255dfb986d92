"""Chasing (đôn đốc): a reminder before the deadline (from `warn_from`) and one once it has
passed, to the assignee's focal points and the agency's address — each exactly once per task,
kind and deadline. The row is claimed first (`Reminder`, unique on the three; a second run, or
two at once, cannot claim it again), and the mail goes out when that row is committed.

Run daily: `htxso chase_tasks` (the embedded default: cron or by hand), or Celery beat's
`tasks.chase` entry in production (settings.CELERY_BEAT_SCHEDULE)."""

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Prefetch
from django.utils.translation import gettext as _

from . import status
from .designations.models import Designation, Function, in_force
from .models import Reminder, ReminderKind, Task

log = logging.getLogger(__name__)


def _recipients(task: Task) -> list[str]:
    people = [  # its designated focal points in force (prefetched by `chase`)
        d.user.email
        for d in getattr(task.assignee, "focal", [])
        if d.user.email and d.user.is_active
    ]
    return sorted({*people, *([task.assignee.email] if task.assignee.email else [])})


def _message(task: Task, kind: str) -> tuple[str, str]:
    due = task.effective_due_on.strftime("%d/%m/%Y")
    if kind == ReminderKind.OVERDUE:
        subject = _("[HTX Số] Nhiệm vụ quá hạn: %(t)s") % {"t": task.title[:80]}
        intro = _("Nhiệm vụ sau đã quá hạn %(d)s mà chưa có báo cáo được chấp nhận.") % {"d": due}
    else:
        subject = _("[HTX Số] Sắp đến hạn: %(t)s") % {"t": task.title[:80]}
        intro = _("Nhiệm vụ sau đến hạn ngày %(d)s.") % {"d": due}
    body = "\n\n".join(
        [
            intro,
            f"{task.directive.number}: {task.title}",
            _("Đề nghị đầu mối cập nhật báo cáo tiến độ trên HTX Số."),
        ]
    )
    return subject, body


def _claim_and_send(task: Task, kind: str) -> bool:
    recipients = _recipients(task)
    try:
        with transaction.atomic():
            Reminder.objects.create(
                task=task, kind=kind, due_on=task.effective_due_on, recipients=len(recipients)
            )
            subject, body = _message(task, kind)
            if recipients:
                transaction.on_commit(
                    lambda: send_mail(subject, body, None, recipients, fail_silently=True)
                )
    except IntegrityError:
        return False  # claimed by another run
    return True


def chase(on: dt.date, limit: int | None = None) -> dict[str, int]:
    """Send the reminders due on `on`; returns how many of each kind were sent."""
    sent = {ReminderKind.BEFORE.value: 0, ReminderKind.OVERDUE.value: 0}
    batch = limit or settings.TASKS_CHASE_BATCH
    for kind, condition in (
        (ReminderKind.BEFORE, status.q(status.Status.AT_RISK, on)),
        (ReminderKind.OVERDUE, status.q(status.Status.OVERDUE, on)),
    ):
        already = Reminder.objects.filter(
            task=OuterRef("pk"), kind=kind, due_on=OuterRef("effective_due_on")
        )
        tasks = (
            Task.objects.filter(condition)
            .filter(~Exists(already))
            .select_related("assignee", "directive")
            .prefetch_related(
                Prefetch(
                    "assignee__designations",
                    Designation.objects.filter(
                        in_force(on), function=Function.FOCAL_POINT
                    ).select_related("user"),
                    to_attr="focal",
                )
            )
            .order_by("id")[:batch]
        )
        for task in tasks:
            if _claim_and_send(task, kind):
                sent[kind.value] += 1
    log.info("tasks.chase %s: %s", on, sent)
    return sent
