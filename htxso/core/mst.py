"""Vietnamese tax codes (mã số thuế, MST); the code of an HTX is its tax code.

The checksum and formats come from python-stdnum (`stdnum.vn.mst`); this module adds the
project's normal form and Vietnamese error messages.
"""

from functools import lru_cache

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import exceptions as stdnum_exceptions
from stdnum.vn import mst


@lru_cache(maxsize=8192)  # an import checks each row's code more than once
def normalise_tax_code(value: str) -> str:
    """Return the tax code as `NNNNNNNNNN` or `NNNNNNNNNN-NNN`, or raise ValidationError."""
    raw = (value or "").strip()
    if not raw:
        raise ValidationError(_("Mã số thuế không được để trống."), code="required")
    try:
        compact = mst.validate(raw)
    except stdnum_exceptions.InvalidLength:
        raise ValidationError(
            _("Mã số thuế phải có 10 chữ số, hoặc 10 chữ số kèm mã chi nhánh 3 chữ số (13 số)."),
            code="length",
        ) from None
    except stdnum_exceptions.InvalidFormat:
        raise ValidationError(
            _("Mã số thuế chỉ gồm chữ số (có thể có dấu gạch ngang trước mã chi nhánh)."),
            code="format",
        ) from None
    except stdnum_exceptions.InvalidChecksum:
        raise ValidationError(
            _("Mã số thuế không hợp lệ: chữ số kiểm tra không đúng."), code="checksum"
        ) from None
    except stdnum_exceptions.InvalidComponent:
        raise ValidationError(
            _("Mã số thuế không hợp lệ: dãy số thứ tự hoặc mã chi nhánh không được toàn số 0."),
            code="component",
        ) from None
    except stdnum_exceptions.ValidationError:
        raise ValidationError(_("Mã số thuế không hợp lệ."), code="invalid") from None
    return compact if len(compact) == 10 else f"{compact[:10]}-{compact[10:]}"


def validate_tax_code(value: str) -> None:
    """A model/form field validator."""
    normalise_tax_code(value)


def check_digit(first_nine: str) -> int | None:
    """The tenth digit for nine digits, or None when no digit makes the code valid."""
    weights = (31, 29, 23, 19, 17, 13, 7, 5, 3)
    remainder = sum(w * int(d) for w, d in zip(weights, first_nine, strict=True)) % 11
    if remainder == 0:
        return None
    return 0 if remainder == 10 else 10 - remainder
