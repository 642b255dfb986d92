"""PostgreSQL only: a B-tree on the product search key in byte order (COLLATE "C"), so a
search reads the names that start with its words — the exact name first — as an index range
already in order (`browse.py`);
the trigram GIN index of 0002 keeps answering LIKE '%word%'. SQLite scans its (demo-sized)
table."""

from django.db import migrations

INDEX = (
    "CREATE INDEX IF NOT EXISTS market_product_search_key ON marketplace_product "
    "(search_key COLLATE \"C\")"
)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(INDEX)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS market_product_search_key")


class Migration(migrations.Migration):
    dependencies = [("marketplace", "0003_purchase_requests")]

    operations = [migrations.RunPython(forwards, backwards)]
