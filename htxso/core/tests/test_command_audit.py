"""Writes by commands are audited too (DESIGN: every write path)."""

import io

from django.core.management import call_command

from htxso.core.models import AuditEntry


def test_load_units_records_its_run(db):
    before = AuditEntry.objects.filter(action="load_units").count()
    call_command("load_units", stdout=io.StringIO())
    entry = AuditEntry.objects.filter(action="load_units").latest("id")
    assert AuditEntry.objects.filter(action="load_units").count() == before + 1
    assert entry.after["communes"] == 3321 and entry.actor is None
