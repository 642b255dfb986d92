"""PostgreSQL only: B-trees on (province, search key in byte order) and (category, search key in
byte order), so a search with a province or a category reads the names starting with its words
as one index range already in order (`browse._starting`). With 0004's key alone the range of a
common prefix ("che": 62,000 names nationally) was read and filtered until enough rows were
found — all of it when none passed ("chè" in seafood: 62,000 heap rows, 460 ms). SQLite scans
its (demo-sized) table."""

from django.db import migrations

INDEXES = {
    "market_product_province_key": '(province_id, search_key COLLATE "C")',
    "market_product_category_key": '(category, search_key COLLATE "C")',
}


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, columns in INDEXES.items():
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {name} ON marketplace_product {columns}"
            )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("marketplace", "0008_product_gtin")]

    operations = [migrations.RunPython(forwards, backwards)]
