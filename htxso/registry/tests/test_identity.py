"""Linking a person never widens what the caller may see (issue #14).

Before: adding a member by CCCD looked the number up in the whole country, so a cooperative
manager (or a provincial officer) could link anyone, then read and reveal them; and the answer
told whether the number was registered (201 against 404). Every test here failed on that code.
"""

import datetime as dt
import unicodedata

import pytest
from django.core.cache import cache
from django.urls import reverse

from htxso.core.models import AuditEntry
from htxso.core.roles import Role
from htxso.registry.models import Membership, Person
from htxso.registry.writes.identity import facts_match, name_key

from .conftest import make_user
from .factories import OrganisationFactory, PersonFactory, valid_cccd
from .test_api import BASE, assert_error, token_for

MISMATCH_VI = (
    "Không xác minh được cá nhân: số CCCD, họ và tên, ngày sinh phải đúng như trên thẻ CCCD."
)


@pytest.fixture(autouse=True)
def _fresh_budget():
    cache.clear()  # the API throttle lives in the cache (the mismatch budget is the audit)
    yield
    cache.clear()


@pytest.fixture
def cooperative(db):
    return OrganisationFactory(province_id="19", established_on=dt.date(2010, 1, 1))


@pytest.fixture
def manager(cooperative):
    return make_user("quan-ly", Role.COOPERATIVE_MANAGER, "19", organisation=cooperative)


def _add(client, user, organisation, **person):
    body = {"organisation_id": organisation.pk, "kind": "official", "joined_on": "2021-01-04"}
    body["person"] = person
    return client.post(
        f"{BASE}/memberships", body, content_type="application/json", **token_for(user)
    )


def _link(client, user, organisation, person):
    """Add `person` with the facts on their card (the stranger's)."""
    facts = {"cccd": person.cccd, "full_name": person.full_name, "birth_date": "1980-07-09"}
    return _add(client, user, organisation, **facts)


def test_a_cccd_alone_links_no_one_and_reveals_nothing(client, manager, cooperative, stranger):
    response = _add(client, manager, cooperative, cccd=stranger.cccd)
    body = assert_error(response, 422, "validation_error")
    assert {e["field"] for e in body["errors"]} == {"person.full_name", "person.birth_date"}
    assert not Membership.objects.filter(organisation=cooperative).exists()
    reveal = client.get(f"{BASE}/people/{stranger.pk}", {"reveal": "true"}, **token_for(manager))
    assert_error(reveal, 404, "not_found")
    assert not AuditEntry.objects.filter(action="reveal").exists()


def test_the_answer_to_a_cccd_alone_is_the_same_registered_or_not(
    client, manager, cooperative, stranger
):
    registered = _add(client, manager, cooperative, cccd=stranger.cccd)
    unknown = _add(client, manager, cooperative, cccd=valid_cccd(birth_year=1980))
    assert registered.status_code == unknown.status_code == 422
    assert registered.json() == unknown.json()
    assert Person.objects.count() == 1


def test_wrong_facts_are_refused_audited_and_say_nothing_of_the_record(
    client, manager, cooperative, stranger
):
    response = _add(
        client,
        manager,
        cooperative,
        cccd=stranger.cccd,
        full_name="Nguyễn Văn Đoán",
        birth_date="1980-01-01",
    )
    body = assert_error(response, 422, "validation_error")
    assert body["message"]["vi"] == MISMATCH_VI
    assert body["errors"][0]["field"] == "person.full_name"
    text = response.content.decode()
    assert "Hà Nội" not in text and "0912345678" not in text and str(stranger.pk) not in text
    assert not Membership.objects.filter(organisation=cooperative).exists()
    entry = AuditEntry.objects.get(action="identity_mismatch")
    assert (entry.actor, entry.object_id) == (manager, str(stranger.pk))
    assert entry.after == {"organisation": cooperative.pk}


def test_the_right_birth_date_with_a_wrong_name_is_still_a_mismatch(
    client, manager, cooperative, stranger
):
    response = _add(
        client,
        manager,
        cooperative,
        cccd=stranger.cccd,
        full_name="Đỗ Thị Hà",
        birth_date="1980-07-09",
    )
    assert response.json()["message"]["vi"] == MISMATCH_VI
    response = _add(
        client,
        manager,
        cooperative,
        cccd=stranger.cccd,
        full_name=stranger.full_name,
        birth_date="1980-07-10",
    )
    assert response.json()["message"]["vi"] == MISMATCH_VI
    assert AuditEntry.objects.filter(action="identity_mismatch").count() == 2


def test_matching_facts_link_and_answer_like_a_new_person(client, manager, cooperative, stranger):
    linked = _add(
        client,
        manager,
        cooperative,
        cccd=stranger.cccd,
        full_name="  đỗ thị HÀ NỘI ",  # case and spaces as typed
        birth_date="1980-07-09",
    )
    created = _add(
        client,
        manager,
        cooperative,
        cccd=valid_cccd(birth_year=1975),
        full_name="Lò Văn Mới",
        birth_date="1975-02-03",
    )
    assert linked.status_code == created.status_code == 201
    assert linked.json().keys() == created.json().keys()
    assert linked.json()["person_id"] == stranger.pk
    new = Person.objects.get(pk=created.json()["person_id"])
    assert (new.full_name, new.province_id, str(new.birth_date)) == (
        "Lò Văn Mới",
        "19",
        "1975-02-03",
    )
    stranger.refresh_from_db()
    assert stranger.full_name == "Đỗ Thị Hà Nội"  # the registered record is not rewritten


def test_a_linked_member_shows_as_a_member_and_no_more(client, manager, cooperative, stranger):
    response = _link(client, manager, cooperative, stranger)
    assert response.status_code == 201
    headers = token_for(manager)
    shown = client.get(f"{BASE}/people/{stranger.pk}", **headers).json()
    assert shown["masked"] is True and shown["phone"] != "0912345678"
    # The person's membership in Hà Nội stays outside the manager's scope.
    memberships = client.get(f"{BASE}/memberships", {"person": stranger.pk}, **headers).json()
    assert [m["organisation_id"] for m in memberships["items"]] == [cooperative.pk]


def test_mismatches_are_limited_per_day(client, manager, cooperative, stranger, settings):
    settings.IDENTITY_MISMATCH_LIMIT = 2
    wrong = {"cccd": stranger.cccd, "full_name": "Sai Tên", "birth_date": "1980-07-09"}
    for _ in range(2):
        assert _add(client, manager, cooperative, **wrong).status_code == 422
    right = {**wrong, "full_name": stranger.full_name}
    body = assert_error(_add(client, manager, cooperative, **right), 403, "forbidden")
    assert "quá 2 lần" in body["message"]["vi"]
    unknown = {"cccd": valid_cccd(), "full_name": "Ai Đó", "birth_date": "1980-01-01"}
    assert _add(client, manager, cooperative, **unknown).status_code == 403  # any lookup
    assert not Membership.objects.filter(organisation=cooperative).exists()
    assert AuditEntry.objects.filter(action="identity_mismatch").count() == 2


def test_a_provincial_officer_cannot_link_a_stranger_either(client, cooperative, stranger):
    officer = make_user("can-bo", Role.PROVINCIAL_OFFICER, "19")
    response = _add(
        client, officer, cooperative, cccd=stranger.cccd, full_name="X", birth_date="1980-07-09"
    )
    assert response.status_code == 422
    assert_error(
        client.get(f"{BASE}/people/{stranger.pk}", {"reveal": "true"}, **token_for(officer)),
        404,
        "not_found",
    )


def test_the_page_links_by_the_same_rules(client, manager, cooperative, stranger):
    client.force_login(manager)
    url = reverse("registry:members", args=[cooperative.pk])
    data = {"cccd": stranger.cccd, "kind": "official", "joined_on": "2021-01-04"}
    response = client.post(url, {**data, "full_name": "Sai Tên", "birth_date": "1980-07-09"})
    assert response.status_code == 422
    page = response.content.decode()
    assert "Không xác minh được cá nhân" in page and "Đỗ Thị Hà Nội" not in page
    assert client.get(reverse("registry:person", args=[stranger.pk])).status_code == 404
    response = client.post(
        url, {**data, "full_name": stranger.full_name, "birth_date": "1980-07-09"}
    )
    assert response.status_code == 302
    assert Membership.objects.filter(organisation=cooperative, person=stranger).exists()


def test_the_person_sees_who_linked_them(client, manager, cooperative, stranger):
    response = _link(client, manager, cooperative, stranger)
    assert response.status_code == 201
    member = make_user("thanh-vien", Role.MEMBER, "01", person=stranger)
    client.force_login(member)
    page = client.get(reverse("registry:person", args=[stranger.pk])).content.decode()
    assert "quan-ly" in page and cooperative.name in page


def test_a_role_that_may_not_add_members_cannot_probe(client, cooperative, stranger):
    member = make_user("thanh-vien", Role.MEMBER, "19")
    facts = {"cccd": stranger.cccd, "full_name": "Ai Đó", "birth_date": "1980-07-09"}
    response = _add(client, member, cooperative, **facts)
    assert response.status_code == 403
    assert not AuditEntry.objects.filter(action="identity_mismatch").exists()


def test_the_person_page_shows_a_linker_only_their_own_membership(
    client, manager, cooperative, stranger
):
    other = make_user("quan-ly-khac", Role.COOPERATIVE_MANAGER, "19", organisation=cooperative)
    wrong = {"cccd": stranger.cccd, "full_name": "Sai Tên", "birth_date": "1980-07-09"}
    assert _add(client, other, cooperative, **wrong).status_code == 422
    right = {**wrong, "full_name": stranger.full_name}
    assert _add(client, manager, cooperative, **right).status_code == 201
    client.force_login(manager)
    url = reverse("registry:person", args=[stranger.pk])
    page = client.get(url).content.decode()
    hanoi = Membership.objects.exclude(organisation=cooperative).get(person=stranger)
    assert cooperative.name in page
    assert hanoi.organisation.name not in page  # their other membership, and its entries
    assert "quan-ly-khac" not in page  # who else tried is for the person and their province
    page = client.post(url, {"reveal": "1"}).content.decode()
    assert hanoi.organisation.name not in page and "quan-ly-khac" not in page
    # The person themself sees every membership's entries and who tried.
    client.force_login(make_user("chinh-chu", Role.MEMBER, "01", person=stranger))
    page = client.get(url).content.decode()
    assert "quan-ly-khac" in page and hanoi.organisation.name in page


def test_a_record_without_a_birth_date_cannot_be_verified_by_a_stranger(
    client, manager, cooperative
):
    unverifiable = PersonFactory(province_id="01", full_name="Vi Văn Năm")  # year only
    facts = {"cccd": unverifiable.cccd, "full_name": "Vi Văn Năm", "birth_date": "1980-01-01"}
    body = assert_error(_add(client, manager, cooperative, **facts), 422, "validation_error")
    assert body["message"]["vi"] == MISMATCH_VI
    # An officer of the province the person lives in sees them: the name is enough.
    officer = make_user("can-bo-01", Role.PROVINCIAL_OFFICER, "01")
    hanoi = OrganisationFactory(province_id="01")
    assert _add(client, officer, hanoi, **facts).status_code == 201
    slip = {**facts, "full_name": "Vi Văn Sáu"}
    assert _add(client, officer, OrganisationFactory(province_id="01"), **slip).status_code == 422
    assert AuditEntry.objects.filter(action="identity_mismatch").count() == 1  # the stranger's


def test_names_compare_without_case_spaces_or_tone_placement_but_with_diacritics():
    assert name_key("  NGUYỄN   văn  An ") == name_key("Nguyễn Văn An")
    assert name_key("Lê Văn An") != name_key("Lệ Văn An")
    assert name_key("Lê Văn An") != name_key("Le Van An")
    assert name_key("Nguyễn Thị Hoà") == name_key("Nguyễn Thị Hòa")  # old and new placement
    assert name_key("Lý Thị Thuý") == name_key("Lý Thị Thúy")
    assert name_key("\u00d0ỗ Văn Tú") == name_key("Đỗ Văn Tú")  # an eth typed for Đ
    assert name_key(unicodedata.normalize("NFD", "Đỗ Thị Hà")) == name_key("Đỗ Thị Hà")
    person = Person(full_name="Nguyễn Văn An", birth_year=1980)
    assert not facts_match(person, "nguyễn văn an", dt.date(1980, 5, 5))  # nothing to match
    person.birth_date = dt.date(1980, 5, 6)
    assert facts_match(person, "nguyễn văn an", dt.date(1980, 5, 6))
    assert not facts_match(person, "nguyễn văn an", dt.date(1980, 5, 5))


def test_audit_values_are_masked_on_the_history_until_revealed(client, db):
    officer = make_user("can-bo", Role.PROVINCIAL_OFFICER, "19")
    person = PersonFactory(province_id="19", phone="0987000111", address="Xóm Chè, Tân Cương")
    client.force_login(officer)
    url = reverse("registry:person", args=[person.pk])
    page = client.get(url).content.decode()
    assert AuditEntry.objects.filter(object_id=str(person.pk), action="create").exists()
    for secret in (person.cccd, "0987000111", "Xóm Chè"):
        assert secret not in page
    page = client.post(url, {"reveal": "1"}).content.decode()
    assert "Xóm Chè" in page and "0987000111" in page
