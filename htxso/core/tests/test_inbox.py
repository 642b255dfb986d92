"""The inbox in core (`core/inbox.py`) and what core itself contributes (`core/system.py`):
providers registered by the apps, urgent first, the public has none; jobs counted per owner;
locked accounts only for those who may lift the locks, scoped to the officer's province."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.base import ContentFile
from django.utils import timezone

from htxso.core import inbox, system
from htxso.core.inbox import Item, ItemKind, Severity
from htxso.core.jobs import JobStatus
from htxso.core.roles import Role
from htxso.exchange import inbox as exchange_inbox
from htxso.exchange.models import ImportJob
from htxso.registry.tests.conftest import make_user

TODAY = dt.date(2026, 12, 7)


def item(title: str, severity: Severity, count: int = 1, deadline=None) -> Item:
    return Item(title, count, "/", ItemKind.TODO, severity, deadline=deadline)


def test_deadline_notes_say_how_far_in_vietnamese():
    due = item("x", Severity.WARNING, deadline=dt.date(2027, 1, 15))
    assert due.deadline_note(TODAY) == "Hạn 15/01/2027 (còn 39 ngày)"
    late = item("x", Severity.DANGER, deadline=dt.date(2026, 7, 20))
    assert late.deadline_note(TODAY) == "Quá hạn 140 ngày (hạn 20/07/2026)"
    assert item("x", Severity.DANGER, deadline=TODAY).deadline_note(TODAY) == (
        "Hạn hôm nay (07/12/2026)"
    )
    assert item("x", Severity.INFO).deadline_note(TODAY) == ""


def test_items_come_from_every_provider_urgent_first(db, monkeypatch):
    monkeypatch.setattr(inbox, "_PROVIDERS", {})
    inbox.register(lambda user: [item("b", Severity.SUCCESS), item("zero", Severity.DANGER, 0)])
    inbox.register(lambda user: [item("gone", Severity.DANGER)], "second")
    inbox.register(lambda user: [item("again", Severity.INFO)], "second")  # replaces, no twin
    inbox.register(
        lambda user: [
            item("c", Severity.WARNING, deadline=dt.date(2027, 1, 1)),
            item("a", Severity.WARNING, deadline=dt.date(2026, 1, 1)),
            item("d", Severity.DANGER),
        ],
        "third",
    )
    user = make_user("can-bo", Role.PROVINCIAL_OFFICER, "19")
    titles = [i.title for i in inbox.items_for(user)]
    # Danger first, then by deadline; "zero" counts nothing and is dropped.
    assert titles == ["d", "a", "c", "again", "b"]


def test_the_public_has_no_inbox(db, monkeypatch):
    monkeypatch.setattr(inbox, "_PROVIDERS", {})
    inbox.register(lambda user: [item("x", Severity.DANGER)], "any")
    assert inbox.items_for(AnonymousUser()) == []
    assert inbox.items_for(make_user("cong-chung", Role.PUBLIC)) == []


def job(owner, status, days_ago=0) -> ImportJob:
    job = ImportJob.objects.create(
        kind="organisations",
        strategy="upsert",
        filename="to-chuc.xlsx",
        sha256="0" * 64,
        created_by=owner,
        status=status,
        finished_at=timezone.now() - dt.timedelta(days=days_ago),
    )
    job.file.save("to-chuc.xlsx", ContentFile(b"x"), save=True)
    return job


def test_registry_imports_counted_for_their_owner_only(db):
    officer = make_user("can-bo-19", Role.PROVINCIAL_OFFICER, "19")
    other = make_user("can-bo-01", Role.PROVINCIAL_OFFICER, "01")
    valid = job(officer, JobStatus.VALID)
    job(officer, JobStatus.INVALID)
    job(officer, JobStatus.FAILED)
    job(officer, JobStatus.DONE, days_ago=inbox.RECENT_JOB_DAYS + 1)  # old news
    job(other, JobStatus.DONE)
    items = {i.kind: i for i in exchange_inbox.imports(officer)}
    assert items[ItemKind.FAILED].count == 2 and items[ItemKind.FAILED].url == "/exchange/"
    assert items[ItemKind.FAILED].title == "2 lượt nhập dữ liệu thất bại hoặc có lỗi"
    assert items[ItemKind.TODO].count == 1 and items[ItemKind.TODO].url == (
        f"/exchange/jobs/{valid.pk}/"
    )
    assert items[ItemKind.DONE].count == 0
    assert [i.count for i in exchange_inbox.imports(other)] == [0, 0, 1]


def test_locked_accounts_are_for_those_who_may_lift_them(db):
    officer = make_user("can-bo-19", Role.PROVINCIAL_OFFICER, "19")
    admin = make_user("quan-tri", Role.SYSTEM_ADMIN)
    manager = make_user("quan-ly", Role.COOPERATIVE_MANAGER, "19")
    for username, province in (("nguoi-19", "19"), ("nguoi-01", "01")):
        user = make_user(username, Role.MEMBER, province)
        user.locked_at = timezone.now()
        user.save(update_fields=["locked_at"])
    assert [i.count for i in system.locked_accounts(officer)] == [1]  # their province's
    (for_admin,) = system.locked_accounts(admin)
    assert for_admin.count == 2 and for_admin.url == "/accounts/locked/"
    assert for_admin.title == "2 tài khoản bị khóa do đăng nhập sai"
    assert system.locked_accounts(manager) == []


def test_the_system_panel_counts_every_registered_job_model(db):
    officer = make_user("can-bo-19", Role.PROVINCIAL_OFFICER, "19")
    job(officer, JobStatus.DONE)
    job(officer, JobStatus.FAILED)
    table = {str(row["name"]): row for row in system.job_table()}
    assert set(table) == {"lượt nhập dữ liệu", "lượt nhập báo cáo", "lượt nhập giá"}
    imports = table["lượt nhập dữ liệu"]
    assert imports["total"] == 2 and imports["running"] == 0
    assert sorted(status for _label, _n, status in imports["statuses"]) == ["done", "failed"]


@pytest.mark.parametrize("role", [Role.CENTRAL_OFFICER, Role.MEMBER])
def test_the_system_panel_is_the_administrators(db, role):
    from htxso.core import home

    user = make_user("nguoi-dung", role, "19")
    assert all(p.template != "core/_system_panel.html" for p in home.panels_for(user))
    admin = make_user("quan-tri", Role.SYSTEM_ADMIN)
    assert any(p.template == "core/_system_panel.html" for p in home.panels_for(admin))
