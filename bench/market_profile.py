"""Where a catalogue request's time goes (issue #20): the page in-process (Django's test
client, DEBUG off, templates cached as in production), split into SQL (every statement timed
by an execute wrapper), template rendering and the rest; optionally a cProfile of the whole.

    .venv/bin/python bench/market_profile.py --database-url postgres://…/htxso_bench_market \
        [--requests 50] [--profile] [--query 'q=chè tân' --query 'province=79&sort=price']
"""

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness

DEFAULT_QUERIES = [
    "q=Chè Tân Cương Thái Nguyên loại 5",
    "q=che",
    "q=Gạo nếp&province=01",
    "q=tra xanh&category=tea&sort=price",
    "province=79&max_price=100000&sort=price",
    "sort=-price",
]


class Timer:
    """Seconds spent in SQL and in template rendering during one request."""

    def __init__(self) -> None:
        self.sql = 0.0
        self.statements = 0
        self.render = 0.0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.sql += time.perf_counter() - started
            self.statements += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--query", action="append")
    parser.add_argument("--profile", action="store_true", help="cProfile, top 45 by cumulative")
    parser.add_argument("--code", help="run another checkout's htxso (e.g. main's) instead")
    args = parser.parse_args()
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-production")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    os.environ.setdefault("SECURE_COOKIES", "0")
    os.environ.setdefault("STATIC_ROOT", str(harness.ROOT / "var" / "bench-static"))
    if args.code:  # harness.setup_django puts ROOT first on the path
        harness.ROOT = Path(args.code).resolve()
    harness.setup_django(args.database_url)
    from django.core.management import call_command

    import htxso

    print("code:", Path(htxso.__file__).parent.parent, flush=True)

    call_command("collectstatic", interactive=False, verbosity=0)
    from django.db import connection
    from django.template import Template
    from django.test import Client

    timer = Timer()
    original = Template.render

    def timed_render(self: Template, context: Any) -> Any:
        if context.render_context.template is not None:  # nested (include/extends)
            return original(self, context)
        started = time.perf_counter()
        try:
            return original(self, context)
        finally:
            timer.render += time.perf_counter() - started

    Template.render = timed_render  # type: ignore[method-assign]
    client = Client(HTTP_ACCEPT_LANGUAGE="vi", SERVER_NAME="localhost")
    profiler = cProfile.Profile() if args.profile else None
    for query in args.query or DEFAULT_QUERIES:
        params = dict(parse_qsl(query))
        for _ in range(3):
            client.get("/market/", params)
        total, sql, render, statements = [], [], [], 0
        with connection.execute_wrapper(timer):
            for _ in range(args.requests):
                timer.sql = timer.render = 0.0
                timer.statements = 0
                client.cookies.clear()
                if profiler:
                    profiler.enable()
                started = time.perf_counter()
                response = client.get("/market/", params)
                total.append(time.perf_counter() - started)
                if profiler:
                    profiler.disable()
                assert response.status_code == 200, response.status_code
                sql.append(timer.sql)
                render.append(timer.render)
                statements = timer.statements
        p50 = statistics.median
        print(
            f"{query[:48]:48} total {p50(total) * 1000:6.1f}  sql {p50(sql) * 1000:6.1f}"
            f" ({statements} stmt)  render {p50(render) * 1000:5.1f}"
            f"  other {(p50(total) - p50(sql) - p50(render)) * 1000:5.1f} ms (p50)",
            flush=True,
        )
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
        pstats.Stats(profiler).sort_stats("cumulative").print_callees("product_card|catalogue")


if __name__ == "__main__":
    main()
