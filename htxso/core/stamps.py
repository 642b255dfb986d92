"""Write versions for caches: `bump` gives the stamps of some scopes a new random value inside
the writer's transaction, `current` reads them (one query). A cache keyed by the stamps its
page depends on, read *before* the figures, can only hold figures newer than their key: a
write committed after the stamps were read moves them, so the next request recomputes.

Random rather than counted: a rolled-back write (or a test's transaction) never brings back a
value that a cached page was kept under."""

import secrets
from collections.abc import Iterable

from django.db import connection, models

from .models import Stamp


def bump(scopes: Iterable[str | None], table: type[models.Model] = Stamp) -> None:
    """New values for `scopes` (in key order, so two writers never wait on each other's rows
    crosswise); the rows commit or roll back with the caller's transaction. `table`: a model
    with the same two fields (`scope` primary key, `n`), for an app keeping its own."""
    sql = (
        f"INSERT INTO {table._meta.db_table} (scope, n) VALUES (%s, %s) "
        "ON CONFLICT (scope) DO UPDATE SET n = EXCLUDED.n"
    )
    with connection.cursor() as cursor:
        for scope in sorted({s for s in scopes if s}):
            cursor.execute(sql, [scope, secrets.randbits(62)])


def current(scopes: Iterable[str] | None, table: type[models.Model] = Stamp) -> str:
    """The values of `scopes` (None: every scope of `table`) as one string (a scope never
    bumped reads as absent)."""
    rows = table._default_manager.order_by("scope")
    if scopes is not None:
        rows = rows.filter(scope__in=sorted(set(scopes)))
    return ",".join(f"{scope}={n}" for scope, n in rows.values_list("scope", "n"))
