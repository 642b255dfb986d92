"""`htxso demo_users` (registry/demo.py): one login per role, its writes audited."""

import datetime as dt
import io

from django.core.management import call_command

from htxso.core.models import AuditEntry, User
from htxso.registry import services
from htxso.registry.choices import Status

from .factories import MembershipFactory, OrganisationFactory


def test_demo_users_are_audited(db):
    call_command("demo_users", stdout=io.StringIO())
    admin = User.objects.get(username="admin")
    assert AuditEntry.objects.filter(
        action="create", object_type="core.user", object_id=str(admin.pk)
    ).exists()
    call_command("demo_users", stdout=io.StringIO())  # again: a reset, also audited
    assert AuditEntry.objects.filter(action="reset_demo_user", object_id=str(admin.pk)).exists()


def test_the_demo_manager_runs_an_active_cooperative_with_members(db):
    """The small demo's first cooperative by id may be dissolved or empty: the manager's home,
    shop and reports would then demo nothing. The manager gets an active one with a member."""
    stopped = OrganisationFactory(name="HTX Đã Ngừng")
    MembershipFactory(organisation=stopped)
    services.change_status(None, stopped.pk, Status.SUSPENDED, dt.date(2024, 1, 1))
    OrganisationFactory(name="HTX Chưa Có Thành Viên")
    alive = OrganisationFactory(name="HTX Đang Sống")
    member = MembershipFactory(organisation=alive)
    call_command("demo_users", stdout=io.StringIO())
    assert User.objects.get(username="quanly.htx").organisation_id == alive.pk
    assert User.objects.get(username="thanhvien").person_id == member.person_id
