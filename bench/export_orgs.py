"""Benchmark: export all organisations (national-2030: 200,340) to CSV (issue #4, goal ≤ 5 s).

    .venv/bin/python bench/export_orgs.py [--rounds 5]

Measures the export as the page serves it (`exports.organisation_rows` + `csv_stream`, every
byte produced, audit entry included) against a raw `COPY (SELECT …) TO STDOUT WITH CSV` of the
same columns from the same database in the same run; medians of interleaved rounds.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import DEFAULT_URL, ensure_dataset, write_result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
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


if __name__ == "__main__":
    main()
