"""Person and membership keep one index on province_id, without the `varchar_pattern_ops` twin
Django adds to a text foreign key on PostgreSQL: no query filters provinces with LIKE, and the
twin cost every insert (8 million memberships in a national load). The existing index is renamed,
not rebuilt, so the migration is instant on a full database."""

import django.db.models.deletion
from django.db import migrations, models

TABLES = (("registry_person", "person_province"), ("registry_membership", "membership_province"))


def _django_name(schema_editor, table: str, suffix: str = "") -> str:
    return schema_editor._create_index_name(table, ["province_id"], suffix=suffix)


def forwards(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    for table, name in TABLES:
        old = schema_editor.quote_name(_django_name(schema_editor, table))
        like = schema_editor.quote_name(_django_name(schema_editor, table, "_like"))
        schema_editor.execute(f"DROP INDEX IF EXISTS {like}")
        if postgres:
            schema_editor.execute(f"ALTER INDEX IF EXISTS {old} RENAME TO {name}")
        else:
            schema_editor.execute(f"DROP INDEX IF EXISTS {old}")
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} (province_id)")


def backwards(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    for table, name in TABLES:
        old = schema_editor.quote_name(_django_name(schema_editor, table))
        if postgres:
            like = schema_editor.quote_name(_django_name(schema_editor, table, "_like"))
            schema_editor.execute(f"ALTER INDEX {name} RENAME TO {old}")
            schema_editor.execute(
                f"CREATE INDEX {like} ON {table} (province_id varchar_pattern_ops)"
            )
        else:
            schema_editor.execute(f"DROP INDEX {name}")
            schema_editor.execute(f"CREATE INDEX {old} ON {table} (province_id)")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_tombstone_scope"),
        ("registry", "0004_person_legacy_address"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="membership",
                    name="province",
                    field=models.ForeignKey(
                        db_index=False,
                        editable=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="core.province",
                    ),
                ),
                migrations.AlterField(
                    model_name="person",
                    name="province",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="core.province",
                        verbose_name="tỉnh/thành phố cư trú",
                    ),
                ),
                migrations.AddIndex(
                    model_name="membership",
                    index=models.Index(fields=["province"], name="membership_province"),
                ),
                migrations.AddIndex(
                    model_name="person",
                    index=models.Index(fields=["province"], name="person_province"),
                ),
            ],
            database_operations=[migrations.RunPython(forwards, backwards)],
        )
    ]
