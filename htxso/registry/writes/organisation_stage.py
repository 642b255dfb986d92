"""New organisations of a large import held back until its end (PostgreSQL): each batch is
COPYed into working tables shaped like `registry_organisation` and `registry_statuschange`
(temporary: never logged, dropped with the transaction), and `Stage.flush` moves them in two
INSERT … SELECT — with the organisation table's secondary indexes and foreign keys dropped and
built again (`core.bulk.indexes_rebuilt`) when the import at least doubles the table and adds
`IMPORT_REBUILD_ORGANISATIONS` or more: one sort per index instead of an index update per row.

Ids are drawn from the real sequences when the rows are staged, so the audit entries written
meanwhile name the ids the rows end with. The import's matcher needs none of the staged rows:
a file's own duplicates (tax codes, names) are found among its earlier rows, and the
organisations it reads back from the database are the ones there before it began."""

import datetime as dt
from collections.abc import Iterable, Sequence
from contextlib import nullcontext
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from htxso.core.audit import record
from htxso.core.bulk import indexes_rebuilt, write_rows

from .. import aggregates
from ..choices import Status
from ..models import Organisation, StatusChange

ORGANISATIONS = Organisation._meta.db_table
HISTORY = StatusChange._meta.db_table
HISTORY_COLUMNS = (
    "organisation_id",
    "status",
    "effective_on",
    "reason",
    "document_no",
    "recorded_at",
    "recorded_by_id",
)


class Stage:
    """The working tables of one import (see the module's docstring)."""

    def __init__(self) -> None:
        self.rows = 0
        self.tables: dict[str, tuple[str, str]] = {}  # real table → (working table, columns)
        # Tables of checked new organisations in the registry's columns, ids drawn (`adopt`),
        # with who recorded them and when.
        self.adopted: list[tuple[str, Any, dt.datetime]] = []

    def write(self, table: str, columns: Sequence[str], rows: Iterable[tuple]) -> int:
        names = ", ".join(connection.ops.quote_name(c) for c in columns)
        if table not in self.tables:
            working = f"stage_{table}"
            with connection.cursor() as cursor:
                cursor.execute(
                    f"CREATE TEMPORARY TABLE {working} ON COMMIT DROP AS "
                    f"SELECT {names} FROM {table} WITH NO DATA"
                )
            self.tables[table] = (working, names)
        working, staged = self.tables[table]
        assert staged == names, "a table is staged with one set of columns"
        written = write_rows(working, columns, rows)
        if table == ORGANISATIONS:
            self.rows += written
        return written

    def rebuild(self) -> bool:
        """Whether moving the staged organisations is cheaper with the indexes rebuilt."""
        if self.rows < settings.IMPORT_REBUILD_ORGANISATIONS:
            return False
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT COUNT(*) FROM (SELECT 1 FROM registry_organisation LIMIT %s) t",
                [self.rows + 1],
            )
            (held,) = cursor.fetchone()
        return self.rows >= held

    def adopt(self, actor: Any, table: str, source: Any) -> int:
        """Take a table of checked new organisations (an import's SQL lane: the registry's
        columns, ids drawn from the sequence) to move in with the staged ones, each with its
        status history; audited by one entry on `source` (the import) naming the ids, as the
        member import audits its new rows; the provinces' figures follow. The count."""
        with connection.cursor() as cursor:
            # One scan: the ids as ranges (they were drawn in one run of the sequence), each
            # with its rows, those changing status and their provinces.
            cursor.execute(
                f"SELECT min(id), max(id), COUNT(*), COUNT(*) FILTER (WHERE status <> %s), "
                f"array_agg(DISTINCT province_id) FROM (SELECT id, status, province_id, "
                f"id - row_number() OVER (ORDER BY id) AS g FROM {table}) s GROUP BY g ORDER BY 1",
                [str(Status.ACTIVE)],
            )
            found = cursor.fetchall()
        if not found:
            return 0
        ranges = [[low, high] for low, high, *_rest in found]
        count = sum(n for _low, _high, n, _moved, _provinces in found)
        moved = sum(m for _low, _high, _n, m, _provinces in found)
        provinces = sorted({p for *_rest, ps in found for p in ps})
        self.adopted.append((table, getattr(actor, "pk", None), timezone.now()))
        self.rows += count
        record(
            actor,
            "import_create",
            source,
            None,
            {"organisations": count, "status_changes": moved, "ids": ranges},
        )
        aggregates.refresh(provinces)
        return count

    def flush(self) -> None:
        """Move the staged rows into the real tables (organisations first: the history's
        foreign keys point at them)."""
        if not self.tables and not self.adopted:
            return
        organisations = self.tables.pop(ORGANISATIONS, None)
        rebuild = (organisations is not None or bool(self.adopted)) and self.rebuild()
        columns = ", ".join(f.column for f in Organisation._meta.concrete_fields)
        moves = [
            *(
                [
                    f"INSERT INTO {ORGANISATIONS} ({organisations[1]}) "
                    f"SELECT {organisations[1]} FROM {organisations[0]}"
                ]
                if organisations
                else []
            ),
            *(
                f"INSERT INTO {ORGANISATIONS} ({columns}) SELECT {columns} FROM {table}"
                for table, _by, _at in self.adopted
            ),
        ]
        names = ", ".join(HISTORY_COLUMNS)
        history = [
            (
                # One scan of the table: each organisation's founding, then its status when
                # it is not active.
                f"""INSERT INTO {HISTORY} ({names})
                    SELECT o.id, x.status, x.effective_on, x.reason, '', %(at)s, %(by)s::bigint
                    FROM {table} o, LATERAL (VALUES
                        (1, %(active)s::text, o.established_on, %(founding)s::text),
                        (2, o.status::text, o.status_since, '')) x(n, status, effective_on, reason)
                    WHERE x.n = 1 OR o.status <> %(active)s""",
                {"active": str(Status.ACTIVE), "founding": str(_("Thành lập")), "at": at, "by": by},
            )
            for table, by, at in self.adopted
        ]
        staged_history = [
            (f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {working}", working)
            for table, (working, cols) in self.tables.items()
        ]
        with connection.cursor() as cursor:
            # Rebuilt: the history's indexes and keys too (one check of its foreign keys
            # instead of one per row).
            with indexes_rebuilt(ORGANISATIONS, HISTORY) if rebuild else nullcontext():
                for move in moves:
                    cursor.execute(move)
                for move, working in staged_history:
                    cursor.execute(move)
                    cursor.execute(f"DROP TABLE {working}")
                for sql, params in history:
                    cursor.execute(sql, params)
            if organisations:
                cursor.execute(f"DROP TABLE {organisations[0]}")
        self.tables.clear()
        self.adopted.clear()
        self.rows = 0
