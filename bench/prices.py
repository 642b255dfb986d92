"""Price forecasts (issue #22, item 7): what the forecasting costs and how good it is.

1. Speed: forecast `--series` monthly series of `--years` years (12 months ahead, 80 % and
   95 % intervals) on `--workers` processes with the chosen method (statsforecast's AutoTheta,
   `htxso/prices/forecasting.py`) and with the plain seasonal-naive baseline, in the same run,
   `--rounds` times: medians and the ratio. The series are the World Bank's (log) price paths
   cut at random places, rescaled and noised (seeded), so they move like prices.
2. Accuracy: the rolling-origin backtest of every World Bank series (the file shipped in
   `htxso/prices/data/`) over its last 36 months, 1 and 6 months ahead: the median MASE
   against seasonal naive (MAE of the method / MAE of seasonal naive on the same targets;
   goal < 1) and the coverage of the 80 % and 95 % intervals.
3. The choice: seconds per series of the alternatives on `--compare` series (AutoETS, and
   statsmodels' ETSModel and ThetaModel with intervals) and the backtest of AutoETS on the
   same World Bank series when `--backtest-ets` is given.

    python bench/prices.py [--series 10000] [--years 15] [--workers 2] [--rounds 3]
                           [--compare 20] [--backtest-ets]

Writes bench/results/prices.json. Needs no database (the job's database writes are one row
per series; the forecasting is what costs)."""

import argparse
import csv
import multiprocessing
import statistics
import sys
import time
import warnings
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
from harness import ROOT, write_result

sys.path.insert(0, str(ROOT))

from htxso.prices import forecasting

DATA = ROOT / "htxso" / "prices" / "data" / "worldbank-pinksheet-monthly.csv"


def world_bank() -> dict[str, list[float]]:
    rows: dict[str, list[float]] = defaultdict(list)
    with Path(DATA).open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            rows[row["code"]].append(float(row["price_usd"]))
    return dict(rows)


def synthetic(count: int, months: int, seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    paths = [np.log(np.array(v)) for v in world_bank().values() if len(v) >= months]
    out = []
    for _ in range(count):
        path = paths[rng.integers(len(paths))]
        start = rng.integers(0, len(path) - months + 1)
        season = 0.05 * np.sin(2 * np.pi * (np.arange(months) + rng.integers(12)) / 12)
        noise = rng.normal(0, 0.02, months)
        out.append(np.exp(path[start : start + months] + season + noise + rng.normal(8, 1)))
    return out


def _forecast_all(args: tuple[str, list[np.ndarray]]) -> int:
    method, chunk = args
    model = forecasting.METHODS[method]
    for values in chunk:
        forecasting.forecast(values, forecasting.HORIZON, model)
    return len(chunk)


def timed_run(pool: Any, method: str, series: list[np.ndarray], workers: int) -> float:
    chunks = [series[i :: workers * 8] for i in range(workers * 8)]
    started = time.perf_counter()
    done = sum(pool.map(_forecast_all, [(method, c) for c in chunks]))
    assert done == len(series)
    return time.perf_counter() - started


def backtests(method: str) -> dict[str, Any]:
    model = forecasting.METHODS[method]
    per_series: dict[str, dict[str, float]] = {}
    started = time.perf_counter()
    for code, values in sorted(world_bank().items()):
        tested = forecasting.backtest(values, horizons=(1, 6), window=36, model=model)
        if tested is not None:
            per_series[code] = {
                "mase_1": round(float(tested.mase[1]), 3),
                "mase_6": round(float(tested.mase[6]), 3),
                "coverage_80": round(float(tested.coverage_80), 3),
                "coverage_95": round(float(tested.coverage_95), 3),
            }
    results = list(per_series.values())
    return {
        "method": method,
        "series": len(results),
        "seconds": round(time.perf_counter() - started, 1),
        "median_mase_1": round(statistics.median(v["mase_1"] for v in results), 3),
        "median_mase_6": round(statistics.median(v["mase_6"] for v in results), 3),
        "series_beating_naive_1": int(sum(v["mase_1"] < 1 for v in results)),
        "series_beating_naive_6": int(sum(v["mase_6"] < 1 for v in results)),
        "mean_coverage_80": round(statistics.mean(v["coverage_80"] for v in results), 3),
        "mean_coverage_95": round(statistics.mean(v["coverage_95"] for v in results), 3),
        "per_series": per_series,
    }


def _ets(y: np.ndarray, h: int) -> dict[str, np.ndarray]:
    from statsforecast.models import AutoETS

    out = AutoETS(season_length=12).forecast(y=y, h=h, level=[80, 95])
    return {key: np.asarray(out[key], dtype=float) for key in forecasting.KEYS}


def alternatives(series: list[np.ndarray]) -> dict[str, float]:
    """Seconds per series of each alternative (one process)."""
    import pandas as pd
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel
    from statsmodels.tsa.forecasting.theta import ThetaModel

    index = pd.date_range("2000-01-01", periods=len(series[0]), freq="MS")

    def sm_ets(y: np.ndarray) -> Any:
        fit = ETSModel(
            pd.Series(np.log(y), index=index),
            error="add",
            trend="add",
            damped_trend=True,
            seasonal="add",
            seasonal_periods=12,
        ).fit(disp=False)
        return fit.get_prediction(start=len(y), end=len(y) + 11).summary_frame(alpha=0.2)

    def sm_theta(y: np.ndarray) -> Any:
        fit = ThetaModel(pd.Series(np.log(y), index=index), period=12).fit()
        return fit.forecast(12), fit.prediction_intervals(12, alpha=0.2)

    runs = {
        "statsforecast AutoTheta": lambda y: forecasting.forecast(y, 12, forecasting.theta),
        "statsforecast AutoETS": lambda y: forecasting.forecast(y, 12, _ets),
        "statsmodels ETSModel (A,Ad,A)": sm_ets,
        "statsmodels ThetaModel": sm_theta,
        "seasonal naive": lambda y: forecasting.forecast(
            y, 12, forecasting.METHODS["SeasonalNaive"]
        ),
    }
    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, run in runs.items():
            run(series[0])  # imports and first-call costs outside the timing
            started = time.perf_counter()
            for y in series:
                run(y)
            out[name] = round((time.perf_counter() - started) / len(series), 4)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--series", type=int, default=10_000)
    parser.add_argument("--years", type=int, default=15)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--compare", type=int, default=20)
    parser.add_argument("--backtest-ets", action="store_true")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    started = time.perf_counter()
    forecasting.forecast(np.arange(1, 40, dtype=float))  # import statsforecast once
    import_seconds = time.perf_counter() - started
    series = synthetic(args.series, 12 * args.years, args.seed)
    print(f"{len(series)} series of {12 * args.years} months", flush=True)
    rounds: dict[str, list[float]] = {"AutoTheta": [], "SeasonalNaive": []}
    context = multiprocessing.get_context("fork")
    with context.Pool(args.workers) as pool:
        for number in range(args.rounds):
            for method in rounds:
                seconds = timed_run(pool, method, series, args.workers)
                rounds[method].append(round(seconds, 3))
                print(f"round {number + 1}: {method} {seconds:.2f} s", flush=True)
    median = {m: statistics.median(s) for m, s in rounds.items()}
    accuracy = [backtests("AutoTheta"), backtests("SeasonalNaive")]
    if args.backtest_ets:
        forecasting.METHODS["AutoETS"] = _ets
        accuracy.append(backtests("AutoETS"))
    for result in accuracy:
        print(
            f"{result['method']}: median MASE 1-step {result['median_mase_1']}, "
            f"6-step {result['median_mase_6']}, coverage 80 % {result['mean_coverage_80']}, "
            f"95 % {result['mean_coverage_95']}",
            flush=True,
        )
    compared = alternatives(series[: args.compare]) if args.compare else {}
    payload = {
        "series": args.series,
        "months": 12 * args.years,
        "workers": args.workers,
        "rounds": rounds,
        "median_seconds": median,
        "goal_seconds": 600,
        "method_over_baseline": round(median["AutoTheta"] / max(median["SeasonalNaive"], 1e-3), 1),
        "import_seconds": round(import_seconds, 1),
        "backtests": accuracy,
        "seconds_per_series_one_process": compared,
        "command": "python bench/prices.py " + " ".join(sys.argv[1:]),
    }
    path = write_result("prices", payload)
    print(
        f"median: AutoTheta {median['AutoTheta']:.1f} s, seasonal naive "
        f"{median['SeasonalNaive']:.1f} s → {path}"
    )


if __name__ == "__main__":
    main()
