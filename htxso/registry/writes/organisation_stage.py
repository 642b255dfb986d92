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

from collections.abc import Iterable, Sequence

from django.conf import settings
from django.db import connection

from htxso.core.bulk import indexes_rebuilt, write_rows

from ..models import Organisation, StatusChange

ORGANISATIONS = Organisation._meta.db_table
HISTORY = StatusChange._meta.db_table


class Stage:
    """The working tables of one import (see the module's docstring)."""

    def __init__(self) -> None:
        self.rows = 0
        self.tables: dict[str, tuple[str, str]] = {}  # real table → (working table, columns)

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

    def flush(self) -> None:
        """Move the staged rows into the real tables (organisations first: the history's
        foreign keys point at them)."""
        if not self.tables:
            return
        organisations = self.tables.pop(ORGANISATIONS, None)
        rebuild = organisations is not None and self.rebuild()
        with connection.cursor() as cursor:
            for table, (working, names) in [
                *([(ORGANISATIONS, organisations)] if organisations else []),
                *self.tables.items(),
            ]:
                move = f"INSERT INTO {table} ({names}) SELECT {names} FROM {working}"
                if rebuild and table == ORGANISATIONS:
                    with indexes_rebuilt(ORGANISATIONS):
                        cursor.execute(move)
                else:
                    cursor.execute(move)
                cursor.execute(f"DROP TABLE {working}")
        self.tables.clear()
        self.rows = 0
