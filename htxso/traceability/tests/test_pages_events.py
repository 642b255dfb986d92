"""Packing (lots into cases, cases onto pallets), processing (lots into new lots) and shipping
from the cooperative's diary page: every event schema-valid, a refusal says why and writes
nothing, the recall follows what the pages recorded."""

import datetime as dt

from htxso.core.gs1 import check_digit, lot_uri, sscc_uri
from htxso.traceability import epcis, query, services
from htxso.traceability.models import Event

from .conftest import GTIN, GTIN_2


def _sscc(n: int) -> str:
    body = f"0893000000{n:07d}"
    return body + check_digit(body)


def _post(client, what, data):
    return client.post(f"/traceability/write/{what}/", {f"{what}-{k}": v for k, v in data.items()})


def test_process_pack_stack_and_ship_from_the_page(client, coop):
    services.record_harvest(
        coop.manager, coop.crop.pk, coop.product.pk, "LO-01", dt.date(2026, 5, 1), 120
    )
    dried = services.create_product(coop.manager, coop.org.pk, "Chè sấy khô 100 g", GTIN_2)
    client.force_login(coop.manager)
    page = client.get("/traceability/").content.decode()
    assert "Chế biến thành lô mới" in page and "SSCC các thùng xếp lên pallet" in page
    steps = [
        ("transform", {"input_product": coop.product.pk, "input_lot": "LO-01", "input_kg": "120",
                       "output_product": dried.pk, "output_lot": "SAY-01", "output_kg": "30",
                       "happened_on": "03/05/2026"}),
        ("pack", {"sscc": _sscc(1), "product": dried.pk, "lot": "SAY-01", "quantity_kg": "15",
                  "happened_on": "04/05/2026"}),
        ("pack", {"sscc": _sscc(2), "product": dried.pk, "lot": "SAY-01", "quantity_kg": "15",
                  "happened_on": "04/05/2026"}),
        ("pack", {"sscc": _sscc(9), "cases": f"{_sscc(1)}\n{_sscc(2)}",
                  "happened_on": "05/05/2026"}),
        ("ship", {"step": "shipping", "code": _sscc(9), "happened_on": "06/05/2026"}),
    ]  # fmt: skip
    for what, data in steps:
        reply = _post(client, what, data)
        assert reply.status_code == 302, (what, reply.content.decode()[-800:])
    events = list(Event.objects.filter(organisation=coop.org).order_by("event_time", "pk"))
    assert [e.type for e in events] == [
        "ObjectEvent", "TransformationEvent", "AggregationEvent", "AggregationEvent",
        "AggregationEvent", "ObjectEvent",
    ]  # fmt: skip
    assert epcis.is_valid(epcis.document([e.body for e in events]))
    pallet = events[4].body
    assert pallet["parentID"] == sscc_uri(_sscc(9))
    assert pallet["childEPCs"] == [sscc_uri(_sscc(1)), sscc_uri(_sscc(2))]
    assert "childQuantityList" not in pallet
    down = query.walk(lot_uri(GTIN, "LO-01"), "down")
    assert down[lot_uri(GTIN_2, "SAY-01")] == 1 and down[sscc_uri(_sscc(9))] == 3
    up = query.walk(sscc_uri(_sscc(9)), "up")
    assert up[lot_uri(GTIN, "LO-01")] == 3
    trace = client.get(f"/01/{GTIN_2}/10/SAY-01").content.decode()
    for label in ("Chế biến", "Đóng gói", "Xuất hàng"):
        assert label in trace, label


def test_a_wrong_packing_or_processing_says_why_and_writes_nothing(client, coop):
    client.force_login(coop.manager)
    before = Event.objects.count()
    wrong = [
        ("pack", {"sscc": _sscc(1), "lot": "LO-01", "happened_on": "04/05/2026"},
         "cần đủ sản phẩm, số lô và khối lượng"),
        ("pack", {"sscc": _sscc(1), "happened_on": "04/05/2026"}, "nhập SSCC các thùng"),
        ("pack", {"sscc": _sscc(9), "cases": f"{_sscc(1)} 089300000000000011",
                  "happened_on": "04/05/2026"}, "SSCC không hợp lệ"),
        ("pack", {"sscc": _sscc(9), "cases": f"{_sscc(1)}, {_sscc(1)}",
                  "happened_on": "04/05/2026"}, "Mỗi thùng ghi một lần"),
        ("pack", {"sscc": "123", "cases": _sscc(1), "happened_on": "04/05/2026"},
         "SSCC có 18 chữ số"),
        ("transform", {"input_product": coop.product.pk, "input_lot": "LO-01", "input_kg": "10",
                       "output_product": coop.product.pk, "output_lot": "LO-01",
                       "output_kg": "5", "happened_on": "03/05/2026"}, "Lô mới phải khác"),
        ("transform", {"input_product": coop.product.pk, "input_lot": "LÔ Ư", "input_kg": "10",
                       "output_product": coop.product.pk, "output_lot": "LO-02",
                       "output_kg": "5", "happened_on": "03/05/2026"}, "Số lô chỉ gồm"),
        ("transform", {"input_product": "999999", "input_lot": "LO-01", "input_kg": "10",
                       "output_product": coop.product.pk, "output_lot": "LO-02",
                       "output_kg": "5", "happened_on": "03/05/2026"}, "lựa chọn hợp lệ"),
    ]  # fmt: skip
    for what, data, reason in wrong:
        reply = _post(client, what, data)
        assert reply.status_code == 422, (what, data)
        assert reason in reply.content.decode(), reason
    assert Event.objects.count() == before


def test_another_cooperatives_manager_cannot_process_our_products(client, coop):
    client.force_login(coop.manager_01)
    reply = _post(
        client,
        "transform",
        {"input_product": coop.product.pk, "input_lot": "LO-01", "input_kg": "10",
         "output_product": coop.product.pk, "output_lot": "LO-02", "output_kg": "5",
         "happened_on": "03/05/2026"},
    )  # fmt: skip
    assert reply.status_code == 422  # not among their products
    assert Event.objects.count() == 0
