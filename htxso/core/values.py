"""Vietnamese values as people type them: numbers, yes/no and dates — one parser each, used by
the file imports (`exchange`, `reporting`) and the report forms alike.

**Numbers** (`parse_number`, and `parse_integer` / `parse_money` on top of it). Vietnamese
writes `.` between thousands and `,` before decimals; English-locale spreadsheets write the
opposite. The rule, in order:

1. Digits only, with an optional leading `-`: `1500000`, `-12`, `007`. ASCII digits only.
2. Thousands grouped by `.`, a space or a no-break space (every group after the first exactly
   three digits), optionally followed by a decimal comma: `1.500.000`, `1 500 000`,
   `1.500,25`.
3. A decimal comma: `1,5` is 1.5 and `0,25` is 0.25.
4. Thousands grouped by `,` (English-locale Excel): `1,500,000` — several comma groups of
   exactly three digits cannot be a decimal. **The ambiguous `1,500` (one comma, exactly three
   digits after it, no dot) is 1500, thousands**: the figures these files carry (đồng,
   people, hectares of whole reports) are whole numbers far more often than numbers with three
   decimals, and an English-locale export of 1500 is exactly `1,500`. Write `1,5` for one and
   a half.
5. Anything else is refused: `1.5` (a dot is never a decimal mark here), `1.25.000`, `+5`,
   `1,500.25` (two conventions in one number), `.250`, `1..250`.

Spreadsheet cells that already hold a number (int, float) are taken as they are; a bool is
not a number. A number of more than 15 integer digits is "too large" (the cube's 64-bit cells
must hold sums of many).

**Yes/no** (`parse_bool`): "Có", "x", "1", "đúng", "yes", "true" / "Không", "0", "sai", "no",
"false" and the blank cell, without regard to case or accents.

**Dates** (`parse_date`): dd/mm/yyyy (also with `.` or `-`), yyyy-mm-dd, a date cell or an Excel
serial number; from 1900.

Errors are `ValidationError`s with Vietnamese messages and a `code` (`invalid`, `comma`,
`fraction`, `large`, `negative`) so a caller may word them for its own column.

**Writing them back** (`format_number`, `format_date`): the same conventions out — 769.000.000,
1.234,5, 05/04/2025 — whatever the page's language, so what a form shows is what its parser
reads (a form field, a command's counts, a message).
"""

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .text import search_key

LIMIT = 10**15  # whole numbers are below this in absolute value
_MAX_TEXT = 40  # characters of a typed number (Decimal of thousands of digits is slow)

_PLAIN = re.compile(r"^-?[0-9]+$")
_GROUPED = re.compile(r"^-?[0-9]{1,3}(?:(?P<sep>[. ])[0-9]{3})(?:(?P=sep)[0-9]{3})*(,[0-9]+)?$")
_DECIMAL_COMMA = re.compile(r"^-?[0-9]+,[0-9]+$")
_COMMA_THOUSANDS = re.compile(r"^-?[0-9]{1,3}(?:,[0-9]{3})+$")
_MONEY_SUFFIX = re.compile(r"\s*(đ|đồng|vnd|vnđ)$", re.IGNORECASE)


def _invalid(value: Any, whole: bool = False) -> ValidationError:
    """`value` is not a number at all (a whole number, when `whole`: what an integer column
    says, since a fraction is refused there too)."""
    if whole:
        message = _("“%(value)s” không phải là một số nguyên.")
    else:
        message = _("“%(value)s” không phải là một số.")
    return ValidationError(message % {"value": value}, code="invalid")


def _large() -> ValidationError:
    return ValidationError(_("Số quá lớn."), code="large")


def parse_number(value: Any) -> Decimal:
    """The number a cell or a form field holds, by the rule of this module's docstring."""
    if isinstance(value, bool):
        raise ValidationError(_("Cần một số nguyên."), code="invalid")
    if isinstance(value, int):
        if abs(value) >= LIMIT:
            raise _large()
        return Decimal(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")) or abs(value) >= LIMIT:
            raise _large() if value == value else _invalid(value)
        return Decimal(repr(value))
    text = str(value).strip().replace("\u00a0", " ")
    if len(text) > _MAX_TEXT:
        raise _large()
    if _PLAIN.match(text):
        number = Decimal(text)
    elif _GROUPED.match(text):
        number = Decimal(text.replace(".", "").replace(" ", "").replace(",", "."))
    elif _COMMA_THOUSANDS.match(text):
        number = Decimal(text.replace(",", ""))
    elif _DECIMAL_COMMA.match(text):
        number = Decimal(text.replace(",", "."))
    else:
        raise _invalid(value)
    if abs(number) >= LIMIT:
        raise _large()
    return number


def format_number(value: Any) -> str:
    """769000000 → "769.000.000", Decimal("1234.5") → "1.234,5": thousands with ".", decimals
    with ",". Anything that is not a number (None, text, a bool) is returned as text unchanged
    ("" for None), so a form can show back what was typed."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return str(value)
        value = Decimal(repr(value))
    if isinstance(value, Decimal):
        if value == value.to_integral_value():
            value = int(value)
        else:
            whole, _dot, fraction = f"{abs(value).normalize():f}".partition(".")
            sign = "-" if value < 0 else ""
            return f"{sign}{int(whole):,}".replace(",", ".") + "," + fraction
    return f"{value:,}".replace(",", ".")


def format_date(value: dt.date | None) -> str:
    """dd/mm/yyyy, the way every page and form writes a date ("" for none)."""
    return value.strftime("%d/%m/%Y") if value is not None else ""


def parse_integer(value: Any) -> int:
    """A whole number (`parse_number`); a fraction is refused, saying why when it was typed with
    a decimal comma (someone meant thousands)."""
    if isinstance(value, float) and not value.is_integer() and abs(value) < LIMIT:
        raise ValidationError(_("Cần một số nguyên, không có phần thập phân."), code="fraction")
    try:
        number = parse_number(value)
    except ValidationError as error:
        if error.code == "invalid" and not isinstance(value, bool | float):
            raise _invalid(value, whole=True) from None
        raise
    if number != number.to_integral_value():
        if "," in str(value):
            raise ValidationError(
                _(
                    "“%(value)s” không phải số nguyên: không dùng dấu phẩy; "
                    "hàng nghìn ngăn cách bằng dấu chấm (1.250.000)."
                )
                % {"value": value},
                code="comma",
            )
        raise ValidationError(_("Cần một số nguyên, không có phần thập phân."), code="fraction")
    return int(number)


_MONEY_MESSAGES = {
    "invalid": gettext_lazy("Không phải số tiền hợp lệ."),
    "fraction": gettext_lazy("Số tiền phải là số nguyên (đồng)."),
    "comma": gettext_lazy("Số tiền phải là số nguyên (đồng)."),
    "large": gettext_lazy("Số tiền quá lớn."),
}


def parse_money(value: Any) -> int:
    """Whole đồng (`parse_integer`, a trailing "đ", "đồng", "VND" allowed); never negative."""
    if isinstance(value, str):
        value = _MONEY_SUFFIX.sub("", value.strip().replace("\u00a0", " "))
    try:
        number = parse_integer(value)
    except ValidationError as exc:
        message = _MONEY_MESSAGES.get(exc.code or "invalid", _MONEY_MESSAGES["invalid"])
        raise ValidationError(str(message), code=exc.code) from None
    if number < 0:
        raise ValidationError(_("Số tiền không được âm."), code="negative")
    return number


_TRUE = frozenset({"co", "x", "1", "true", "yes", "dung"})
_FALSE = frozenset({"khong", "0", "false", "no", "sai", ""})


def parse_bool(value: Any) -> bool:
    """Yes or no, without regard to case or accents ("CÓ", "có" typed with a combining accent);
    the blank cell is no."""
    if isinstance(value, bool):
        return value
    key = search_key(str(value))
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise ValidationError(_("Chỉ nhận “Có” hoặc “Không”."), code="invalid")


_DATE = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?$")
EXCEL_EPOCH = dt.date(1899, 12, 30)


def parse_date(value: Any) -> dt.date:
    """dd/mm/yyyy (also with . or -), yyyy-mm-dd, an Excel date cell or an Excel serial number."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 80_000 and float(value).is_integer():
            return EXCEL_EPOCH + dt.timedelta(days=int(value))
        raise ValidationError(_("Không phải ngày hợp lệ (dd/mm/yyyy)."), code="invalid")
    text = str(value).strip()
    match = _DATE.match(text)
    if match:
        day, month, year = (int(g) for g in match.groups())
    else:
        iso = _ISO.match(text)
        if not iso:
            raise ValidationError(_("Không phải ngày hợp lệ (dd/mm/yyyy)."), code="invalid")
        year, month, day = (int(g) for g in iso.groups())
    try:
        day_value = dt.date(year, month, day)
    except ValueError:
        raise ValidationError(_("Ngày không tồn tại trong lịch."), code="invalid") from None
    if day_value.year < 1900:
        raise ValidationError(_("Năm phải từ 1900 trở đi."), code="invalid")
    return day_value
