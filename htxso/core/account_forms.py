"""Sign-in forms: the password step (throttled, core/lockout.py) and the second-factor code."""

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import lockout

LOCKED = _(
    "Tài khoản tạm khóa do đăng nhập sai nhiều lần: thử lại sau, hoặc liên hệ cán bộ quản trị "
    "để mở khóa ngay."
)
INVALID_LOGIN = _("Tên đăng nhập hoặc mật khẩu không đúng.")


def ip_blocked_error(minutes: int) -> ValidationError:
    message = ngettext(
        "Quá nhiều lần đăng nhập sai từ địa chỉ này; thử lại sau %(minutes)s phút.",
        "Quá nhiều lần đăng nhập sai từ địa chỉ này; thử lại sau %(minutes)s phút.",
        minutes,
    ) % {"minutes": minutes}
    return ValidationError(message, code="ip_blocked")


class LoginForm(AuthenticationForm):
    """Django's form, with the throttle around it. The answer is the same whether or not the
    username exists: wrong, or locked once it has failed too often."""

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if not username or not password:
            return self.cleaned_data  # the fields' own "required" errors
        minutes = lockout.ip_wait_minutes(self.request)
        if minutes:
            lockout.logger.warning("login: refused from a blocked address")
            raise ip_blocked_error(minutes)
        if lockout.is_locked(username):
            lockout.register_failure(self.request, username, "locked")
            raise ValidationError(LOCKED, code="locked")
        try:
            cleaned = super().clean()
        except ValidationError:
            if lockout.register_failure(self.request, username, "password"):
                raise ValidationError(LOCKED, code="locked") from None
            raise ValidationError(INVALID_LOGIN, code="invalid_login") from None
        if lockout.is_locked(username):  # locked by a guess that ran beside this one
            raise ValidationError(LOCKED, code="locked")
        return cleaned


class OtpCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Mã xác thực (6 chữ số)"),
        min_length=6,
        max_length=8,
        widget=forms.TextInput(
            attrs={
                "class": "form-control",
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autofocus": True,
            }
        ),
    )

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if not code.isdigit():
            raise ValidationError(_("Mã xác thực chỉ gồm chữ số."), code="digits")
        return code
