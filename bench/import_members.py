"""Benchmark: import 8,000,000 memberships with their people from CSV (issue #4).

    .venv/bin/python bench/import_members.py [--rounds 2] [--limit N]
                                             [--database-url SOURCE] [--target-url TARGET]

1. The source registry is the national-2030 data set (`htxso_bench`, generated if missing).
   Its memberships are written to one CSV in the import template's columns (Vietnamese
   headers, dd/mm/yyyy dates, labels) — the file a ministry would receive.
2. The target database `htxso_bench_import` holds the same 200,340 organisations and no
   people: each round empties people and memberships, then
   - baseline: a raw COPY of the same file into a bare table of text columns (psycopg, the
     client streaming the file, as the import does), in the same database;
   - import: `htxso import FILE --kind members` in a subprocess (every row checked with the
     services' rules, duplicates checked set-wise, one transaction), peak RSS from
     /usr/bin/time.
   Rounds alternate the two; medians are reported with the ratio of throughputs.
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import (
    DEFAULT_URL,
    ROOT,
    ensure_database,
    ensure_dataset,
    setup_django,
    write_result,
)

if TYPE_CHECKING:
    import psycopg

TARGET_URL = os.environ.get(
    "BENCH_TARGET_URL", DEFAULT_URL.rsplit("/", 1)[0] + "/htxso_bench_import"
)
SOURCE_URL = os.environ.get("BENCH_SOURCE_URL", DEFAULT_URL)
CSV_PATH = ROOT / "var" / "bench" / "thanh-vien-8m.csv"


def export_source(source_url: str, path: Path, limit: int | None) -> int:
    """Write the source registry's person memberships as an import file (COPY TO)."""
    import psycopg

    from htxso.exchange.layouts import MEMBER_LAYOUT
    from htxso.registry.choices import Gender, MemberKind

    headers = [str(c.header) for c in MEMBER_LAYOUT.columns]
    kinds = " ".join(f"WHEN '{v}' THEN '{label}'" for v, label in MemberKind.choices)
    genders = " ".join(f"WHEN '{v}' THEN '{label}'" for v, label in Gender.choices)
    sql = f"""
        SELECT o.tax_code, CASE WHEN o.tax_code IS NULL THEN o.id END, p.cccd, p.full_name,
               CASE p.gender {genders} END, to_char(p.birth_date, 'DD/MM/YYYY'), p.phone,
               p.email, pr.name, '', c.name, p.address, CASE m.kind {kinds} END,
               to_char(m.joined_on, 'DD/MM/YYYY'), to_char(m.left_on, 'DD/MM/YYYY'),
               m.capital_contributed
        FROM registry_membership m
        JOIN registry_person p ON p.id = m.person_id
        JOIN registry_organisation o ON o.id = m.organisation_id
        LEFT JOIN core_province pr ON pr.code = p.province_id
        LEFT JOIN core_commune c ON c.code = p.commune_id
        WHERE m.person_id IS NOT NULL
        ORDER BY m.id {f"LIMIT {limit}" if limit else ""}"""
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = 0
    with psycopg.connect(source_url) as conn, open(path, "wb") as out:
        out.write((",".join(f'"{h}"' for h in headers) + "\n").encode())
        with conn.cursor().copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)") as copy:
            for chunk in copy:
                out.write(chunk)
        counted = conn.execute(f"SELECT COUNT(*) FROM ({sql}) s").fetchone()
        rows = counted[0] if counted else 0
    return rows


def copy_table(
    source: "psycopg.Connection[Any]",
    target: "psycopg.Connection[Any]",
    table: str,
    columns: str,
    where: str = "",
) -> None:
    """Stream `columns` of `table` (rows matching `where`) from one connection into the other."""
    with (
        source.cursor().copy(
            f"COPY (SELECT {columns} FROM {table}{where} ORDER BY id) TO STDOUT"
        ) as out,
        target.cursor().copy(f"COPY {table} ({columns}) FROM STDIN") as into,
    ):
        for chunk in out:
            into.write(chunk)


def prepare_target(source_url: str) -> None:
    """Migrate the target and give it the source's organisations (no people, no members)."""
    import psycopg

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
    with psycopg.connect(TARGET_URL) as target:
        have = target.execute("SELECT COUNT(*) FROM registry_organisation").fetchone()
        if have and have[0]:
            return
        with psycopg.connect(source_url) as source:
            columns = [
                r[0]
                for r in source.execute(
                    "SELECT column_name FROM information_schema.columns "
                    "WHERE table_name = 'registry_organisation' ORDER BY ordinal_position"
                )
            ]
            copy_table(source, target, "registry_organisation", ", ".join(columns))
        target.execute(
            "SELECT setval(pg_get_serial_sequence('registry_organisation', 'id'), "
            "(SELECT MAX(id) FROM registry_organisation))"
        )


def empty_target() -> None:
    import psycopg

    with psycopg.connect(TARGET_URL, autocommit=True) as conn:
        conn.execute("TRUNCATE registry_membership, registry_person RESTART IDENTITY CASCADE")
        conn.execute("UPDATE registry_organisation SET members_count = 0 WHERE members_count <> 0")
        conn.execute("DROP TABLE IF EXISTS bench_bare")
        conn.execute("VACUUM ANALYZE registry_organisation")
        conn.execute("CHECKPOINT")


def raw_copy(path: Path, columns: int) -> float:
    import psycopg

    with psycopg.connect(TARGET_URL) as conn:
        cols = ", ".join(f"c{i} text" for i in range(columns))
        conn.execute(f"CREATE TABLE bench_bare ({cols})")
        started = time.perf_counter()
        with (
            open(path, "rb") as source,
            conn.cursor().copy("COPY bench_bare FROM STDIN WITH (FORMAT csv, HEADER true)") as copy,
        ):
            while chunk := source.read(1 << 20):
                copy.write(chunk)
        conn.commit()
        seconds = time.perf_counter() - started
        conn.execute("DROP TABLE bench_bare")
        conn.commit()
    return seconds


PERSON_COLUMNS = (
    "id, cccd, full_name, gender, birth_year, birth_date, phone, email, province_id, "
    "commune_id, address, legacy_address, created_at, updated_at"
)
MEMBERSHIP_COLUMNS = (
    "id, organisation_id, person_id, kind, joined_on, left_on, capital_contributed, "
    "province_id, created_at, updated_at"
)


def floor_copy(source_url: str, rebuild: bool) -> float:
    """The floor: the same people and memberships, already checked and shaped, COPYed from the
    source registry into the target's real tables (with their indexes and foreign keys, or
    with them dropped and rebuilt like a national import), committed."""
    import psycopg

    from htxso.core.bulk import indexes_rebuilt

    started = time.perf_counter()
    with psycopg.connect(source_url) as source, psycopg.connect(TARGET_URL) as target:
        # The session settings the import's transaction has (`exchange.setwise.Lane.run`): the
        # foreign keys added back are checked by a query of their own, which must not be slower
        # here than in the import (index builds: `indexes_rebuilt` sets the same memory).
        target.execute("SET work_mem = '256MB'")
        target.execute("SET jit = off")
        steps = (
            ("registry_person", PERSON_COLUMNS, ""),
            ("registry_membership", MEMBERSHIP_COLUMNS, " WHERE person_id IS NOT NULL"),
        )

        def copy_all() -> None:
            for table, columns, where in steps:
                copy_table(source, target, table, columns, where)

        if rebuild:
            tables = ("registry_person", "registry_membership")
            with target.cursor() as cursor, indexes_rebuilt(*tables, cursor=cursor):
                copy_all()
        else:
            copy_all()
        target.commit()
    return time.perf_counter() - started


steps_seen: list[dict[str, float]] = []


def run_import(path: Path) -> tuple[float, int, str]:
    env = {
        **os.environ,
        "DATABASE_URL": TARGET_URL,
        "DEBUG": "1",
        "JOBS_BACKEND": "inline",
        "LOG_LEVEL": "INFO",  # core.timing: the steps' durations on stderr
        "HTXSO_VAR_DIR": str(ROOT / "var" / "bench"),
    }
    started = time.perf_counter()
    proc = subprocess.run(
        [
            "/usr/bin/time",
            "-v",
            sys.executable,
            "-m",
            "htxso.cli",
            "import",
            str(path),
            "--kind",
            "members",
            "--strategy",
            "create",
            "--skip-checks",
        ],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - started
    steps = re.findall(r"^import: (.+): ([\d.]+) s$", proc.stderr, re.MULTILINE)
    for step, took in steps:
        print(f"    {step}: {float(took):.1f} s", flush=True)
    steps_seen.append({step: round(float(took), 1) for step, took in steps})
    found = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
    rss = int(found.group(1)) if found else 0
    if proc.returncode != 0:
        print(proc.stdout[-3000:], proc.stderr[-3000:])
        raise SystemExit("import failed")
    return seconds, rss, proc.stdout.strip().splitlines()[0]


def main() -> None:
    global TARGET_URL, SOURCE_URL
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--limit", type=int, default=None, help="rows (default: all)")
    parser.add_argument(
        "--floor",
        action="store_true",
        help="also time COPYing the ready rows into the real tables (the floor), once",
    )
    parser.add_argument(
        "--floor-each-round",
        action="store_true",
        help="time the floor (indexes rebuilt) in every round, after the import",
    )
    parser.add_argument("--database-url", default=SOURCE_URL, help="the national-2030 source")
    parser.add_argument("--target-url", default=TARGET_URL, help="the target (emptied!)")
    args = parser.parse_args()
    TARGET_URL, SOURCE_URL = args.target_url, args.database_url
    if SOURCE_URL == DEFAULT_URL:
        ensure_dataset(DEFAULT_URL, "national-2030", 1)
    else:  # a registry generated elsewhere (--database-url, BENCH_SOURCE_URL): used as it is
        setup_django(SOURCE_URL)
    from htxso.exchange.layouts import MEMBER_LAYOUT

    path = CSV_PATH if not args.limit else CSV_PATH.with_name(f"thanh-vien-{args.limit}.csv")
    if SOURCE_URL != DEFAULT_URL:
        path = path.with_name(f"{path.stem}-{SOURCE_URL.rsplit('/', 1)[-1]}.csv")
    if not path.exists():
        print("Writing the import file…", flush=True)
        rows = export_source(SOURCE_URL, path, args.limit)
    else:
        with open(path, "rb") as lines:
            rows = sum(1 for _ in lines) - 1
    prepare_target(SOURCE_URL)
    size = path.stat().st_size
    print(f"{rows:,} rows, {size / 2**20:,.0f} MiB", flush=True)
    copies, imports, peaks, round_floors = [], [], [], []
    for round_no in range(1, args.rounds + 1):
        empty_target()
        copies.append(raw_copy(path, len(MEMBER_LAYOUT.columns)))
        empty_target()
        seconds, rss, line = run_import(path)
        imports.append(seconds)
        peaks.append(rss)
        print(
            f"round {round_no}: COPY {copies[-1]:.1f} s, import {seconds:.1f} s, "
            f"peak RSS {rss / 1024:.0f} MB — {line}",
            flush=True,
        )
        if args.floor_each_round:
            empty_target()
            round_floors.append(floor_copy(SOURCE_URL, True))
            print(
                f"round {round_no}: floor (indexes rebuilt) {round_floors[-1]:.1f} s, "
                f"import ÷ floor {seconds / round_floors[-1]:.2f}",
                flush=True,
            )
            write_result(  # each round kept as it ends: a long run may be cut short
                "import_members_rounds",
                {
                    "rows": rows,
                    "import_seconds": [round(s, 1) for s in imports],
                    "floor_rebuilt_seconds": [round(s, 1) for s in round_floors],
                    "import_over_floor": [
                        round(i / f, 2) for i, f in zip(imports, round_floors, strict=True)
                    ],
                    "peak_rss_mb": [round(k / 1024) for k in peaks],
                    "raw_copy_seconds": [round(s, 1) for s in copies],
                    "steps_seconds": steps_seen,
                },
            )
    floors = {}
    if args.floor:
        for rebuild in (False, True):
            empty_target()
            floors["rebuilt" if rebuild else "kept"] = seconds = floor_copy(SOURCE_URL, rebuild)
            print(f"floor, indexes {'rebuilt' if rebuild else 'kept'}: {seconds:.1f} s", flush=True)
        empty_target()
    if not imports:  # --rounds 0 --floor: the floor alone
        floor = {"rows": rows, "floor_seconds": {k: round(v, 1) for k, v in floors.items()}}
        print(floor)
        write_result("import_members_floor", floor)
        return
    copy_s, import_s = statistics.median(copies), statistics.median(imports)
    result = {
        "rows": rows,
        "file_mib": round(size / 2**20, 1),
        "copy_seconds": [round(s, 1) for s in copies],
        "import_seconds": [round(s, 1) for s in imports],
        "peak_rss_mb": [round(k / 1024) for k in peaks],
        "copy_rows_per_s": round(rows / copy_s),
        "import_rows_per_s": round(rows / import_s),
        "throughput_ratio": round(copy_s / import_s, 3),
        "steps_seconds": steps_seen,
        "floor_seconds": {k: round(v, 1) for k, v in floors.items()},
        "import_to_floor_ratio": {k: round(v / import_s, 3) for k, v in floors.items()},
        "floor_rebuilt_each_round_seconds": [round(s, 1) for s in round_floors],
        "import_over_floor_each_round": [
            round(i / f, 2) for i, f in zip(imports, round_floors, strict=False)
        ],
        "import_over_floor_medians": (
            round(import_s / statistics.median(round_floors), 2) if round_floors else None
        ),
        "goal": "import throughput >= 0.5 of COPY; peak RSS flat, <= 500 MB",
    }
    print(result)
    write_result("import_members", result)


if __name__ == "__main__":
    main()
