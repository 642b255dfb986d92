"""Benchmark: export all organisations (national-2030: 200,340) to CSV (issue #4, goal ≤ 5 s).

    .venv/bin/python bench/export_orgs.py [--database-url URL] [--rounds 5] [--workers 2]
    .venv/bin/python bench/export_orgs.py --xlsx [--database-url URL] [--rounds 3]

Over HTTP, as a user gets it (issue #24), from a production server (gunicorn, DEBUG off):
  - page: GET /exchange/export/organisations.csv, the list page's CSV link (streamed);
  - api:  every organisation through GET /api/v1/organisations?limit=500, page after page by
          `next_cursor`, as an API client exports (rate limits raised for the run);
each with its time to first byte (status line and headers received, the first body bytes
read) and its total (the last byte read). The very first request after the server starts
(cold: imports, connections, caches) is reported apart and not in the medians. In the same
run, interleaved: the export functions in-process (`exports.organisation_rows` + `csv_stream`,
no HTTP) and a raw `COPY (SELECT …) TO STDOUT WITH CSV` of the same rows, the floor.

With --xlsx: the XLSX export in-process (`stream_xlsx`), its first piece's delay too, against
the writer it replaced (openpyxl's write-only mode into a spooled temporary file) given the
same rows in the same run.
"""

import argparse
import http.client
import json
import statistics
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness
from harness import DEFAULT_URL, ensure_dataset, write_result

PAGE = "/exchange/export/organisations.csv"
API = "/api/v1/organisations"
API_LIMIT = 500


def fetch(base: str, path: str) -> tuple[float, float, bytes | None, int]:
    """GET `path`: (seconds to the first body bytes, seconds to the last, the body if it is
    JSON, its size). The body of a CSV is counted, not kept."""
    url = urlparse(base)
    conn = http.client.HTTPConnection(url.hostname or "", url.port, timeout=300)
    started = time.perf_counter()
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        first_piece = response.read1(65536)
        first = time.perf_counter() - started
        keep = response.getheader("Content-Type", "").startswith("application/json")
        pieces = [first_piece] if keep else []
        size = len(first_piece)
        while piece := response.read1(1 << 20):
            size += len(piece)
            if keep:
                pieces.append(piece)
        total = time.perf_counter() - started
    finally:
        conn.close()
    if response.status != 200:
        raise RuntimeError(f"{path}: HTTP {response.status}")
    return first, total, b"".join(pieces) if keep else None, size


def page_export(base: str) -> dict:
    first, total, _body, size = fetch(base, PAGE)
    return {"ttfb_s": first, "total_s": total, "bytes": size}


def api_export(base: str) -> dict:
    """Every organisation through the API's pages; time to the first page's first bytes and
    to the last page's last byte."""
    started = time.perf_counter()
    query: dict[str, Any] = {"limit": API_LIMIT}
    ttfb, rows, pages, size = None, 0, 0, 0
    while True:
        first, _total, body, length = fetch(base, f"{API}?{urlencode(query)}")
        if ttfb is None:
            ttfb = first
        page = json.loads(body or b"{}")
        rows, pages, size = rows + len(page["items"]), pages + 1, size + length
        if not page.get("next_cursor"):
            break
        query["cursor"] = page["next_cursor"]
    return {
        "ttfb_s": ttfb,
        "total_s": time.perf_counter() - started,
        "rows": rows,
        "pages": pages,
        "bytes": size,
    }


def in_process() -> tuple[float, int, int]:
    from django.contrib.auth.models import AnonymousUser

    from htxso.exchange.exports import csv_stream, organisation_rows

    started = time.perf_counter()
    headers, rows = organisation_rows(AnonymousUser(), {})
    size = lines = 0
    for piece in csv_stream(headers, rows):
        size += len(piece.encode())
        lines += piece.count("\n")
    return time.perf_counter() - started, size, lines


def raw_copy() -> float:
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        sql = (
            "COPY (SELECT o.*, p.name, c.name FROM registry_organisation o "
            "JOIN core_province p ON p.code = o.province_id "
            "LEFT JOIN core_commune c ON c.code = o.commune_id ORDER BY o.id) "
            "TO STDOUT WITH (FORMAT csv, HEADER true)"
        )
        with cursor.cursor.copy(sql) as copy:
            for _chunk in copy:
                pass
    return time.perf_counter() - started


def _median(values: list[float]) -> float:
    return round(statistics.median(values), 3)


def _spread(values: list[float]) -> list[float]:
    return [round(v, 3) for v in values]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--scale", default="national-2030")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--xlsx", action="store_true", help="XLSX against openpyxl instead")
    args = parser.parse_args()
    dataset = ensure_dataset(args.database_url, args.scale, args.seed)
    if args.xlsx:
        return xlsx(args.rounds, dataset)
    env = {"API_RATE_ANONYMOUS": "1000000000/s", "API_RATE_AUTHENTICATED": "1000000000/s"}
    with harness.gunicorn(args.database_url, args.workers, env=env) as base:
        cold = {"page": page_export(base), "api": api_export(base)}
        print(
            f"first requests after start: page ttfb {cold['page']['ttfb_s']:.2f} s "
            f"total {cold['page']['total_s']:.2f} s; api ttfb {cold['api']['ttfb_s']:.2f} s "
            f"total {cold['api']['total_s']:.2f} s",
            flush=True,
        )
        runs: dict[str, list] = {"page": [], "api": [], "in_process": [], "raw_copy": []}
        lines = csv_size = 0
        for number in range(1, args.rounds + 1):
            steps = ["page", "api", "in_process", "raw_copy"]
            for step in steps if number % 2 else steps[::-1]:
                if step == "page":
                    runs[step].append(page_export(base))
                elif step == "api":
                    runs[step].append(api_export(base))
                elif step == "in_process":
                    seconds, csv_size, lines = in_process()
                    runs[step].append(seconds)
                else:
                    runs[step].append(raw_copy())
            page, api = runs["page"][-1], runs["api"][-1]
            print(
                f"round {number}: page ttfb {page['ttfb_s']:.3f} s total {page['total_s']:.2f} s"
                f" | api ttfb {api['ttfb_s']:.3f} s total {api['total_s']:.2f} s"
                f" ({api['pages']} pages) | in-process {runs['in_process'][-1]:.2f} s"
                f" | raw COPY {runs['raw_copy'][-1]:.2f} s",
                flush=True,
            )
    raw = _median(runs["raw_copy"])
    http = {}
    for side in ("page", "api"):
        ttfbs = [r["ttfb_s"] for r in runs[side]]
        totals = [r["total_s"] for r in runs[side]]
        http[side] = {
            "ttfb_median_s": _median(ttfbs),
            "total_median_s": _median(totals),
            "ttfb_s": _spread(ttfbs),
            "total_s": _spread(totals),
            "ratio_total_to_raw": round(statistics.median(totals) / raw, 2),
            "first_after_start": {k: round(v, 3) for k, v in cold[side].items()},
            "bytes": runs[side][-1]["bytes"],
            **({"pages": runs[side][-1]["pages"], "rows": runs[side][-1]["rows"]}
               if side == "api" else {}),
        }  # fmt: skip
    result = {
        "dataset": dataset,
        "workers": args.workers,
        "rounds": args.rounds,
        "organisations_lines": lines,
        "csv_mib": round(csv_size / 2**20, 1),
        "http": http,
        "in_process_median_s": _median(runs["in_process"]),
        "in_process_s": _spread(runs["in_process"]),
        "raw_copy_median_s": raw,
        "raw_copy_s": _spread(runs["raw_copy"]),
        "ratio_in_process_to_raw": round(statistics.median(runs["in_process"]) / raw, 2),
        "goal": "all organisations <= 5 s (the page's CSV over HTTP, total)",
    }
    print(json.dumps({k: v for k, v in result.items() if k != "dataset"}, indent=1))
    write_result("export_orgs", result)


def openpyxl_write_only(headers: list[str], rows: Iterable[tuple[Any, ...]]) -> int:
    """The writer `stream_xlsx` used before: openpyxl's write-only mode, saved into a spooled
    temporary file (16 MB in memory, then disk) before the first byte could leave."""
    import tempfile

    from openpyxl import Workbook

    from htxso.tabular.workbooks import _text

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Dữ liệu")
    sheet.append([str(h) for h in headers])
    for row in rows:
        sheet.append([_text(v) for v in row])
    with tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024) as handle:
        book.save(handle)
        return handle.tell()


def xlsx(rounds: int, dataset: dict) -> None:
    from django.contrib.auth.models import AnonymousUser

    from htxso.exchange.exports import organisation_rows
    from htxso.tabular.workbooks import stream_xlsx

    def served() -> tuple[float, float, int]:
        started = time.perf_counter()
        headers, rows = organisation_rows(AnonymousUser(), {}, "xlsx")
        first, size = 0.0, 0
        for piece in stream_xlsx(headers, rows):
            if not size:
                first = time.perf_counter() - started
            size += len(piece)
        return time.perf_counter() - started, first, size

    def before() -> tuple[float, int]:
        started = time.perf_counter()
        headers, rows = organisation_rows(AnonymousUser(), {}, "xlsx")
        size = openpyxl_write_only(headers, rows)
        return time.perf_counter() - started, size

    ours, firsts, theirs = [], [], []
    sizes = (0, 0)
    for number in range(1, rounds + 1):
        (a, first, size_a), (b, size_b) = served(), before()
        ours.append(a)
        firsts.append(first)
        theirs.append(b)
        sizes = (size_a, size_b)
        print(
            f"round {number}: stream_xlsx {a:.2f} s (first piece {first:.2f} s), "
            f"openpyxl write-only {b:.2f} s",
            flush=True,
        )
    result = {
        "dataset": dataset,
        "xlsx_mib": round(sizes[0] / 2**20, 1),
        "openpyxl_xlsx_mib": round(sizes[1] / 2**20, 1),
        "stream_xlsx_seconds": [round(s, 2) for s in ours],
        "first_piece_seconds": [round(s, 3) for s in firsts],
        "openpyxl_seconds": [round(s, 2) for s in theirs],
        "stream_xlsx_median_s": round(statistics.median(ours), 2),
        "openpyxl_median_s": round(statistics.median(theirs), 2),
        "ratio": round(statistics.median(ours) / statistics.median(theirs), 2),
    }
    print(result)
    write_result("export_orgs_xlsx", result)


if __name__ == "__main__":
    main()
