"""The role × action table and `may`, on core's own scoped models (tombstones carry the three
scope fields of personal data; the audit log is national)."""

from types import SimpleNamespace
from typing import Any

import pytest

from htxso.core.models import AuditEntry, Tombstone
from htxso.core.roles import NATIONAL_ROLES, Role
from htxso.core.scoping import (
    TABLE,
    Action,
    Kind,
    Reach,
    Scope,
    may,
    reach,
    role_of,
)


def user(role: str, **extra: Any) -> Any:
    values = {
        "pk": 7,
        "is_authenticated": True,
        "is_active": True,
        "is_superuser": False,
        "role": role,
        "province_id": None,
        "organisation_id": None,
        "person_id": None,
    }
    return SimpleNamespace(**{**values, **extra})


ANONYMOUS = SimpleNamespace(is_authenticated=False, is_active=False, pk=None)
OFFICER_19 = user(Role.PROVINCIAL_OFFICER, province_id="19")
MANAGER_5 = user(Role.COOPERATIVE_MANAGER, organisation_id=5, province_id="19")
MEMBER_9 = user(Role.MEMBER, person_id=9)
ADMIN = user(Role.SYSTEM_ADMIN)
CENTRAL = user(Role.CENTRAL_OFFICER)
ADVISER = user(Role.ALLIANCE_ADVISER)
PUBLIC = user(Role.PUBLIC)


def test_every_kind_and_action_names_only_known_roles_and_reaches() -> None:
    for kind, rules in TABLE.items():
        assert isinstance(kind, Kind)
        for action, rule in rules.items():
            assert isinstance(action, Action)
            for role, reaches in rule.items():
                assert isinstance(role, Role)
                assert all(isinstance(r, Reach) for r in reaches)


def test_role_of_reads_public_for_anyone_not_signed_in_or_not_active() -> None:
    assert role_of(ANONYMOUS) == Role.PUBLIC
    assert role_of(None) == Role.PUBLIC
    assert role_of(user(Role.SYSTEM_ADMIN, is_active=False)) == Role.PUBLIC
    assert role_of(user(Role.PUBLIC, is_superuser=True)) == Role.SYSTEM_ADMIN
    assert role_of(user("no-such-role")) == Role.PUBLIC


@pytest.mark.parametrize(
    ("who", "action", "kind", "expected"),
    [
        # The published registry: everyone sees and exports it; only scoped roles change it.
        (PUBLIC, Action.VIEW, Kind.REGISTRY, True),
        (ANONYMOUS, Action.EXPORT, Kind.REGISTRY, True),
        (PUBLIC, Action.EDIT, Kind.REGISTRY, False),
        (ADVISER, Action.EDIT, Kind.REGISTRY, False),
        (MEMBER_9, Action.EDIT, Kind.REGISTRY, False),
        (CENTRAL, Action.EDIT, Kind.REGISTRY, False),
        (MANAGER_5, Action.CREATE, Kind.REGISTRY, False),
        (OFFICER_19, Action.CREATE, Kind.REGISTRY, True),
        # Personal data: the public and advisers nothing; central officers see, never reveal.
        (PUBLIC, Action.VIEW, Kind.PERSONAL, False),
        (ADVISER, Action.VIEW, Kind.PERSONAL, False),
        (ANONYMOUS, Action.VIEW, Kind.PERSONAL, False),
        (CENTRAL, Action.VIEW, Kind.PERSONAL, True),
        (CENTRAL, Action.REVEAL, Kind.PERSONAL, False),
        (MEMBER_9, Action.REVEAL, Kind.PERSONAL, True),
        (MEMBER_9, Action.EDIT, Kind.PERSONAL, False),
        # Reports: not public, not members'; reviewed by national and provincial roles.
        (PUBLIC, Action.VIEW, Kind.REPORT, False),
        (MEMBER_9, Action.VIEW, Kind.REPORT, False),
        (MANAGER_5, Action.REVIEW, Kind.REPORT, False),
        (CENTRAL, Action.EDIT, Kind.REPORT, False),
        (CENTRAL, Action.REVIEW, Kind.REPORT, True),
        (OFFICER_19, Action.REVIEW, Kind.REPORT, True),
        # Statistics: everyone sees the published ones; only national roles release.
        (PUBLIC, Action.VIEW, Kind.STATISTICS, True),
        (OFFICER_19, Action.RELEASE, Kind.STATISTICS, False),
        (CENTRAL, Action.RELEASE, Kind.STATISTICS, True),
        # Jobs: a signed-in user's own.
        (PUBLIC, Action.VIEW, Kind.JOB, True),
        # Accounts: the system admin all, a provincial officer their province's (locks).
        (ADMIN, Action.EDIT, Kind.ACCOUNTS, True),
        (OFFICER_19, Action.EDIT, Kind.ACCOUNTS, True),
        (CENTRAL, Action.EDIT, Kind.ACCOUNTS, False),
        (MANAGER_5, Action.EDIT, Kind.ACCOUNTS, False),
    ],
)
def test_may_on_a_kind(who: Any, action: Action, kind: Kind, expected: bool) -> None:
    assert may(who, action, kind) is expected


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        (ADMIN, True),
        (OFFICER_19, True),
        (MANAGER_5, True),
        (CENTRAL, False),
        (ADVISER, False),
        (MEMBER_9, False),
        (PUBLIC, False),
        (ANONYMOUS, False),
    ],
)
def test_who_may_import(who: Any, expected: bool) -> None:
    assert may(who, Action.IMPORT) is expected


def test_none_is_the_system_and_may_everything() -> None:
    assert may(None, Action.RELEASE)
    assert may(None, Action.EDIT, Tombstone(province_id="01"))


def test_national_roles_are_those_that_see_all_personal_data() -> None:
    national = {r for r in Role if reach(user(r), Action.VIEW, Kind.PERSONAL) == (Reach.ALL,)}
    assert national == set(NATIONAL_ROLES)


# An object in memory: its own scope columns decide, without the database.
@pytest.mark.parametrize(
    ("who", "row", "expected"),
    [
        (OFFICER_19, {"province_id": "19"}, True),
        (OFFICER_19, {"province_id": "01"}, False),  # officer of another province
        (user(Role.PROVINCIAL_OFFICER), {"province_id": ""}, False),  # an officer of nowhere
        (MANAGER_5, {"province_id": "19", "organisation_id": 5}, True),
        (MANAGER_5, {"province_id": "19", "organisation_id": 6}, False),  # another organisation
        (MEMBER_9, {"person_id": 9}, True),
        (MEMBER_9, {"person_id": 10}, False),  # another person
        (CENTRAL, {"province_id": "01"}, True),
        (ADVISER, {"province_id": "19", "organisation_id": 5}, False),
        (PUBLIC, {"province_id": "19", "organisation_id": 5, "person_id": 9}, False),
        (ANONYMOUS, {"province_id": "19"}, False),
    ],
)
def test_may_view_personal_data_of_one_row(who: Any, row: dict, expected: bool) -> None:
    assert may(who, Action.VIEW, Tombstone(**row)) is expected


@pytest.mark.parametrize(
    ("who", "reveals"),
    [(ADMIN, True), (CENTRAL, False), (OFFICER_19, True), (MANAGER_5, True), (MEMBER_9, False)],
)
def test_reveal_reaches_like_view_without_central_officers(who: Any, reveals: bool) -> None:
    row = Tombstone(province_id="19", organisation_id=5, person_id=10)
    assert may(who, Action.REVEAL, row) is reveals


@pytest.mark.django_db
def test_querysets_scope_rows_set_wise() -> None:
    rows = {
        "a": Tombstone.objects.create(object_id="a", province_id="19", organisation_id=5),
        "b": Tombstone.objects.create(object_id="b", province_id="01", organisation_id=6),
        "c": Tombstone.objects.create(object_id="c", province_id="01", person_id=9),
    }

    def seen(who: Any) -> set[str]:
        return set(Tombstone.objects.visible_to(who).values_list("object_id", flat=True))

    assert seen(ADMIN) == seen(CENTRAL) == set(rows)
    assert seen(OFFICER_19) == {"a"}
    assert seen(MANAGER_5) == {"a"}
    assert seen(MEMBER_9) == {"c"}
    assert seen(ADVISER) == seen(PUBLIC) == seen(ANONYMOUS) == set()
    assert seen(user(Role.COOPERATIVE_MANAGER)) == set()  # a manager of no organisation
    assert seen(user(Role.MEMBER)) == set()  # a member who is no person


@pytest.mark.django_db
def test_the_audit_log_as_a_whole_is_national() -> None:
    AuditEntry.objects.create(action="create", object_type="x", object_id="1", object_repr="x")
    every = AuditEntry.objects.count()
    assert AuditEntry.objects.visible_to(CENTRAL).count() == every
    assert AuditEntry.objects.visible_to(ADMIN).count() == every
    for who in (OFFICER_19, MANAGER_5, MEMBER_9, ADVISER, PUBLIC, ANONYMOUS):
        assert not AuditEntry.objects.visible_to(who).exists()


def test_a_scope_condition_narrows_one_action_only() -> None:
    from django.db.models import Q

    scope = Scope(
        Kind.PERSONAL, province="province_id", conditions={Action.EDIT: Q(object_type="open")}
    )
    queryset = Tombstone.objects.all()
    edit = str(scope.filter(queryset, OFFICER_19, Action.EDIT).query)
    view = str(scope.filter(queryset, OFFICER_19, Action.VIEW).query)
    assert "open" in edit and "open" not in view
    assert scope.filter(queryset, PUBLIC, Action.VIEW).query.is_empty()
