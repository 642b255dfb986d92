"""The reporting API through HTTP: each role's view of reports and of the cube's cells, the
report workflow through the services (versions, 409, Vietnamese messages), and filter values
refused in the one error shape (reporting/api.py, core/api_filters.py)."""

import pytest
from django.core.cache import cache

from htxso.core.models import AuditEntry
from htxso.registry.tests.factories import OrganisationFactory
from htxso.registry.tests.test_api import assert_error, token_for
from htxso.reporting import services
from htxso.reporting.models import Report, ReportStatus

from .conftest import LAST_YEAR, THIS_YEAR, good_values

BASE = "/api/v1"


@pytest.fixture(autouse=True)
def _no_throttling_leftovers():
    cache.clear()
    yield
    cache.clear()


def _get(client, user, path: str, **params):
    headers = token_for(user) if user is not None else {}
    return client.get(f"{BASE}{path}", params, **headers)


def _send(client, user, method: str, path: str, body: dict):
    send = getattr(client, method)
    return send(f"{BASE}{path}", body, content_type="application/json", **token_for(user))


def _ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["items"]}


def _approved(actor, reviewer, annual, org, **values) -> Report:
    report = services.open_report(actor, annual, LAST_YEAR, org)
    services.save_values(actor, report.pk, good_values(**values))
    services.submit(actor, report.pk)
    return services.approve(reviewer, report.pk)


# -- who sees which reports ----------------------------------------------------------------------


def test_each_role_sees_its_reports(client, annual, htx, manager, officer_19, officer_01, central):
    own = services.open_report(None, annual, LAST_YEAR, htx)
    neighbour = services.open_report(None, annual, LAST_YEAR, OrganisationFactory(province_id="19"))
    hanoi = services.open_report(None, annual, LAST_YEAR, OrganisationFactory(province_id="01"))
    assert _ids(_get(client, manager, "/reports")) == {own.pk}  # own organisation's
    assert _ids(_get(client, officer_19, "/reports")) == {own.pk, neighbour.pk}
    assert _ids(_get(client, officer_01, "/reports")) == {hanoi.pk}
    assert _ids(_get(client, central, "/reports")) == {own.pk, neighbour.pk, hanoi.pk}
    assert _ids(_get(client, central, "/reports", province="01")) == {hanoi.pk}
    assert _ids(_get(client, central, "/reports", organisation=htx.pk)) == {own.pk}
    assert _ids(_get(client, central, "/reports", status="submitted")) == set()
    assert _ids(_get(client, central, "/reports", form="htx-annual", period=LAST_YEAR)) == {
        own.pk,
        neighbour.pk,
        hanoi.pk,
    }
    # Another province's report is not found, not forbidden; the public sees no report.
    assert_error(_get(client, officer_01, f"/reports/{own.pk}"), 404, "not_found")
    assert_error(_get(client, None, "/reports"), 401, "unauthenticated")
    body = _get(client, manager, f"/reports/{own.pk}").json()
    assert (body["form"], body["period"], body["status"]) == ("htx-annual", LAST_YEAR, "draft")
    assert body["province_code"] == "19" and body["version"] == 1


def test_bad_filter_values_are_422_naming_the_field(client, annual, central):
    for params, field in (
        ({"status": "xyz"}, "status"),
        ({"period": "2025S3"}, "period"),
        ({"province": "99"}, "province"),
        ({"organisation": "abc"}, "organisation"),
        ({"cursor": "!!!"}, "cursor"),
    ):
        body = assert_error(_get(client, central, "/reports", **params), 422, "validation_error")
        assert [e["field"] for e in body["errors"]] == [field], params
    body = assert_error(_get(client, None, "/cells", area="99"), 422, "validation_error")
    assert body["errors"][0]["message"]["vi"] == "Mã địa bàn không tồn tại."
    body = assert_error(_get(client, None, "/cells", kind="htx"), 422, "validation_error")
    assert [e["field"] for e in body["errors"]] == ["kind"]


# -- the workflow through the services -----------------------------------------------------------


def test_open_fill_submit_approve_with_versions(client, annual, htx, manager, officer_19):
    opened = _send(
        client, manager, "post", "/reports",
        {"form": "htx-annual", "period": LAST_YEAR, "organisation_id": htx.pk},
    )  # fmt: skip
    assert opened.status_code == 201, opened.content
    report = opened.json()
    path = f"/reports/{report['id']}"
    assert report["values"]["members"] == htx.members_count  # prefilled from the registry
    saved = _send(client, manager, "put", f"{path}/values", {"version": 1, "values": good_values()})
    assert saved.status_code == 200, saved.content
    assert saved.json()["version"] == 2 and saved.json()["values"]["revenue"] == 1250
    # A stale version: 409, nothing written.
    stale = _send(client, manager, "put", f"{path}/values", {"version": 1, "values": {"costs": 1}})
    assert_error(stale, 409, "conflict")
    assert Report.objects.get(pk=report["id"]).values["costs"] == 1100
    submitted = _send(client, manager, "post", f"{path}/submit", {"version": 2})
    assert submitted.status_code == 200, submitted.content
    assert submitted.json()["status"] == ReportStatus.SUBMITTED
    # Submitting twice: the report is no longer editable.
    again = _send(client, manager, "post", f"{path}/submit", {"version": 3})
    body = assert_error(again, 422, "validation_error")
    assert body["message"]["vi"] == "Báo cáo đã nộp hoặc đã duyệt: không sửa được."
    # The manager is not the reviewer; the province is.
    assert_error(
        _send(client, manager, "post", f"{path}/approve", {"version": 3}), 403, "forbidden"
    )
    approved = _send(client, officer_19, "post", f"{path}/approve", {"version": 3})
    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == ReportStatus.APPROVED
    actions = AuditEntry.objects.filter(object_type="reporting.report", object_id=str(report["id"]))
    assert set(actions.values_list("action", flat=True)) == {
        "create",
        "update",
        "submit",
        "approve",
    }


def test_refusals_carry_the_pages_messages(client, annual, htx, manager, officer_19, officer_01):
    report = services.open_report(manager, annual, LAST_YEAR, htx)
    path = f"/reports/{report.pk}"
    wrong = _send(
        client, manager, "put", f"{path}/values", {"version": 1, "values": {"workers": "1,5"}}
    )
    body = assert_error(wrong, 422, "validation_error")
    assert [e["field"] for e in body["errors"]] == ["values.workers"]
    not_started = _send(
        client, manager, "post", "/reports",
        {"form": "htx-annual", "period": str(int(THIS_YEAR) + 1), "organisation_id": htx.pk},
    )  # fmt: skip
    body = assert_error(not_started, 422, "validation_error")
    assert body["errors"] == [{"field": "period", "message": body["message"]}]
    assert body["message"]["vi"] == "Chưa đến kỳ báo cáo này."
    services.save_values(manager, report.pk, good_values())
    services.submit(manager, report.pk)
    no_reason = _send(client, officer_19, "post", f"{path}/return", {"version": 3, "comment": " "})
    assert assert_error(no_reason, 422, "validation_error")["errors"][0]["field"] == "comment"
    # Another province's officer does not even see the report.
    assert_error(
        _send(client, officer_01, "post", f"{path}/approve", {"version": 3}), 404, "not_found"
    )
    returned = _send(
        client, officer_19, "post", f"{path}/return", {"version": 3, "comment": "Thiếu số liệu."}
    )
    assert returned.status_code == 200 and returned.json()["status"] == ReportStatus.RETURNED
    assert returned.json()["comment"] == "Thiếu số liệu."


# -- statistics ----------------------------------------------------------------------------------


def _revenue_cells(client, user, **params) -> dict[str, int]:
    response = _get(client, user, "/cells", indicator="revenue", kind="_T", sector="_T", **params)
    assert response.status_code == 200, response.content
    return {c["area"]: c["value"] for c in response.json()["items"] if c["status"] == "_T"}


def test_public_cells_are_released_and_small_cells_suppressed(
    client, annual, officer_19, officer_01, central
):
    for _ in range(2):
        _approved(officer_19, officer_19, annual, OrganisationFactory(province_id="19"))
    assert _revenue_cells(client, central, period=LAST_YEAR) == {"19": 2500, "VN": 2500}
    assert _revenue_cells(client, officer_19, period=LAST_YEAR) == {"19": 2500}  # own, live
    assert _revenue_cells(client, officer_01, period=LAST_YEAR) == {}  # not released
    assert _revenue_cells(client, None, period=LAST_YEAR) == {}
    released = _send(client, central, "post", "/releases", {"period": LAST_YEAR})
    assert released.status_code == 201, released.content
    assert _revenue_cells(client, None, period=LAST_YEAR) == {}  # two cooperatives' figures
    counts = _get(client, None, "/cells", indicator="reports_approved", area="19")
    assert counts.json()["items"]  # what a figure rests on stays public
    _approved(officer_19, officer_19, annual, OrganisationFactory(province_id="19"))
    assert _revenue_cells(client, None, period=LAST_YEAR) == {"19": 3750, "VN": 3750}
    assert LAST_YEAR in {r["period"] for r in _get(client, None, "/releases").json()}
    twice = _send(client, central, "post", "/releases", {"period": LAST_YEAR})
    assert_error(twice, 422, "validation_error")
    assert_error(
        _send(client, officer_19, "post", "/releases", {"period": "2020"}), 403, "forbidden"
    )


def test_indicators_and_completeness(client, annual, htx, officer_19, officer_01, central):
    codes = {i["code"] for i in _get(client, None, "/indicators").json()}
    assert "revenue" in codes
    assert _get(client, None, "/indicators/revenue").json()["unit"]
    assert_error(_get(client, None, "/indicators/no-such"), 404, "not_found")
    own = _get(client, officer_19, "/completeness", form="htx-annual", period=LAST_YEAR)
    assert own.status_code == 200, own.content
    assert [r["province_code"] for r in own.json()["rows"]] == ["19"]
    everyone = _get(client, central, "/completeness", form="htx-annual", period=LAST_YEAR)
    assert len(everyone.json()["rows"]) == 34
    other = _get(client, officer_19, "/completeness", form="htx-annual", province="01")
    assert_error(other, 403, "forbidden")
    wrong = _get(client, central, "/completeness", form="htx-annual", period=f"{LAST_YEAR}S1")
    assert assert_error(wrong, 422, "validation_error")["errors"][0]["field"] == "period"
