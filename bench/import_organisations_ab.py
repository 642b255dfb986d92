"""Benchmark: the organisation import of two source trees, interleaved (issue #17, item 6).

    .venv/bin/python bench/import_organisations_ab.py --base /path/to/other/tree [--rows 20000]

On a shared, loaded machine absolute times say little; this runs `bench/import_organisations.py`'s
commit and floor for this tree and for another (e.g. `git archive <commit> | tar -x -C DIR`),
alternating within each round on the same file and database, and reports medians, rows/s and
each tree's ratio to the floor measured in the same round.
"""

import argparse
import os
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import import_organisations as bench
from harness import ROOT, write_result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", type=Path, required=True, help="the other source tree")
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", default=bench.TARGET_URL, help="the target (emptied!)")
    args = parser.parse_args()
    bench.TARGET_URL = args.database_url
    bench.prepare_target()
    os.environ["DATABASE_URL"] = bench.TARGET_URL
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "htxso.settings")
    import django

    django.setup()
    path = ROOT / "var" / "bench" / f"to-chuc-{args.rows}-{args.seed}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        bench.write_file(path, args.rows, args.seed)
    trees = {"base": args.base.resolve(), "this": ROOT}
    times: dict[str, list[float]] = {name: [] for name in trees}
    floors: list[float] = []
    peaks: dict[str, list[int]] = {name: [] for name in trees}
    for round_no in range(1, args.rounds + 1):
        order = list(trees) if round_no % 2 else list(reversed(trees))
        for name in order:
            bench.empty_target()
            bench.ROOT = trees[name]  # run_import's working directory: the tree imported
            seconds, rss, line = bench.run_import(path, dry_run=False)
            times[name].append(seconds)
            peaks[name].append(round(rss / 1024))
            print(f"round {round_no}: {name} commit {seconds:.1f} s — {line}", flush=True)
        bench.ROOT = ROOT
        floors.append(bench.floor_copy())
        print(f"round {round_no}: floor {floors[-1]:.2f} s", flush=True)
    bench.empty_target()
    floor = statistics.median(floors)
    result = {
        "rows": args.rows,
        "base": str(args.base),
        "floor_seconds": [round(s, 2) for s in floors],
        **{f"{name}_commit_seconds": [round(s, 1) for s in times[name]] for name in trees},
        **{f"{name}_peak_rss_mb": peaks[name] for name in trees},
        **{
            f"{name}_rows_per_s": round(args.rows / statistics.median(times[name]))
            for name in trees
        },
        **{f"{name}_to_floor": round(statistics.median(times[name]) / floor, 2) for name in trees},
        "this_over_base": round(
            statistics.median(times["this"]) / statistics.median(times["base"]), 2
        ),
    }
    print(result)
    write_result("import_organisations_ab", result)


if __name__ == "__main__":
    main()
