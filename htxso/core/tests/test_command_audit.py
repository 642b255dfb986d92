"""Writes by commands are audited too (DESIGN: every write path)."""

import io

from django.core.management import call_command

from htxso.core.models import AuditEntry, User


def test_load_units_records_its_run(db):
    before = AuditEntry.objects.filter(action="load_units").count()
    call_command("load_units", stdout=io.StringIO())
    entry = AuditEntry.objects.filter(action="load_units").latest("id")
    assert AuditEntry.objects.filter(action="load_units").count() == before + 1
    assert entry.after["communes"] == 3321 and entry.actor is None


def test_demo_users_are_audited(db):
    call_command("demo_users", stdout=io.StringIO())
    admin = User.objects.get(username="admin")
    assert AuditEntry.objects.filter(
        action="create", object_type="core.user", object_id=str(admin.pk)
    ).exists()
    call_command("demo_users", stdout=io.StringIO())  # again: a reset, also audited
    assert AuditEntry.objects.filter(action="reset_demo_user", object_id=str(admin.pk)).exists()
