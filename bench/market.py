"""The marketplace on PostgreSQL: catalogue search over HTTP against the same SQL run directly,
and checkout under a real load tool (wrk) with the oversold count.

1. Dataset: a registry (`--scale`, national-2030 for the issue's figures) plus `--products`
   products of active sellers and `--orders` orders (bulk-inserted, names from a vocabulary
   of Vietnamese goods so searches find thousands of rows).
2. Search: for queries drawn from the products held (a whole name with and without accents,
   its first words, one common word, filters, price order) plus named empty cases, the SQL the
   catalogue page runs is captured, then interleaved rounds time `raw` (those statements with
   psycopg, one connection) and `http` (GET /market/?… on gunicorn, DEBUG off, keep-alive).
   Goal: p95 ≤ 50 ms and ≤ 2× raw.
3. Checkout: one product with `--stock` units; wrk (`--connections`, `--duration`) posts one
   order of one unit per request through the API; afterwards sold units + stock left must be
   the starting stock and stock ≥ 0 (oversold = 0); orders/s is placed orders per second.

    .venv/bin/python bench/market.py [--scale national-2030] [--products 500000]
                                     [--orders 5000000] [--rounds 5]
"""

import argparse
import http.client
import json
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness

# Named empty cases: words no generated product has (the index answers without a row).
EMPTY_QUERIES: list[dict[str, str]] = [
    {"q": "sầu riêng Đắk Lắk"},
    {"q": "xyz không có"},
    {"q": "chè", "category": "seafood"},
]
BROWSE_QUERIES: list[dict[str, str]] = [
    {"category": "tea", "stars": "4"},
    {"province": "79", "max_price": "100000", "sort": "price"},
    {"sort": "-price"},
]


def draw_queries(seed: int) -> list[dict[str, str]]:
    """Searches drawn from the products the database holds: a whole name as typed (accents),
    the same unaccented, its first two words, its first word (thousands of matches), two
    words with a province or a category filter, sorted by price; plus the named empty cases
    and plain browsing."""
    from htxso.core.text import search_key
    from htxso.marketplace.models import Product

    rng = random.Random(seed)
    top = Product.objects.order_by("-id").values_list("id", flat=True).first() or 0
    drawn: list[dict[str, str]] = []
    for _ in range(3):
        row = (
            Product.objects.filter(id__gte=rng.randrange(1, top + 1), seller__status="active")
            .order_by("id")
            .values("name", "province_id", "category")
            .first()
        )
        if row is None:
            continue
        words = row["name"].split()
        drawn += [
            {"q": row["name"]},
            {"q": search_key(row["name"])},
            {"q": " ".join(words[:2])},
            {"q": search_key(words[0])},
            {"q": " ".join(words[:2]), "province": row["province_id"]},
            {"q": search_key(" ".join(words[:2])), "category": row["category"], "sort": "price"},
        ]
    return drawn + EMPTY_QUERIES + BROWSE_QUERIES


GOODS = [
    ("Chè Tân Cương", "tea", "goi"),
    ("Chè búp", "tea", "goi"),
    ("Trà xanh", "tea", "thung"),
    ("Gạo ST25", "rice", "kg"),
    ("Gạo nếp", "rice", "kg"),
    ("Mật ong hoa nhãn", "processed", "chai"),
    ("Bưởi Diễn", "fruit", "kg"),
    ("Cá tra phi lê", "seafood", "kg"),
    ("Miến dong", "processed", "goi"),
    ("Giỏ mây tre", "craft", "cai"),
    ("Sâm Ngọc Linh", "herbal", "goi"),
    ("Nước mắm Phú Quốc", "processed", "chai"),
    ("Cà phê Robusta", "processed", "goi"),
    ("Hạt điều rang", "processed", "goi"),
    ("Vải thiều", "fruit", "kg"),
    ("Tôm khô", "seafood", "goi"),
]
PLACES = ["Thái Nguyên", "Sóc Sơn", "Đồng Tháp", "Cà Mau", "Lâm Đồng", "Hưng Yên", "Nghệ An"]


def ensure_market(products: int, orders: int, seed: int) -> dict:
    """Bulk-insert products and orders up to the wanted counts (kept between runs)."""
    from django.db import connection

    from htxso.core.models import Commune, User
    from htxso.core.roles import Role
    from htxso.core.text import search_key
    from htxso.marketplace.models import Order, Product
    from htxso.registry.models import Organisation

    rng = random.Random(seed)
    sellers = list(
        Organisation.objects.filter(status="active").values_list("id", "province_id")[:20_000]
    )
    have = Product.objects.count()
    batch: list[Product] = []
    for i in range(have, products):
        good, category, unit = GOODS[i % len(GOODS)]
        name = f"{good} {PLACES[rng.randrange(len(PLACES))]} loại {1 + i % 97}"
        seller, province = sellers[rng.randrange(len(sellers))]
        stars = rng.choice([None, None, 3, 4, 5])
        batch.append(
            Product(
                seller_id=seller,
                province_id=province,
                name=name,
                search_key=search_key(name),
                category=category,
                unit=unit,
                price=rng.randrange(10, 2000) * 1000,
                stock=rng.randrange(0, 500),
                ocop_stars=stars,
                ocop_certificate="OCOP-BENCH" if stars else "",
                ocop_expires_on=__import__("datetime").date(2030, 1, 1) if stars else None,
            )
        )
        if len(batch) == 10_000:
            Product.objects.bulk_create(batch)
            batch = []
            print(f"products {i + 1:,}", flush=True)
    Product.objects.bulk_create(batch)
    buyer, _ = User.objects.get_or_create(username="bench-buyer", defaults={"role": Role.BUYER})
    commune = Commune.objects.order_by("code").first()
    assert commune is not None
    insert_orders(buyer.pk, commune.pk, orders, seed)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE marketplace_product; ANALYZE marketplace_order")
    return {"products": Product.objects.count(), "orders": Order.objects.count()}


def insert_orders(buyer_id: int, commune_id: str, orders: int, seed: int) -> None:
    """Orders (one line each) up to `orders`, by INSERT … SELECT in chunks of 250,000 (each its
    own transaction, so an interrupted run keeps what it made): products drawn from 5,000
    listed ones, dated over the last three years, mostly delivered, some cancelled or open."""
    from django.db import connection, transaction

    from htxso.marketplace.models import Order

    have = Order.objects.filter(reference__startswith="BX").count()
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(%s)", [seed / 1000])
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS bench_pick AS SELECT row_number() OVER () - 1 AS k,"
            " id, seller_id, province_id, name, price FROM (SELECT id, seller_id, province_id,"
            " name, price FROM marketplace_product ORDER BY random() LIMIT 5000) p"
        )
        cursor.execute("SELECT count(*) FROM bench_pick")
        picks = cursor.fetchone()[0]
    for start in range(have, orders, 250_000):
        stop = min(orders, start + 250_000)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                """
                INSERT INTO marketplace_order (reference, buyer_id, seller_id, province_id, status,
                    payment, total, paid_via, recipient, phone, delivery_commune_id, street,
                    version, created_at, updated_at)
                SELECT 'BX' || lpad(g::text, 12, '0'), %(buyer)s, p.seller_id, p.province_id,
                    (ARRAY['delivered','delivered','delivered','delivered','delivered','delivered',
                           'delivered','cancelled','placed','shipped'])[1 + g %% 10],
                    'cod', p.price * (1 + g %% 3), '', 'Bench', '0900000000', %(commune)s, '1', 1,
                    now() - make_interval(mins => ((g * 7919) %% (3 * 365 * 24 * 60))::int),
                    now() - make_interval(mins => ((g * 7919) %% (3 * 365 * 24 * 60))::int)
                FROM generate_series(%(start)s::bigint, %(stop)s::bigint - 1) g
                JOIN bench_pick p ON p.k = (g * 2654435761) %% %(picks)s
                """,
                {
                    "buyer": buyer_id,
                    "commune": commune_id,
                    "start": start,
                    "stop": stop,
                    "picks": picks,
                },
            )
            cursor.execute(
                """
                INSERT INTO marketplace_orderline (order_id, product_id, name, quantity, unit_price)
                SELECT o.id, p.id, p.name, 1 + g %% 3, p.price
                FROM generate_series(%(start)s::bigint, %(stop)s::bigint - 1) g
                JOIN marketplace_order o ON o.reference = 'BX' || lpad(g::text, 12, '0')
                JOIN bench_pick p ON p.k = (g * 2654435761) %% %(picks)s
                """,
                {"start": start, "stop": stop, "picks": picks},
            )
        print(f"orders {stop:,}", flush=True)


def capture_sql(params: dict[str, str]) -> list[str]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.get("/market/", params)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/market/", params)
    assert response.status_code == 200, response.status_code
    return [q["sql"] for q in ctx.captured_queries if "django_session" not in q["sql"]]


def time_raw(conn: Any, statements: list[str], repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        with conn.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql.encode())
                cursor.fetchall()
        samples.append(time.perf_counter() - started)
    return samples


def time_http(base: str, params: dict[str, str], repeat: int, pool: dict) -> list[float]:
    url = urlparse(base)
    path = "/market/?" + urlencode(params)
    conn = pool.get("c") or http.client.HTTPConnection(url.hostname or "", url.port, timeout=30)
    pool["c"] = conn
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        conn.request("GET", path, headers={"Accept-Language": "vi"})
        response = conn.getresponse()
        response.read()
        samples.append(time.perf_counter() - started)
        if response.status != 200:
            raise RuntimeError(f"{path}: HTTP {response.status}")
    return samples


def search(
    base: str, database_url: str, rounds: int, repeat: int, seed: int, prepared: bool = False
) -> dict:
    """`prepared`: let psycopg prepare the raw side's statements (after 5 runs of one text it
    does by default): the raw side then skips planning, which no catalogue request can (each
    search's text differs, and Django's client-side binding never prepares). Off by default:
    both sides plan every statement."""
    import psycopg

    plans = [(p, capture_sql(p)) for p in draw_queries(seed)]
    print("queries:", json.dumps([p for p, _ in plans], ensure_ascii=False), flush=True)
    raw_all: list[float] = []
    http_all: list[float] = []
    ratios = []
    per_query: dict[str, dict[str, list[float]]] = {
        json.dumps(p, ensure_ascii=False): {"raw": [], "http": []} for p, _ in plans
    }
    threshold = 5 if prepared else None
    with psycopg.connect(database_url, autocommit=True, prepare_threshold=threshold) as raw_conn:
        pool: dict = {}
        for params, statements in plans:
            time_raw(raw_conn, statements, 2)
            time_http(base, params, 2, pool)
        for round_no in range(rounds):
            raw_round: list[float] = []
            http_round: list[float] = []
            for params, statements in plans:
                raw_q = time_raw(raw_conn, statements, repeat)
                http_q = time_http(base, params, repeat, pool)
                raw_round += raw_q
                http_round += http_q
                mine = per_query[json.dumps(params, ensure_ascii=False)]
                mine["raw"] += raw_q
                mine["http"] += http_q
            ratio = harness.percentile(http_round, 95) / harness.percentile(raw_round, 95)
            ratios.append(ratio)
            raw_all += raw_round
            http_all += http_round
            print(
                f"search round {round_no + 1}: http p95 "
                f"{harness.percentile(http_round, 95) * 1000:.1f} ms, raw p95 "
                f"{harness.percentile(raw_round, 95) * 1000:.1f} ms, ratio {ratio:.2f}",
                flush=True,
            )
    http_s, raw_s = harness.summary_ms(http_all), harness.summary_ms(raw_all)
    queries = []
    for name, samples in per_query.items():
        h, r = harness.summary_ms(samples["http"]), harness.summary_ms(samples["raw"])
        queries.append(
            {
                "query": name,
                "http_p50_ms": h["p50_ms"],
                "http_p95_ms": h["p95_ms"],
                "raw_p50_ms": r["p50_ms"],
                "raw_p95_ms": r["p95_ms"],
                "ratio_p50": round(h["p50_ms"] / max(r["p50_ms"], 0.01), 2),
                "ratio_p95": round(h["p95_ms"] / max(r["p95_ms"], 0.01), 2),
            }
        )
        print(
            f"{name[:70]:70} http {h['p50_ms']:6.1f}/{h['p95_ms']:6.1f}"
            f"  raw {r['p50_ms']:6.1f}/{r['p95_ms']:6.1f}  p95 ratio {queries[-1]['ratio_p95']}",
            flush=True,
        )
    return {
        "queries": queries,
        "http": http_s,
        "raw_sql": raw_s,
        "ratio_p95": round(http_s["p95_ms"] / raw_s["p95_ms"], 2),
        "ratio_p95_median_of_rounds": round(statistics.median(ratios), 2),
        "goal": {"p95_ms": 50, "ratio": 2.0},
    }


def settled(product_id: int, quiet: float = 2.0, limit: float = 60.0) -> tuple[int, int]:
    """(units sold, stock left) of the product, read in one statement once two reads `quiet`
    seconds apart agree (no order still committing), at most `limit` seconds."""
    from django.db import connection

    def read() -> tuple[int, int]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT (SELECT coalesce(sum(quantity), 0) FROM marketplace_orderline"
                " WHERE product_id = %s), (SELECT stock FROM marketplace_product WHERE id = %s)",
                [product_id, product_id],
            )
            sold, left = cursor.fetchone()
        return int(sold), int(left)

    started, last = time.monotonic(), read()
    while time.monotonic() - started < limit:
        time.sleep(quiet)
        now = read()
        if now == last:
            return now
        last = now
    return last


def checkout(base: str, stock: int, connections: int, duration: float) -> dict:

    from htxso.core.models import Commune, User
    from htxso.core.tokens import issue_token
    from htxso.marketplace.models import Product

    buyer = User.objects.get(username="bench-buyer")
    token = issue_token(None, buyer, "bench")
    product = Product.objects.filter(seller__status="active", listed=True).order_by("id").first()
    assert product is not None
    settled(product.pk)  # the previous run's requests still in flight commit first
    Product.objects.filter(pk=product.pk).update(stock=stock)
    sold_before, _ = settled(product.pk)
    commune = Commune.objects.order_by("code").first()
    body = json.dumps(
        {
            "items": [{"product_id": product.pk, "quantity": 1}],
            "payment": "cod",
            "recipient": "Bench",
            "phone": "0900000000",
            "commune_id": commune.pk if commune else "",
            "street": "1",
        }
    )
    script = Path(__file__).with_name("market_checkout.lua")
    done = subprocess.run(
        [
            "wrk",
            "-t",
            "2",
            "-c",
            str(connections),
            "-d",
            f"{duration:g}s",
            "-s",
            str(script),
            f"{base}/api/v1/market/orders",
            "--",
            token,
            body,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    line = next(x for x in done.stdout.splitlines() if x.startswith("WRK_JSON "))
    figures = json.loads(line.removeprefix("WRK_JSON "))
    # wrk stops sending, but requests the server already holds still commit: wait until they
    # have, then read units sold and stock left in one statement (one snapshot). Reading
    # them apart while orders still committed once gave sold + left = stock + 1.
    sold, left = settled(product.pk)
    sold -= sold_before
    product.stock = left
    seconds = figures["duration_us"] / 1e6
    return {
        "stock": stock,
        "connections": connections,
        "requests": figures["requests"],
        "placed": figures["placed"],
        "refused_out_of_stock": figures["refused"],
        "other_status": figures["other"],
        "sold_units": sold,
        "stock_left": product.stock,
        "oversold": max(0, sold - stock),
        "consistent": sold + product.stock == stock and product.stock >= 0,
        "requests_per_s": round(figures["requests"] / seconds, 1),
        "p50_ms": round(figures["p50_us"] / 1000, 1),
        "p95_ms": round(figures["p95_us"] / 1000, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database-url", default=harness.DEFAULT_URL.replace("bench", "bench_market")
    )
    parser.add_argument("--scale", default="national-2030")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--products", type=int, default=500_000)
    parser.add_argument("--orders", type=int, default=5_000_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--stock", type=int, default=500)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--checkout-rounds", type=int, default=3)
    parser.add_argument(
        "--registry-as-is",
        action="store_true",
        help="keep the registry the database holds (a generation cut short) instead of --scale",
    )
    parser.add_argument(
        "--random-page-cost",
        type=float,
        default=1.1,
        help="the planner's cost of a random page for this database (SSD: 1.1; 0: leave it)",
    )
    parser.add_argument(
        "--raw-prepared",
        action="store_true",
        help="let the raw side reuse prepared plans (psycopg's default; runs before 8 Dec 2026)",
    )
    parser.add_argument(
        "--data-only", action="store_true", help="build the dataset and stop (long: run it first)"
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("bench/market.py needs wrk: apt-get install wrk")
    if args.registry_as_is:
        harness.setup_django(args.database_url)
        from django.core.management import call_command

        from htxso.registry.models import Membership, Organisation

        call_command("migrate", verbosity=0, interactive=False)
        dataset = {
            "scale": f"{args.scale} (cut short: registry as the database holds it)",
            "organisations": Organisation.objects.count(),
            "memberships": Membership.objects.count(),
        }
    else:
        dataset = harness.ensure_dataset(args.database_url, args.scale, args.seed)
    dataset["market"] = ensure_market(args.products, args.orders, args.seed)
    if args.random_page_cost:
        # As on a production SSD server (docs/operations.md): with the default 4 the planner
        # sorts every match of correlated words to merge-join the sellers instead of stopping
        # a nested loop at the candidate limit. Set for the database: the raw side gets it too.
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT current_database()")
            name = cursor.fetchone()[0]
            cursor.execute(
                f'ALTER DATABASE "{name}" SET random_page_cost = {float(args.random_page_cost)}'
            )
        dataset["random_page_cost"] = args.random_page_cost
    if args.data_only:
        print(json.dumps(dataset))
        return
    env = {"API_RATE_ANONYMOUS": "1000000000/s", "API_RATE_AUTHENTICATED": "1000000000/s"}
    with harness.gunicorn(args.database_url, args.workers, env=env) as base:
        found = search(
            base, args.database_url, args.rounds, args.repeat, args.seed, args.raw_prepared
        )
        found["raw_prepared"] = args.raw_prepared
        runs = [
            checkout(base, args.stock, args.connections, args.duration)
            for _ in range(args.checkout_rounds)
        ]
    result = {
        "dataset": dataset,
        "workers": args.workers,
        "search": found,
        "checkout": {
            "runs": runs,
            "median_placed_per_s": statistics.median(
                r["placed"] / (args.duration or 1) for r in runs
            ),
            "oversold_total": sum(r["oversold"] for r in runs),
            "all_consistent": all(r["consistent"] for r in runs),
        },
    }
    path = harness.write_result("market", result)
    print(json.dumps({"search": found, "checkout": result["checkout"]}, indent=1)[:2000])
    print(f"→ {path}")


if __name__ == "__main__":
    main()
