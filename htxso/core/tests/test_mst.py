"""Tax codes (MST): real codes from the domain notes, normal form, Vietnamese errors, checksum.

The checksum property is checked against python-stdnum, the reference the module relies on.
"""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.vn import mst as stdnum_mst

from htxso.core.mst import check_digit, normalise_tax_code, validate_tax_code

VINAMILK = "0300588569"
SAIGON_COOP = "0301175691"
SAIGON_COOP_BRANCH = "0301175691-013"


def _error(value):
    """The ValidationError that normalise_tax_code raises for value, messages in Vietnamese."""
    with translation.override("vi"), pytest.raises(ValidationError) as info:
        normalise_tax_code(value)
    return info.value


# --- real codes -----------------------------------------------------------------------------


@pytest.mark.parametrize("code", [VINAMILK, SAIGON_COOP, SAIGON_COOP_BRANCH])
def test_real_valid_codes_are_already_in_normal_form(code):
    assert normalise_tax_code(code) == code
    validate_tax_code(code)  # does not raise


@pytest.mark.parametrize(
    ("code", "error_code"),
    [
        ("0100233480", "checksum"),
        ("0100000008", "component"),  # digits 3–9 all zero
        ("0314409058-000", "component"),  # branch 000
    ],
)
def test_real_invalid_codes_are_rejected_with_their_reason(code, error_code):
    error = _error(code)
    assert error.code == error_code
    # The field validator rejects them the same way.
    with pytest.raises(ValidationError) as info:
        validate_tax_code(code)
    assert info.value.code == error_code


def test_checksum_message_is_vietnamese():
    [message] = _error("0100233480").messages
    assert message.startswith("Mã số thuế")
    assert "chữ số kiểm tra" in message


def test_zero_component_message_is_vietnamese():
    for code in ("0100000008", "0314409058-000"):
        [message] = _error(code).messages
        assert message.startswith("Mã số thuế")
        assert "toàn số 0" in message


# --- normal form ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("0301175691013", SAIGON_COOP_BRANCH),  # 13 digits without hyphen -> with hyphen
        ("0301175691-013", SAIGON_COOP_BRANCH),
        ("0301175691 - 013", SAIGON_COOP_BRANCH),
        ("  0300588569  ", VINAMILK),
        ("0300 588 569", VINAMILK),
        ("03 0058 8569", VINAMILK),
        ("\t0300588569\n", VINAMILK),
    ],
)
def test_normal_form(raw, normal):
    assert normalise_tax_code(raw) == normal


def test_normal_form_is_a_fixed_point():
    for raw in ("0301175691013", " 0300588569 ", "0301175691 013"):
        normal = normalise_tax_code(raw)
        assert normalise_tax_code(normal) == normal


# --- unhappy paths --------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["", "   ", "\t\n", None])
def test_empty_is_required(value):
    error = _error(value)
    assert error.code == "required"
    [message] = error.messages
    assert message == "Mã số thuế không được để trống."


@pytest.mark.parametrize(
    "value",
    ["030058856A", "O300588569", "0300588569-0A3", "03005885+9", "03011756/1013"],
)
def test_letters_and_symbols_are_a_format_error(value):
    error = _error(value)
    assert error.code == "format"
    [message] = error.messages
    assert message.startswith("Mã số thuế chỉ gồm chữ số")


@pytest.mark.parametrize(
    "value",
    [
        "0",
        "030058856",  # 9 digits
        "03005885690",  # 11 digits
        "030117569101",  # 12 digits (a CCCD-length number is not an organisation's MST)
        "0301175691-01",  # branch of 2 digits
        "0301175691-0130",  # branch of 4 digits
        "abc",  # length is checked before format
    ],
)
def test_wrong_length_is_a_length_error(value):
    error = _error(value)
    assert error.code == "length"
    [message] = error.messages
    assert message.startswith("Mã số thuế phải có 10 chữ số")


# --- properties -----------------------------------------------------------------------------

nine_digits = st.text(alphabet="0123456789", min_size=9, max_size=9).filter(
    lambda digits: digits[2:9] != "0000000"
)


@settings(max_examples=300, deadline=None)
@given(nine_digits)
def test_check_digit_agrees_with_stdnum(first_nine):
    digit = check_digit(first_nine)
    valid_tenths = {d for d in "0123456789" if stdnum_mst.is_valid(first_nine + d)}
    if digit is None:
        assert valid_tenths == set()
    else:
        assert 0 <= digit <= 9
        assert valid_tenths == {str(digit)}
        assert normalise_tax_code(f"{first_nine}{digit}") == f"{first_nine}{digit}"
    for other in set("0123456789") - valid_tenths:
        with pytest.raises(ValidationError) as info:
            normalise_tax_code(first_nine + other)
        assert info.value.code == "checksum"


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet="0123456789", min_size=2, max_size=2), st.sampled_from("0123456789"))
def test_zero_sequence_is_rejected_whatever_the_tenth_digit(prefix, tenth):
    with pytest.raises(ValidationError) as info:
        normalise_tax_code(f"{prefix}0000000{tenth}")
    assert info.value.code == "component"


@settings(max_examples=200, deadline=None)
@given(st.sampled_from([VINAMILK, SAIGON_COOP]), st.integers(min_value=1, max_value=999))
def test_branch_codes_001_to_999_are_valid(base, branch):
    normal = f"{base}-{branch:03d}"
    assert normalise_tax_code(normal) == normal
    assert normalise_tax_code(f"{base}{branch:03d}") == normal
    assert stdnum_mst.is_valid(normal)


def test_known_check_digits():
    assert check_digit(VINAMILK[:9]) == int(VINAMILK[9])
    assert check_digit(SAIGON_COOP[:9]) == int(SAIGON_COOP[9])
    assert check_digit("010023348") != 0  # 0100233480 has the wrong check digit
