"""Lighthouse mobile performance of the public pages, on `make demo`'s server and in production.

    .venv/bin/python bench/lighthouse.py                 # both servers, 3 runs per page
    .venv/bin/python bench/lighthouse.py --mode production --runs 5
    .venv/bin/python bench/lighthouse.py --database-url postgres://postgres@127.0.0.1:5432/htxso_bench

Needs `npm ci` (Lighthouse is a pinned dev dependency in package.json, installed by `make vendor`)
and Debian's Chromium (`apt-get install chromium`): a benchmark-only toolchain, never used by
`make demo` or `make test`.

The data is the demo's database (`make data`) unless --database-url names another. The two servers:
- demo: `htxso runserver` with DEBUG on, exactly as `make demo` serves;
- production: gunicorn with DEBUG off (bench/harness.py), static files collected and served by
  WhiteNoise (hashed names, compressed, cached for a year).
Lighthouse runs its default mobile preset (emulated Moto G Power, simulated slow 4G and 4× CPU
slowdown), performance category only. Each page is run --runs times; the score and the metrics
reported are the medians. Goal (issue #24): every public page ≥ 90 in production, ≥ 80 on the demo.
"""

import argparse
import contextlib
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness

ROOT = harness.ROOT
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
DEMO_DB = f"sqlite:///{ROOT / 'var' / 'htxso.sqlite3'}"
METRICS = {
    "first-contentful-paint": "fcp_ms",
    "largest-contentful-paint": "lcp_ms",
    "total-blocking-time": "tbt_ms",
    "cumulative-layout-shift": "cls",
    "speed-index": "si_ms",
}


def public_pages(database_url: str) -> dict[str, str]:
    """The public pages, with real ids from the data (an organisation, a province)."""
    harness.setup_django(database_url)
    from htxso.core.models import Province
    from htxso.registry.models import Organisation

    org = Organisation.objects.order_by("id").values_list("id", flat=True).first()
    province = Province.objects.order_by("code").values_list("code", flat=True).first()
    pages = {
        "home": "/",
        "overview": "/overview/",
        "registry": "/registry/",
        "statistics": "/statistics/",
        "registration_lookup": "/registration/lookup/",
        "login": "/accounts/login/",
    }
    if org is not None:
        pages["organisation"] = f"/registry/{org}/"
    if province is not None:
        pages["statistics_province"] = f"/statistics/province/{province}/"
    pages.update(
        {
            "market": "/market/",
            "prices": "/prices/",
            "directives": "/tasks/public/",
        }
    )
    from htxso.traceability.models import Harvest

    harvest = Harvest.objects.select_related("product").order_by("id").first()
    if harvest is not None and harvest.product is not None:  # the label's URL, as scanned
        pages["trace"] = f"/01/{harvest.product.gtin}/10/{harvest.lot}"
    return pages


def wait_for(port: int, proc: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError("the server did not start") from None
            time.sleep(0.2)


@contextlib.contextmanager
def demo_server(database_url: str) -> Iterator[str]:
    """`make demo`'s server: runserver, DEBUG on (no reloader, so it stops with us)."""
    port = harness.free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "DEBUG": "1", "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "htxso.cli", "runserver", f"127.0.0.1:{port}", "--noreload"]
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stderr=subprocess.DEVNULL)
    try:
        wait_for(port, proc)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def lighthouse(url: str, chrome: str, attempts: int = 3) -> dict:
    """One Lighthouse run; a run that Lighthouse itself aborts (e.g. NO_NAVSTART on a loaded
    machine) is retried, never counted."""
    for attempt in range(attempts):
        try:
            return lighthouse_once(url, chrome)
        except subprocess.CalledProcessError:
            if attempt == attempts - 1:
                raise
            print(f"  (Lighthouse aborted on {url}; again)", flush=True)
    raise AssertionError("unreachable")


def lighthouse_once(url: str, chrome: str) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.json"
        subprocess.run(
            [
                str(LIGHTHOUSE),
                url,
                "--only-categories=performance",
                "--output=json",
                f"--output-path={out}",
                "--quiet",
                "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
            ],
            env={**os.environ, "CHROME_PATH": chrome},
            check=True,
            timeout=300,
        )
        report = json.loads(out.read_text(encoding="utf-8"))
    audits = report["audits"]
    result = {"score": round(report["categories"]["performance"]["score"] * 100)}
    for audit, name in METRICS.items():
        value = audits[audit]["numericValue"]
        result[name] = round(value, 3) if name == "cls" else round(value)
    result["bytes"] = round(audits["total-byte-weight"]["numericValue"])
    blocking = audits.get("render-blocking-resources", {}).get("details", {}).get("items", [])
    result["render_blocking"] = [item["url"].split("/static/")[-1] for item in blocking]
    return result


def median_of(runs: list[dict]) -> dict:
    summary: dict = {"runs": len(runs), "scores": [r["score"] for r in runs]}
    for key in ("score", *METRICS.values(), "bytes"):
        summary[key] = statistics.median(r[key] for r in runs)
    summary["render_blocking"] = runs[-1]["render_blocking"]
    return summary


def measure(base: str, pages: dict[str, str], runs: int, chrome: str) -> dict:
    for path in pages.values():  # warm the server (first-request imports, caches)
        subprocess.run(["curl", "-s", "-o", "/dev/null", base + path], check=False)
    results = {}
    for name, path in pages.items():
        results[name] = {
            "path": path,
            **median_of([lighthouse(base + path, chrome) for _ in range(runs)]),
        }
        print(
            f"  {name:22} {path:32} score {results[name]['score']:>5} {results[name]['scores']}",
            flush=True,
        )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database-url", default=DEMO_DB, help="default: the demo's SQLite file (make data)"
    )
    parser.add_argument("--mode", choices=["demo", "production", "both"], default="both")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--workers", type=int, default=2, help="gunicorn workers in production mode"
    )
    parser.add_argument("--chrome", default=shutil.which("chromium") or "/usr/bin/chromium")
    parser.add_argument(
        "--pages", nargs="*", default=None, help="only these pages (names as in the results)"
    )
    args = parser.parse_args()
    if not LIGHTHOUSE.exists():
        sys.exit("Lighthouse is not installed: run `npm ci` (or `make vendor`) first.")
    pages = public_pages(args.database_url)
    if args.pages:
        unknown = sorted(set(args.pages) - set(pages))
        if unknown:
            sys.exit(f"Unknown pages {unknown}; the pages are {sorted(pages)}.")
        pages = {name: path for name, path in pages.items() if name in args.pages}
    payload: dict = {
        "runs": args.runs,
        "preset": "mobile (Lighthouse default)",
        "lighthouse": lighthouse_version(),
    }
    modes = ["demo", "production"] if args.mode == "both" else [args.mode]
    for mode in modes:
        print(f"{mode}:", flush=True)
        server = (
            demo_server(args.database_url)
            if mode == "demo"
            else harness.gunicorn(args.database_url, args.workers)
        )
        with server as base:
            payload[mode] = measure(base, pages, args.runs, args.chrome)
        payload[f"{mode}_min_score"] = min(page["score"] for page in payload[mode].values())
    print(harness.write_result("lighthouse", payload))


def lighthouse_version() -> str:
    return subprocess.run(
        [str(LIGHTHOUSE), "--version"], capture_output=True, text=True
    ).stdout.strip()


if __name__ == "__main__":
    main()
