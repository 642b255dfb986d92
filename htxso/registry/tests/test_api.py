"""The REST API `/api/v1/`: schema, tokens, error shape, lists, personal data, throttling."""

import datetime as dt
import re

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from htxso.core.api import api as ninja_api
from htxso.core.models import ApiToken, AuditEntry, Tombstone
from htxso.core.roles import Role
from htxso.core.tokens import issue_token, revoke_token
from htxso.registry.choices import OrganisationKind
from htxso.registry.models import Membership, Organisation, Person

from .conftest import make_user
from .factories import (
    HouseholdFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    valid_cccd,
    valid_tax_code,
)

BASE = "/api/v1"


@pytest.fixture(autouse=True)
def _no_throttling_leftovers():
    """Throttle histories live in the cache: every test starts and ends with a clean one."""
    cache.clear()
    yield
    cache.clear()


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def token_for(user) -> dict[str, str]:
    return bearer(issue_token(None, user, "x"))


def assert_error(response, status: int, code: str) -> dict:
    """The one error shape: {code, message: {vi, en}, errors: [{field, message}]}."""
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code
    assert set(body["message"]) >= {"vi", "en"}
    assert body["message"]["vi"] and body["message"]["en"]
    assert isinstance(body["errors"], list)
    for error in body["errors"]:
        assert "field" in error
        assert set(error["message"]) >= {"vi", "en"}
    return body


def create_payload(**overrides) -> dict:
    payload = {
        "kind": OrganisationKind.COOPERATIVE,
        "name": "HTX Nông nghiệp Đồng Hỷ API",
        "tax_code": valid_tax_code(),
        "sector": "A",
        "province_code": "19",
        "established_on": "2016-05-01",
    }
    payload.update(overrides)
    return payload


@pytest.fixture
def central_officer(db):
    return make_user("trung-uong", Role.CENTRAL_OFFICER)


# -- OpenAPI and docs ---------------------------------------------------------------------------


def test_openapi_schema_is_served(client, db):
    response = client.get(f"{BASE}/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/organisations" in schema["paths"]
    assert "/api/v1/people/{pk}" in schema["paths"]


def test_docs_page_loads_without_external_hosts(client, db):
    response = client.get(f"{BASE}/docs")
    assert response.status_code == 200
    html = response.content.decode()
    tags = re.findall(r"<(?:script|link)\b[^>]*>", html, flags=re.IGNORECASE)
    assert tags, "the docs page should load Swagger UI assets"
    for tag in tags:
        for url in re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", tag):
            assert not url.startswith(("http://", "https://", "//")), url


# -- tokens ---------------------------------------------------------------------------------------


def test_token_authenticates_and_creates_an_organisation(client, officer_19):
    headers = token_for(officer_19)
    response = client.post(
        f"{BASE}/organisations", create_payload(), content_type="application/json", **headers
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["province_code"] == "19"
    assert body["version"] == 1
    organisation = Organisation.objects.get(pk=body["id"])
    assert organisation.name == "HTX Nông nghiệp Đồng Hỷ API"
    assert AuditEntry.objects.filter(
        action="create",
        object_type="registry.organisation",
        object_id=str(organisation.pk),
        actor=officer_19,
    ).exists()
    fetched = client.get(f"{BASE}/organisations/{organisation.pk}", **headers)
    assert fetched.status_code == 200
    assert fetched.json()["name"] == organisation.name
    # The token's use is recorded.
    assert ApiToken.objects.get(user=officer_19).last_used_at is not None


def test_only_the_hash_of_a_token_is_stored(officer_19):
    key = issue_token(None, officer_19, "x")
    row = ApiToken.objects.get(user=officer_19)
    secret = key.split("_", 2)[2]
    for field in ApiToken._meta.concrete_fields:
        value = str(getattr(row, field.attname))
        assert key not in value
        assert secret not in value
    assert len(row.key_hash) == 64 and row.key_hash != key
    assert key.startswith(f"htx_{row.prefix}_")


def _assert_unauthenticated(response) -> None:
    body = assert_error(response, 401, "unauthenticated")
    assert body["message"]["en"] != body["message"]["vi"]


def test_revoked_token_is_refused(client, officer_19):
    key = issue_token(None, officer_19, "x")
    revoke_token(officer_19, ApiToken.objects.get(user=officer_19))
    response = client.post(
        f"{BASE}/organisations", create_payload(), content_type="application/json", **bearer(key)
    )
    _assert_unauthenticated(response)
    assert not Organisation.objects.exists()
    # A refused token never falls back to anonymous reads either.
    _assert_unauthenticated(client.get(f"{BASE}/organisations", **bearer(key)))


def test_expired_token_is_refused(client, officer_19):
    key = issue_token(None, officer_19, "x", expires_at=timezone.now() - dt.timedelta(seconds=1))
    _assert_unauthenticated(client.get(f"{BASE}/people", **bearer(key)))
    _assert_unauthenticated(client.get(f"{BASE}/organisations", **bearer(key)))


@pytest.mark.parametrize("garbage", ["garbage", "htx_deadbeef_notavalidsecret", "htx_"])
def test_garbage_token_is_refused(client, db, garbage):
    _assert_unauthenticated(client.get(f"{BASE}/organisations", **bearer(garbage)))


def test_inactive_user_token_is_refused(client, officer_19):
    key = issue_token(None, officer_19, "x")
    officer_19.is_active = False
    officer_19.save()
    _assert_unauthenticated(client.get(f"{BASE}/people", **bearer(key)))


# -- error shape ----------------------------------------------------------------------------------


def test_404_shape(client, db):
    body = assert_error(client.get(f"{BASE}/organisations/999999"), 404, "not_found")
    assert body["message"]["en"] != body["message"]["vi"]


def test_401_shape_for_anonymous_write(client, db):
    response = client.post(
        f"{BASE}/organisations", create_payload(), content_type="application/json"
    )
    _assert_unauthenticated(response)
    assert not Organisation.objects.exists()


def test_403_for_an_officer_of_another_province(client, officer_01):
    organisation = OrganisationFactory(province_id="19")
    response = client.patch(
        f"{BASE}/organisations/{organisation.pk}",
        {"version": organisation.version, "name": "Tên mới"},
        content_type="application/json",
        **token_for(officer_01),
    )
    assert_error(response, 403, "forbidden")
    organisation.refresh_from_db()
    assert organisation.name != "Tên mới"
    assert organisation.version == 1


def test_409_on_a_stale_version_changes_nothing(client, officer_19):
    organisation = OrganisationFactory(province_id="19")
    headers = token_for(officer_19)
    first = client.patch(
        f"{BASE}/organisations/{organisation.pk}",
        {"version": 1, "name": "Tên lần một"},
        content_type="application/json",
        **headers,
    )
    assert first.status_code == 200, first.content
    assert first.json()["version"] == 2
    audit_count = AuditEntry.objects.count()
    stale = client.patch(
        f"{BASE}/organisations/{organisation.pk}",
        {"version": 1, "name": "Tên lần hai"},
        content_type="application/json",
        **headers,
    )
    body = assert_error(stale, 409, "conflict")
    assert body["message"]["en"] != body["message"]["vi"]
    organisation.refresh_from_db()
    assert organisation.name == "Tên lần một"
    assert organisation.version == 2
    assert AuditEntry.objects.count() == audit_count


def test_422_names_the_missing_fields(client, officer_19):
    response = client.post(
        f"{BASE}/organisations",
        {"name": "Thiếu trường"},
        content_type="application/json",
        **token_for(officer_19),
    )
    body = assert_error(response, 422, "validation_error")
    fields = {error["field"] for error in body["errors"]}
    assert {"kind", "sector", "province_code", "established_on"} <= fields
    assert not Organisation.objects.exists()


def test_422_bad_tax_code_has_a_vietnamese_message(client, officer_19):
    response = client.post(
        f"{BASE}/organisations",
        create_payload(tax_code="0100109107"),  # wrong check digit
        content_type="application/json",
        **token_for(officer_19),
    )
    body = assert_error(response, 422, "validation_error")
    [error] = [e for e in body["errors"] if e["field"] == "tax_code"]
    assert re.search(
        r"[àáảãạăắằẳẵặâấầẩẫậđèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵ]",
        error["message"]["vi"].lower(),
    )
    assert not Organisation.objects.exists()


def test_422_invalid_filter_value(client, db):
    body = assert_error(
        client.get(f"{BASE}/organisations", {"kind": "xyz"}), 422, "validation_error"
    )
    assert [e["field"] for e in body["errors"]] == ["kind"]


def test_422_garbage_cursor(client, db):
    OrganisationFactory()
    body = assert_error(
        client.get(f"{BASE}/organisations", {"cursor": "!!!not-a-cursor!!!"}),
        422,
        "validation_error",
    )
    assert [e["field"] for e in body["errors"]] == ["cursor"]


def test_malformed_json_body_has_the_error_shape(client, officer_19):
    response = client.post(
        f"{BASE}/organisations",
        "{not json",
        content_type="application/json",
        **token_for(officer_19),
    )
    assert response.status_code in (400, 422)
    body = assert_error(response, response.status_code, response.json()["code"])
    assert body["code"] in ("bad_request", "validation_error")
    assert body["message"]["vi"] != body["message"]["en"]
    assert not Organisation.objects.exists()


# -- lists ----------------------------------------------------------------------------------------


def test_organisation_list_filters_like_the_page(client, db):
    target = OrganisationFactory(name="Hợp tác xã Chè Tân Cương", province_id="19")
    hanoi = OrganisationFactory(name="HTX Rau Sạch Hà Nội", province_id="01")
    household = HouseholdFactory(province_id="19")

    def ids(**params) -> set[int]:
        response = client.get(f"{BASE}/organisations", params)
        assert response.status_code == 200, response.content
        return {item["id"] for item in response.json()["items"]}

    assert ids(q="che tan cuong") == {target.pk}
    assert ids(province="01") == {hanoi.pk}
    assert ids(kind=OrganisationKind.HOUSEHOLD_BUSINESS) == {household.pk}
    assert ids(province="19", kind=OrganisationKind.COOPERATIVE) == {target.pk}
    assert ids() == {target.pk, hanoi.pk, household.pk}


def test_cursor_pagination_walks_every_row_once(client, db):
    created = {OrganisationFactory().pk for _ in range(7)}
    seen: list[int] = []
    cursor = None
    pages = 0
    while True:
        params = {"limit": 2}
        if cursor:
            params["cursor"] = cursor
        body = client.get(f"{BASE}/organisations", params).json()
        assert len(body["items"]) <= 2
        seen.extend(item["id"] for item in body["items"])
        pages += 1
        cursor = body["next_cursor"]
        if not cursor:
            break
        assert pages < 10
    assert len(seen) == len(set(seen))
    assert set(seen) == created
    assert pages >= 4


def test_updated_since_returns_later_rows_in_update_order(client, officer_19):
    old = OrganisationFactory(province_id="19")
    Organisation.objects.filter(pk=old.pk).update(updated_at=timezone.now() - dt.timedelta(days=2))
    since = timezone.now() - dt.timedelta(days=1)
    first = OrganisationFactory(province_id="19")
    second = OrganisationFactory(province_id="19")
    # Editing `first` makes it the most recently updated.
    response = client.patch(
        f"{BASE}/organisations/{first.pk}",
        {"version": 1, "name": "Đã sửa sau"},
        content_type="application/json",
        **token_for(officer_19),
    )
    assert response.status_code == 200
    cache.clear()
    body = client.get(f"{BASE}/organisations", {"updated_since": since.isoformat()}).json()
    ids = [item["id"] for item in body["items"]]
    assert ids == [second.pk, first.pk]
    stamps = [item["updated_at"] for item in body["items"]]
    assert stamps == sorted(stamps)
    # Walking with a cursor keeps the order and the filter.
    page = client.get(
        f"{BASE}/organisations", {"updated_since": since.isoformat(), "limit": 1}
    ).json()
    assert [i["id"] for i in page["items"]] == [second.pk]
    rest = client.get(
        f"{BASE}/organisations",
        {"updated_since": since.isoformat(), "limit": 1, "cursor": page["next_cursor"]},
    ).json()
    assert [i["id"] for i in rest["items"]] == [first.pk]


def test_provinces_and_communes(client, db):
    provinces = client.get(f"{BASE}/provinces").json()
    assert len(provinces) == 34
    communes = client.get(f"{BASE}/communes", {"province": "19"}).json()
    assert communes and all(c["province_code"] == "19" for c in communes)
    assert_error(client.get(f"{BASE}/communes"), 422, "validation_error")


# -- people ---------------------------------------------------------------------------------------


def test_people_need_authentication(client, db):
    PersonFactory()
    _assert_unauthenticated(client.get(f"{BASE}/people"))


def test_people_are_masked_in_lists_and_details(client, officer_19):
    person = PersonFactory(province_id="19", birth_date=dt.date(1980, 4, 2), phone="0912345678")
    headers = token_for(officer_19)
    masked = person.cccd[:3] + "*" * 7 + person.cccd[-2:]
    body = client.get(f"{BASE}/people", **headers).json()
    [item] = body["items"]
    assert item["cccd"] == masked
    assert item["birth_date"] is None
    assert item["masked"] is True
    assert item["phone"] != "0912345678"
    detail = client.get(f"{BASE}/people/{person.pk}", **headers).json()
    assert detail["cccd"] == masked
    assert detail["birth_date"] is None
    assert detail["masked"] is True
    assert not AuditEntry.objects.filter(action="reveal").exists()


def test_reveal_by_a_provincial_officer_is_logged(client, officer_19):
    person = PersonFactory(province_id="19", birth_date=dt.date(1980, 4, 2))
    response = client.get(f"{BASE}/people/{person.pk}", {"reveal": "true"}, **token_for(officer_19))
    assert response.status_code == 200
    body = response.json()
    assert body["cccd"] == person.cccd
    assert body["birth_date"] == "1980-04-02"
    assert body["masked"] is False
    entry = AuditEntry.objects.get(action="reveal")
    assert entry.actor == officer_19
    assert entry.object_type == "registry.person"
    assert entry.object_id == str(person.pk)


def test_reveal_by_a_central_officer_is_forbidden(client, central_officer):
    person = PersonFactory(province_id="19")
    headers = token_for(central_officer)
    assert client.get(f"{BASE}/people/{person.pk}", **headers).status_code == 200
    response = client.get(f"{BASE}/people/{person.pk}", {"reveal": "true"}, **headers)
    body = assert_error(response, 403, "forbidden")
    assert person.cccd not in response.content.decode()
    assert body["message"]["en"] != body["message"]["vi"]
    assert not AuditEntry.objects.filter(action="reveal").exists()


def test_person_of_another_province_is_not_found(client, officer_01):
    person = PersonFactory(province_id="19")
    headers = token_for(officer_01)
    assert_error(client.get(f"{BASE}/people/{person.pk}", **headers), 404, "not_found")
    response = client.get(f"{BASE}/people/{person.pk}", {"reveal": "true"}, **headers)
    assert_error(response, 404, "not_found")
    assert not AuditEntry.objects.filter(action="reveal").exists()
    assert client.get(f"{BASE}/people", **headers).json()["items"] == []


def test_people_are_not_created_on_their_own(client, officer_19):
    # Recorded by adding them as members (services.identity): on their own, a CCCD would be a
    # question "is this number registered?".
    response = client.post(
        f"{BASE}/people",
        {"cccd": valid_cccd(), "full_name": "Trần Thị API", "province_code": "19"},
        content_type="application/json",
        **token_for(officer_19),
    )
    assert response.status_code == 405
    assert Person.objects.count() == 0


def test_text_with_a_nul_character_is_refused_in_vietnamese(client, officer_19):
    # Found by schemathesis on PostgreSQL, which cannot store NUL: it was a 500.
    body = {
        "organisation_id": OrganisationFactory(province_id="19").pk,
        "person": {"cccd": valid_cccd(), "full_name": "Trần\u0000Thị", "birth_date": "1980-01-01"},
        "kind": "official",
        "joined_on": "2021-01-04",
    }
    response = client.post(
        f"{BASE}/memberships", body, content_type="application/json", **token_for(officer_19)
    )
    assert response.status_code == 422, response.content
    assert response.json()["message"]["vi"] == "Dữ liệu có ký tự NUL, không hợp lệ."
    assert Person.objects.count() == 0


# -- memberships ----------------------------------------------------------------------------------


def test_membership_lifecycle(client, officer_19):
    organisation = OrganisationFactory(province_id="19")
    person = PersonFactory(province_id="19")
    other = PersonFactory(province_id="19")
    headers = token_for(officer_19)
    before = timezone.now() - dt.timedelta(seconds=1)

    response = client.post(
        f"{BASE}/memberships",
        {
            "organisation_id": organisation.pk,
            "person_id": person.pk,
            "kind": "official",
            "joined_on": "2020-01-01",
        },
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 201, response.content
    membership_id = response.json()["id"]
    organisation.refresh_from_db()
    assert organisation.members_count == 1

    ended = client.post(
        f"{BASE}/memberships/{membership_id}/end",
        {"left_on": "2023-06-30"},
        content_type="application/json",
        **headers,
    )
    assert ended.status_code == 200, ended.content
    assert ended.json()["left_on"] == "2023-06-30"
    organisation.refresh_from_db()
    assert organisation.members_count == 0

    second = MembershipFactory(organisation=organisation, person=other)
    organisation.refresh_from_db()
    assert organisation.members_count == 1
    deleted = client.delete(f"{BASE}/memberships/{second.pk}", **headers)
    assert deleted.status_code == 204
    assert not Membership.objects.filter(pk=second.pk).exists()
    organisation.refresh_from_db()
    assert organisation.members_count == 0

    tombstones = client.get(f"{BASE}/tombstones", {"since": before.isoformat()}, **headers).json()
    # Tombstones are scoped like the deleted rows: anonymous callers get none.
    assert client.get(f"{BASE}/tombstones", {"since": before.isoformat()}).status_code == 401
    assert {"object_type": "registry.membership", "object_id": str(second.pk)} in [
        {k: t[k] for k in ("object_type", "object_id")} for t in tombstones["items"]
    ]
    later = client.get(
        f"{BASE}/tombstones",
        {"since": (timezone.now() + dt.timedelta(hours=1)).isoformat()},
        **headers,
    ).json()
    assert later["items"] == []
    assert Tombstone.objects.count() == 1


def test_membership_of_another_province_cannot_be_deleted(client, officer_01):
    membership = MembershipFactory()
    response = client.delete(f"{BASE}/memberships/{membership.pk}", **token_for(officer_01))
    assert_error(response, 404, "not_found")
    assert Membership.objects.filter(pk=membership.pk).exists()


# -- throttling -----------------------------------------------------------------------------------


def _throttle(kind):
    [throttle] = [t for t in ninja_api.throttle if isinstance(t, kind)]
    return throttle


def _limited_to_three(kind):
    """One of the API's throttles, limited to 3 requests a minute for one test."""
    throttle = _throttle(kind)
    saved = (throttle.num_requests, throttle.duration)
    throttle.num_requests, throttle.duration = 3, 60
    cache.clear()
    yield throttle
    throttle.num_requests, throttle.duration = saved
    cache.clear()


@pytest.fixture
def auth_throttle_of_three():
    from ninja.throttling import AuthRateThrottle

    yield from _limited_to_three(AuthRateThrottle)


def _assert_rate_limited(response) -> None:
    body = assert_error(response, 429, "rate_limited")
    assert body["message"]["en"] != body["message"]["vi"]
    assert int(response["Retry-After"]) > 0


def test_anonymous_requests_are_rate_limited(client, db):
    from ninja.throttling import AnonRateThrottle

    throttle = _throttle(AnonRateThrottle)
    assert throttle.rate == settings.API_RATE_ANONYMOUS
    saved = (throttle.num_requests, throttle.duration)
    allowed = throttle.num_requests
    if allowed is None or allowed > 150:
        throttle.num_requests, throttle.duration = 5, 60
        allowed = 5
    try:
        for _ in range(allowed):
            assert client.get(f"{BASE}/organisations").status_code == 200
        _assert_rate_limited(client.get(f"{BASE}/organisations"))
    finally:
        throttle.num_requests, throttle.duration = saved
        cache.clear()


def test_rate_limit_answers_429_in_the_error_shape(client, officer_19, auth_throttle_of_three):
    headers = token_for(officer_19)
    for _ in range(3):
        assert client.get(f"{BASE}/provinces", **headers).status_code == 200
    _assert_rate_limited(client.get(f"{BASE}/provinces", **headers))
    # Another user has a bucket of their own.
    other = make_user("can-bo-19-b", Role.PROVINCIAL_OFFICER, "19")
    assert client.get(f"{BASE}/provinces", **token_for(other)).status_code == 200


@pytest.fixture
def anon_throttle_of_three():
    from ninja.throttling import AnonRateThrottle

    yield from _limited_to_three(AnonRateThrottle)


def test_anonymous_clients_do_not_share_one_bucket(client, db, anon_throttle_of_three):
    for _ in range(3):
        client.get(f"{BASE}/provinces", REMOTE_ADDR="203.0.113.1")
    _assert_rate_limited(client.get(f"{BASE}/provinces", REMOTE_ADDR="203.0.113.1"))
    response = client.get(f"{BASE}/provinces", REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 200


def test_a_forged_forwarded_address_is_no_fresh_bucket(client, db, anon_throttle_of_three):
    # Without a trusted proxy (TRUSTED_PROXY_COUNT=0) the TCP peer is the client.
    for n in range(3):
        client.get(
            f"{BASE}/provinces", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}"
        )
    response = client.get(
        f"{BASE}/provinces", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="10.9.9.9"
    )
    _assert_rate_limited(response)


# Property-based tests over the whole OpenAPI document: test_api_schemathesis.py.
