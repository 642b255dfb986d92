"""PostgreSQL only: trigram index so LIKE '%word%' on the search key uses an index.

SQLite has no pg_trgm; there the same query scans the (much smaller) demo table.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEX = "registry_org_search_trgm"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON registry_organisation "
            "USING gin (search_key gin_trgm_ops)"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create_index, drop_index),
    ]
