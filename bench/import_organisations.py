"""Benchmark: import the national organisation list from CSV (issue #17, item 6).

    .venv/bin/python bench/import_organisations.py [--rows 50000] [--rounds 3]
                                                   [--database-url URL]

1. The file is generated (seeded): `--rows` organisations in the import template's columns
   (Vietnamese headers and labels, dd/mm/yyyy dates) — HTX with valid tax codes, groups
   without, unions; every province and commune of today's units, one in ten by its pre-2025
   address (district and old commune, not split since: converted by the import); one in
   eight not operating, with its date.
2. The target database `htxso_bench_orgs` is migrated, its units loaded, and emptied of
   organisations before every run. Each round times, in a subprocess with peak RSS from
   /usr/bin/time, `htxso import FILE --kind organisations --dry-run` and then the same
   without `--dry-run` (committed).
3. The floor, in the same run: the organisations the last commit wrote are dumped, the
   table emptied, and the same rows COPYed back into `registry_organisation` with its
   indexes dropped and rebuilt (`core.bulk.indexes_rebuilt`), committed — once per round.
Medians are reported with rows/s and the ratio of the commit's time to the floor's.
"""

import argparse
import io
import os
import random
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import DEFAULT_URL, ROOT, ensure_database, write_result

TARGET_URL = DEFAULT_URL.rsplit("/", 1)[0] + "/htxso_bench_orgs"


def prepare_target() -> None:
    ensure_database(TARGET_URL)
    env = {**os.environ, "DATABASE_URL": TARGET_URL, "DEBUG": "1"}
    cli = [sys.executable, "-m", "htxso.cli"]
    subprocess.run([*cli, "migrate", "-v", "0", "--skip-checks"], check=True, env=env, cwd=ROOT)
    subprocess.run(
        [*cli, "load_units", "--skip-checks"],
        check=True,
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )


def write_file(path: Path, rows: int, seed: int) -> None:
    """The generated national list (see the module's docstring)."""
    import csv

    import psycopg

    from htxso.core.mst import check_digit
    from htxso.exchange.layouts import ORGANISATION_LAYOUT
    from htxso.registry.choices import AgriculturalType, OrganisationKind, Sector, Status

    rng = random.Random(seed)
    with psycopg.connect(TARGET_URL) as conn:
        communes = conn.execute(
            "SELECT p.name, c.name FROM core_commune c "
            "JOIN core_province p ON p.code = c.province_id"
        ).fetchall()
        legacy = conn.execute(
            "SELECT p.name, d.name, l.name FROM core_legacycommune l "
            "JOIN core_legacydistrict d ON d.code = l.district_id "
            "JOIN core_legacyprovince p ON p.code = d.province_id "
            "WHERE l.current_commune_id IS NOT NULL AND (SELECT COUNT(*) FROM "
            "core_legacycommune_successors s WHERE s.legacycommune_id = l.code) <= 1"
        ).fetchall()
    keys = [c.key for c in ORGANISATION_LAYOUT.columns]
    kinds = [
        (OrganisationKind.COOPERATIVE, 60),
        (OrganisationKind.COOPERATIVE_GROUP, 35),
        (OrganisationKind.COOPERATIVE_UNION, 5),
    ]
    sectors = [s for s in Sector]
    farming = [str(a.label) for a in AgriculturalType]
    closed = [Status.SUSPENDED, Status.NOT_OPERATING, Status.DISSOLVED]
    serial = 0
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow([str(c.header) for c in ORGANISATION_LAYOUT.columns])
        for n in range(rows):
            kind = rng.choices([k for k, _w in kinds], [w for _k, w in kinds])[0]
            tax = ""
            if kind != OrganisationKind.COOPERATIVE_GROUP:
                while not tax:
                    serial += 1
                    head = f"{serial:09d}"
                    digit = check_digit(head)
                    tax = f"{head}{digit}" if digit is not None else ""
            sector = rng.choice(sectors)
            year = rng.randint(1997, 2024)
            founded = f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{year}"
            row = dict.fromkeys(keys, "")
            row.update(
                tax_code=tax,
                kind=str(kind.label),
                name=f"{kind.label} {rng.choice(['Dịch vụ', 'Nông nghiệp', 'Chè', 'Lúa'])} "
                f"{rng.choice(['An', 'Bình', 'Hòa', 'Phú', 'Tân'])} Số {n}",
                sector=f"{sector.value} - {sector.label}",
                agricultural_type=rng.choice(farming) if rng.random() < 0.1 else "",
                established_on=founded,
                charter_capital=f"{rng.randint(1, 900) * 10_000_000:,}".replace(",", "."),
                legal_representative=rng.choice(["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"]),
                phone=f"09{rng.randint(10_000_000, 99_999_999)}",
                is_high_tech=rng.choice(["Có", "Không"]),
                in_value_chain=rng.choice(["Có", "Không"]),
                street=f"Thôn {rng.randint(1, 20)}",
            )
            if rng.random() < 0.1:
                row["province"], row["legacy_district"], row["commune"] = rng.choice(legacy)
            else:
                row["province"], row["commune"] = rng.choice(communes)
            if rng.random() < 0.125:
                row["status"] = str(rng.choice(closed).label)
                row["status_since"] = f"01/06/{rng.randint(year + 1, 2025)}"
            writer.writerow([row[k] for k in keys])


def empty_target() -> None:
    import psycopg

    with psycopg.connect(TARGET_URL, autocommit=True) as conn:
        conn.execute("TRUNCATE registry_organisation RESTART IDENTITY CASCADE")
        conn.execute("DELETE FROM core_auditentry WHERE object_type = 'registry.organisation'")
        conn.execute("VACUUM ANALYZE registry_organisation")
        conn.execute("CHECKPOINT")


def run_import(path: Path, dry_run: bool) -> tuple[float, int, str]:
    env = {
        **os.environ,
        "DATABASE_URL": TARGET_URL,
        "DEBUG": "1",
        "JOBS_BACKEND": "inline",
        "HTXSO_VAR_DIR": str(ROOT / "var" / "bench"),
    }
    command = [sys.executable, "-m", "htxso.cli", "import", str(path)]
    command += ["--kind", "organisations", "--skip-checks", *(["--dry-run"] if dry_run else [])]
    started = time.perf_counter()
    proc = subprocess.run(
        ["/usr/bin/time", "-v", *command], env=env, cwd=ROOT, capture_output=True, text=True
    )
    seconds = time.perf_counter() - started
    found = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
    if proc.returncode != 0:
        print(proc.stdout[-3000:], proc.stderr[-3000:])
        raise SystemExit("import failed")
    summary = next((x for x in proc.stdout.splitlines() if x.startswith("Lượt nhập")), "")
    return seconds, int(found.group(1)) if found else 0, summary


def floor_copy() -> float:
    """Dump what the import wrote, empty the table, COPY the same rows back with the indexes
    rebuilt, commit: the floor's seconds (the COPY and the rebuild)."""
    import psycopg

    from htxso.core.bulk import indexes_rebuilt

    dump = io.BytesIO()
    with (
        psycopg.connect(TARGET_URL) as conn,
        conn.cursor().copy("COPY registry_organisation TO STDOUT (FORMAT binary)") as out,
    ):
        for chunk in out:
            dump.write(chunk)
    empty_target()
    with psycopg.connect(TARGET_URL) as conn:
        started = time.perf_counter()
        with (
            conn.cursor() as cursor,
            indexes_rebuilt("registry_organisation", cursor=cursor),
            cursor.copy("COPY registry_organisation FROM STDIN (FORMAT binary)") as copy,
        ):
            copy.write(dump.getvalue())
        conn.commit()
        return time.perf_counter() - started


def main() -> None:
    global TARGET_URL
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", default=TARGET_URL, help="the target (emptied!)")
    args = parser.parse_args()
    TARGET_URL = args.database_url
    prepare_target()
    os.environ["DATABASE_URL"] = TARGET_URL
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "htxso.settings")
    import django

    django.setup()
    path = ROOT / "var" / "bench" / f"to-chuc-{args.rows}-{args.seed}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        print("Writing the import file…", flush=True)
        write_file(path, args.rows, args.seed)
    print(f"{args.rows:,} rows, {path.stat().st_size / 2**20:,.1f} MiB", flush=True)
    dry, commit, floors, peaks = [], [], [], []
    for round_no in range(1, args.rounds + 1):
        empty_target()
        seconds, rss, line = run_import(path, dry_run=True)
        dry.append(seconds)
        peaks.append(rss)
        print(f"round {round_no}: dry run {seconds:.1f} s, {rss / 1024:.0f} MB — {line}")
        empty_target()
        seconds, rss, line = run_import(path, dry_run=False)
        commit.append(seconds)
        peaks.append(rss)
        print(f"round {round_no}: commit {seconds:.1f} s, {rss / 1024:.0f} MB — {line}")
        floors.append(floor_copy())
        print(f"round {round_no}: floor (COPY, indexes rebuilt) {floors[-1]:.1f} s", flush=True)
    empty_target()
    dry_s, commit_s = statistics.median(dry), statistics.median(commit)
    floor_s = statistics.median(floors)
    result = {
        "rows": args.rows,
        "dry_run_seconds": [round(s, 1) for s in dry],
        "commit_seconds": [round(s, 1) for s in commit],
        "floor_seconds": [round(s, 2) for s in floors],
        "peak_rss_mb": [round(k / 1024) for k in peaks],
        "dry_run_rows_per_s": round(args.rows / dry_s),
        "commit_rows_per_s": round(args.rows / commit_s),
        "commit_to_floor_ratio": round(commit_s / floor_s, 2),
        "goal": ">= 5,000 rows/s, within 2x the floor, peak RSS <= 500 MB",
    }
    print(result)
    write_result("import_organisations", result)


if __name__ == "__main__":
    main()
