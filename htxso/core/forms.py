"""The UI kit's forms: Bootstrap classes on every widget, and the Vietnamese inputs every app uses.

Numbers and dates are typed and shown the Vietnamese way whatever the browser's language, read
by the one parser of `core/values.py` (the importers' too):

- `NumberField` (whole numbers; `decimals=True` for 1,5) and `MoneyField` (whole đồng, "đ"
  allowed) take "5.000.000", "5 000 000", "1,5" and show a stored 769000000 as 769.000.000;
- `DateField` takes and shows dd/mm/yyyy (yyyy-mm-dd too). It is a text input, not the
  browser's date input, which shows mm/dd/yyyy in an English browser; and it never reads
  Django's default input formats, where 05/04/2025 is the 4th of May.

Errors say in Vietnamese what to type ("Nhập số, ví dụ 5.000.000.").
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import values


class NumberInput(forms.TextInput):
    """A text input for a Vietnamese number: a numeric keyboard on a phone, the value grouped
    with "." (a browser's number input refuses "5.000.000" and shows 769000000)."""

    def __init__(self, attrs: dict[str, Any] | None = None, decimals: bool = False) -> None:
        base = {
            "inputmode": "decimal" if decimals else "numeric",
            "placeholder": "5.000.000",
            "autocomplete": "off",
            "class": "form-control text-end",
        }
        super().__init__({**base, **(attrs or {})})

    def format_value(self, value: Any) -> str | None:
        if value is None or value == "":
            return None
        return values.format_number(value)


class DateInput(forms.TextInput):
    """A text input for dd/mm/yyyy."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        base = {
            "placeholder": _("dd/mm/yyyy"),
            "inputmode": "numeric",
            "autocomplete": "off",
            "maxlength": "10",
            "class": "form-control",
        }
        super().__init__({**base, **(attrs or {})})

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, dt.date):
            return values.format_date(value)
        return None if value in (None, "") else str(value)


class NumberField(forms.Field):
    """A whole number (or, with `decimals`, a decimal) typed the Vietnamese way."""

    widget = NumberInput
    example = _("Nhập số, ví dụ 5.000.000.")
    example_decimal = _("Nhập số, ví dụ 5.000.000 hoặc 1,5 (dấu phẩy trước phần thập phân).")

    def __init__(
        self,
        *,
        min_value: int | None = None,
        max_value: int | None = None,
        decimals: bool = False,
        **kwargs: Any,
    ) -> None:
        self.min_value, self.max_value, self.decimals = min_value, max_value, decimals
        kwargs.setdefault("widget", NumberInput(decimals=decimals))
        super().__init__(**kwargs)

    def parse(self, value: Any) -> int | Decimal:
        if self.decimals:
            return values.parse_number(value)
        return values.parse_integer(value)

    def to_python(self, value: Any) -> int | Decimal | None:
        if value in self.empty_values or (isinstance(value, str) and not value.strip()):
            return None
        try:
            return self.parse(value)
        except ValidationError as exc:
            if exc.code in ("comma", "fraction", "large", "negative"):
                raise ValidationError(exc.messages[0], code=exc.code) from None
            raise ValidationError(
                self.example_decimal if self.decimals else self.example, code="invalid"
            ) from None

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value is None:
            return
        if self.min_value is not None and value < self.min_value:
            raise ValidationError(
                _("Không được nhỏ hơn %(limit)s.")
                % {"limit": values.format_number(self.min_value)},
                code="min_value",
            )
        if self.max_value is not None and value > self.max_value:
            raise ValidationError(
                _("Không được lớn hơn %(limit)s.")
                % {"limit": values.format_number(self.max_value)},
                code="max_value",
            )


class MoneyField(NumberField):
    """Whole đồng, never negative; "5.000.000", "5.000.000 đ" and "5.000.000 đồng" alike. The
    form templates show `unit` beside the input."""

    example = _("Nhập số tiền bằng đồng, ví dụ 5.000.000.")
    unit = _("đồng")

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 0)
        super().__init__(**kwargs)

    def parse(self, value: Any) -> int:
        return values.parse_money(value)


class DateField(forms.DateField):
    """A date typed dd/mm/yyyy (or yyyy-mm-dd), read by `core.values.parse_date`."""

    widget = DateInput
    default_error_messages = {"invalid": _("Nhập ngày theo dạng dd/mm/yyyy, ví dụ 05/04/2025.")}

    def to_python(self, value: Any) -> dt.date | None:  # type: ignore[override]
        if value in self.empty_values or (isinstance(value, str) and not value.strip()):
            return None
        try:
            return values.parse_date(value)
        except ValidationError as exc:
            message = str(exc.messages[0])
            if "dd/mm/yyyy" in message:
                message = str(self.error_messages["invalid"])
            raise ValidationError(message, code="invalid") from None


def style(form: forms.BaseForm) -> None:
    """Bootstrap classes on every widget (the templates render fields one by one)."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        elif not isinstance(widget, forms.HiddenInput):
            widget.attrs.setdefault("class", "form-control")


class StyledForm(forms.Form):
    """A form whose widgets carry the UI kit's classes."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style(self)
