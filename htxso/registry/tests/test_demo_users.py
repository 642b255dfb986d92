"""`htxso demo_users` (registry/demo.py): one login per role, its writes audited."""

import io

from django.core.management import call_command

from htxso.core.models import AuditEntry, User


def test_demo_users_are_audited(db):
    call_command("demo_users", stdout=io.StringIO())
    admin = User.objects.get(username="admin")
    assert AuditEntry.objects.filter(
        action="create", object_type="core.user", object_id=str(admin.pk)
    ).exists()
    call_command("demo_users", stdout=io.StringIO())  # again: a reset, also audited
    assert AuditEntry.objects.filter(action="reset_demo_user", object_id=str(admin.pk)).exists()
