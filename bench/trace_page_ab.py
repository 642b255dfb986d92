"""The public trace page, two checkouts compared in the same run (issue #21, item 9): the
page of the 10-step chain's last lot that `bench/traceability.py` wrote, timed in-process
(Django's test client, after 5 warm-up requests) by each checkout's own code and virtualenv
against the same database, the checkouts alternating (base, new, base, new…).

    .venv/bin/python bench/trace_page_ab.py --base /work/main --new . [--pairs 4] [--samples 150]

Needs the database `bench/traceability.py --events N` loaded (default 10,000,000 events), and
both checkouts migrated to it. Prints each block's p50/p95 and the medians over the blocks."""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

URL = "postgres://postgres@127.0.0.1:5432/htxso_bench_trace_{events}"
PAGE = "/01/08930000000019/10/C0-S10"


def worker(samples: int) -> None:
    """Runs inside a checkout (cwd), with its code: the page's timings as JSON."""
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "htxso.settings")
    sys.path.insert(0, os.getcwd())
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    client = Client()
    for _ in range(5):
        assert client.get(PAGE).status_code == 200
    queries: list[str] = []

    def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        client.get(PAGE)
    times = []
    for _ in range(samples):
        t = time.perf_counter()
        client.get(PAGE)
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    p95 = times[max(0, round(0.95 * len(times)) - 1)]
    print(json.dumps({"p50": statistics.median(times), "p95": p95, "queries": len(queries)}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base", type=Path)
    parser.add_argument("--new", type=Path, default=Path("."))
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--pairs", type=int, default=4)
    parser.add_argument("--samples", type=int, default=150)
    parser.add_argument("--worker", action="store_true")
    parser.add_argument("--database-url", help=f"default {URL} (bench/traceability.py's)")
    args = parser.parse_args()
    if args.worker:
        worker(args.samples)
        return
    env = {
        **os.environ,
        "DATABASE_URL": args.database_url or URL.format(events=args.events),
        "DEBUG": "1",
    }
    script = Path(__file__).resolve()
    runs: dict[str, list[dict]] = {"base": [], "new": []}
    for _ in range(args.pairs):
        for name, root in (("base", args.base), ("new", args.new)):
            root = root.resolve()
            command = [str(root / ".venv/bin/python"), str(script), "--worker"]
            out = subprocess.run(
                [*command, "--samples", str(args.samples)],
                cwd=root, env=env, check=True, capture_output=True, text=True,
            )  # fmt: skip
            runs[name].append(json.loads(out.stdout.strip().splitlines()[-1]))
            print(name, runs[name][-1], flush=True)
    summary = {
        name: {
            "p50_median_ms": round(statistics.median(r["p50"] for r in found), 1),
            "p95_median_ms": round(statistics.median(r["p95"] for r in found), 1),
            "queries": found[-1]["queries"],
        }
        for name, found in runs.items()
    }
    for key in ("p50_median_ms", "p95_median_ms"):
        summary[f"ratio_{key}"] = round(summary["new"][key] / summary["base"][key], 3)  # type: ignore[index]
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
