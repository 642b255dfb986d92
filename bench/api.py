"""REST API reads at national-2030 scale under gunicorn, loaded by wrk, against bare Django views.

Endpoints (anonymous, public reads):
  - detail:      GET /api/v1/organisations/{id}, a random id of a fixed sample for each request;
  - list:        GET /api/v1/organisations?province=19&kind=cooperative (first page, default
                 limit);
  - list_cursor: the same list, second page (the first page's next_cursor).
Baseline for each: a plain Django view answering the same rows as JSON (bench/bare_urls.py:
values() + JsonResponse; no django-ninja, no auth, no throttling), served by the same gunicorn.

For each worker count, rounds interleave API and bare runs of `wrk --latency` (another
process; Lua script bench/api.lua, which adds p95). Reported per endpoint: medians over rounds
of requests/s, p50, p95 and p99, and ratio = API rps / bare rps. Goal: ratio ≥ 0.70.

    .venv/bin/python bench/api.py [--workers 2 4] [--rounds 3] [--duration 15]
                                  [--redis redis://127.0.0.1:6379/11]

Needs wrk (`apt-get install wrk`), a benchmark-only tool.
"""

import argparse
import base64
import http.client
import json
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlencode, urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness

BENCH = Path(__file__).resolve().parent
LUA = BENCH / "api.lua"
LIST_FILTERS = {"province": "19", "kind": "cooperative"}
ENDPOINTS = ("detail", "list", "list_cursor")
SIDES = ("api", "bare")
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def get_json(base: str, path: str) -> dict:
    url = urlparse(base)
    conn = http.client.HTTPConnection(url.hostname or "", url.port, timeout=30)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        body = response.read()
    finally:
        conn.close()
    if response.status != 200:
        raise RuntimeError(f"{path}: HTTP {response.status}: {body[:200]!r}")
    return json.loads(body)


def decode_cursor(token: str) -> tuple[str, int]:
    """The boundary (name_key, id) in an API cursor (htxso.core.pagination's format)."""
    value, pk, _direction = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    return value, pk


def targets(base: str, ids: list[int]) -> dict[str, dict[str, list[str]]]:
    """The paths wrk requests, per endpoint and side, checked to answer the same rows."""
    api_list = "/api/v1/organisations?" + urlencode(LIST_FILTERS)
    bare_list = "/bench/bare/organisations?" + urlencode(LIST_FILTERS)
    first = get_json(base, api_list)
    if not first["items"] or not first["next_cursor"]:
        raise RuntimeError(f"{api_list}: expected a full first page with a next cursor")
    key, pk = decode_cursor(first["next_cursor"])
    api_cursor = f"{api_list}&{urlencode({'cursor': first['next_cursor']})}"
    bare_cursor = f"{bare_list}&{urlencode({'after_key': key, 'after_id': pk})}"
    for api_path, bare_path in ((api_list, bare_list), (api_cursor, bare_cursor)):
        api_ids = [item["id"] for item in get_json(base, api_path)["items"]]
        bare_ids = [item["id"] for item in get_json(base, bare_path)["items"]]
        if api_ids != bare_ids:
            raise RuntimeError(f"{api_path} and {bare_path} answer different rows")
    for pk in ids[:20]:
        api_row = get_json(base, f"/api/v1/organisations/{pk}")
        bare_row = get_json(base, f"/bench/bare/organisations/{pk}")
        if set(api_row) != set(bare_row) or api_row["name"] != bare_row["name"]:
            raise RuntimeError(f"organisation {pk}: API and bare answers differ")
    return {
        "detail": {
            "api": [f"/api/v1/organisations/{pk}" for pk in ids],
            "bare": [f"/bench/bare/organisations/{pk}" for pk in ids],
        },
        "list": {"api": [api_list], "bare": [bare_list]},
        "list_cursor": {"api": [api_cursor], "bare": [bare_cursor]},
    }


def to_ms(value: str, unit: str) -> float:
    return float(value) * UNITS[unit]


def parse_wrk(output: str) -> dict:
    """wrk's own figures (requests/s, p50, p99 of --latency) plus the Lua done() line."""
    extra = next(line for line in output.splitlines() if line.startswith("WRK_JSON "))
    figures = json.loads(extra.removeprefix("WRK_JSON "))
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.M)
    p50 = re.search(r"^\s+50%\s+([\d.]+)(us|ms|s)$", output, re.M)
    p99 = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)$", output, re.M)
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    if not (rps and p50 and p99):
        raise RuntimeError(f"unexpected wrk output:\n{output}")
    return {
        "rps": round(float(rps.group(1)), 1),
        "p50_ms": round(to_ms(*p50.groups()), 2),
        "p95_ms": round(figures["p95_us"] / 1000, 2),
        "p99_ms": round(to_ms(*p99.groups()), 2),
        "max_ms": round(figures["max_us"] / 1000, 2),
        "requests": figures["requests"],
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "errors": figures["errors"],
    }


def run_wrk(base: str, paths_file: Path, args: argparse.Namespace, duration: float) -> dict:
    command = [
        "wrk",
        "--threads",
        str(args.threads),
        "--connections",
        str(args.connections),
        "--duration",
        f"{duration:g}s",
        "--timeout",
        "10s",
        "--latency",
        "--script",
        str(LUA),
        base,
        "--",
        str(paths_file),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    result = parse_wrk(done.stdout)
    if result["non_2xx"]:
        raise RuntimeError(f"{result['non_2xx']} non-2xx answers (throttled?):\n{done.stdout}")
    return result


def summarise(runs: list[dict]) -> dict:
    return {
        key: round(statistics.median(run[key] for run in runs), 2)
        for key in ("rps", "p50_ms", "p95_ms", "p99_ms")
    }


def bench_workers(
    args: argparse.Namespace, workers: int, ids: list[int], tmp: Path, server_env: dict
) -> dict:
    runs: dict[str, dict[str, list[dict]]] = {e: {s: [] for s in SIDES} for e in ENDPOINTS}
    with harness.gunicorn(args.database_url, workers, env=server_env) as base:
        files: dict[tuple[str, str], Path] = {}
        for endpoint, sides in targets(base, ids).items():
            for side, paths in sides.items():
                files[endpoint, side] = tmp / f"{endpoint}-{side}.txt"
                files[endpoint, side].write_text("\n".join(paths) + "\n", encoding="utf-8")
        for paths_file in files.values():  # warm every worker's connection and caches
            run_wrk(base, paths_file, args, args.warmup)
        for round_no in range(args.rounds):
            line = []
            for endpoint in ENDPOINTS:
                order = SIDES if round_no % 2 == 0 else SIDES[::-1]
                for side in order:
                    result = run_wrk(base, files[endpoint, side], args, args.duration)
                    runs[endpoint][side].append(result)
                ratio = runs[endpoint]["api"][-1]["rps"] / runs[endpoint]["bare"][-1]["rps"]
                line.append(f"{endpoint} {ratio:.2f}")
            print(f"{workers} workers, round {round_no + 1}: API/bare rps " + ", ".join(line))
    endpoints = {}
    for endpoint, by_side in runs.items():
        api, bare = summarise(by_side["api"]), summarise(by_side["bare"])
        round_ratios = [
            a["rps"] / b["rps"] for a, b in zip(by_side["api"], by_side["bare"], strict=True)
        ]
        endpoints[endpoint] = {
            "api": api,
            "bare": bare,
            "ratio_rps": round(api["rps"] / bare["rps"], 2),
            "ratio_rps_median_of_rounds": round(statistics.median(round_ratios), 2),
            "p50_ms_api_minus_bare": round(api["p50_ms"] - bare["p50_ms"], 2),
            "p95_ms_api_minus_bare": round(api["p95_ms"] - bare["p95_ms"], 2),
            "runs": by_side,
        }
    return endpoints


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=harness.DEFAULT_URL)
    parser.add_argument("--scale", default="national-2030")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, nargs="+", default=[2, 4])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=float, default=15, help="seconds per wrk run")
    parser.add_argument("--warmup", type=float, default=3, help="seconds per warm-up run")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections")
    parser.add_argument("--ids", type=int, default=1000, help="organisation ids for detail")
    parser.add_argument(
        "--redis",
        default="",
        help="REDIS_URL for the server, as in production (rate limits shared by the workers)",
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("bench/api.py needs wrk: apt-get install wrk")

    dataset = harness.ensure_dataset(args.database_url, args.scale, args.seed)
    from htxso.registry.models import Organisation

    all_ids = list(Organisation.objects.values_list("pk", flat=True))
    ids = random.Random(args.seed).sample(all_ids, min(args.ids, len(all_ids)))
    server_env = {
        "ROOT_URLCONF": "bare_urls",
        "PYTHONPATH": f"{harness.ROOT}:{BENCH}",
        # Throttling stays on (it is part of the API's cost) but never refuses a request.
        "API_RATE_ANONYMOUS": "1000000000/s",
        "API_RATE_AUTHENTICATED": "1000000000/s",
    }
    if args.redis:
        server_env["REDIS_URL"] = args.redis
    version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split("[")[0]
    results = {}
    with tempfile.TemporaryDirectory(prefix="htxso-bench-api-") as tmp:
        for workers in args.workers:
            results[str(workers)] = bench_workers(args, workers, ids, Path(tmp), server_env)

    payload = {
        "dataset": dataset,
        "wrk": {
            "version": version.strip(),
            "threads": args.threads,
            "connections": args.connections,
            "duration_s": args.duration,
        },
        "rounds": args.rounds,
        "redis": bool(args.redis),
        "detail_ids": len(ids),
        "list_filters": LIST_FILTERS,
        "goal": {"ratio_rps": 0.70},
        "workers": results,
    }
    path = harness.write_result("api", payload)
    for workers, endpoints in results.items():
        for endpoint, figures in endpoints.items():
            api, bare = figures["api"], figures["bare"]
            print(
                f"{workers} workers {endpoint:<11} API {api['rps']:>7} rps "
                f"p50 {api['p50_ms']} p95 {api['p95_ms']} ms | bare {bare['rps']:>7} rps "
                f"p50 {bare['p50_ms']} p95 {bare['p95_ms']} ms | ratio {figures['ratio_rps']}"
            )
    print(f"→ {path}")


if __name__ == "__main__":
    main()
