"""The forecasting arithmetic on hand-checked series, and the intervals on the World Bank's
series: the 80 % and 95 % intervals contain the held-out prices at about their stated rates."""

import csv
from collections import defaultdict

import numpy as np
import pytest

from htxso.prices import forecasting, ingest


def last_value(y, h):
    """A model for hand-checking: the last value, intervals ±1 (80 %) and ±2 (95 %)."""
    mean = np.full(h, y[-1], dtype=float)
    return {
        "mean": mean,
        "lo-80": mean - 1,
        "hi-80": mean + 1,
        "lo-95": mean - 2,
        "hi-95": mean + 2,
    }


def test_seasonal_naive_repeats_the_same_month_last_year():
    y = np.arange(24, dtype=float)  # months 0..23
    assert list(forecasting.seasonal_naive(y, 14)) == [*range(12, 24), 12, 13]


def test_the_backtest_arithmetic_by_hand():
    # y_t = t for t = 0..36 (a 0 in it: no logarithm taken). At origin o the model says o-1
    # for every horizon: error 1 one month ahead, 2 two months ahead. Seasonal naive says
    # y[o-12+h-1] = o+h-13 for a target o+h-1: error 12 at both horizons. So MASE = 1/12 and
    # 2/12; the ±1 interval holds the one-month targets only (12 of 24), the ±2 one all.
    y = list(range(37))
    tested = forecasting.backtest(y, horizons=(1, 2), window=12, model=last_value)
    assert tested is not None
    assert tested.origins == 12
    assert tested.mase[1] == pytest.approx(1 / 12)
    assert tested.mase[2] == pytest.approx(2 / 12)
    assert tested.coverage_80 == pytest.approx(0.5)
    assert tested.coverage_95 == pytest.approx(1.0)


def test_a_short_history_has_no_backtest_and_no_forecast():
    assert forecasting.backtest(list(range(1, 40)), horizons=(1, 6)) is None  # 39 < 24 + 5 + 12
    with pytest.raises(ValueError):
        forecasting.forecast([1.0] * 23)


def test_the_seasonal_profile_of_a_known_series():
    # Two years: month m costs 10·m the first year and 10·m + 2 the second; June never seen.
    months = [m for _year in range(2) for m in range(1, 13) if m != 6]
    values = [10 * m + 2 * year for year in range(2) for m in range(1, 13) if m != 6]
    profile = forecasting.seasonal_profile(months, values)
    assert profile[0] == 11 and profile[11] == 121
    assert profile[5] is None


def _world_bank(codes):
    rows = defaultdict(list)
    with ingest.WORLD_BANK.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["code"] in codes:
                rows[row["code"]].append(float(row["price_usd"]))
    return rows


def test_intervals_hold_the_held_out_world_bank_prices_at_about_their_rates():
    # Four long series, the last 36 months held out one origin at a time, 1 and 6 months
    # ahead: 288 targets. Prices jump (2022, 2024), so the rates are "about": within a band.
    series = _world_bank({"COFFEE_ROBUS", "RICE_05_VNM", "RUBBER1_MYSG", "UREA_EE_BULK"})
    inside_80 = inside_95 = 0.0
    for values in series.values():
        tested = forecasting.backtest(values)
        assert tested is not None and tested.origins == 36
        inside_80 += tested.coverage_80
        inside_95 += tested.coverage_95
    coverage_80, coverage_95 = inside_80 / len(series), inside_95 / len(series)
    assert 0.65 <= coverage_80 <= 0.95, coverage_80
    assert 0.82 <= coverage_95 <= 1.0, coverage_95
    assert coverage_95 >= coverage_80


def test_a_forecast_has_ordered_intervals_for_twelve_months():
    values = _world_bank({"COFFEE_ROBUS"})["COFFEE_ROBUS"]
    out = forecasting.forecast(values)
    assert all(len(out[key]) == 12 for key in forecasting.KEYS)
    assert np.all(out["lo-95"] <= out["lo-80"]) and np.all(out["lo-80"] <= out["mean"])
    assert np.all(out["mean"] <= out["hi-80"]) and np.all(out["hi-80"] <= out["hi-95"])
    assert np.all(out["lo-95"] > 0)  # fitted on logarithms: a price stays positive
