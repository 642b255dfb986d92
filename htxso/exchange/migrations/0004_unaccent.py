"""PostgreSQL only: `unaccent`, with which the organisation import's SQL lane computes the search
keys of most names itself (`core.text.quick_search_key_sql`, #17). A contrib extension like
pg_trgm (registry 0002), trusted since PostgreSQL 13. Without it the lane keys every name in
Python, as before (`organisations_values.Dictionaries.quick`)."""

from django.contrib.postgres.operations import UnaccentExtension
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("exchange", "0003_column_mapping")]

    operations = [UnaccentExtension()]
