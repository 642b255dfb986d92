"""Registry search over HTTP at national-2030 scale, against the same SQL run directly.

For each query of a fixed mix (names without diacritics, with diacritics, tax-code prefixes,
filters) the script records the SQL statements the page runs (Django's query capture), then
times, in interleaved rounds:
  - raw:  those statements executed directly with psycopg (no Django), one connection;
  - http: GET /registry/?… against gunicorn (DEBUG off, several workers), keep-alive client.
Ratio = http / raw at p50 and p95 over all requests. Goal: p95 ≤ 50 ms and ≤ 2× raw.

    .venv/bin/python bench/search.py [--database-url URL] [--rounds 5] [--repeat 20]
"""

import argparse
import http.client
import statistics
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness

if TYPE_CHECKING:
    import psycopg

QUERIES: list[dict[str, str]] = [
    {"q": "hop tac xa che tan cuong"},
    {"q": "HTX Chè Tân Cương"},
    {"q": "nong nghiep dich vu"},
    {"q": "thủy sản"},
    {"q": "van tai"},
    {"q": "nguyen van"},
    {"q": "quy tin dung"},
    {"q": "tan"},
    {"q": "0100"},
    {"q": "19159"},
    {"q": "rau an toan", "province": "19"},
    {"q": "chan nuoi", "kind": "cooperative", "status": "active"},
    {"province": "79", "kind": "cooperative"},
    {"sector": "A", "status": "active", "sort": "-members"},
    {"q": "dich vu", "agricultural": "yes", "sort": "-established"},
]


def capture_sql(params: dict[str, str]) -> list[str]:
    """The SQL statements the list page runs for these filters.

    Django (psycopg 3, client-side binding) sends the parameters interpolated, so the captured
    text is exactly what the server receives.
    """
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.get("/registry/", params)  # warm the process caches (provinces)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/registry/", params)
    assert response.status_code == 200, response.status_code
    return [q["sql"] for q in ctx.captured_queries]


def time_raw(conn: "psycopg.Connection[Any]", statements: list[str], repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        with conn.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql.encode())
                cursor.fetchall()
        samples.append(time.perf_counter() - started)
    return samples


def time_http(base: str, params: dict[str, str], repeat: int, conn_pool: dict) -> list[float]:
    url = urlparse(base)
    path = "/registry/?" + urlencode(params)
    conn = conn_pool.get("c") or http.client.HTTPConnection(
        url.hostname or "", url.port, timeout=30
    )
    conn_pool["c"] = conn
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        conn.request("GET", path, headers={"Accept-Language": "vi"})
        response = conn.getresponse()
        body = response.read()
        samples.append(time.perf_counter() - started)
        if response.status != 200 or b"results" not in body:
            raise RuntimeError(f"{path}: HTTP {response.status}")
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=harness.DEFAULT_URL)
    parser.add_argument("--scale", default="national-2030")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=10, help="requests per query per round")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    dataset = harness.ensure_dataset(args.database_url, args.scale, args.seed)
    import psycopg

    plans = [(params, capture_sql(params)) for params in QUERIES]
    raw_all: list[float] = []
    http_all: list[float] = []
    per_query: dict[str, dict[str, list[float]]] = {
        urlencode(p): {"raw": [], "http": []} for p, _ in plans
    }
    round_ratios = []
    with (
        harness.gunicorn(args.database_url, args.workers) as base,
        psycopg.connect(args.database_url, autocommit=True) as raw_conn,
    ):
        pool: dict = {}
        for params, statements in plans:  # warm both sides once
            time_raw(raw_conn, statements, 2)
            time_http(base, params, 2, pool)
        for round_no in range(args.rounds):
            raw_round, http_round = [], []
            for params, statements in plans:
                key = urlencode(params)
                raw = time_raw(raw_conn, statements, args.repeat)
                web = time_http(base, params, args.repeat, pool)
                per_query[key]["raw"] += raw
                per_query[key]["http"] += web
                raw_round += raw
                http_round += web
            raw_all += raw_round
            http_all += http_round
            ratio = harness.percentile(http_round, 95) / harness.percentile(raw_round, 95)
            round_ratios.append(ratio)
            http_p95 = harness.percentile(http_round, 95) * 1000
            print(
                f"round {round_no + 1}: http p95 {http_p95:.1f} ms, "
                f"raw p95 {harness.percentile(raw_round, 95) * 1000:.1f} ms, ratio {ratio:.2f}",
                flush=True,
            )

    http_summary, raw_summary = harness.summary_ms(http_all), harness.summary_ms(raw_all)
    result = {
        "dataset": dataset,
        "workers": args.workers,
        "rounds": args.rounds,
        "repeat": args.repeat,
        "http": http_summary,
        "raw_sql": raw_summary,
        "ratio_p50": round(http_summary["p50_ms"] / raw_summary["p50_ms"], 2),
        "ratio_p95": round(http_summary["p95_ms"] / raw_summary["p95_ms"], 2),
        "ratio_p95_median_of_rounds": round(statistics.median(round_ratios), 2),
        "goal": {"p95_ms": 50, "ratio": 2.0},
        "queries": {
            key: {
                "http": harness.summary_ms(v["http"]),
                "raw_sql": harness.summary_ms(v["raw"]),
                "statements": len(statements),
            }
            for (key, v), (_p, statements) in zip(per_query.items(), plans, strict=True)
        },
    }
    path = harness.write_result("search", result)
    print(
        f"HTTP p50 {http_summary['p50_ms']} ms, p95 {http_summary['p95_ms']} ms; "
        f"raw SQL p50 {raw_summary['p50_ms']} ms, p95 {raw_summary['p95_ms']} ms; "
        f"ratio p50 {result['ratio_p50']}, p95 {result['ratio_p95']} → {path}"
    )


if __name__ == "__main__":
    main()
