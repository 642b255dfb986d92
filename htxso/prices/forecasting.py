"""Forecasts and their honest record, as plain functions of a monthly series (no database).

- `seasonal_naive`: the baseline every forecast must beat (the same month last year).
- `forecast`: statsforecast's AutoTheta on the logarithm of the prices (prices are positive and
  move in proportions), horizons 1–12, 80 % and 95 % intervals; chosen by measurement
  (bench/prices.py: AutoETS and statsmodels' models cost 10–100× more per series for no
  better backtest on the World Bank series).
- `backtest`: a rolling-origin backtest over the last `window` months: at every origin the
  model is fitted on the months before it only, and its h-step forecast compared with what
  happened. MASE here is the model's mean absolute error divided by the seasonal-naive
  forecast's on the same targets (below 1: better than "same month last year"); the coverage
  is the share of targets inside the 80 % and 95 % intervals.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

SEASON = 12
HORIZON = 12
MIN_HISTORY = 2 * SEASON  # months before a series is forecast at all
MIN_ORIGINS = 12  # backtest targets per horizon before a record is shown

Model = Callable[[np.ndarray, int], dict[str, np.ndarray]]


def seasonal_naive(y: np.ndarray, h: int, m: int = SEASON) -> np.ndarray:
    """The value of the same month one season earlier, for horizons 1..h."""
    last = np.asarray(y, dtype=float)[-m:]
    return last[np.arange(h) % m]


def _naive_model(y: np.ndarray, h: int) -> dict[str, np.ndarray]:
    """Seasonal naive with intervals from its own in-sample errors (a fallback and baseline)."""
    mean = seasonal_naive(y, h)
    errors = y[SEASON:] - y[:-SEASON]
    sigma = float(np.std(errors)) if len(errors) > 1 else 0.0
    k = np.sqrt(np.floor(np.arange(h) / SEASON) + 1)
    return {
        "mean": mean,
        "lo-80": mean - 1.2816 * sigma * k,
        "hi-80": mean + 1.2816 * sigma * k,
        "lo-95": mean - 1.96 * sigma * k,
        "hi-95": mean + 1.96 * sigma * k,
    }


def theta(y: np.ndarray, h: int) -> dict[str, np.ndarray]:
    """AutoTheta (statsforecast) with 80 % and 95 % intervals."""
    from statsforecast.models import AutoTheta  # imported where used: a second to load

    out = AutoTheta(season_length=SEASON).forecast(y=y, h=h, level=[80, 95])
    return {key: np.asarray(out[key], dtype=float) for key in KEYS}


KEYS = ("mean", "lo-80", "hi-80", "lo-95", "hi-95")
METHODS: dict[str, Model] = {"AutoTheta": theta, "SeasonalNaive": _naive_model}
METHOD = "AutoTheta"


def forecast(
    values: Sequence[float] | np.ndarray, h: int = HORIZON, model: Model | None = None
) -> dict:
    """The forecast of a positive monthly series for horizons 1..h: {key: array} with the keys
    of `KEYS`, on the prices' scale (fitted on their logarithm)."""
    y = np.asarray(values, dtype=float)
    if len(y) < MIN_HISTORY:
        raise ValueError("too short")
    fit = model or METHODS[METHOD]
    logged = bool(np.all(y > 0))
    out = fit(np.log(y) if logged else y, h)
    return {key: np.exp(out[key]) if logged else out[key] for key in KEYS}


@dataclass(frozen=True)
class Backtest:
    mase: dict[int, float]  # horizon → MAE(model) / MAE(seasonal naive) on the same targets
    coverage_80: float
    coverage_95: float
    origins: int  # targets per horizon


def backtest(
    values: Sequence[float],
    horizons: tuple[int, ...] = (1, 6),
    window: int = 36,
    model: Model | None = None,
) -> Backtest | None:
    """Rolling-origin backtest whose targets are the last `window` months (fewer when the
    history is short; None below MIN_ORIGINS). Every origin's fit sees only the months before
    it. Coverage counts the targets of every horizon in `horizons`."""
    y = np.asarray(values, dtype=float)
    n, longest = len(y), max(horizons)
    window = min(window, n - MIN_HISTORY - longest + 1)
    if window < MIN_ORIGINS:
        return None
    errors = {h: [0.0, 0.0] for h in horizons}  # model, naive
    inside = {80: 0, 95: 0}
    targets = 0
    for origin in range(n - window - longest + 1, n):
        train = y[:origin]
        predicted = forecast(train, longest, model)
        naive = seasonal_naive(train, longest)
        for h in horizons:
            target = origin + h - 1
            if not n - window <= target < n:
                continue
            actual = y[target]
            errors[h][0] += abs(actual - predicted["mean"][h - 1])
            errors[h][1] += abs(actual - naive[h - 1])
            inside[80] += predicted["lo-80"][h - 1] <= actual <= predicted["hi-80"][h - 1]
            inside[95] += predicted["lo-95"][h - 1] <= actual <= predicted["hi-95"][h - 1]
            targets += 1
    mase = {h: (m / s if s > 0 else float("inf")) for h, (m, s) in errors.items()}
    return Backtest(mase, inside[80] / targets, inside[95] / targets, window)


def seasonal_profile(months: Sequence[int], values: Sequence[float]) -> list[float | None]:
    """The average price of each calendar month (January first); None for a month never
    observed."""
    sums, counts = [0.0] * 12, [0] * 12
    for month, value in zip(months, values, strict=True):
        sums[month - 1] += float(value)
        counts[month - 1] += 1
    return [sums[i] / counts[i] if counts[i] else None for i in range(12)]
