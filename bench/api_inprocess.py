"""The API against its bare views in one process (Django's test client, no wrk, no gunicorn).

    .venv/bin/python bench/api_inprocess.py [--database-url URL] [--scale national-2030]
                                            [--redis redis://127.0.0.1:6379/11]
                                            [--rounds 7] [--requests 100]

The same endpoints and bare views as bench/api.py (its path lists, checked to answer the same
rows), the server's settings (DEBUG off, throttling on and never refusing, Redis with
`--redis`), every request through the whole middleware stack. Each round times `--requests`
requests of every endpoint, API then bare then bare then API (ABBA), so a drift in the
machine's load falls on both sides; reported: the median per request of each side and the
ratio bare / API (the share of the bare view's speed the API keeps, as bench/api.py's rps
ratio). On a shared machine whose load moves wrk's figures by ±40 % this is the steadier
comparison; it leaves out what a real server adds to both sides alike (sockets, gunicorn).
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import api as wrk_bench
import harness


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=harness.DEFAULT_URL)
    parser.add_argument("--scale", default="national-2030")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--redis", default="")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--requests", type=int, default=100)
    args = parser.parse_args()
    os.environ.update(
        ROOT_URLCONF="bare_urls",
        DEBUG="0",
        SECRET_KEY="bench-only-secret-key-not-for-production",
        SECURE_SSL_REDIRECT="0",
        API_RATE_ANONYMOUS="1000000000/s",
        API_RATE_AUTHENTICATED="1000000000/s",
    )
    if args.redis:
        os.environ["REDIS_URL"] = args.redis
    dataset = harness.ensure_dataset(args.database_url, args.scale, args.seed)
    from django.test import Client

    from htxso.registry.models import Organisation

    client = Client()
    base = "http://testserver"

    def get_json(_base: str, path: str) -> Any:
        response = client.get(path)
        if response.status_code != 200:
            raise RuntimeError(f"{path}: HTTP {response.status_code}")
        return response.json()

    wrk_bench.get_json = get_json  # type: ignore[assignment]  # the path lists and checks, through the test client
    all_ids = list(Organisation.objects.values_list("pk", flat=True))
    ids = random.Random(args.seed).sample(all_ids, min(1000, len(all_ids)))
    targets = wrk_bench.registry_targets(base, ids)
    targets.update(wrk_bench.app_targets(base, wrk_bench.registration_lookups(args.seed)))
    wrk_bench.check_same_rows(base, targets)
    rng = random.Random(args.seed)

    def timed(paths: list[str]) -> float:
        chosen = [rng.choice(paths) for _ in range(args.requests)]
        started = time.perf_counter()
        for path in chosen:
            client.get(path)
        return (time.perf_counter() - started) / len(chosen) * 1000

    times: dict[str, dict[str, list[float]]] = {}
    for name, sides in targets.items():
        timed(sides["api"])  # warm
        timed(sides["bare"])
        times[name] = {"api": [], "bare": []}
    for number in range(1, args.rounds + 1):
        line = []
        for name, sides in targets.items():
            for side in ("api", "bare", "bare", "api"):
                times[name][side].append(timed(sides[side]))
            last_api, last_bare = times[name]["api"][-2:], times[name]["bare"][-2:]
            line.append(f"{name} {statistics.mean(last_bare) / statistics.mean(last_api):.2f}")
        print(f"round {number}: bare/API " + ", ".join(line), flush=True)
    endpoints = {}
    for name, runs in times.items():
        api, bare = statistics.median(runs["api"]), statistics.median(runs["bare"])
        endpoints[name] = {
            "api_ms": round(api, 2),
            "bare_ms": round(bare, 2),
            "ratio": round(bare / api, 2),
            "api_ms_runs": [round(t, 2) for t in runs["api"]],
            "bare_ms_runs": [round(t, 2) for t in runs["bare"]],
        }
        print(f"{name:<22} API {api:7.2f} ms  bare {bare:7.2f} ms  ratio {bare / api:.2f}")
    harness.write_result(
        "api_inprocess",
        {
            "dataset": dataset,
            "redis": bool(args.redis),
            "rounds": args.rounds,
            "requests_per_run": args.requests,
            "goal": {"ratio": 0.90},
            "command": "python bench/api_inprocess.py " + " ".join(sys.argv[1:]),
            "endpoints": endpoints,
        },
    )


if __name__ == "__main__":
    main()
