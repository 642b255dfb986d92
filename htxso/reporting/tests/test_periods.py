"""Reporting periods: codes, bounds, deadlines, neighbours, spans; wrong codes refused in
Vietnamese."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from htxso.reporting.periods import HALF, YEAR, Period, span, validate_code


@pytest.mark.parametrize(
    ("code", "year", "half", "periodicity"),
    [
        ("2025", 2025, None, YEAR),
        ("2025S1", 2025, 1, HALF),
        ("2025S2", 2025, 2, HALF),
        (" 2025s2 ", 2025, 2, HALF),
        ("1990", 1990, None, YEAR),
        ("2100S1", 2100, 1, HALF),
        (2024, 2024, None, YEAR),  # a number from a JSON body
    ],
)
def test_parse(code, year, half, periodicity):
    period = Period.parse(code)
    assert (period.year, period.half, period.periodicity) == (year, half, periodicity)
    assert Period.parse(period.code) == period
    assert str(period) == period.code


@pytest.mark.parametrize(
    "code",
    ["", "   ", None, "25", "02025", "2025S3", "2025S0", "2025S", "2025-S1", "2025 S1", "2025H1",
     "S1", "1989", "2101", "abcd", "2025S12", "２０２５"],
)  # fmt: skip
def test_invalid_codes_are_refused_in_vietnamese(code):
    with pytest.raises(ValidationError) as info:
        Period.parse(code)
    message = " ".join(info.value.messages)
    assert "không hợp lệ" in message
    assert "2025S1" in message  # says what a valid code looks like
    with pytest.raises(ValidationError):
        validate_code(code)


def test_codes_of_constructed_periods():
    assert Period(2025).code == "2025"
    assert Period(2025, 1).code == "2025S1"
    assert Period(2025, 2).code == "2025S2"


@pytest.mark.parametrize(
    ("code", "start", "end"),
    [
        ("2025", dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
        ("2025S1", dt.date(2025, 1, 1), dt.date(2025, 6, 30)),
        ("2025S2", dt.date(2025, 7, 1), dt.date(2025, 12, 31)),
        ("2024S1", dt.date(2024, 1, 1), dt.date(2024, 6, 30)),  # leap year: no 29/6 surprise
    ],
)
def test_start_and_end(code, start, end):
    period = Period.parse(code)
    assert (period.start, period.end) == (start, end)


def test_deadlines():
    assert Period.parse("2025").deadline(15) == dt.date(2026, 1, 15)
    assert Period.parse("2025S1").deadline(20) == dt.date(2025, 7, 20)
    assert Period.parse("2025S2").deadline(20) == dt.date(2026, 1, 20)
    assert Period.parse("2024S1").deadline(0) == dt.date(2024, 6, 30)


def test_previous_and_next_cross_years():
    assert Period.parse("2025").previous() == Period(2024)
    assert Period.parse("2025").next() == Period(2026)
    assert Period.parse("2025S1").previous() == Period(2024, 2)
    assert Period.parse("2025S1").next() == Period(2025, 2)
    assert Period.parse("2025S2").previous() == Period(2025, 1)
    assert Period.parse("2025S2").next() == Period(2026, 1)
    for code in ("2025", "2025S1", "2025S2"):
        period = Period.parse(code)
        assert period.next().previous() == period == period.previous().next()
        assert period.next().periodicity == period.periodicity


def test_containing():
    assert Period.containing(dt.date(2025, 6, 30), HALF) == Period(2025, 1)
    assert Period.containing(dt.date(2025, 7, 1), HALF) == Period(2025, 2)
    assert Period.containing(dt.date(2025, 12, 31), YEAR) == Period(2025)
    assert Period.containing(dt.date(2025, 1, 1), YEAR) == Period(2025)


def test_halves_of_a_year():
    assert Period(2025).halves() == (Period(2025, 1), Period(2025, 2))
    assert Period(2025, 1).halves() == ()


def test_order_within_a_periodicity():
    assert Period(2024, 2) < Period(2025, 1) < Period(2025, 2)
    assert Period(2024) < Period(2025)
    assert sorted([Period(2025, 2), Period(2024, 1), Period(2025, 1)]) == [
        Period(2024, 1),
        Period(2025, 1),
        Period(2025, 2),
    ]


def test_span():
    assert span(Period(2024, 2), Period(2026, 1)) == [
        Period(2024, 2),
        Period(2025, 1),
        Period(2025, 2),
        Period(2026, 1),
    ]
    assert span(Period(2023), Period(2025)) == [Period(2023), Period(2024), Period(2025)]
    assert span(Period(2025, 1), Period(2025, 1)) == [Period(2025, 1)]
    assert span(Period(2025), Period(2024)) == []


def test_span_of_mixed_periodicities_is_refused():
    with pytest.raises(ValueError):
        span(Period(2024), Period(2025, 1))


def test_labels():
    assert Period(2025).label == "Năm 2025"
    assert "đầu năm" in Period(2025, 1).label and "2025" in Period(2025, 1).label
    assert "cuối năm" in Period(2025, 2).label
