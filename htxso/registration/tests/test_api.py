"""The office's steps and the founder's withdrawal over the API: the same services as the
page's buttons (permissions, state machine, versions, the registry written on approval)."""

from typing import Any

from htxso.core.tokens import issue_token
from htxso.registration import services
from htxso.registration.models import Application
from htxso.registry.models import Organisation

from .conftest import complete


def _bearer(user: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(user, user, 'cổng khác')}"}


def _post(client: Any, user: Any, path: str, body: dict) -> Any:
    return client.post(path, body, content_type="application/json", headers=_bearer(user))


def _submitted(founder: Any) -> Application:
    application = complete(founder)
    return services.submit(founder, application.pk, application.version)


def test_an_office_takes_and_approves_a_case(client, founder, office_19):
    application = _submitted(founder)
    url = f"/api/v1/applications/{application.pk}/decision"
    taken = _post(client, office_19, url, {"version": application.version, "action": "take"})
    assert taken.status_code == 200, taken.content
    assert taken.json()["status"] == "in_review"
    approved = _post(
        client, office_19, url, {"version": taken.json()["version"], "action": "approve"}
    )
    assert approved.status_code == 200, approved.content
    data = approved.json()
    assert data["status"] == "approved"
    organisation = Organisation.objects.get(name="Hợp tác xã Chè Tân Cương")
    assert organisation.members_count == 5 and organisation.tax_code
    assert [e["action"] for e in data["events"]][-2:] == ["take", "approve"]


def test_refusing_needs_a_reason_and_corrections_a_list(client, founder, office_19):
    application = _submitted(founder)
    url = f"/api/v1/applications/{application.pk}/decision"
    version = _post(client, office_19, url, {"version": application.version, "action": "take"})
    version = version.json()["version"]
    for action, field in (("refuse", "reason"), ("ask_corrections", "corrections")):
        refused = _post(client, office_19, url, {"version": version, "action": action})
        assert refused.status_code == 422, refused.content
        assert refused.json()["errors"][0]["field"] == field
    application.refresh_from_db()
    assert application.status == "in_review" and application.version == version
    asked = _post(
        client,
        office_19,
        url,
        {"version": version, "action": "ask_corrections", "note": "Bổ sung điều lệ có chữ ký."},
    )
    assert asked.status_code == 200 and asked.json()["status"] == "needs_correction"


def test_decisions_are_the_offices_and_versions_are_checked(client, founder, office_19, office_01):
    application = _submitted(founder)
    url = f"/api/v1/applications/{application.pk}/decision"
    body = {"version": application.version, "action": "take"}
    assert _post(client, founder, url, body).status_code == 403  # the founder sees, not decides
    assert _post(client, office_01, url, body).status_code == 404  # another province
    stale = _post(client, office_19, url, {**body, "version": application.version + 1})
    assert stale.status_code == 409
    unknown = _post(client, office_19, url, {**body, "action": "stamp"})
    assert unknown.status_code == 422
    application.refresh_from_db()
    assert application.status == "submitted"


def test_the_founder_withdraws_before_a_decision_and_not_after(client, founder, office_19):
    application = _submitted(founder)
    url = f"/api/v1/applications/{application.pk}/withdraw"
    assert _post(client, office_19, url, {"version": application.version}).status_code == 403
    withdrawn = _post(client, founder, url, {"version": application.version, "reason": "Đổi ý"})
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    again = _post(client, founder, url, {"version": withdrawn.json()["version"]})
    assert again.status_code == 422
