"""The cooperative manager's inbox: lots awaiting their QR labels (gone once the sheet is
printed by the cooperative, not by someone else looking), lots of theirs recorded as recalled."""

import datetime as dt

from django.utils import timezone

from htxso.core import inbox
from htxso.core.gs1 import lot_uri
from htxso.core.models import AuditEntry
from htxso.traceability import epcis, services

from .conftest import GTIN


def _items(user):
    return {i.title: i for i in inbox.items_for(user) if i.source == "traceability"}


def test_lots_awaiting_labels_and_recalled_lots(client, coop):
    for lot in ("LO-01", "LO-02"):
        services.record_harvest(
            coop.manager, coop.crop.pk, coop.product.pk, lot, dt.date(2026, 5, 1), 10
        )
    assert "2 lô thu hoạch chưa in tem QR" in _items(coop.manager)
    assert _items(coop.officer) == {} and _items(coop.manager_01) == {}

    printed = f"/traceability/labels/0{GTIN}/LO-01/printed/"
    client.force_login(coop.officer)  # someone else may read the sheet, not mark it printed
    assert client.get(f"/traceability/labels/0{GTIN}/LO-01.pdf").status_code == 200
    assert client.post(printed).status_code == 403
    assert "2 lô thu hoạch chưa in tem QR" in _items(coop.manager)
    client.force_login(coop.manager)
    # Downloading the sheet (a GET) writes nothing, however often.
    for _ in range(2):
        assert client.get(f"/traceability/labels/0{GTIN}/LO-01.pdf").status_code == 200
    assert "2 lô thu hoạch chưa in tem QR" in _items(coop.manager)
    assert not AuditEntry.objects.filter(action="label").exists()
    assert 'data-labels-printed="LO-01"' in client.get("/traceability/").content.decode()
    reply = client.post(printed, follow=True)
    assert "Đã ghi nhận lô LO-01 đã in tem QR." in reply.content.decode()
    assert 'data-labels-printed="LO-01"' not in reply.content.decode()
    assert "1 lô thu hoạch chưa in tem QR" in _items(coop.manager)
    assert AuditEntry.objects.filter(action="label").count() == 1
    reply = client.post(printed, follow=True)  # twice: nothing more to mark, no second entry
    assert "Lô LO-01 không có lần thu hoạch nào chờ in tem." in reply.content.decode()
    assert AuditEntry.objects.filter(action="label").count() == 1
    assert client.post(f"/traceability/labels/0{GTIN}9/LO-01/printed/").status_code == 404

    recalled = {
        "type": "ObjectEvent",
        "eventTime": timezone.now().isoformat(timespec="seconds"),
        "eventTimeZoneOffset": "+07:00",
        "action": "OBSERVE",
        "bizStep": "holding",
        "disposition": "recalled",
        "quantityList": [{"epcClass": lot_uri(GTIN, "LO-02"), "quantity": 10, "uom": "KGM"}],
    }
    assert epcis.is_valid(epcis.document([recalled]))
    services.emit(coop.manager_01, coop.org_01.pk, [recalled], public=False)
    item = _items(coop.manager)["1 lô của hợp tác xã bị ghi nhận thu hồi"]
    assert item.severity == "danger"
    home = client.get("/").content.decode()
    assert "1 lô của hợp tác xã bị ghi nhận thu hồi" in home
    assert "1 lô thu hoạch chưa in tem QR" in home
