"""The registry's declared scopes (`core.scoping`): organisations, people, memberships, status
history and the audit trails, including the unhappy paths (another province, another
organisation, another person, the public)."""

from typing import Any

import pytest

from htxso.core.roles import Role
from htxso.core.scoping import Action, may
from htxso.registry.models import (
    Membership,
    Organisation,
    Person,
    StatusChange,
    can_create_organisations,
)

from .conftest import make_user
from .factories import MembershipFactory, OrganisationFactory, PersonFactory


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    """Two cooperatives in Thái Nguyên (19), one in Hà Nội (01); a person living in Hà Nội who
    is a member in 19 (seen by 19 through the membership), and one living in 19."""
    org_a = OrganisationFactory(province_id="19")
    org_b = OrganisationFactory(province_id="19")
    org_hn = OrganisationFactory(province_id="01")
    commuter = PersonFactory(province_id="01")
    local = PersonFactory(province_id="19")
    MembershipFactory(organisation=org_a, person=commuter)
    MembershipFactory(organisation=org_hn, person=commuter)
    MembershipFactory(organisation=org_b, person=local)
    return {
        "org_a": org_a,
        "org_b": org_b,
        "org_hn": org_hn,
        "commuter": commuter,
        "local": local,
        "officer_19": make_user("cb-19", Role.PROVINCIAL_OFFICER, "19"),
        "officer_01": make_user("cb-01", Role.PROVINCIAL_OFFICER, "01"),
        "manager_a": make_user("ql-a", Role.COOPERATIVE_MANAGER, "19", organisation=org_a),
        "member": make_user("tv", Role.MEMBER, person=local),
        "central": make_user("tw", Role.CENTRAL_OFFICER),
        "admin": make_user("qt", Role.SYSTEM_ADMIN),
        "adviser": make_user("tvv", Role.ALLIANCE_ADVISER),
        "public": make_user("cc", Role.PUBLIC),
    }


def test_organisations_are_public_and_edited_within_scope(world: dict[str, Any]) -> None:
    every = Organisation.objects.count()
    for name in ("public", "adviser", "member", "officer_01"):
        assert Organisation.objects.visible_to(world[name]).count() == every
    editable = {
        name: set(Organisation.objects.editable_by(world[name]))
        for name in ("officer_19", "officer_01", "manager_a", "member", "central", "public")
    }
    assert editable["officer_19"] == {world["org_a"], world["org_b"]}
    assert editable["officer_01"] == {world["org_hn"]}
    assert editable["manager_a"] == {world["org_a"]}
    assert editable["member"] == editable["central"] == editable["public"] == set()
    assert Organisation.objects.editable_by(world["admin"]).count() == every


def test_may_edit_one_organisation_agrees_with_editable_by(world: dict[str, Any]) -> None:
    for user in (world[k] for k in ("officer_19", "officer_01", "manager_a", "member", "admin")):
        for org in (world["org_a"], world["org_b"], world["org_hn"]):
            expected = Organisation.objects.editable_by(user).filter(pk=org.pk).exists()
            assert may(user, Action.EDIT, org) is expected


def test_creating_organisations(world: dict[str, Any]) -> None:
    assert can_create_organisations(world["officer_19"])
    assert can_create_organisations(world["officer_19"], "19")
    assert not can_create_organisations(world["officer_19"], "01")  # another province
    assert can_create_organisations(world["admin"], "01")
    assert not can_create_organisations(world["manager_a"])
    assert not can_create_organisations(world["central"])
    assert not can_create_organisations(make_user("cb-x", Role.PROVINCIAL_OFFICER))  # nowhere


def test_people_are_seen_by_residence_membership_organisation_or_self(
    world: dict[str, Any],
) -> None:
    def seen(name: str) -> set[Person]:
        rows = list(Person.objects.visible_to(world[name]))
        assert len(rows) == len(set(rows))  # a person with two memberships appears once
        return set(rows)

    commuter, local = world["commuter"], world["local"]
    assert seen("officer_19") == {commuter, local}  # the commuter is a member in 19
    assert seen("officer_01") == {commuter}
    assert seen("manager_a") == {commuter}  # not the other cooperative's member
    assert seen("member") == {local}  # not another person
    assert seen("central") >= {commuter, local}
    assert seen("public") == seen("adviser") == set()


def test_memberships_are_scoped_by_their_own_province(world: dict[str, Any]) -> None:
    def orgs(name: str) -> set[int]:
        return set(
            Membership.objects.visible_to(world[name]).values_list("organisation_id", flat=True)
        )

    assert orgs("officer_19") == {world["org_a"].pk, world["org_b"].pk}
    assert orgs("officer_01") == {world["org_hn"].pk}
    assert orgs("manager_a") == {world["org_a"].pk}
    assert orgs("member") == {world["org_b"].pk}
    assert orgs("public") == orgs("adviser") == set()


def test_status_history_follows_its_organisation(world: dict[str, Any]) -> None:
    assert StatusChange.objects.visible_to(world["public"]).count() == StatusChange.objects.count()
    assert not StatusChange.objects.editable_by(world["officer_01"]).filter(
        organisation__province_id="19"
    )


def test_an_organisations_history_is_for_national_roles_and_its_editors(
    world: dict[str, Any],
) -> None:
    org = world["org_a"]
    allowed = {"admin", "central", "officer_19", "manager_a"}
    for name in ("admin", "central", "officer_19", "officer_01", "manager_a", "member", "public"):
        assert may(world[name], Action.VIEW, org, scope=Organisation.audit_scope) is (
            name in allowed
        ), name


def test_who_looked_a_person_up_is_for_them_their_province_and_national_roles(
    world: dict[str, Any],
) -> None:
    local, commuter = world["local"], world["commuter"]
    scope = Person.audit_scope
    assert may(world["member"], Action.VIEW, local, scope=scope)  # themself
    assert may(world["officer_19"], Action.VIEW, local, scope=scope)  # where they live
    assert not may(world["officer_19"], Action.VIEW, commuter, scope=scope)  # a member only
    assert not may(world["manager_a"], Action.VIEW, commuter, scope=scope)  # their cooperative
    assert may(world["central"], Action.VIEW, commuter, scope=scope)
    assert not may(world["public"], Action.VIEW, local, scope=scope)


def test_a_published_rule_of_every_row_is_not_lost_beside_a_narrower_reach(world):
    """`published` may answer `Q()` (every row is public). OR-ed with a province's term, Django
    drops an empty Q, so the officer of 19 — province *and* published — saw only province 19's
    rows, fewer than the public. Every row it is, as for the public."""
    from django.db.models import Q

    from htxso.core.scoping import Kind, Scope

    everything = Scope(Kind.TRACE, province="province_id", published=lambda: Q())
    officer = make_user("can-bo-19-pub", Role.PROVINCIAL_OFFICER, "19")
    public = make_user("cong-chung-pub", Role.PUBLIC)
    seen = set(everything.filter(Organisation.objects.all(), officer, Action.VIEW))
    assert world["org_hn"] in seen
    assert seen == set(everything.filter(Organisation.objects.all(), public, Action.VIEW))
    assert everything.allows(officer, Action.VIEW, world["org_hn"])
