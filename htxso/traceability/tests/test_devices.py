"""Attaching a device (a GIAI: a temperature logger) to a pallet or a lot from the packing and
shipping page, detaching it, with its readings: EPCIS 2.0 AssociationEvents with a
sensorElementList, schema-valid, audited; a wrong entry says why and writes nothing."""

from htxso.core.gs1 import check_digit, lot_uri, sscc_uri
from htxso.core.models import AuditEntry
from htxso.traceability import epcis
from htxso.traceability.models import Event, EventEpc

from .conftest import GTIN

LOGGER = "8930000NHIETKE01"


def _sscc(n: int) -> str:
    body = f"0893000000{n:07d}"
    return body + check_digit(body)


def _post(client, data):
    return client.post(
        "/traceability/write/associate/", {f"associate-{k}": v for k, v in data.items()}
    )


def test_attach_a_logger_with_readings_then_detach_it(client, coop):
    client.force_login(coop.manager)
    page = client.get("/traceability/").content.decode()
    assert "Gắn/tháo thiết bị" in page and "GIAI của thiết bị" in page
    audits = AuditEntry.objects.count()
    steps = [
        {"action": "attach", "device": LOGGER, "target": _sscc(9), "happened_on": "04/05/2026",
         "temperature": "4,5", "humidity": "85"},
        {"action": "attach", "device": "8930000THUNG-07", "target": f"{GTIN}/LO-01",
         "happened_on": "04/05/2026"},
        {"action": "detach", "device": LOGGER, "target": _sscc(9), "happened_on": "07/05/2026",
         "temperature": "-18"},
    ]  # fmt: skip
    for data in steps:
        reply = _post(client, data)
        assert reply.status_code == 302, reply.content.decode()[-800:]
    events = list(Event.objects.filter(type="AssociationEvent").order_by("event_time", "pk"))
    assert len(events) == 3 and epcis.is_valid(epcis.document([e.body for e in events]))
    attach, crate, detach = (e.body for e in events)
    device = f"https://id.gs1.org/8004/{LOGGER}"
    assert (attach["action"], attach["bizStep"], attach["parentID"]) == (
        "ADD",
        "assembling",
        device,
    )
    assert attach["childEPCs"] == [sscc_uri(_sscc(9))]
    assert attach["sensorElementList"] == [
        {
            "sensorMetadata": {"time": attach["eventTime"], "deviceID": device},
            "sensorReport": [
                {"type": "Temperature", "value": 4.5, "uom": "CEL"},
                {"type": "RelativeHumidity", "value": 85.0, "uom": "P1"},
            ],
        }
    ]
    assert crate["childQuantityList"] == [{"epcClass": lot_uri(GTIN, "LO-01")}]
    assert "sensorElementList" not in crate
    assert (detach["action"], detach["bizStep"]) == ("DELETE", "disassembling")
    assert detach["sensorElementList"][0]["sensorReport"] == [
        {"type": "Temperature", "value": -18.0, "uom": "CEL"}
    ]
    # Indexed like any event (the device is the parent), audited like any capture.
    assert EventEpc.objects.filter(epc=device, role="parent").count() == 2
    assert AuditEntry.objects.count() > audits
    journal = client.get("/traceability/").content.decode()
    assert "Gắn thiết bị" in journal and "Tháo thiết bị" in journal


def test_a_wrong_device_target_or_reading_says_why_and_writes_nothing(client, coop):
    client.force_login(coop.manager)
    good = {"action": "attach", "device": LOGGER, "target": _sscc(9), "happened_on": "04/05/2026"}
    wrong = [
        ({"device": "NHIỆT KẾ 01"}, "GIAI «NHIỆT KẾ 01» không hợp lệ"),
        ({"device": ""}, "Trường này là bắt buộc"),
        ({"target": "thùng số 9"}, "Nhập SSCC 18 số của thùng/pallet"),
        ({"target": "089300000000000011"}, "Nhập SSCC 18 số của thùng/pallet"),
        ({"temperature": "500"}, "Giá trị phải trong khoảng -60 đến 100"),
        ({"humidity": "-1"}, "Giá trị phải trong khoảng 0 đến 100"),
        ({"humidity": "nhiều"}, "Nhập số"),
        ({"action": "bay"}, "Hãy chọn một lựa chọn hợp lệ"),
    ]
    before, audits = Event.objects.count(), AuditEntry.objects.count()
    for change, message in wrong:
        reply = _post(client, {**good, **change})
        assert reply.status_code == 422, change
        assert message in reply.content.decode(), (change, message)
    assert Event.objects.count() == before and AuditEntry.objects.count() == audits
