"""Benchmark: export all organisations (national-2030: 200,340) to CSV (issue #4, goal ≤ 5 s).

    .venv/bin/python bench/export_orgs.py [--rounds 5] [--xlsx]

Measures the export as the page serves it (`exports.organisation_rows` + `csv_stream`, every
byte produced, audit entry included) against a raw `COPY (SELECT …) TO STDOUT WITH CSV` of the
same columns from the same database in the same run; medians of interleaved rounds.

With --xlsx: the XLSX export as the page serves it (`stream_xlsx`), its first piece's delay
too, against the writer it replaced (openpyxl's write-only mode into a spooled temporary file)
given the same rows in the same run.
"""

import argparse
import statistics
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import DEFAULT_URL, ensure_dataset, write_result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--xlsx", action="store_true", help="XLSX against openpyxl instead")
    args = parser.parse_args()
    if args.xlsx:
        return xlsx(args.rounds)
    ensure_dataset(DEFAULT_URL, "national-2030", 1)
    from django.contrib.auth.models import AnonymousUser
    from django.db import connection

    from htxso.exchange.exports import csv_stream, organisation_rows

    def export() -> tuple[float, int, int]:
        started = time.perf_counter()
        headers, rows = organisation_rows(AnonymousUser(), {})
        size = lines = 0
        for piece in csv_stream(headers, rows):
            size += len(piece.encode())
            lines += piece.count("\n")
        return time.perf_counter() - started, size, lines

    def raw() -> float:
        started = time.perf_counter()
        with connection.cursor() as cursor:
            sql = (
                "COPY (SELECT o.*, p.name, c.name FROM registry_organisation o "
                "JOIN core_province p ON p.code = o.province_id "
                "LEFT JOIN core_commune c ON c.code = o.commune_id ORDER BY o.id) "
                "TO STDOUT WITH (FORMAT csv, HEADER true)"
            )
            with cursor.cursor.copy(sql) as copy:
                for _chunk in copy:
                    pass
        return time.perf_counter() - started

    exports, raws = [], []
    size = lines = 0
    for number in range(1, args.rounds + 1):
        seconds, size, lines = export()
        exports.append(seconds)
        raws.append(raw())
        print(f"round {number}: export {exports[-1]:.2f} s, raw COPY {raws[-1]:.2f} s", flush=True)
    result = {
        "organisations_lines": lines,
        "csv_mib": round(size / 2**20, 1),
        "export_seconds": [round(s, 2) for s in exports],
        "raw_copy_seconds": [round(s, 2) for s in raws],
        "export_median_s": round(statistics.median(exports), 2),
        "raw_copy_median_s": round(statistics.median(raws), 2),
        "ratio_to_raw": round(statistics.median(exports) / statistics.median(raws), 2),
        "goal": "all organisations <= 5 s",
    }
    print(result)
    write_result("export_orgs", result)


def openpyxl_write_only(headers: list[str], rows: Iterable[tuple[Any, ...]]) -> int:
    """The writer `stream_xlsx` used before: openpyxl's write-only mode, saved into a spooled
    temporary file (16 MB in memory, then disk) before the first byte could leave."""
    import tempfile

    from openpyxl import Workbook

    from htxso.tabular.workbooks import _text

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Dữ liệu")
    sheet.append([str(h) for h in headers])
    for row in rows:
        sheet.append([_text(v) for v in row])
    with tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024) as handle:
        book.save(handle)
        return handle.tell()


def xlsx(rounds: int) -> None:
    ensure_dataset(DEFAULT_URL, "national-2030", 1)
    from django.contrib.auth.models import AnonymousUser

    from htxso.exchange.exports import organisation_rows
    from htxso.tabular.workbooks import stream_xlsx

    def served() -> tuple[float, float, int]:
        started = time.perf_counter()
        headers, rows = organisation_rows(AnonymousUser(), {}, "xlsx")
        first, size = 0.0, 0
        for piece in stream_xlsx(headers, rows):
            if not size:
                first = time.perf_counter() - started
            size += len(piece)
        return time.perf_counter() - started, first, size

    def before() -> tuple[float, int]:
        started = time.perf_counter()
        headers, rows = organisation_rows(AnonymousUser(), {}, "xlsx")
        size = openpyxl_write_only(headers, rows)
        return time.perf_counter() - started, size

    ours, firsts, theirs = [], [], []
    sizes = (0, 0)
    for number in range(1, rounds + 1):
        (a, first, size_a), (b, size_b) = served(), before()
        ours.append(a)
        firsts.append(first)
        theirs.append(b)
        sizes = (size_a, size_b)
        print(
            f"round {number}: stream_xlsx {a:.2f} s (first piece {first:.2f} s), "
            f"openpyxl write-only {b:.2f} s",
            flush=True,
        )
    result = {
        "xlsx_mib": round(sizes[0] / 2**20, 1),
        "openpyxl_xlsx_mib": round(sizes[1] / 2**20, 1),
        "stream_xlsx_seconds": [round(s, 2) for s in ours],
        "first_piece_seconds": [round(s, 3) for s in firsts],
        "openpyxl_seconds": [round(s, 2) for s in theirs],
        "stream_xlsx_median_s": round(statistics.median(ours), 2),
        "openpyxl_median_s": round(statistics.median(theirs), 2),
        "ratio": round(statistics.median(ours) / statistics.median(theirs), 2),
    }
    print(result)
    write_result("export_orgs_xlsx", result)


if __name__ == "__main__":
    main()
