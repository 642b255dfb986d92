"""The dashboards' counts without a scan: `Tally` rows count the tasks by what their status
reads (assignee, effective deadline, warning day, open / done on time / done late, reported),
so a status count on any day is a sum over date ranges of a few thousand rows, not a pass over
every task. The conditions are `status.q`'s, restated on the tally's columns (a test compares
both after random writes and across date changes).

Kept by the services inside their transaction (`move`: the task's row before and after the
write; the task row is locked, the two tally rows are changed in key order so two writes never
wait on each other crosswise), rebuilt set-wise by `rebuild()` (the migration, bulk loads)."""

import datetime as dt
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet, Sum

from . import status
from .dashboards import ordered
from .models import Agency, Tally, Task

DONE = dt.date(1, 1, 1)  # the deadline and warning day of a completed task's row
Key = tuple[int, dt.date, dt.date, int, bool]


def key(task: Task) -> Key:
    if task.completed_on is not None:
        outcome = 1 if task.completed_on <= task.effective_due_on else 2
        return (task.assignee_id, DONE, DONE, outcome, False)
    reported = task.last_reported_on is not None
    return (task.assignee_id, task.effective_due_on, task.warn_from, 0, reported)


def _add(row: Key, province_id: Any, n: int) -> None:
    table = Tally._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (assignee_id, due, warn_from, done, reported, province_id, n)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s)"
            " ON CONFLICT (assignee_id, due, warn_from, done, reported)"
            f" DO UPDATE SET n = {table}.n + excluded.n",
            [*row, province_id, n],
        )


def move(before: Key | None, task: Task | None) -> None:
    """Count `task` (None: removed) under its row now instead of `before` (None: new)."""
    after = key(task) if task is not None else None
    if before == after:
        return
    province = getattr(task, "province_id", None)
    changes = sorted(
        [(k, n) for k, n in ((before, -1), (after, 1)) if k is not None],
        key=lambda c: (c[0][0], c[0][1], c[0][2], c[0][3], c[0][4]),
    )
    for row, n in changes:
        _add(row, province, n)


def rebuild() -> None:
    """Every row again from the tasks, in one statement (after a bulk load or a migration)."""
    table, tasks = Tally._meta.db_table, Task._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")
        cursor.execute(
            f"""INSERT INTO {table} (assignee_id, province_id, due, warn_from, done, reported, n)
                SELECT assignee_id, max(province_id), due, warn, done, reported, count(*)
                FROM (SELECT assignee_id, province_id,
                        CASE WHEN completed_on IS NULL THEN effective_due_on ELSE %s END due,
                        CASE WHEN completed_on IS NULL THEN warn_from ELSE %s END warn,
                        CASE WHEN completed_on IS NULL THEN 0
                             WHEN completed_on <= effective_due_on THEN 1 ELSE 2 END done,
                        (completed_on IS NULL AND last_reported_on IS NOT NULL) reported
                      FROM {tasks}) t
                GROUP BY assignee_id, due, warn, done, reported""",
            [DONE, DONE],
        )


def q(value: str, today: dt.date) -> Q:
    """`status.q(value, today)` on the tally's columns."""
    is_open = Q(done=0)
    return {
        status.Status.DONE_ON_TIME: Q(done=1),
        status.Status.DONE_LATE: Q(done=2),
        status.Status.OVERDUE: is_open & Q(due__lt=today),
        status.Status.AT_RISK: is_open & Q(due__gte=today, warn_from__lte=today),
        status.Status.NOT_STARTED: is_open & Q(warn_from__gt=today, reported=False),
        status.Status.ON_TRACK: is_open & Q(warn_from__gt=today, reported=True),
    }[status.Status(value)]


def _sums(today: dt.date) -> dict[str, Sum]:
    return {s.value: Sum("n", filter=q(s, today)) for s in status.Status}


def overall(rows: QuerySet[Tally], today: dt.date) -> dict[str, int]:
    """What `dashboards.overall` gives, from the tally rows `rows` (scoped and filtered)."""
    found = rows.aggregate(total=Sum("n"), **_sums(today))
    return {k: v or 0 for k, v in found.items()}


def by_agency(rows: QuerySet[Tally], today: dt.date) -> list[dict[str, Any]]:
    """What `dashboards.by_agency` gives (agencies with tasks), from the tally rows."""
    found = [
        r
        for r in rows.order_by().values("assignee_id").annotate(total=Sum("n"), **_sums(today))
        if r["total"]
    ]
    for r in found:
        for s in status.Status:
            r[s.value] = r[s.value] or 0
    names = dict(
        Agency.objects.filter(pk__in=[r["assignee_id"] for r in found]).values_list("pk", "name")
    )
    return ordered(found, names)
