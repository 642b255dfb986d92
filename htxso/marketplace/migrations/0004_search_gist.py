"""PostgreSQL only: the catalogue's search reads its candidates nearest first off a trigram
GiST index (`search_key <-> key … LIMIT`, `browse.py`), which also answers the LIKE
'%word%' of every word; it replaces the GIN index of 0002. A signature of 256 bytes keeps the
index selective for names of a few dozen letters (the default 12 bytes saturate)."""

from django.db import migrations

GIST = (
    "CREATE INDEX IF NOT EXISTS market_product_search_gist ON marketplace_product "
    "USING gist (search_key gist_trgm_ops(siglen=256))"
)
GIN = (
    "CREATE INDEX IF NOT EXISTS market_product_search_trgm ON marketplace_product "
    "USING gin (search_key gin_trgm_ops)"
)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(GIST)
        schema_editor.execute("DROP INDEX IF EXISTS market_product_search_trgm")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(GIN)
        schema_editor.execute("DROP INDEX IF EXISTS market_product_search_gist")


class Migration(migrations.Migration):
    dependencies = [("marketplace", "0003_purchase_requests")]

    operations = [migrations.RunPython(forwards, backwards)]
