"""The first versions of the rule sets (fixtures/): Circular 01/2020's classification and the
cooperatives' DX questionnaire. Later versions are loaded as data (`htxso load_rule_set`)."""

import json
from pathlib import Path

from django.db import migrations

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
FILES = ("classification-tt01-2020.json", "dx-htx-2024.json")


def load(apps, schema_editor):  # type: ignore[no-untyped-def]
    from htxso.assessment.rules import validate

    RuleSet = apps.get_model("assessment", "RuleSet")
    for name in FILES:
        definition = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
        validate(definition)
        RuleSet.objects.get_or_create(
            code=definition["code"],
            defaults={
                "kind": definition["kind"],
                "name": definition["name"],
                "applies_from": definition["applies_from"],
                "definition": definition,
            },
        )


def unload(apps, schema_editor):  # type: ignore[no-untyped-def]
    apps.get_model("assessment", "RuleSet").objects.filter(
        code__in=["TT01-2020", "DX-HTX-2024"]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("assessment", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
