"""Price files (issue #22, item 1): what a commit of a price file costs against the floor.

Each round, on a fresh set of series: the import (`htxso/prices/price_file.run`, commit: the
file read by `tabular.sources`, every row through `services.check_price`, set-wise writes with
outliers flagged, one audit entry) and the floor (the same CSV read by the csv module, its
numbers and dates parsed, the same observations bulk-inserted into the same series, nothing
checked) — interleaved, `--rounds` times; medians, the ratio, rows per second.

    python bench/prices_import.py [--rows 20000] [--rounds 3] [--database-url URL]

Writes bench/results/prices_import.json."""

import argparse
import csv
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from harness import DEFAULT_URL, ensure_database, setup_django, write_result

PROVINCES = ["66", "52", "68", "19", "01"]
COMMODITIES = ["ca-phe-robusta", "ho-tieu", "lua", "che", "cao-su-rss3", "chuoi"]
HEADER = ["Ngày", "Mặt hàng", "Tỉnh/thành phố", "Chợ, điểm thu mua", "Loại giá", "Giá (đồng)"]
HEADER += ["Đơn vị", "Nguồn"]


def write_file(path: Path, rows: int, seed: int) -> None:
    rng = random.Random(seed)
    series = [(c, p, f"Chợ {k}") for c in COMMODITIES for p in PROVINCES for k in range(2)]
    per = rows // len(series) + 1
    today = dt.date.today()
    written = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(HEADER)
        for commodity, province, market in series:
            price = rng.uniform(20_000, 150_000)
            for back in range(per, 0, -1):
                if written >= rows:
                    break
                price *= 1 + rng.gauss(0, 0.01)
                day = (today - dt.timedelta(days=back)).strftime("%d/%m/%Y")
                value = f"{round(price, -2):,.0f}".replace(",", ".")
                out.writerow([day, commodity, province, market, "farm_gate", value, "kg", "Bench"])
                written += 1


def floor(path: Path) -> int:
    """Read, parse and bulk-insert the same rows into the same series, checking nothing."""
    from htxso.core.values import parse_date, parse_number
    from htxso.prices.models import Commodity, Observation, Series

    commodities = {c.code: c for c in Commodity.objects.all()}
    series: dict[tuple, Series] = {}
    objects = []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        for day, code, province, market, kind, value, unit, source in reader:
            key = (code, province, market)
            if key not in series:
                series[key] = Series.objects.get_or_create(
                    commodity=commodities[code], province_id=province, market=market,
                    price_type=kind, currency="VND", unit=unit, frequency="daily", source=source,
                )[0]  # fmt: skip
            number = parse_number(value)
            objects.append(
                Observation(
                    series=series[key], period=parse_date(day), value=number, vnd_per_kg=number
                )
            )
    Observation.objects.bulk_create(objects, batch_size=2000)
    return len(objects)


def clear() -> None:
    from htxso.prices.models import Series

    Series.objects.filter(source="Bench").delete()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database-url", default=DEFAULT_URL.replace("bench", "bench_prices"))
    args = parser.parse_args()
    if args.database_url.startswith("postgres"):
        ensure_database(args.database_url)
    setup_django(args.database_url)
    from django.core.management import call_command
    from django.db import connection, transaction

    from htxso.core.units import load_units
    from htxso.prices import ingest, price_file

    call_command("migrate", verbosity=0)
    load_units()
    ingest.load_catalogue()
    path = Path(tempfile.mkdtemp()) / "gia.csv"
    write_file(path, args.rows, seed=1)
    times: dict[str, list[float]] = {"floor": [], "import": [], "dry_run": []}
    for _round in range(args.rounds):
        for name in ("floor", "dry_run", "import"):
            clear()
            started = time.perf_counter()
            if name == "floor":
                with transaction.atomic():
                    floor(path)
            else:
                found = price_file.run(None, path, path.name, commit=name == "import")
                assert not found.has_errors, found.findings[:3]
            times[name].append(time.perf_counter() - started)
            print(f"{name}: {times[name][-1]:.2f} s", file=sys.stderr)
    clear()
    medians = {name: statistics.median(values) for name, values in times.items()}
    result = {
        "rows": args.rows,
        "rounds": args.rounds,
        "database": connection.vendor,
        "seconds": times,
        "median_seconds": medians,
        "import_vs_floor": medians["import"] / medians["floor"],
        "import_rows_per_second": args.rows / medians["import"],
        "floor_rows_per_second": args.rows / medians["floor"],
    }
    write_result("prices_import", result)
    print(result)


if __name__ == "__main__":
    main()
