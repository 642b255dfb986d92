"""Traceability at scale (issue #21, item 9), on PostgreSQL:

- capture throughput (events/s) of `services.capture` — schema validation, identifiers,
  the events and their EPC rows, the audit entry — against a raw COPY of the same events and
  EPC rows in the same run (goal: capture ≥ 25 % of COPY);
- the recall of a lot through a 10-step chain of transformations (walk down + walk up + the
  events), p95 (goal ≤ 100 ms);
- the public trace page of the chain's last lot (`/01/<gtin>/10/<lot>`, Django's test client
  in-process: no network, no gunicorn), p95 (goal ≤ 50 ms);

on a table of `--events` background events (default 1,000,000; the issue's 10,000,000 is
`--events 10000000`, about 10× the load time).

    python bench/traceability.py [--events 1000000] [--rounds 5] [--batch 1000]

Its own database per size (htxso_bench_trace_<events>): loaded once, reused by later runs."""

import argparse
import datetime as dt
import json
import statistics
import time
import uuid
from typing import Any

from harness import ensure_database, setup_django, summary_ms, write_result

URL = "postgres://postgres@127.0.0.1:5432/htxso_bench_trace_{events}"
GTIN = "08930000000019"
GTIN_OUT = "08930000000026"


def _event(i: int, when: dt.datetime) -> dict:
    return {
        "type": "ObjectEvent",
        "eventID": f"urn:uuid:{uuid.UUID(int=i)}",
        "eventTime": when.isoformat(),
        "eventTimeZoneOffset": "+07:00",
        "action": "ADD",
        "bizStep": "commissioning",
        "disposition": "active",
        "quantityList": [
            {"epcClass": f"https://id.gs1.org/01/{GTIN}/10/B{i}", "quantity": 10, "uom": "KGM"}
        ],
        "bizLocation": {"id": "https://id.gs1.org/414/0123456789128"},
    }


def _rows(
    events: list[dict], capture_id: int, org: int, province: str, start_id: int
) -> tuple[list[tuple], list[tuple]]:
    from htxso.traceability import epcis

    now = dt.datetime.now(dt.UTC)
    event_rows: list[tuple] = []
    epc_rows: list[tuple] = []
    for k, event in enumerate(events):
        pk = start_id + k
        key = epcis.keys(event)
        event_rows.append((
            pk, capture_id, org, province, event["eventID"], key["type"], key["action"],
            key["event_time"], now, key["biz_step"], key["disposition"], key["read_point"],
            key["biz_location"], True, json.dumps(event),
        ))  # fmt: skip
        epc_rows.extend((pk, epc, role) for epc, role in epcis.identifiers(event))
    return event_rows, epc_rows


EVENT_COLUMNS = (
    "id", "capture_id", "organisation_id", "province_id", "event_id", "type", "action",
    "event_time", "record_time", "biz_step", "disposition", "read_point", "biz_location",
    "public", "body",
)  # fmt: skip


def _copy(event_rows: list[tuple], epc_rows: list[tuple]) -> None:
    from htxso.core.bulk import write_rows

    write_rows("traceability_event", EVENT_COLUMNS, event_rows)
    write_rows("traceability_eventepc", ("event_id", "epc", "role"), epc_rows)


def _load(total: int, org: Any, capture: Any) -> None:
    from django.db import connection, transaction

    from htxso.core.bulk import indexes_rebuilt, reset_sequences
    from htxso.traceability.models import Event, EventEpc

    have = Event.objects.count()
    if have >= total:
        return
    print(f"Loading {total - have:,} background events…", flush=True)
    start = time.monotonic()
    base = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    with transaction.atomic(), indexes_rebuilt("traceability_event", "traceability_eventepc"):
        chunk = 200_000
        for first in range(have, total, chunk):
            events = [
                _event(i, base + dt.timedelta(seconds=17 * i))
                for i in range(first, min(total, first + chunk))
            ]
            _copy(*_rows(events, capture.pk, org.pk, org.province_id, first + 1))
            print(f"  {first + len(events):,}", flush=True)
    reset_sequences(Event, EventEpc)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE traceability_event; ANALYZE traceability_eventepc")
    print(f"Loaded in {time.monotonic() - start:.0f} s", flush=True)


def _chain(org: Any, n: int, steps: int = 10) -> tuple[str, str]:
    """A lot transformed `steps` times (each step also packs a pallet): (first lot, last lot)."""
    from htxso.core.gs1 import check_digit
    from htxso.traceability import services

    when = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    lots = [f"C{n}-S{s}" for s in range(steps + 1)]
    for s in range(steps):
        services.transform(None, org.pk, [(GTIN, lots[s], 100)], [(GTIN, lots[s + 1], 99)], when)
        body = f"08930{n:05d}{s:07d}"
        services.pack(None, org.pk, body + check_digit(body), [(GTIN, lots[s + 1], 99)], when)
    return lots[0], lots[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--database-url", help=f"default {URL} (filled when missing)")
    args = parser.parse_args()
    url = args.database_url or URL.format(events=args.events)
    ensure_database(url)
    setup_django(url)
    from django.core.management import call_command
    from django.db import transaction
    from django.test import Client

    from htxso.core.gs1 import lot_uri
    from htxso.core.models import Province
    from htxso.registry.tests.factories import OrganisationFactory
    from htxso.traceability import epcis, query, services
    from htxso.traceability.models import Capture, Event

    call_command("migrate", verbosity=0, interactive=False)
    if not Province.objects.exists():
        call_command("load_units", verbosity=0)
    from htxso.registry.models import Organisation

    org: Any = Organisation.objects.order_by("id").first() or OrganisationFactory(province_id="19")
    capture = Capture.objects.order_by("id").first() or Capture.objects.create(
        organisation=org, province_id=org.province_id, context=[]
    )
    _load(args.events, org, capture)
    background = Event.objects.count()

    # 1. Capture against COPY, the same events, both rolled back (the table stays its size).
    capture_s, copy_s = [], []
    offset = 10**9

    def run_capture(events: list[dict]) -> None:
        document = epcis.document(events)
        with transaction.atomic():
            t = time.perf_counter()
            services.capture(None, org.pk, document, public=True)
            capture_s.append(time.perf_counter() - t)
            transaction.set_rollback(True)

    def run_copy(events: list[dict]) -> None:
        from django.db import connection

        with transaction.atomic():
            t = time.perf_counter()
            with connection.cursor() as c:
                c.execute("SELECT nextval('traceability_event_id_seq')")
                start_id = c.fetchone()[0] + 10**8
            _copy(*_rows(events, capture.pk, org.pk, org.province_id, start_id))
            copy_s.append(time.perf_counter() - t)
            transaction.set_rollback(True)

    for r in range(args.rounds):
        when = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        events = [_event(offset + r * args.batch + k, when) for k in range(args.batch)]
        # Interleaved, the order alternating per round (the first of a pair warms the cache).
        for run in (run_capture, run_copy) if r % 2 == 0 else (run_copy, run_capture):
            run(events)
    capture_rate = args.batch / statistics.median(capture_s)
    copy_rate = args.batch / statistics.median(copy_s)

    # 2. and 3. A 10-step chain (written once, kept), its recall and its trace page.
    marker = Event.objects.filter(biz_step="packing").exists()
    first, last = ("C0-S0", "C0-S10") if marker else _chain(org, 0)
    recall_s, page_s = [], []
    client = Client()
    for _ in range(5):  # warm-up, not counted: the first request compiles templates, loads code
        client.get(f"/01/{GTIN}/10/{last}")
        query.recall(lot_uri(GTIN, first), Event.objects.all())
    for _ in range(args.samples):
        t = time.perf_counter()
        found = query.recall(lot_uri(GTIN, first), Event.objects.all())
        recall_s.append(time.perf_counter() - t)
        t = time.perf_counter()
        reply = client.get(f"/01/{GTIN}/10/{last}")
        page_s.append(time.perf_counter() - t)
    assert reply.status_code == 200, reply.status_code
    assert len(found.downstream) == 21, len(found.downstream)  # 10 lots + 10 pallets + itself

    result = {
        "background_events": background,
        "batch_events": args.batch,
        "rounds": args.rounds,
        "capture_events_per_s_median": round(capture_rate),
        "copy_events_per_s_median": round(copy_rate),
        "capture_vs_copy": round(capture_rate / copy_rate, 3),
        "recall_10_step_chain": summary_ms(recall_s),
        "trace_page": summary_ms(page_s),
        "note": "in-process (Django test client) page timings; 2 shared CPU cores",
    }
    path = write_result("traceability", result)
    print(json.dumps(result, indent=2, ensure_ascii=False))
    print(f"→ {path}")


if __name__ == "__main__":
    main()
