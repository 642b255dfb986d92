"""What core itself puts on the homes: locked accounts in the inbox of those who may lift the
locks, and the system panel of the system administrator (every app's import jobs, locks)."""

import datetime as dt
from typing import Any

from django.apps import apps
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from . import home, inbox, jobs, lockout
from .roles import Role

SYSTEM_DAYS = 7  # the system panel counts the jobs of the last week


def locked_accounts(user: Any) -> list[inbox.Item]:
    if not lockout.may_unlock(user):
        return []
    count = lockout.locked_users(user).count()
    title = _("%(count)s tài khoản bị khóa do đăng nhập sai") % {
        "count": number_format(count, force_grouping=True)
    }
    return [
        inbox.Item(
            title,
            count,
            reverse("locked-accounts"),
            inbox.ItemKind.FOLLOW,
            inbox.Severity.INFO,
            source="core",
        )
    ]


def job_table(now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """Per registered job model: its jobs of the last week by status (one grouped count
    each), the ones still running whatever their age."""
    since = (now or timezone.now()) - dt.timedelta(days=SYSTEM_DAYS)
    labels = dict(jobs.JobStatus.choices)
    rows = []
    for label in jobs.registered():
        model = apps.get_model(label)
        counts = dict(
            model.objects.filter(created_at__gte=since)
            .order_by()
            .values_list("status")
            .annotate(n=Count("id"))
        )
        running = model.objects.filter(status__in=jobs.RUNNING).count()
        rows.append(
            {
                "name": model._meta.verbose_name_plural,
                "running": running,
                "statuses": [(labels[s], counts[s], s) for s in labels if counts.get(s)],
                "total": sum(counts.values()),
            }
        )
    return rows


def system_panel(user: Any) -> home.Panel:
    return home.Panel(
        "core/_system_panel.html",
        {
            "jobs": job_table(),
            "days": SYSTEM_DAYS,
            "locked": lockout.locked_users(user).count(),
        },
        wide=True,
    )


def register() -> None:
    inbox.register(locked_accounts, "core.locked_accounts")
    home.register(system_panel, [Role.SYSTEM_ADMIN], order=20)
