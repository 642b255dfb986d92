"""`bulk.indexes_rebuilt`: a national load drops a table's secondary indexes and foreign keys and
builds them again — the same definitions, checked again, and everything back on a rollback.

Tried on tables of the test's own (building an index records the table's row count in the
catalogue even when the transaction rolls back: on the registry's tables that would leave later
tests planning for a 20-row table)."""

import pytest
from django.db import IntegrityError, connection, transaction

from htxso.core.bulk import indexes_rebuilt

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only"),
]
TABLES = ("bulk_parent", "bulk_child")


@pytest.fixture
def tables():
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bulk_parent (id bigint PRIMARY KEY)")
        cursor.execute(
            """CREATE TABLE bulk_child (
                   id bigint PRIMARY KEY, code text, parent_id bigint,
                   CONSTRAINT bulk_child_parent FOREIGN KEY (parent_id)
                       REFERENCES bulk_parent (id) DEFERRABLE INITIALLY DEFERRED)"""
        )
        cursor.execute("CREATE UNIQUE INDEX bulk_child_code ON bulk_child (code) WHERE code > ''")
        cursor.execute("CREATE INDEX bulk_child_parent_idx ON bulk_child (parent_id)")
        cursor.execute("INSERT INTO bulk_parent SELECT generate_series(1, 10)")
        cursor.execute("INSERT INTO bulk_child SELECT i, 'c' || i, i FROM generate_series(1, 10) i")


def schema() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
               FROM pg_constraint WHERE conrelid = ANY(%s::regclass[])
               UNION ALL
               SELECT tablename, indexname, indexdef FROM pg_indexes
               WHERE tablename = ANY(%s)
               ORDER BY 1, 2, 3""",
            [list(TABLES), list(TABLES)],
        )
        return cursor.fetchall()


def names() -> set[str]:
    return {name for _table, name, _definition in schema()}


def test_dropped_while_writing_and_built_again_the_same(tables):
    before = schema()
    with indexes_rebuilt(*TABLES):
        assert names() == {"bulk_parent_pkey", "bulk_child_pkey"}  # primary keys stay
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO bulk_parent SELECT generate_series(11, 500)")
            cursor.execute(
                "INSERT INTO bulk_child SELECT i, 'c' || i, i FROM generate_series(11, 500) i"
            )
    assert schema() == before
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM bulk_child")
        assert cursor.fetchone()[0] == 500


def test_rows_that_break_a_key_or_a_unique_index_fail_the_load(tables):
    before = schema()
    for bad in (
        "INSERT INTO bulk_child VALUES (900, 'x', 12345)",  # no such parent
        "INSERT INTO bulk_child VALUES (901, 'c1', 1)",  # a code already there
    ):
        with (
            pytest.raises(IntegrityError),
            transaction.atomic(),
            indexes_rebuilt(*TABLES),
            connection.cursor() as cursor,
        ):
            cursor.execute(bad)
        assert schema() == before  # the rollback put the indexes and the key back


def test_a_rollback_restores_everything(tables):
    before = schema()
    with transaction.atomic():
        with indexes_rebuilt(*TABLES):
            pass
        transaction.set_rollback(True)
    assert schema() == before
    with transaction.atomic():
        with pytest.raises(RuntimeError), indexes_rebuilt(*TABLES):
            raise RuntimeError("the writer failed")
        transaction.set_rollback(True)
    assert schema() == before


def test_pending_key_checks_of_earlier_writes_do_not_stop_it(tables):
    before = schema()
    with connection.cursor() as cursor:  # a deferred check waits for the commit
        cursor.execute("INSERT INTO bulk_child VALUES (700, 'c700', 1)")
    with indexes_rebuilt(*TABLES):
        pass
    assert schema() == before
