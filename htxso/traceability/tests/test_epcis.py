"""EPCIS 2.0 capture and query over the API: the official examples round-trip, the invalid ones
are refused with a message per event and nothing written, the query parameters and paging,
and every event the platform emits validates against the official schema."""

import copy
import datetime as dt

import pytest

from htxso.core.models import AuditEntry
from htxso.core.tokens import issue_token
from htxso.registry.tests.conftest import make_user
from htxso.traceability import epcis, services
from htxso.traceability.models import Event, EventEpc

from .conftest import DATA, GTIN, load

EXAMPLES = sorted(p.name for p in (DATA / "examples").iterdir())
INVALID = sorted(p.name for p in (DATA / "invalid").iterdir())


def _auth(user):
    return {"Authorization": f"Bearer {issue_token(user, user, 'epcis')}"}


def _capture(client, user, org, document, public=False):
    return client.post(
        f"/api/v1/epcis/capture?organisation_id={org.pk}&public={str(public).lower()}",
        document,
        content_type="application/ld+json",
        headers=_auth(user),
    )


@pytest.mark.parametrize("name", EXAMPLES)
def test_the_official_examples_round_trip(client, coop, name):
    document = load(f"examples/{name}")
    sent = copy.deepcopy(document["epcisBody"]["eventList"])
    reply = _capture(client, coop.manager, coop.org, document)
    assert reply.status_code == 201, reply.json()
    assert reply.json()["events"] == len(sent)
    answer = client.get("/api/v1/epcis/events?perPage=100", headers=_auth(coop.manager))
    assert answer.status_code == 200
    result = answer.json()
    assert epcis.is_valid(result), epcis.problems(result)
    got = result["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    for event in got:
        if event.get("recordTime") and "recordTime" not in sent[got.index(event)]:
            del event["recordTime"]
    by_time = sorted(sent, key=lambda e: epcis.parse_time(e["eventTime"]))
    assert got == by_time
    for entry in document["@context"]:  # the extension prefixes come back with the events
        assert entry in result["@context"]


@pytest.mark.parametrize("name", INVALID)
def test_the_official_invalid_documents_are_refused_with_a_reason(client, coop, name):
    reply = _capture(client, coop.manager, coop.org, load(f"invalid/{name}"))
    assert reply.status_code == 422
    body = reply.json()
    assert body["code"] == "validation_error"
    assert body["message"]["vi"]
    assert all("không hợp lệ" in e["message"]["vi"] for e in body["errors"])
    assert not Event.objects.exists() and not EventEpc.objects.exists()
    assert not AuditEntry.objects.filter(action="epcis_capture").exists()


def _harvest_event(i, time="2026-05-01T07:00:00+07:00"):
    return {
        "type": "ObjectEvent",
        "eventID": f"urn:uuid:00000000-0000-4000-8000-{i:012d}",
        "eventTime": time,
        "eventTimeZoneOffset": "+07:00",
        "action": "ADD",
        "bizStep": "commissioning",
        "quantityList": [
            {"epcClass": f"https://id.gs1.org/01/0{GTIN}/10/L{i}", "quantity": 5, "uom": "KGM"}
        ],
        "bizLocation": {"id": "https://id.gs1.org/414/0123456789128"},
    }


def test_one_bad_event_refuses_the_whole_document_naming_each_bad_event(client, coop):
    events = [_harvest_event(i) for i in range(5)]
    events[1]["eventTime"] = "01/05/2026"
    events[3]["action"] = "MAYBE"
    reply = _capture(client, coop.manager, coop.org, epcis.document(events))
    assert reply.status_code == 422
    messages = [e["message"]["vi"] for e in reply.json()["errors"]]
    assert any(m.startswith("Sự kiện thứ 2 không hợp lệ") for m in messages)
    assert any(m.startswith("Sự kiện thứ 4 không hợp lệ") for m in messages)
    assert not any("thứ 1 " in m or "thứ 3 " in m or "thứ 5 " in m for m in messages)
    assert not Event.objects.exists()


def test_an_event_captured_twice_is_refused_and_nothing_else_written(client, coop):
    assert (
        _capture(client, coop.manager, coop.org, epcis.document([_harvest_event(1)])).status_code
        == 201
    )
    again = epcis.document([_harvest_event(2), _harvest_event(1)])
    reply = _capture(client, coop.manager, coop.org, again)
    assert reply.status_code == 422
    assert "Sự kiện thứ 2" in reply.json()["message"]["vi"]
    assert Event.objects.count() == 1


def test_who_may_capture(client, coop):
    document = epcis.document([_harvest_event(1)])
    assert client.post(
        f"/api/v1/epcis/capture?organisation_id={coop.org.pk}", document,
        content_type="application/json",
    ).status_code == 401  # fmt: skip
    assert _capture(client, coop.manager_01, coop.org, document).status_code == 403
    assert _capture(client, coop.officer, coop.org, document).status_code == 403
    assert not Event.objects.exists()
    assert _capture(client, coop.manager, coop.org, document).status_code == 201
    assert AuditEntry.objects.filter(action="epcis_capture", actor=coop.manager).count() == 1


def test_a_capture_that_is_not_an_object_is_a_422(client, coop):
    reply = client.post(
        f"/api/v1/epcis/capture?organisation_id={coop.org.pk}", [1, 2],
        content_type="application/json", headers=_auth(coop.manager),
    )  # fmt: skip
    assert reply.status_code == 422


def _query(client, user, **params):
    reply = client.get("/api/v1/epcis/events", params, headers=_auth(user) if user else {})
    assert reply.status_code == 200, reply.json()
    return reply


def _ids(reply):
    return [
        e["eventID"][-3:]
        for e in reply.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    ]


def test_query_by_epc_step_time_location_and_paging(client, coop):
    events = [_harvest_event(i, f"2026-05-{i + 1:02d}T07:00:00+07:00") for i in range(1, 8)]
    events[2]["bizStep"] = "shipping"
    events[4]["bizLocation"] = {"id": "urn:epc:id:sgln:0614141.00888.0"}
    _capture(client, coop.manager, coop.org, epcis.document(events), public=True)
    user = coop.manager
    assert _ids(_query(client, user, MATCH_anyEPC=f"https://id.gs1.org/01/0{GTIN}/10/L2")) == [
        "002"
    ]
    assert _ids(_query(client, user, MATCH_anyEPC="urn:epc:class:lgtin:893000.0000001.L2")) == [
        "002"
    ]
    assert _ids(_query(client, user, EQ_bizStep="shipping")) == ["003"]
    assert _ids(_query(client, user, EQ_bizStep="https://ref.gs1.org/cbv/BizStep-shipping")) == [
        "003"
    ]
    assert _ids(_query(client, user, EQ_bizLocation="https://id.gs1.org/414/0123456789128")) == [
        "001",
        "002",
        "003",
        "004",
        "006",
        "007",
    ]
    assert _ids(
        _query(
            client,
            user,
            GE_eventTime="2026-05-03T00:00:00+07:00",
            LT_eventTime="2026-05-05T00:00:00+07:00",
        )
    ) == ["002", "003"]
    first = _query(client, None, perPage=3)  # the public: marked public
    assert _ids(first) == ["001", "002", "003"]
    link = first["Link"]
    token = link.split("nextPageToken=")[1].split(">")[0].split("&")[0]
    second = _query(client, None, perPage=3, nextPageToken=token)
    assert _ids(second) == ["004", "005", "006"]


def test_private_events_stay_with_their_cooperative(client, coop):
    _capture(client, coop.manager, coop.org, epcis.document([_harvest_event(1)]), public=False)
    assert _ids(_query(client, None)) == []
    assert _ids(_query(client, coop.manager_01)) == []
    assert _ids(_query(client, coop.officer)) == ["001"]  # the province's officer
    officer_01 = make_user("can-bo-01", "provincial_officer", "01")
    assert _ids(_query(client, officer_01)) == []


@pytest.mark.parametrize(
    "params",
    [{"GE_eventTime": "2026-05-01T07:00:00"}, {"GE_eventTime": "hôm qua"},
     {"nextPageToken": "không-phải-mã"}, {"eventType": "Bogus"}, {"perPage": "0"}],
)  # fmt: skip
def test_bad_query_parameters_are_a_422_never_a_500(client, coop, params):
    reply = client.get("/api/v1/epcis/events", params)
    assert reply.status_code == 422
    assert reply.json()["message"]["vi"]


def test_every_event_the_platform_emits_validates(coop):
    harvest = services.record_harvest(
        coop.manager, coop.crop.pk, coop.product.pk, "LO-01", dt.date(2026, 5, 2), 300
    )
    when = dt.datetime(2026, 5, 3, 9, tzinfo=dt.UTC)
    out = services.transform(
        coop.manager, coop.org.pk, [(GTIN, "LO-01", 300)], [(GTIN, "LO-02", 250)], when
    )
    packed = services.pack(
        coop.manager, coop.org.pk, "089300000000000019", [(GTIN, "LO-02", 250)], when
    )
    shipped = services.ship(
        coop.manager, coop.org.pk, ["089300000000000019"], when, location_gln="0123456789128"
    )
    bodies = [harvest.event.body, out.body, packed.body, shipped.body]
    document = epcis.document(bodies)
    assert epcis.problems(document) == []
    assert [b["type"] for b in bodies] == [
        "ObjectEvent",
        "TransformationEvent",
        "AggregationEvent",
        "ObjectEvent",
    ]


def test_a_leap_second_is_refused_not_a_500(client, coop):
    event = _harvest_event(1, "2026-12-31T23:59:60Z")
    reply = _capture(client, coop.manager, coop.org, epcis.document([event]))
    assert reply.status_code == 422
    assert reply.json()["errors"][0]["field"] == "epcisBody.eventList[0].eventTime"
    lower = _harvest_event(2, "2026-05-01t07:00:00z")
    assert _capture(client, coop.manager, coop.org, epcis.document([lower])).status_code == 201


def test_every_step_and_disposition_the_pages_name_is_one_the_schema_accepts():
    """CBV 2.0 has no "recalling" step (a recall is the disposition "recalled")."""
    from htxso.traceability.steps import STEPS

    definitions = epcis.schema()["definitions"]
    steps = next(a["enum"] for a in definitions["bizStep"]["anyOf"] if "enum" in a)
    dispositions = next(a["enum"] for a in definitions["disposition"]["anyOf"] if "enum" in a)
    assert set(epcis.BIZ_STEPS) <= set(steps) and set(STEPS) <= set(steps)
    assert "recalling" not in steps and "recalling" not in STEPS
    assert set(epcis.DISPOSITIONS) <= set(dispositions)
