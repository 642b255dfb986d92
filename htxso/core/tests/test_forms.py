"""The UI kit's Vietnamese inputs (#16): numbers with "." between thousands and "," before
decimals, money in đồng, dates dd/mm/yyyy — read by core.values' one parser, shown back the same
way whatever the page's language, refused with a Vietnamese message that says what to type."""

import datetime as dt
from decimal import Decimal

import pytest
from django import forms
from django.utils import translation

from htxso.core.forms import DateField, MoneyField, NumberField, StyledForm
from htxso.core.values import format_date, format_number, parse_number


class Sample(StyledForm):
    count = NumberField(required=False, min_value=0, max_value=1_000_000)
    ratio = NumberField(required=False, decimals=True)
    capital = MoneyField(required=False)
    day = DateField(required=False)


def cleaned(**data: str) -> dict:
    form = Sample(data)
    assert form.is_valid(), form.errors
    return form.cleaned_data


def errors(**data: str) -> dict[str, list[str]]:
    form = Sample(data)
    assert not form.is_valid()
    return {k: [str(e) for e in v] for k, v in form.errors.items()}


@pytest.mark.parametrize(
    ("typed", "number"),
    [("5.000", 5000), ("5000", 5000), ("5 000", 5000), ("1.000.000", 1_000_000), ("0", 0)],
)
def test_a_whole_number_is_typed_the_vietnamese_way(typed, number):
    assert cleaned(count=typed)["count"] == number


def test_money_takes_thousands_with_dots_and_a_dong_suffix():
    assert cleaned(capital="5.000.000")["capital"] == 5_000_000
    assert cleaned(capital="5.000.000 đ")["capital"] == 5_000_000
    assert cleaned(capital="769.000.000 đồng")["capital"] == 769_000_000
    assert cleaned(capital="")["capital"] is None


def test_a_decimal_takes_a_comma():
    assert cleaned(ratio="1,5")["ratio"] == Decimal("1.5")
    assert cleaned(ratio="1.234,25")["ratio"] == Decimal("1234.25")


def test_a_number_that_is_not_one_says_what_to_type():
    assert errors(count="năm")["count"] == ["Nhập số, ví dụ 5.000.000."]
    assert errors(capital="5tr")["capital"] == ["Nhập số tiền bằng đồng, ví dụ 5.000.000."]
    assert "1,5" in errors(ratio="1.5")["ratio"][0]


def test_a_fraction_in_a_whole_number_is_refused_saying_why():
    assert "dấu chấm (1.250.000)" in errors(count="1,25")["count"][0]
    assert errors(capital="5.000,5")["capital"] == ["Số tiền phải là số nguyên (đồng)."]


def test_limits_are_written_the_vietnamese_way():
    assert errors(count="2.000.000")["count"] == ["Không được lớn hơn 1.000.000."]
    assert errors(count="-1")["count"] == ["Không được nhỏ hơn 0."]
    assert errors(capital="-5.000")["capital"] == ["Số tiền không được âm."]


@pytest.mark.parametrize("language", ["vi", "en"])
def test_stored_values_are_shown_the_vietnamese_way_in_any_language(language):
    form = Sample(
        initial={"capital": 769_000_000, "ratio": Decimal("1234.5"), "day": dt.date(2025, 4, 5)}
    )
    with translation.override(language):
        html = str(form["capital"]) + str(form["ratio"]) + str(form["day"])
    assert 'value="769.000.000"' in html
    assert 'value="1.234,5"' in html
    assert 'value="05/04/2025"' in html
    assert 'type="date"' not in html and 'type="number"' not in html
    assert 'inputmode="numeric"' in html and 'placeholder="dd/mm/yyyy"' in html


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("05/04/2025", dt.date(2025, 4, 5)),
        ("5/4/2025", dt.date(2025, 4, 5)),
        ("05.04.2025", dt.date(2025, 4, 5)),
        ("2025-04-05", dt.date(2025, 4, 5)),
    ],
)
def test_a_date_is_day_month_year(typed, day):
    # Django's own input formats would read 05/04/2025 as the 4th of May.
    assert cleaned(day=typed)["day"] == day


def test_a_wrong_date_says_the_format_or_that_the_day_does_not_exist():
    assert errors(day="April 5")["day"] == ["Nhập ngày theo dạng dd/mm/yyyy, ví dụ 05/04/2025."]
    assert errors(day="31/02/2025")["day"] == ["Ngày không tồn tại trong lịch."]


def test_what_was_typed_wrong_is_shown_back_as_typed():
    form = Sample({"capital": "5tr", "day": "hôm qua"})
    assert not form.is_valid()
    assert 'value="5tr"' in str(form["capital"]) and 'value="hôm qua"' in str(form["day"])


def test_a_date_field_is_still_a_date_field_for_the_api_filters():
    assert isinstance(DateField(), forms.DateField)


@pytest.mark.parametrize(
    "number", [0, 7, 1000, 769_000_000, -1_234_567, Decimal("1234.5"), Decimal("-0.25"), 2.5]
)
def test_what_is_written_reads_back(number):
    assert parse_number(format_number(number)) == Decimal(str(number))


def test_format_date_and_nothing():
    assert format_date(dt.date(2025, 12, 1)) == "01/12/2025"
    assert format_date(None) == "" and format_number(None) == ""
