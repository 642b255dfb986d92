"""Recall over a multi-step chain: two harvests milled into one lot, packed onto a pallet,
shipped to a second cooperative that repacks it — downstream from a harvest reaches the last
pallet, upstream from it reaches both harvests, an unrelated lot stays out; the CSV export for
the authorities; who may recall."""

import datetime as dt

import pytest

from htxso.core.gs1 import check_digit, lot_uri, sscc_uri
from htxso.core.models import AuditEntry
from htxso.traceability import query, services
from htxso.traceability.models import Event

from .conftest import GTIN, GTIN_2


def _sscc(n: int) -> str:
    body = f"0893000000{n:07d}"
    return body + check_digit(body)


@pytest.fixture
def chain(coop):
    when = dt.datetime(2026, 5, 10, 8, tzinfo=dt.UTC)
    crop_2 = services.add_crop(
        coop.manager, coop.plot.pk, "Chè Bát Tiên", "crop", dt.date(2026, 1, 1)
    )
    services.record_harvest(
        coop.manager, coop.crop.pk, coop.product.pk, "H-A", dt.date(2026, 5, 1), 300
    )
    services.record_harvest(
        coop.manager, crop_2.pk, coop.product.pk, "H-B", dt.date(2026, 5, 2), 200
    )
    services.record_harvest(
        coop.manager, crop_2.pk, coop.product.pk, "H-X", dt.date(2026, 5, 3), 50
    )
    services.transform(
        coop.manager,
        coop.org.pk,
        [(GTIN, "H-A", 300), (GTIN, "H-B", 200)],
        [(GTIN_2, "SAY-1", 400)],
        when,
    )
    services.pack(coop.manager, coop.org.pk, _sscc(1), [(GTIN_2, "SAY-1", 400)], when)
    services.ship(coop.manager, coop.org.pk, [_sscc(1)], when)
    services.ship(coop.manager_01, coop.org_01.pk, [_sscc(1)], when, step="receiving")
    # The second cooperative unpacks and repacks part of it with its own lot onto a new pallet.
    services.transform(
        coop.manager_01, coop.org_01.pk, [(GTIN_2, "SAY-1", 400)], [(GTIN_2, "GOI-7", 380)], when
    )
    services.pack(coop.manager_01, coop.org_01.pk, _sscc(2), [(GTIN_2, "GOI-7", 380)], when)
    return coop


def test_downstream_from_a_harvest_reaches_the_last_pallet(chain):
    down = query.walk(lot_uri(GTIN, "H-A"), "down")
    assert down == {
        lot_uri(GTIN, "H-A"): 0,
        lot_uri(GTIN_2, "SAY-1"): 1,
        sscc_uri(_sscc(1)): 2,
        lot_uri(GTIN_2, "GOI-7"): 2,
        sscc_uri(_sscc(2)): 3,
    }
    assert lot_uri(GTIN, "H-X") not in down and lot_uri(GTIN, "H-B") not in down


def test_upstream_from_the_last_pallet_reaches_both_harvests_only(chain):
    up = query.walk(sscc_uri(_sscc(2)), "up")
    assert up[lot_uri(GTIN, "H-A")] == 3 and up[lot_uri(GTIN, "H-B")] == 3
    assert lot_uri(GTIN, "H-X") not in up


def test_the_recall_names_every_event_of_the_chain_and_no_other(chain):
    found = query.recall(lot_uri(GTIN, "H-A"), Event.objects.all())
    steps = [e.body["bizStep"] for e in found.events]
    assert steps.count("commissioning") == 1  # H-A's harvest (not H-B's: upstream of H-A is itself)
    assert "receiving" in steps and steps.count("packing") == 2


def test_a_cycle_in_the_data_ends(coop):
    when = dt.datetime(2026, 5, 10, 8, tzinfo=dt.UTC)
    services.transform(coop.manager, coop.org.pk, [(GTIN, "A", 1)], [(GTIN, "B", 1)], when)
    services.transform(coop.manager, coop.org.pk, [(GTIN, "B", 1)], [(GTIN, "A", 1)], when)
    assert query.walk(lot_uri(GTIN, "A"), "down") == {lot_uri(GTIN, "A"): 0, lot_uri(GTIN, "B"): 1}


def test_the_recall_page_and_its_csv_for_the_authorities(client, chain):
    client.force_login(chain.officer)
    page = client.get("/traceability/recall/", {"epc": f"{GTIN}/H-A"})
    assert page.status_code == 200
    assert sscc_uri(_sscc(2)) in page.content.decode()
    export = client.get("/traceability/recall.csv", {"epc": f"https://htxso.vn/01/{GTIN}/10/H-A"})
    assert export.status_code == 200
    text = b"".join(export.streaming_content).decode("utf-8-sig")
    assert "HTX Rau sạch Gia Lâm" in text and "Nhận hàng" in text
    assert (
        AuditEntry.objects.filter(action="export", object_type="traceability.recall").count() == 1
    )


@pytest.mark.parametrize("who", ["manager", "manager_01"])
def test_cooperatives_do_not_recall(client, chain, who):
    client.force_login(getattr(chain, who))
    assert client.get("/traceability/recall/").status_code == 403
    assert client.get("/traceability/recall.csv", {"epc": "x"}).status_code == 403


def test_both_walks_in_one_query_reach_what_the_two_walks_reach(coop):
    import datetime as dt

    from htxso.core.gs1 import lot_uri
    from htxso.traceability import query, services

    from .conftest import GTIN, GTIN_2

    when = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    services.transform(None, coop.org.pk, [(GTIN, "A", 10)], [(GTIN_2, "B", 9)], when)
    services.transform(None, coop.org.pk, [(GTIN_2, "B", 9)], [(GTIN, "C", 8)], when)
    for lot in ("A", "B", "C"):
        epc = lot_uri(GTIN if lot != "B" else GTIN_2, lot)
        assert query.reached(epc) == set(query.walk(epc, "up")) | set(query.walk(epc, "down"))
    assert len(query.reached(lot_uri(GTIN_2, "B"))) == 3
