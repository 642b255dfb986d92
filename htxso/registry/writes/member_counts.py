"""`Organisation.members_count` after a bulk import of memberships (`imports`)."""

from contextlib import nullcontext

from django.db import connection
from django.db.backends.utils import CursorWrapper

from htxso.core import bulk as bulk_writes

# A national load whose counts change this share of the organisations, or more, updates them
# with the table's secondary indexes dropped and built again (`bulk.indexes_rebuilt_if_free`):
# the count is indexed (`org_members`), so an update is never HOT and each changed row goes
# into all fifteen indexes again, the trigram index of the names included — about 130 µs a
# row, against about 30 µs a row of the whole table to build them again. The lock this takes
# is no new one: dropping the memberships' foreign keys for the load (`bulk.indexes_rebuilt`)
# already locked the organisations (ACCESS EXCLUSIVE) until the commit.
REBUILD_SHARE = 0.25
REBUILD_MIN = 10_000  # changed organisations: below, the row-by-row upkeep costs little


def count_members(cursor: CursorWrapper, rows: str, national: bool) -> None:
    """Set `members_count` of the organisations of the staged `rows` (table name) to their open
    memberships as now held; only the counts that change are written."""
    if not national:
        cursor.execute(
            f"""UPDATE registry_organisation SET members_count = (
                    SELECT COUNT(*) FROM registry_membership m
                    WHERE m.organisation_id = registry_organisation.id
                      AND m.left_on IS NULL)
                WHERE id IN (SELECT DISTINCT org_id FROM {rows})"""
        )
        return
    # A national load: one scan of the memberships, counted per organisation, instead of an
    # index look-up for each of hundreds of thousands of organisations.
    counted = f"{rows}_counts"
    working = "UNLOGGED TABLE" if connection.vendor == "postgresql" else "TEMPORARY TABLE"
    cursor.execute(
        f"""CREATE {working} {counted} AS
            SELECT s.org_id, COALESCE(c.n, 0) AS n
            FROM (SELECT DISTINCT org_id FROM {rows}) s
            LEFT JOIN (SELECT organisation_id, COUNT(*) AS n FROM registry_membership
                       WHERE left_on IS NULL GROUP BY organisation_id) c
              ON c.organisation_id = s.org_id"""
    )
    cursor.execute(
        f"""SELECT COUNT(*) FROM {counted} k JOIN registry_organisation o ON o.id = k.org_id
            WHERE o.members_count <> k.n"""
    )
    changed = cursor.fetchone()[0]
    cursor.execute("SELECT COUNT(*) FROM registry_organisation")
    rebuild = changed >= max(REBUILD_MIN, REBUILD_SHARE * cursor.fetchone()[0])
    with bulk_writes.indexes_rebuilt_if_free("registry_organisation") if rebuild else nullcontext():
        cursor.execute(
            f"""UPDATE registry_organisation SET members_count = k.n FROM {counted} k
                WHERE registry_organisation.id = k.org_id
                  AND registry_organisation.members_count <> k.n"""
        )
    cursor.execute(f"DROP TABLE {counted}")
