"""Citizen IDs (CCCD): `PPP G YY RRRRRR`, decoded with the legacy 63-province codes."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from htxso.core.cccd import (
    FEMALE,
    MALE,
    decode_cccd,
    encode_cccd,
    legacy_province_names,
    validate_cccd,
)
from htxso.core.models import LegacyProvince

TODAY = datetime.date(2025, 7, 1)


def _error(value, today=TODAY):
    with translation.override("vi"), pytest.raises(ValidationError) as info:
        decode_cccd(value, today=today)
    return info.value


# --- decoding known numbers -----------------------------------------------------------------


def test_hanoi_male_1990():
    cid = decode_cccd("001090012345", today=TODAY)
    assert cid.number == "001090012345"
    assert cid.province_code == "01"
    assert cid.province_name == "Thành phố Hà Nội"
    assert cid.gender == MALE
    assert cid.birth_year == 1990


def test_ca_mau_female_1985():
    cid = decode_cccd("096185000123", today=TODAY)
    assert cid.province_code == "96"
    assert "Cà Mau" in cid.province_name
    assert cid.gender == FEMALE
    assert cid.birth_year == 1985


def test_province_code_is_the_legacy_one_not_the_2025_merger():
    # 074 is Bình Dương, which merged into Hồ Chí Minh city in 2025: the CCCD keeps the old code.
    cid = decode_cccd("074203001234", today=TODAY)
    assert cid.province_code == "74"
    assert "Bình Dương" in cid.province_name
    assert cid.birth_year == 2003
    assert cid.gender == MALE


@pytest.mark.parametrize(
    ("digit", "gender", "year"),
    [
        (0, MALE, 1999),
        (1, FEMALE, 1999),
        (2, MALE, 2099),
        (3, FEMALE, 2099),
        (4, MALE, 2199),
        (5, FEMALE, 2199),
    ],
)
def test_gender_and_century_digit(digit, gender, year):
    cid = decode_cccd(f"001{digit}99000001", today=datetime.date(2200, 1, 1))
    assert cid.gender == gender
    assert cid.birth_year == year


@pytest.mark.parametrize(("yy", "year"), [("00", 2000), ("05", 2005), ("25", 2025)])
def test_birth_year_in_the_2000s(yy, year):
    assert decode_cccd(f"0012{yy}000001", today=TODAY).birth_year == year


def test_birth_this_year_is_accepted():
    assert decode_cccd("001225000001", today=datetime.date(2025, 1, 1)).birth_year == 2025


@pytest.mark.parametrize(
    "value",
    [
        "001 090 012 345",
        "001.090.012.345",
        "001-090-012345",
        "  001090012345  ",
        "001090012345\n",
        "0010 9001 2345",
    ],
)
def test_separators_are_tolerated(value):
    cid = decode_cccd(value, today=TODAY)
    assert cid.number == "001090012345"
    assert cid.province_code == "01"


def test_country_code_is_accepted_without_a_province():
    cid = decode_cccd("123190012345", today=TODAY)
    assert cid.province_code is None
    assert cid.province_name is None
    assert cid.gender == FEMALE
    assert cid.birth_year == 1990


def test_every_legacy_province_in_the_database_decodes_to_its_name(db):
    provinces = list(LegacyProvince.objects.all())
    assert len(provinces) == 63
    for province in provinces:
        cid = decode_cccd(f"0{province.code}090000001", today=TODAY)
        assert cid.province_code == province.code
        assert cid.province_name == province.name


def test_legacy_table_has_63_provinces():
    names = legacy_province_names()
    assert len(names) == 63
    assert all(len(code) == 2 and code.isdigit() for code in names)


# --- unhappy paths --------------------------------------------------------------------------


def test_future_birth_year_is_rejected():
    error = _error("001226000001", today=datetime.date(2025, 12, 31))
    assert error.code == "birth_year"
    [message] = error.messages
    assert "2026" in message
    assert "tương lai" in message


def test_future_birth_year_depends_on_today():
    number = "001226000001"
    assert decode_cccd(number, today=datetime.date(2026, 1, 1)).birth_year == 2026
    assert _error(number, today=datetime.date(2025, 12, 31)).code == "birth_year"


@pytest.mark.parametrize("digit", "6789")
def test_centuries_after_2100s_are_in_the_future(digit):
    assert _error(f"001{digit}00000001").code == "birth_year"


@pytest.mark.parametrize(
    "value",
    [
        "00109001234",  # 11 digits
        "0010900123456",  # 13 digits
        "00109001234A",
        "CCCD001090012",
        "001/090/012/345",
        "+84001090012",
    ],
)
def test_not_twelve_digits_is_a_format_error(value):
    error = _error(value)
    assert error.code == "format"
    [message] = error.messages
    assert message == "Số CCCD phải gồm đúng 12 chữ số."


@pytest.mark.parametrize("value", ["", "   ", " . - ", None])
def test_empty_is_required(value):
    error = _error(value)
    assert error.code == "required"
    [message] = error.messages
    assert message == "Số CCCD không được để trống."


@pytest.mark.parametrize("place", ["000", "099", "003", "005", "013", "097"])
def test_unknown_legacy_province_is_rejected(place):
    error = _error(f"{place}090012345")
    assert error.code == "province"
    [message] = error.messages
    assert place in message
    assert "không tồn tại" in message


def test_validate_cccd_raises_the_same_errors():
    validate_cccd("001090012345")  # does not raise
    with pytest.raises(ValidationError) as info:
        validate_cccd("099090012345")
    assert info.value.code == "province"


@pytest.mark.parametrize(
    "value",
    [
        "٠٠١٠٩٠٠١٢٣٤٥",  # Arabic-Indic digits
        "００１０９００１２３４５",  # full-width digits (copy-paste from some IMEs)
    ],
    ids=["arabic-indic", "full-width"],
)
def test_non_ascii_digits_are_not_stored_as_is(value):
    """Either rejected, or read as the ASCII number they spell; never a country code."""
    try:
        cid = decode_cccd(value, today=TODAY)
    except ValidationError as error:
        assert error.code == "format"
    else:
        assert cid.number == "001090012345"
        assert cid.province_code == "01"


# --- round trip -----------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(
    province_code=st.sampled_from(sorted(legacy_province_names())),
    gender=st.sampled_from([MALE, FEMALE]),
    birth_year=st.integers(min_value=1900, max_value=2099),
    serial=st.integers(min_value=0, max_value=999_999),
)
def test_encode_then_decode_round_trips(province_code, gender, birth_year, serial):
    number = encode_cccd(province_code, gender, birth_year, serial)
    assert len(number) == 12
    assert number.isascii() and number.isdigit()
    cid = decode_cccd(number, today=datetime.date(birth_year, 1, 1))
    assert cid.number == number
    assert cid.province_code == province_code
    assert cid.province_name == legacy_province_names()[province_code]
    assert cid.gender == gender
    assert cid.birth_year == birth_year
    # One year earlier, the same person is not born yet.
    with pytest.raises(ValidationError) as info:
        decode_cccd(number, today=datetime.date(birth_year - 1, 12, 31))
    assert info.value.code == "birth_year"


@settings(max_examples=50, deadline=None)
@given(
    province_code=st.sampled_from(sorted(legacy_province_names())),
    gender=st.sampled_from([MALE, FEMALE]),
    birth_year=st.integers(min_value=1900, max_value=datetime.date.today().year),
)
def test_round_trip_with_the_real_today(province_code, gender, birth_year):
    cid = decode_cccd(encode_cccd(province_code, gender, birth_year, 1))
    assert (cid.province_code, cid.gender, cid.birth_year) == (province_code, gender, birth_year)
