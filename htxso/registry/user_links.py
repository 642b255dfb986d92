"""The link from a user to their organisation and person, kept sound by the registry.

`core.User` holds `organisation_id` and `person_id` as plain columns (core knows no domain app;
scoping reads the ids everywhere). The registry owns the rows they point to, so it owns the
constraints (migration 0006):

- PostgreSQL: real foreign keys, `ON DELETE SET NULL` (what the old Django `SET_NULL` key did),
  deferrable like Django's own; a database migrated before this keeps its columns and has its
  old Django-named keys replaced by these.
- SQLite cannot add a foreign key to an existing table, so triggers do the same: an id that
  names no row is refused (IntegrityError), deleting the row sets the id NULL. SQLite rebuilds
  a table to alter it, which drops its triggers, so `ensure_links` runs after every `migrate`
  (apps.py) and puts back any that are missing.
"""

from typing import Any

from django.db import connections
from django.db.migrations.recorder import MigrationRecorder

MIGRATION = "0006_user_links"  # the registry migration that installs the links
# (column of core_user, the registry table it points to)
LINKS = (("organisation_id", "registry_organisation"), ("person_id", "registry_person"))


def postgres_sql() -> list[str]:
    """Replace any foreign key on the link columns by the registry's own."""
    columns = ", ".join(f"'{column}'" for column, _table in LINKS)
    statements = [
        f"""DO $$ DECLARE c record; BEGIN
            FOR c IN SELECT DISTINCT con.conname FROM pg_constraint con
                JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = ANY(con.conkey)
                WHERE con.conrelid = 'core_user'::regclass AND con.contype = 'f'
                  AND a.attname IN ({columns})
            LOOP EXECUTE 'ALTER TABLE core_user DROP CONSTRAINT ' || quote_ident(c.conname);
            END LOOP; END $$"""
    ]
    for column, table in LINKS:
        statements.append(
            f"ALTER TABLE core_user ADD CONSTRAINT core_user_{column}_registry_fk "
            f"FOREIGN KEY ({column}) REFERENCES {table} (id) ON DELETE SET NULL "
            "DEFERRABLE INITIALLY DEFERRED"
        )
    return statements


def postgres_reverse_sql() -> list[str]:
    return [
        f"ALTER TABLE core_user DROP CONSTRAINT IF EXISTS core_user_{column}_registry_fk"
        for column, _table in LINKS
    ]


def sqlite_sql() -> list[str]:
    statements = []
    for column, table in LINKS:
        refused = (
            f"WHEN NEW.{column} IS NOT NULL AND NOT EXISTS "
            f"(SELECT 1 FROM {table} WHERE id = NEW.{column}) "
            f"BEGIN SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: core_user.{column}'); END"
        )
        statements += [
            f"CREATE TRIGGER IF NOT EXISTS core_user_{column}_insert BEFORE INSERT ON core_user "
            + refused,
            f"CREATE TRIGGER IF NOT EXISTS core_user_{column}_update "
            f"BEFORE UPDATE OF {column} ON core_user " + refused,
            f"CREATE TRIGGER IF NOT EXISTS {table}_core_user_{column} AFTER DELETE ON {table} "
            f"BEGIN UPDATE core_user SET {column} = NULL WHERE {column} = OLD.id; END",
        ]
    return statements


def sqlite_reverse_sql() -> list[str]:
    names = []
    for column, table in LINKS:
        names += [f"core_user_{column}_insert", f"core_user_{column}_update"]
        names.append(f"{table}_core_user_{column}")
    return [f"DROP TRIGGER IF EXISTS {name}" for name in names]


def install(schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    for statement in postgres_sql() if vendor == "postgresql" else sqlite_sql():
        schema_editor.execute(statement)


def uninstall(schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    for statement in postgres_reverse_sql() if vendor == "postgresql" else sqlite_reverse_sql():
        schema_editor.execute(statement)


def ensure_links(using: str = "default", **_kwargs: Any) -> None:
    """After `migrate` on SQLite: put back the triggers a table rebuild dropped (PostgreSQL keeps
    its constraints through an ALTER TABLE)."""
    db = connections[using]
    if db.vendor != "sqlite":
        return
    if ("registry", MIGRATION) not in MigrationRecorder(db).applied_migrations():
        return  # not yet there, or migrated back before it
    tables = set(db.introspection.table_names())
    if not {"core_user", *(table for _c, table in LINKS)} <= tables:
        return  # migrated only part of the way (e.g. `migrate core`)
    with db.cursor() as cursor:
        for statement in sqlite_sql():
            cursor.execute(statement)
