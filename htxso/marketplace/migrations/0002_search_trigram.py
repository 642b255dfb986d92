"""PostgreSQL only: a trigram index so the catalogue's LIKE '%word%' on the product search key
uses an index (the registry's pattern, registry/migrations/0002_search_trigram.py). SQLite
scans its (demo-sized) table."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEXES = {
    "market_product_search_trgm": "marketplace_product USING gin (search_key gin_trgm_ops)",
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
    dependencies = [("marketplace", "0001_initial")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create_index, drop_index),
    ]
