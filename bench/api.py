"""REST API reads at national-2030 scale under gunicorn, loaded by wrk, against bare Django views.

Endpoints (anonymous, public reads), `--endpoints` to choose:
  - detail:      GET /api/v1/organisations/{id}, a random id of a fixed sample for each request;
  - list:        GET /api/v1/organisations?province=19&kind=cooperative (first page, default
                 limit);
  - list_cursor: the same list, second page (the first page's next_cursor);
  the new apps' public reads (issue #24, item 4), first pages at the default limit:
  - market_products, market_product (ids of the first page), market_requests;
  - price_commodities, price_series, price_observations (series with observations);
  - directives (/public/directives), forum_editions, forum_recommendations;
  - registrations (/registrations?q=: tax codes and name endings drawn from the data).
  An operation whose list is empty in the database is left out, and said so.
Baseline for each: a plain Django view answering the same rows as JSON (bench/bare_urls.py,
bench/bare_apps.py: values() + JsonResponse; no django-ninja, no auth, no throttling), served
by the same gunicorn; before timing, every pair is checked to answer the same rows in order.

For each worker count, rounds interleave API and bare runs of `wrk --latency` (another
process; Lua script bench/api.lua, which adds p95). Reported per endpoint: medians over rounds
of requests/s, p50, p95 and p99, and ratio = API rps / bare rps. Goal: ratio ≥ 0.90 at 2 and
4 workers with Redis (`--redis`), as in production.

    .venv/bin/python bench/api.py [--database-url URL] [--workers 2 4] [--rounds 3]
                                  [--duration 15] [--redis redis://127.0.0.1:6379/11]
                                  [--endpoints detail list …]

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
from typing import Any
from urllib.parse import urlencode, urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness

BENCH = Path(__file__).resolve().parent
LUA = BENCH / "api.lua"
LIST_FILTERS = {"province": "19", "kind": "cooperative"}
APP_LISTS = {
    "market_products": "/api/v1/market/products",
    "market_requests": "/api/v1/market/requests",
    "price_commodities": "/api/v1/prices/commodities",
    "price_series": "/api/v1/prices/series",
    "directives": "/api/v1/public/directives",
    "forum_editions": "/api/v1/forum/editions",
    "forum_recommendations": "/api/v1/forum/recommendations",
}
REGISTRY = ("detail", "list", "list_cursor")
APPS = (
    "market_products", "market_product", "market_requests", "price_commodities",
    "price_series", "price_observations", "directives", "forum_editions",
    "forum_recommendations", "registrations",
)  # fmt: skip
ENDPOINTS = REGISTRY + APPS
SIDES = ("api", "bare")
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def get_json(base: str, path: str) -> dict:
    url = urlparse(base)
    conn = http.client.HTTPConnection(url.hostname or "", url.port, timeout=300)
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


def _keys(payload: Any) -> list:
    """The identities of an answer's rows, in order: the page's items, a list's rows or one
    object; by the first of id, code, number, organisation_id."""
    rows = payload["items"] if isinstance(payload, dict) and "items" in payload else payload
    rows = rows if isinstance(rows, list) else [rows]
    names = ("id", "code", "number", "organisation_id")
    return [next(row[n] for n in names if n in row) for row in rows]


def registry_targets(base: str, ids: list[int]) -> dict[str, dict[str, list[str]]]:
    """The registry's reads (detail, list, the list's second page by cursor)."""
    api_list = "/api/v1/organisations?" + urlencode(LIST_FILTERS)
    bare_list = "/bench/bare/organisations?" + urlencode(LIST_FILTERS)
    first = get_json(base, api_list)
    if not first["items"] or not first["next_cursor"]:
        raise RuntimeError(f"{api_list}: expected a full first page with a next cursor")
    key, pk = decode_cursor(first["next_cursor"])
    api_cursor = f"{api_list}&{urlencode({'cursor': first['next_cursor']})}"
    bare_cursor = f"{bare_list}&{urlencode({'after_key': key, 'after_id': pk})}"
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


def _pair(paths: list[str]) -> dict[str, list[str]]:
    """API paths and their bare twins (/api/v1/x → /bench/bare/x)."""
    return {"api": paths, "bare": [p.replace("/api/v1/", "/bench/bare/", 1) for p in paths]}


def app_targets(base: str, lookups: list[str]) -> dict[str, dict[str, list[str]]]:
    """The new apps' public reads (#24 item 4); an operation with no rows is left out (said)."""
    found: dict[str, dict[str, list[str]]] = {}
    for name in ("market_products", "market_requests", "price_commodities", "price_series",
                 "directives", "forum_editions", "forum_recommendations"):  # fmt: skip
        found[name] = _pair([APP_LISTS[name]])
    products = _keys(get_json(base, APP_LISTS["market_products"]))[:200]
    found["market_product"] = _pair([f"/api/v1/market/products/{pk}" for pk in products])
    series = [
        s["id"]
        for s in get_json(base, APP_LISTS["price_series"] + "?limit=500")["items"]
        if s["observations_count"]
    ][:200]
    found["price_observations"] = _pair(
        [f"/api/v1/prices/series/{pk}/observations" for pk in series]
    )
    found["registrations"] = _pair(
        [f"/api/v1/registrations?{urlencode({'q': q})}" for q in lookups]
    )
    for name in list(found):
        if not found[name]["api"] or not _keys(get_json(base, found[name]["api"][0])):
            print(f"{name}: no rows in this database, not measured", flush=True)
            del found[name]
    return found


def check_same_rows(base: str, targets: dict[str, dict[str, list[str]]]) -> None:
    """Every endpoint's bare view answers the same rows in the same order (up to 20 paths)."""
    for name, sides in targets.items():
        for api_path, bare_path in list(zip(sides["api"], sides["bare"], strict=True))[:20]:
            api_keys = _keys(get_json(base, api_path))
            bare_keys = _keys(get_json(base, bare_path))
            if api_keys != bare_keys:
                raise RuntimeError(f"{name}: {api_path} and {bare_path} answer different rows")


def to_ms(value: str, unit: str) -> float:
    return float(value) * UNITS[unit]


def parse_wrk(output: str) -> dict:
    """wrk's own figures (requests/s, p50, p99 of --latency) plus the Lua done() line."""
    extra = next(line for line in output.splitlines() if line.startswith("WRK_JSON "))
    figures = json.loads(extra.removeprefix("WRK_JSON "))
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.M)
    p50 = re.search(r"^\s+50%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
    p99 = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
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


def registration_lookups(seed: int, count: int = 20) -> list[str]:
    """What people type into the registration lookup, drawn from the data: tax codes that
    exist, and the last two words of organisations' names (the distinctive part)."""
    from htxso.registry.models import Organisation

    rng = random.Random(seed)
    rows = list(Organisation.objects.order_by("id").values_list("id", "tax_code", "name"))
    picked = rng.sample(rows, min(4 * count, len(rows)))
    codes = [code for _pk, code, _name in picked if code][:count]
    names = [" ".join(name.split()[-2:]) for _pk, _code, name in picked[:count]]
    return codes + names


def bench_workers(
    args: argparse.Namespace,
    workers: int,
    sample: tuple[list[int], list[str]],
    tmp: Path,
    server_env: dict,
) -> dict:
    ids, lookups = sample
    with harness.gunicorn(args.database_url, workers, env=server_env) as base:
        chosen = registry_targets(base, ids) if set(args.endpoints) & set(REGISTRY) else {}
        if set(args.endpoints) & set(APPS):
            apps = app_targets(base, lookups)
            check_same_rows(base, apps)
            chosen.update(apps)
        check_same_rows(base, chosen)
        chosen = {name: chosen[name] for name in args.endpoints if name in chosen}
        runs: dict[str, dict[str, list[dict]]] = {e: {s: [] for s in SIDES} for e in chosen}
        files: dict[tuple[str, str], Path] = {}
        for endpoint, sides in chosen.items():
            for side, paths in sides.items():
                files[endpoint, side] = tmp / f"{endpoint}-{side}.txt"
                files[endpoint, side].write_text("\n".join(paths) + "\n", encoding="utf-8")
        for paths_file in files.values():  # warm every worker's connection and caches
            run_wrk(base, paths_file, args, args.warmup)
        for round_no in range(args.rounds):
            line = []
            for endpoint in chosen:
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


def write(args: argparse.Namespace, dataset: dict, ids: int, results: dict) -> Path:
    version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split("[")[0]
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
        "detail_ids": ids,
        "list_filters": LIST_FILTERS,
        "goal": {"ratio_rps": 0.90},
        "command": "python bench/api.py " + " ".join(sys.argv[1:]),
        "workers": results,
    }
    return harness.write_result("api", payload)


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
        "--endpoints", nargs="+", choices=ENDPOINTS, default=list(ENDPOINTS), metavar="NAME"
    )
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
    lookups = registration_lookups(args.seed)
    server_env = {
        "ROOT_URLCONF": "bare_urls",
        "PYTHONPATH": f"{harness.ROOT}:{BENCH}",
        # Throttling stays on (it is part of the API's cost) but never refuses a request.
        "API_RATE_ANONYMOUS": "1000000000/s",
        "API_RATE_AUTHENTICATED": "1000000000/s",
    }
    if args.redis:
        server_env["REDIS_URL"] = args.redis
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="htxso-bench-api-") as tmp:
        for workers in args.workers:
            results[str(workers)] = bench_workers(
                args, workers, (ids, lookups), Path(tmp), server_env
            )
            path = write(args, dataset, len(ids), results)  # kept if a later count fails

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
