"""PostgreSQL only: trigram index so LIKE '%word%' on the search key uses an index, and a
pattern-ops index so a tax-code prefix (LIKE '0100%') does too.

SQLite has no pg_trgm; there the same query scans the (much smaller) demo table.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEXES = {
    "registry_org_search_trgm": "registry_organisation USING gin (search_key gin_trgm_ops)",
    "registry_org_tax_code_like": "registry_organisation (tax_code varchar_pattern_ops)",
}


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, target in INDEXES.items():
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {target}")


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create_index, drop_index),
    ]
