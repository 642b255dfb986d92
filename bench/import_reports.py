"""Benchmark: the report import (`htxso import_reports`, issue #17 item 7) against its floor.

    .venv/bin/python bench/import_reports.py [--database URL] [--rounds 3] [--rows N]

1. The database holds a registry (any scale; `--database`, default the benchmark registry) and
   the report forms (`load_reporting`, run here, safe to repeat). The file is one yearly
   report (`htx-annual`, last year) per cooperative and union that existed then, up to
   `--rows` (default the import's own limit, `REPORT_IMPORT_MAX_ROWS`): the template's
   columns, Vietnamese headers and number style, figures that pass the form's rules, written
   once to `var/bench/bao-cao-<rows>.csv`.
2. Each round, interleaved:
   - import: `htxso import_reports FILE --form htx-annual --period YEAR` in a subprocess
     (every row through the page's services: open → save → submit, all or nothing), timed
     inside the subprocess from the command's start to its end (the job created, the file
     stored and checked, the reports written and committed), peak RSS from /usr/bin/time;
   - floor: the very rows that import wrote — its reports and its audit entries, read back
     with COPY TO after the first round — removed and COPYed ready-made into the real tables
     (indexes and keys kept: a report import adds a province's few thousand rows to a table
     of millions), committed.
   Between the two, the import's reports and audit entries are removed, so each starts from
   the same registry. Medians and the ratio import ÷ floor are reported.
"""

import argparse
import io
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import DEFAULT_URL, ROOT, setup_django, write_result

FORM = "htx-annual"


def write_file(path: Path, rows: int, period_code: str) -> int:
    """The report file: one good yearly report per eligible organisation, as an officer
    would fill in the template (Vietnamese number style, "Có"/"Không")."""
    import csv
    import random

    from htxso.core.values import format_number
    from htxso.registry.choices import CLOSED_STATUSES
    from htxso.registry.models import Organisation
    from htxso.reporting import report_import, services
    from htxso.reporting.definitions import ERROR
    from htxso.reporting.generator import _org_values
    from htxso.reporting.models import ReportForm

    form = ReportForm.objects.get(code=FORM)
    period, version = report_import.period_and_version(form, period_code)
    definition = services.definition_of(version)
    columns = report_import.layout_for(form, version, period).columns
    orgs = (
        Organisation.objects.filter(
            kind__in=form.organisation_kinds,
            established_on__lte=period.end,
            tax_code__isnull=False,
        )
        .exclude(status__in=CLOSED_STATUSES)
        .order_by("pk")
        .values_list("tax_code", "kind", "members_count")
    )
    rng = random.Random(17)
    written = 0
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow([str(c.header) for c in columns])
        for tax_code, kind, members in orgs.iterator(chunk_size=5000):
            org = (0, kind, "", "", "", max(members, 7), None, False, rng.random() < 0.15)
            for _attempt in range(20):
                values = _org_values(rng, org, period.start.year, period.start.year)
                values = {k: v for k, v in values.items() if k in definition.by_key}
                if not any(f["severity"] == ERROR for f in definition.check(values, kind)):
                    break
            else:
                continue
            cells = {
                k: ("Có" if v else "Không") if isinstance(v, bool) else format_number(v)
                for k, v in values.items()
            }
            cells["tax_code"] = tax_code
            writer.writerow([cells.get(c.key, "") for c in columns])
            written += 1
            if written >= rows:
                break
    return written


def connect(url: str) -> Any:
    import psycopg

    return psycopg.connect(url)


def marks(url: str) -> tuple[int, int]:
    """(form id, last audit entry id) before a round."""
    with connect(url) as conn:
        form = conn.execute("SELECT id FROM reporting_reportform WHERE code = %s", [FORM])
        audit = conn.execute("SELECT COALESCE(MAX(id), 0) FROM core_auditentry")
        return form.fetchone()[0], audit.fetchone()[0]


def remove(url: str, form_id: int, period: str, audit_after: int) -> None:
    """The import's reports and audit entries removed: the registry as before the round."""
    with connect(url) as conn:
        conn.execute(
            "DELETE FROM reporting_report WHERE form_id = %s AND period = %s", [form_id, period]
        )
        conn.execute("DELETE FROM core_auditentry WHERE id > %s", [audit_after])
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE reporting_report")
        conn.execute("VACUUM ANALYZE core_auditentry")
        conn.execute("CHECKPOINT")


def capture(url: str, form_id: int, period: str, audit_after: int) -> dict[str, bytes]:
    """What the import wrote, as COPY text: its reports and its audit entries."""
    queries = {
        "reporting_report": f"SELECT * FROM reporting_report WHERE form_id = {form_id} "
        f"AND period = '{period}' ORDER BY id",
        "core_auditentry": f"SELECT * FROM core_auditentry WHERE id > {audit_after} ORDER BY id",
    }
    out: dict[str, bytes] = {}
    with connect(url) as conn:
        for table, sql in queries.items():
            buffer = io.BytesIO()
            with conn.cursor().copy(f"COPY ({sql}) TO STDOUT") as copy:
                for chunk in copy:
                    buffer.write(chunk)
            out[table] = buffer.getvalue()
    return out


def floor(url: str, rows: dict[str, bytes]) -> float:
    """The same rows COPYed ready-made into the real tables, committed."""
    started = time.perf_counter()
    with connect(url) as conn:
        for table, data in rows.items():
            with conn.cursor().copy(f"COPY {table} FROM STDIN") as copy:
                copy.write(data)
        conn.commit()
    return time.perf_counter() - started


def run_import(url: str, path: Path, period: str) -> tuple[float, int, str]:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "1",
        "JOBS_BACKEND": "inline",
        "HTXSO_VAR_DIR": str(ROOT / "var" / "bench"),
        "REPORT_IMPORT_MAX_ROWS": os.environ.get("REPORT_IMPORT_MAX_ROWS", "20000"),
    }
    started = time.perf_counter()
    proc = subprocess.run(
        [
            "/usr/bin/time",
            "-v",
            sys.executable,
            __file__,
            "--inner",
            str(path),
            "--period",
            period,
        ],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - started
    timed = re.search(r"^import took ([\d.]+) s$", proc.stdout, re.MULTILINE)
    seconds = float(timed.group(1)) if timed else wall
    found = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
    rss = int(found.group(1)) if found else 0
    if proc.returncode != 0:
        print(proc.stdout[-3000:], proc.stderr[-3000:])
        raise SystemExit("import failed")
    return seconds, rss, proc.stdout.strip().splitlines()[0]


def inner(path: str, period: str) -> None:
    """In the subprocess: `htxso import_reports` timed from inside, so the interpreter's and
    Django's start (a minute on a machine this loaded) is not counted."""
    setup_django(os.environ["DATABASE_URL"])
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("import_reports", path, form=FORM, period=period, show=5, skip_checks=True)
    print(f"import took {time.perf_counter() - started:.3f} s", flush=True)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--inner":
        inner(sys.argv[2], sys.argv[4])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", default=DEFAULT_URL)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--rows", type=int, default=20_000, help="reports in the file (at most)")
    args = parser.parse_args()
    setup_django(args.database)
    import datetime as dt

    from django.core.management import call_command

    call_command("load_reporting", verbosity=0)
    period = str(dt.date.today().year - 1)
    path = ROOT / "var" / "bench" / f"bao-cao-{args.rows}.csv"
    rows = write_file(path, args.rows, period)
    print(f"{rows:,} reports in {path.name}, period {period}", flush=True)
    form_id, audit_after = marks(args.database)
    remove(args.database, form_id, period, audit_after)
    imports, floors, peaks, ready = [], [], [], None
    for round_no in range(1, args.rounds + 1):
        seconds, rss, line = run_import(args.database, path, period)
        imports.append(seconds)
        peaks.append(rss)
        if ready is None:
            ready = capture(args.database, form_id, period, audit_after)
        remove(args.database, form_id, period, audit_after)
        floors.append(floor(args.database, ready))
        remove(args.database, form_id, period, audit_after)
        print(
            f"round {round_no}: import {seconds:.1f} s, floor {floors[-1]:.2f} s, "
            f"peak RSS {rss / 1024:.0f} MB — {line}",
            flush=True,
        )
    import_s, floor_s = statistics.median(imports), statistics.median(floors)
    assert ready is not None
    result = {
        "database": args.database.rsplit("/", 1)[-1],
        "reports": rows,
        "audit_entries": ready["core_auditentry"].count(b"\n"),
        "import_seconds": [round(s, 2) for s in imports],
        "floor_seconds": [round(s, 3) for s in floors],
        "peak_rss_mb": [round(k / 1024) for k in peaks],
        "import_rows_per_s": round(rows / import_s),
        "import_to_floor_ratio": round(import_s / floor_s, 1),
        "goal": "import within 2x the floor (the same rows COPYed into the real tables)",
    }
    print(result)
    write_result("import_reports", result)


if __name__ == "__main__":
    main()
