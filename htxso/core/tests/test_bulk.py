"""`bulk.indexes_rebuilt`: a national load drops a table's secondary indexes and foreign keys and
builds them again — the same definitions, checked again, and everything back on a rollback.

Tried on tables of the test's own (building an index records the table's row count in the
catalogue even when the transaction rolls back: on the registry's tables that would leave later
tests planning for a 20-row table)."""

from typing import Any

import psycopg
import pytest
from django.db import IntegrityError, connection, transaction

from htxso.core.bulk import indexes_rebuilt, indexes_rebuilt_if_free

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only"),
]
TABLES = ("bulk_parent", "bulk_child")
TABLE_IN_USE = "registry_organisation"  # committed, so another session can lock it


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


def other_session_holding(table: str) -> Any:
    """A second connection with `table` open in a transaction (a reader's lock)."""
    settings = connection.settings_dict
    other = psycopg.connect(
        psycopg.conninfo.make_conninfo(
            dbname=settings["NAME"],
            user=settings["USER"] or "",
            password=settings["PASSWORD"] or "",
            host=settings["HOST"] or "",
            port=str(settings["PORT"] or ""),
        )
    )
    other.execute(f"LOCK TABLE {table} IN ACCESS SHARE MODE")
    return other


def index_names() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'bulk_child' ORDER BY 1")
        return [row[0] for row in cursor.fetchall()]


def test_an_update_of_many_rows_rebuilds_the_indexes_when_the_table_is_free(tables):
    before = schema()
    with indexes_rebuilt_if_free("bulk_child") as rebuilding:
        assert rebuilding
        assert index_names() == ["bulk_child_pkey"]  # the key and its foreign key stay
        assert "bulk_child_parent" in names()
        with connection.cursor() as cursor:
            cursor.execute("UPDATE bulk_child SET code = 'd' || id")
    assert schema() == before
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SELECT id FROM bulk_child WHERE code = 'd7'")  # the rebuilt index
        assert cursor.fetchall() == [(7,)]


def test_a_duplicate_written_meanwhile_fails_the_rebuild(tables):
    before = schema()
    with (
        pytest.raises(IntegrityError),
        transaction.atomic(),
        indexes_rebuilt_if_free("bulk_child"),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE bulk_child SET code = 'c1' WHERE id = 2")
    assert schema() == before


def test_a_table_in_use_is_not_waited_for(db):
    """Another session reads the table: its lock is not waited for (the caller holds other
    tables' locks that reader may want next: a deadlock); nothing is dropped."""
    before = sorted(connection.introspection.get_constraints(connection.cursor(), TABLE_IN_USE))
    other = other_session_holding(TABLE_IN_USE)
    try:
        with indexes_rebuilt_if_free(TABLE_IN_USE) as rebuilding:
            assert not rebuilding
            after = connection.introspection.get_constraints(connection.cursor(), TABLE_IN_USE)
            assert sorted(after) == before
    finally:
        other.close()
    with connection.cursor() as cursor:  # the failed lock left the transaction usable
        cursor.execute("SELECT 1")
