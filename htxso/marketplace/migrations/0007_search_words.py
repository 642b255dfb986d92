"""PostgreSQL only: a full-text GIN index over each product's search key (the `simple`
configuration: the key is already lower-case and unaccented) plus its category and province as
tokens (`zc<category>`, `zp<province>`), so a search's whole words and those two filters are
one exact index read (`filters.matching`), whatever the words' frequencies; the trigram index
of 0002 is no longer read by the catalogue. SQLite scans its (demo-sized) table."""

from django.db import migrations

INDEX = (
    "CREATE INDEX IF NOT EXISTS market_product_search_words ON marketplace_product USING gin "
    "(to_tsvector('simple'::regconfig, (search_key::text || ' zc' || category::text || ' zp' "
    "|| province_id::text)))"
)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(INDEX)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS market_product_search_words")


class Migration(migrations.Migration):
    dependencies = [("marketplace", "0006_merge")]

    operations = [migrations.RunPython(forwards, backwards)]
