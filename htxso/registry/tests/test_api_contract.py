"""The API says what it does: the OpenAPI document's security, errors for every path and
method, strict times, refused unknown fields, and CSRF on session writes."""

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from htxso.core.api import api as ninja_api
from htxso.registry.models import Organisation

from .factories import OrganisationFactory
from .test_api import BASE, assert_error, create_payload, token_for

PUBLIC_READS = {
    "GET /api/v1/provinces",
    "GET /api/v1/communes",
    "GET /api/v1/organisations",
    "GET /api/v1/organisations/{pk}",
    "GET /api/v1/organisations/{pk}/status-history",
    # Published statistics (reporting/api.py): the public sees released periods only.
    "GET /api/v1/indicators",
    "GET /api/v1/indicators/{code}",
    "GET /api/v1/cells",
    "GET /api/v1/releases",
    # The public lookup of registered organisations and their certificates (registration/api.py).
    "GET /api/v1/registrations",
    # The marketplace's catalogue and the VietQR reader (marketplace/api.py).
    "GET /api/v1/market/products",
    "GET /api/v1/market/products/{pk}",
    "GET /api/v1/market/vietqr",
    # The purchase-request board (marketplace/b2b_api.py): open needs, without the buyer's name.
    "GET /api/v1/market/requests",
    "GET /api/v1/market/requests/{pk}",
    # Market prices, their series, observations and forecasts (prices/api.py).
    "GET /api/v1/prices/commodities",
    "GET /api/v1/prices/series",
    "GET /api/v1/prices/series/{pk}/observations",
    "GET /api/v1/prices/series/{pk}/forecast",
    # Traceability (traceability/api.py): public events (EPCIS query) and Digital Link reading.
    "GET /api/v1/epcis/events",
    "GET /api/v1/digital-link",
    # The steering committee's published directives and their aggregate progress (tasks/api.py).
    "GET /api/v1/public/directives",
    # The yearly forum (tasks/forum/api.py): its editions, and the answers made public (a
    # signed-in caller sees its own and its province's too).
    "GET /api/v1/forum/editions",
    "GET /api/v1/forum/recommendations",
    "GET /api/v1/forum/recommendations/{pk}",
}
CREDENTIALS: list[dict[str, list]] = [{"TokenAuth": []}, {"SessionAuth": []}]


@pytest.fixture(autouse=True)
def _no_throttling_leftovers():
    cache.clear()
    yield
    cache.clear()


def _operations() -> dict[str, dict]:
    schema = ninja_api.get_openapi_schema()
    return {
        f"{method.upper()} {path}": operation
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    }


# -- the OpenAPI document ----------------------------------------------------------------------


def test_public_reads_are_documented_as_needing_no_credentials():
    for key, operation in _operations().items():
        if key in PUBLIC_READS:
            assert operation["security"] == [*CREDENTIALS, {}], key
        else:
            assert operation["security"] == CREDENTIALS, key


def test_security_schemes_are_bearer_and_the_session_cookie():
    schemes = ninja_api.get_openapi_schema()["components"]["securitySchemes"]
    assert schemes["TokenAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schemes["TokenAuth"]["description"],
    }
    assert schemes["SessionAuth"]["type"] == "apiKey"
    assert schemes["SessionAuth"]["in"] == "cookie"


def test_every_operation_documents_its_errors():
    for key, operation in _operations().items():
        codes = {str(code) for code in operation["responses"]}
        assert {"401", "422", "429"} <= codes, key  # a bad token, a bad parameter, throttling
        if "{pk}" in key:
            assert "404" in codes, key
        if not key.startswith("GET") or key not in PUBLIC_READS:
            assert "403" in codes, key  # a role that may not, or a session write without CSRF


def test_anonymous_public_read_answers(client, db):
    assert client.get(f"{BASE}/organisations").status_code == 200


# -- every error under /api/v1/ is JSON -----------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/organisations/abc",  # the {int:pk} converter does not match
        "/organisations/1/nothing",
        "/nothing",
        "/",
        "/organisations/",
    ],
)
def test_unknown_paths_answer_the_json_404(client, db, path):
    body = assert_error(client.get(f"{BASE}{path}"), 404, "not_found")
    assert body["message"]["en"] != body["message"]["vi"]


def test_unknown_path_json_404_for_a_write_too(client, db):
    assert_error(client.post(f"{BASE}/organisations/abc", {}), 404, "not_found")


@pytest.mark.parametrize("method", ["head", "options", "trace", "delete"])
def test_unsupported_methods_answer_the_json_405(client, db, method):
    organisation = OrganisationFactory()
    response = getattr(client, method)(f"{BASE}/organisations/{organisation.pk}")
    assert response.status_code == 405
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "PUT", "PATCH"}
    assert response["Content-Type"].startswith("application/json")
    if method != "head":  # HEAD answers headers only
        assert_error(response, 405, "method_not_allowed")


def test_pages_outside_the_api_keep_their_html_404(client, db):
    response = client.get("/registry/nothing-here/")
    assert response.status_code == 404
    assert not response["Content-Type"].startswith("application/json")


# -- strict times ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["0.5", "0", "1700000000", "2025-07-01", "2025-07-01T08:00:00", "2025-07-01 08:00:00+07:00"],
)
def test_sync_times_must_be_iso_8601_with_an_offset(client, db, value):
    body = assert_error(
        client.get(f"{BASE}/organisations", {"updated_since": value}), 422, "validation_error"
    )
    [error] = body["errors"]
    assert error["field"] == "updated_since"
    assert error["message"]["vi"] == "Thời điểm không hợp lệ (định dạng ISO 8601)."
    assert error["message"]["en"] == "Invalid date and time (ISO 8601 format)."


def test_tombstones_since_is_strict_too(client, officer_19):
    response = client.get(f"{BASE}/tombstones", {"since": "0.5"}, **token_for(officer_19))
    body = assert_error(response, 422, "validation_error")
    assert [e["field"] for e in body["errors"]] == ["since"]


@pytest.mark.parametrize(
    "value", ["2025-07-01T08:00:00+07:00", "2025-07-01T01:00:00Z", "0001-01-01T00:00:00-23:59"]
)
def test_sync_times_with_an_offset_are_read(client, db, value):
    OrganisationFactory()
    response = client.get(f"{BASE}/organisations", {"updated_since": value})
    assert response.status_code == 200, response.content
    assert len(response.json()["items"]) == 1  # every one is in the past of the new row


# -- unknown and read-only fields are refused -------------------------------------------------


@pytest.mark.parametrize(
    "extra",
    [{"status": "dissolved"}, {"id": 5}, {"kind": "union"}, {"members_count": 9}, {"foo": 1}],
)
def test_patch_with_a_field_it_cannot_write_is_refused(client, officer_19, extra):
    organisation = OrganisationFactory(province_id="19")
    response = client.patch(
        f"{BASE}/organisations/{organisation.pk}",
        {"version": 1, "name": "Tên mới", **extra},
        content_type="application/json",
        **token_for(officer_19),
    )
    body = assert_error(response, 422, "validation_error")
    [error] = body["errors"]
    assert error["field"] == next(iter(extra))
    assert error["message"] == {"vi": "Trường không được phép.", "en": "This field is not allowed."}
    organisation.refresh_from_db()
    assert (organisation.name, organisation.version) != ("Tên mới", 2)


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/organisations", create_payload(status="active")),
        ("/organisations", create_payload(members_count=3)),
        (
            "/memberships",
            {"organisation_id": 1, "kind": "official", "joined_on": "2020-01-01", "x": 1},
        ),
    ],
)
def test_create_with_an_unknown_field_is_refused(client, officer_19, path, body):
    response = client.post(
        f"{BASE}{path}", body, content_type="application/json", **token_for(officer_19)
    )
    errors = assert_error(response, 422, "validation_error")["errors"]
    assert "Trường không được phép." in {e["message"]["vi"] for e in errors}
    assert not Organisation.objects.exists()


def test_put_with_status_is_refused(client, officer_19):
    organisation = OrganisationFactory(province_id="19")
    body = {**create_payload(), "version": 1, "status": "dissolved"}
    response = client.put(
        f"{BASE}/organisations/{organisation.pk}",
        body,
        content_type="application/json",
        **token_for(officer_19),
    )
    assert [e["field"] for e in assert_error(response, 422, "validation_error")["errors"]] == [
        "status"
    ]


def test_django_validator_messages_are_bilingual(client, officer_19):
    response = client.post(
        f"{BASE}/organisations",
        create_payload(email="không-phải-email"),
        content_type="application/json",
        **token_for(officer_19),
    )
    [error] = assert_error(response, 422, "validation_error")["errors"]
    assert error["field"] == "email"
    assert error["message"]["en"] == "Enter a valid email address."
    assert error["message"]["vi"] != error["message"]["en"]


def test_an_id_too_large_for_the_database_is_a_422(client, officer_19):
    huge = 2**70
    assert_error(client.get(f"{BASE}/organisations/{huge}"), 422, "validation_error")
    response = client.get(f"{BASE}/memberships", {"organisation": huge}, **token_for(officer_19))
    assert_error(response, 422, "validation_error")


# -- CSRF: the test client that enforces it, as the live server does ---------------------------


@pytest.fixture
def csrf_client() -> Client:
    return Client(enforce_csrf_checks=True)


def test_anonymous_write_without_token_is_401_not_a_csrf_403(csrf_client, db):
    response = csrf_client.post(
        f"{BASE}/organisations", create_payload(), content_type="application/json"
    )
    assert_error(response, 401, "unauthenticated")
    assert not Organisation.objects.exists()


def test_session_write_without_csrf_token_is_403_csrf_failed(csrf_client, officer_19):
    csrf_client.force_login(officer_19)
    response = csrf_client.post(
        f"{BASE}/organisations", create_payload(), content_type="application/json"
    )
    body = assert_error(response, 403, "csrf_failed")
    assert body["message"]["en"] != body["message"]["vi"]
    assert not Organisation.objects.exists()


def test_session_write_with_the_csrf_token_succeeds(csrf_client, officer_19):
    csrf_client.force_login(officer_19)
    csrf_client.get("/")  # the pages set the CSRF cookie
    token = csrf_client.cookies["csrftoken"].value
    response = csrf_client.post(
        f"{BASE}/organisations",
        create_payload(),
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 201, response.content


def test_session_read_needs_no_csrf_token(csrf_client, officer_19):
    csrf_client.force_login(officer_19)
    assert csrf_client.get(f"{BASE}/people").status_code == 200


def test_bearer_token_write_needs_no_csrf_token(csrf_client, officer_19):
    response = csrf_client.post(
        f"{BASE}/organisations",
        create_payload(),
        content_type="application/json",
        **token_for(officer_19),
    )
    assert response.status_code == 201, response.content


def test_session_page_post_without_csrf_token_is_refused(csrf_client, officer_19):
    csrf_client.force_login(officer_19)
    organisation = OrganisationFactory(province_id="19")
    response = csrf_client.post(
        reverse("registry:status", args=[organisation.pk]),
        {"status": "suspended", "effective_on": "2025-01-01"},
    )
    assert response.status_code == 403
    organisation.refresh_from_db()
    assert organisation.status != "suspended"


def test_null_only_where_the_column_may_be_empty(client, officer_19):
    # Found by schemathesis's stateful run: the schema said every PATCH field was nullable.
    organisation = OrganisationFactory(province_id="19")
    headers = token_for(officer_19)
    refused = client.patch(
        f"{BASE}/organisations/{organisation.pk}",
        {"version": 1, "established_on": None, "is_high_tech": None},
        content_type="application/json",
        **headers,
    )
    errors = assert_error(refused, 422, "validation_error")["errors"]
    assert {e["field"] for e in errors} == {"established_on", "is_high_tech"}
    accepted = client.patch(
        f"{BASE}/organisations/{organisation.pk}",
        {"version": 1, "registered_on": None, "charter_capital": None},
        content_type="application/json",
        **headers,
    )
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["registered_on"] is None
