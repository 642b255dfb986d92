"""What the API's rate limit costs per request (issue #24, item 2): `core.throttle`'s
sliding-window counter against django-ninja's stock throttle (a list of request times read
and rewritten per request), both on Redis as in production, for a client that has already
made `--history` requests inside a limit of `--limit` a minute.

    python bench/throttle.py [--rounds 5] [--requests 2000] [--limit 1200] [--history 1000]
                             [--redis redis://127.0.0.1:6379/12]

Writes bench/results/throttle.json. Needs Redis (the database is not used)."""

import argparse
import statistics
import time
from typing import Any

from harness import machine, setup_django, write_result


def per_request_us(throttle: Any, request: Any, requests: int) -> float:
    started = time.perf_counter()
    for _ in range(requests):
        if not throttle.allow_request(request):
            raise SystemExit("refused: --limit must exceed --history")
    return (time.perf_counter() - started) / requests * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--limit", type=int, default=1200)
    parser.add_argument("--history", type=int, default=1000)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/12")
    args = parser.parse_args()
    import os

    os.environ["REDIS_URL"] = args.redis
    setup_django("sqlite:///:memory:")
    from django.contrib.auth.models import AnonymousUser
    from django.core.cache import cache
    from django.test import RequestFactory
    from ninja.throttling import AnonRateThrottle

    from htxso.core.api import AnonymousThrottle

    class Stock(AnonRateThrottle):  # ninja's own: the list of times
        def get_cache_key(self, request: Any) -> str:
            return f"bench-stock:{self.get_ident(request)}"

    request: Any = RequestFactory().get("/api/v1/provinces", REMOTE_ADDR="192.0.2.1")
    request.auth = AnonymousUser()
    rate = f"{args.limit}/min"
    batch = args.limit - args.history  # requests that still fit the client's minute
    stock_us, counter_us = [], []
    for _ in range(args.rounds):
        stock_times, counter_times = [], []
        for _ in range(max(1, args.requests // batch)):
            cache.clear()
            stock, counter = Stock(rate), AnonymousThrottle(rate)
            cache.set("bench-stock:192.0.2.1", [time.time()] * args.history, 60)
            for _ in range(args.history):  # the same past minute for the counter
                counter.allow_request(request)
            stock_times.append(per_request_us(stock, request, batch))
            counter_times.append(per_request_us(counter, request, batch))
        stock_us.append(statistics.mean(stock_times))
        counter_us.append(statistics.mean(counter_times))
    cache.clear()
    result = {
        "limit_per_min": args.limit,
        "history": args.history,
        "requests": args.requests,
        "rounds": args.rounds,
        "stock_us_median": round(statistics.median(stock_us), 1),
        "counter_us_median": round(statistics.median(counter_us), 1),
        "ratio_counter_to_stock": round(
            statistics.median(counter_us) / statistics.median(stock_us), 3
        ),
        "stock_us": [round(x, 1) for x in stock_us],
        "counter_us": [round(x, 1) for x in counter_us],
        "machine": machine(),
    }
    write_result("throttle", result)
    print(result)


if __name__ == "__main__":
    main()
