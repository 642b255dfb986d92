"""The dashboards' cache key: `Stamp` values, one per province and `*` (rule sets), changed
by `bump` inside every write the dashboards read. A dashboard reads its stamps first (one
query over at most 35 rows), then its figures: a write committed after the stamps were read
can only make the cached figures newer than their key, never older, so a page shows every
write committed before it was asked for."""

import secrets
from collections.abc import Iterable

from django.db import connection

from .models import Stamp

RULES = "*"


def bump(scopes: Iterable[str | None]) -> None:
    """Give the stamps of `scopes` (province codes, or `RULES`) a new random value (in key order,
    so two writes never wait on each other's rows crosswise). Random rather than counted: a
    rolled-back write (or a test's transaction) never brings a value back that a cached page
    was kept under."""
    sql = (
        f"INSERT INTO {Stamp._meta.db_table} (scope, n) VALUES (%s, %s) "
        "ON CONFLICT (scope) DO UPDATE SET n = EXCLUDED.n"
    )
    with connection.cursor() as cursor:
        for scope in sorted({s for s in scopes if s}):
            cursor.execute(sql, [scope, secrets.randbits(62)])


def current(province: str | None) -> str:
    """The stamps a dashboard of `province` (None: the nation) depends on, as one string."""
    rows = Stamp.objects.order_by("scope")
    if province:
        rows = rows.filter(scope__in=(province, RULES))
    return ",".join(f"{scope}={n}" for scope, n in rows.values_list("scope", "n"))
