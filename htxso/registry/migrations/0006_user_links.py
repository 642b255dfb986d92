"""The registry owns the foreign keys of core.User's organisation_id and person_id (core no longer
depends on the registry's migrations); the SQL and the reasons are htxso/registry/user_links.py
(which also puts SQLite's triggers back after any later table rebuild)."""

from django.db import migrations

from htxso.registry import user_links


def forwards(apps, schema_editor):
    user_links.install(schema_editor)


def backwards(apps, schema_editor):
    user_links.uninstall(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_initial"),
        ("registry", "0005_province_indexes_without_like"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
