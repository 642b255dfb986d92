"""The figures of the dashboards, the scorecard and the public page: grouped counts by status
in one query per grouping (by agency, by directive, overall), never a query per row.

Each grouping is cached under its query (the user's scope and filters are in its SQL), today's
date and the tasks' latest `updated_at` (index `tasks_task_updated`): every write moves that
stamp, so a figure is never older than the last write; between writes a dashboard costs one
indexed `max()`."""

import datetime as dt
import hashlib
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models import Avg, Count, Exists, OuterRef, QuerySet
from django.db.models.functions import Coalesce

from . import status
from .models import Agency, Directive, Task

CACHE_SECONDS = 600


def stamp() -> tuple[Any, Any]:
    """The write version of the follow-up: the latest change of a task and of a directive, in
    one round trip (two indexed `max()`s). A page computes it once for all its figures."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT max(updated_at) FROM {Task._meta.db_table}),"
            f" (SELECT max(updated_at) FROM {Directive._meta.db_table})"
        )
        row = cursor.fetchone()
    return (row[0], row[1])


def cached(
    name: str,
    tasks: QuerySet[Task],
    today: dt.date,
    compute: Callable[[], Any],
    version: tuple[Any, Any] | None = None,
) -> Any:
    """`compute()`, kept until the tasks change (or the day does); `version`: `stamp()`,
    when the page has it already."""
    version = version or stamp()
    sql, params = tasks.query.sql_with_params()
    digest = hashlib.sha256(repr((name, sql, params, today, version)).encode()).hexdigest()
    key = f"tasks:dash:{digest}"
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, CACHE_SECONDS)
    return found


def _counts(today: dt.date) -> dict[str, Count]:
    return {s.value: Count("id", filter=status.q(s, today)) for s in status.Status}


def overall(tasks: QuerySet[Task], today: dt.date) -> dict[str, int]:
    found = tasks.aggregate(total=Count("id"), **_counts(today))
    return {k: v or 0 for k, v in found.items()}


def _rate(row: dict[str, Any]) -> int | None:
    """Done on time among what was due: on time / (on time + late + overdue), in %."""
    due = row["done_on_time"] + row["done_late"] + row["overdue"]
    return round(100 * row["done_on_time"] / due) if due else None


def by_agency(tasks: QuerySet[Task], today: dt.date) -> list[dict[str, Any]]:
    rows = list(
        tasks.order_by().values("assignee_id").annotate(total=Count("id"), **_counts(today))
    )
    names = dict(
        Agency.objects.filter(pk__in=[r["assignee_id"] for r in rows]).values_list("pk", "name")
    )
    return ordered(rows, names)


def ordered(rows: list[dict[str, Any]], names: dict[int, str]) -> list[dict[str, Any]]:
    """The scorecard's rows named, rated, the most overdue first."""
    for row in rows:
        row["name"], row["rate"] = names.get(row["assignee_id"], ""), _rate(row)
    return sorted(rows, key=lambda r: (-r["overdue"], r["name"]))


def by_directive(tasks: QuerySet[Task], today: dt.date, limit: int = 20) -> list[dict[str, Any]]:
    """The latest `limit` directives (by issue date) among `tasks`, counted: the directives are
    picked first, then only their tasks are grouped (index `tasks_task_directive`)."""
    having = Exists(tasks.order_by().filter(directive_id=OuterRef("pk")))
    latest = list(
        Directive.objects.filter(having)
        .order_by("-issued_on", "-id")
        .values_list("pk", flat=True)[:limit]
    )
    rows = list(
        tasks.filter(directive_id__in=latest)
        .order_by()
        .values("directive_id")
        .annotate(total=Count("id"), **_counts(today))
    )
    order = {pk: i for i, pk in enumerate(latest)}
    rows.sort(key=lambda r: order[r["directive_id"]])
    found = Directive.objects.in_bulk(latest)
    for row in rows:
        row["directive"] = found.get(row["directive_id"])
    return rows


def public(today: dt.date, limit: int = 200) -> list[dict[str, Any]]:
    """The published directives with their tasks' aggregate progress (no report text, no
    internal comment): tasks, done, overdue, the mean accepted percent."""
    directives = list(Directive.objects.filter(public=True).order_by("-issued_on", "-id")[:limit])
    rows = (
        Task.objects.filter(directive__in=directives)
        .order_by()
        .values("directive_id")
        .annotate(
            total=Count("id"),
            done=Count("id", filter=status.q(status.Status.DONE_ON_TIME, today))
            + Count("id", filter=status.q(status.Status.DONE_LATE, today)),
            overdue=Count("id", filter=status.q(status.Status.OVERDUE, today)),
            mean=Avg(Coalesce("percent_done", 0)),
        )
    )
    figures = {r["directive_id"]: r for r in rows}
    empty = {"total": 0, "done": 0, "overdue": 0, "mean": None}
    return [{"directive": d, **figures.get(d.pk, empty)} for d in directives]
