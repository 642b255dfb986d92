"""One parser each for Vietnamese numbers, yes/no and dates (`htxso.core.values`): the rule of
its docstring, round-trips through every way a number is written, and Vietnamese refusals."""

import datetime as dt
import re
import unicodedata
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from htxso.core.values import (
    LIMIT,
    parse_bool,
    parse_date,
    parse_integer,
    parse_money,
    parse_number,
)

WHOLE = st.integers(min_value=-(LIMIT - 1), max_value=LIMIT - 1)


def grouped(number: int, separator: str) -> str:
    """`number` with its thousands grouped by `separator` ("1.500.000")."""
    sign = "-" if number < 0 else ""
    return sign + f"{abs(number):,}".replace(",", separator)


@given(WHOLE, st.sampled_from([".", " ", "\u00a0", ","]))
def test_whole_numbers_round_trip_in_every_grouping(number, separator):
    assert parse_integer(grouped(number, separator)) == number
    assert parse_integer(str(number)) == number
    assert parse_integer(number) == number


@given(WHOLE, st.integers(min_value=1, max_value=99))
def test_a_decimal_comma_after_dot_groups_is_a_fraction(number, cents):
    text = f"{grouped(number, '.')},{cents:02d}"
    expected = Decimal(number) + (Decimal(cents) / 100 if number >= 0 else -Decimal(cents) / 100)
    assert parse_number(text) == expected


@pytest.mark.parametrize(
    ("raw", "value"),
    [("1,5", Decimal("1.5")), ("0,25", Decimal("0.25")), ("1.500,25", Decimal("1500.25")),
     ("1,500,000", 1_500_000), ("1.500.000", 1_500_000), ("1 500 000", 1_500_000),
     # the ambiguous single comma group is thousands, by rule
     ("1,500", 1500), ("-1,500", -1500), ("12,345", 12345), ("1,50", Decimal("1.5")),
     ("1,5000", Decimal("1.5")), (2.5, Decimal("2.5")), (7, 7)],
)  # fmt: skip
def test_the_rule(raw, value):
    assert parse_number(raw) == value


@pytest.mark.parametrize(
    "raw",
    ["1.5", "1.25.000", "+5", "1,500.25", ".250", "1..250", "1,,500", "1,500,00", "abc", "",
     "١٢", "1e5", "1 5", "1.500 000", "--1", "1,"],
)  # fmt: skip
def test_refused_numbers_say_so_in_vietnamese(raw):
    with pytest.raises(ValidationError) as info:
        parse_number(raw)
    assert info.value.code == "invalid"
    # A decimal column (a price, an area) reads through parse_number: not "a whole number".
    assert info.value.messages[0] == f"“{raw}” không phải là một số."
    with pytest.raises(ValidationError) as info:
        parse_integer(raw)
    assert info.value.code in ("invalid", "fraction", "comma")
    if info.value.code == "invalid":
        assert info.value.messages[0] == f"“{raw}” không phải là một số nguyên."


@given(st.text(max_size=30))
def test_anything_typed_is_a_number_or_a_validation_error(text):
    try:
        value = parse_number(text)
    except ValidationError as exc:
        assert exc.messages and exc.code in {"invalid", "large"}
    else:
        assert abs(value) < LIMIT


def test_integers_refuse_fractions_saying_why():
    with pytest.raises(ValidationError, match="dấu phẩy") as info:
        parse_integer("1,5")
    assert info.value.code == "comma"
    with pytest.raises(ValidationError, match="thập phân"):
        parse_integer(1.5)
    with pytest.raises(ValidationError, match="quá lớn"):
        parse_integer("9" * 100)
    with pytest.raises(ValidationError, match="quá lớn"):
        parse_integer(10**15)
    with pytest.raises(ValidationError, match="quá lớn"):
        parse_integer(float("inf"))
    with pytest.raises(ValidationError, match="số nguyên"):
        parse_integer(True)
    with pytest.raises(ValidationError):
        parse_integer(float("nan"))


@given(st.integers(min_value=0, max_value=LIMIT - 1), st.sampled_from([".", ",", " "]))
def test_money_round_trips_with_its_unit(amount, separator):
    text = grouped(amount, separator)
    assert parse_money(text) == amount
    assert parse_money(f"{text} đ") == amount
    assert parse_money(f"{text} VNĐ") == amount


@pytest.mark.parametrize(
    ("raw", "says"),
    [("-1.000", "không được âm"), ("1,5", "số nguyên (đồng)"), (1.5, "số nguyên (đồng)"),
     ("abc", "Không phải số tiền"), ("1.5", "Không phải số tiền"), (10**15, "quá lớn"),
     (True, "Không phải số tiền")],
)  # fmt: skip
def test_money_refusals(raw, says):
    with pytest.raises(ValidationError, match=re.escape(says)):
        parse_money(raw)


@pytest.mark.parametrize(
    ("raw", "value"),
    [("có", True), ("CÓ", True), (unicodedata.normalize("NFD", "có"), True), ("x", True),
     ("1", True), (1, True), ("Đúng", True), ("yes", True), (True, True), ("không", False),
     ("KHÔNG", False), ("0", False), (0, False), ("sai", False), ("", False), (False, False)],
)  # fmt: skip
def test_yes_and_no(raw, value):
    assert parse_bool(raw) is value


@pytest.mark.parametrize("raw", ["có lẽ", "2", 2, "maybe"])
def test_other_answers_are_refused(raw):
    with pytest.raises(ValidationError, match="“Có” hoặc “Không”"):
        parse_bool(raw)


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(9999, 12, 31)))
def test_dates_round_trip(day):
    for text in (day.strftime("%d/%m/%Y"), day.strftime("%d.%m.%Y"), day.isoformat()):
        assert parse_date(text) == day
    assert parse_date(dt.datetime.combine(day, dt.time())) == day


def test_excel_serial_numbers_and_refusals():
    assert parse_date(45000) == dt.date(2023, 3, 15)
    with pytest.raises(ValidationError, match="Không phải ngày"):
        parse_date("15/3")
    with pytest.raises(ValidationError, match="không tồn tại"):
        parse_date("30/02/2024")
    with pytest.raises(ValidationError, match="1900"):
        parse_date("01/01/1899")
    with pytest.raises(ValidationError, match="Không phải ngày"):
        parse_date(1.5)


def test_a_field_with_errors_names_its_messages_for_screen_readers():
    """core/_form_fields.html: aria-invalid and aria-describedby point at the error ids."""
    import re

    from django import forms
    from django.template.loader import render_to_string

    from htxso.core.forms import MoneyField, StyledForm

    class Form(StyledForm):
        capital = MoneyField(label="Vốn")
        name = forms.CharField(label="Tên")

    form = Form({"capital": "5 tỷ", "name": "HTX"})
    assert not form.is_valid()
    html = render_to_string("core/_form_fields.html", {"form": form})
    capital = re.search(r"<input[^>]*name=\"capital\"[^>]*>", html)[0]
    assert 'aria-invalid="true"' in capital
    described = re.search(r'aria-describedby="([^"]+)"', capital)[1].split()
    assert described == ["id_capital-error-1"]
    assert 'id="id_capital-error-1"' in html
    name = re.search(r"<input[^>]*name=\"name\"[^>]*>", html)[0]
    assert "aria-invalid" not in name and "aria-describedby" not in name
