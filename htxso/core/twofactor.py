"""Two-factor sign-in (TOTP, django-otp).

- Anyone may enrol (`accounts/otp/`): the page shows the otpauth URI as a QR code (SVG drawn on
  the server by segno) and the key, and a code from the app confirms the device.
- After the password, a user with a confirmed device is asked for a code (`accounts/login/otp/`)
  before the session is signed in; wrong codes count towards the account's lock like wrong
  passwords, and django-otp's own throttling slows guessing further.
- `OTP_REQUIRED_ROLES`: users of those roles without a device are signed in but sent to the
  enrolment page, and can use nothing else until they have enrolled.
"""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django_otp import devices_for_user, user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from .audit import record
from .models import User

OTP_REQUIRED_MESSAGE = _("Tài khoản phải xác thực hai lớp trước khi dùng hệ thống.")
# Pages a signed-in user who still owes a second factor may open.
EXEMPT_URL_NAMES = ("login", "login-otp", "logout", "otp-setup", "set_language")


def otp_required(user: User | AnonymousUser) -> bool:
    return getattr(user, "role", None) in settings.OTP_REQUIRED_ROLES


def has_device(user: User | AnonymousUser) -> bool:
    return user_has_device(user, confirmed=True)


def pending_device(user: User) -> TOTPDevice:
    """The user's unconfirmed device being enrolled (one is made when there is none)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    return device or TOTPDevice.objects.create(user=user, name="HTX Số", confirmed=False)


@transaction.atomic
def confirm_device(user: User, device: TOTPDevice, code: str) -> bool:
    """Confirm the device being enrolled with a code from the app (audited)."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user)
    if device.confirmed or not device.verify_token(code):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    record(user, "otp_enrol", user, None, {"device": device.persistent_id})
    return True


def verify_code(user: User, code: str) -> TOTPDevice | None:
    """The confirmed device that accepts `code`, or None (django-otp throttles and refuses a
    code used before)."""
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=True, for_verify=True):
            if isinstance(device, TOTPDevice) and device.verify_token(code):
                return device
    return None


@transaction.atomic
def reset_devices(actor: User | AnonymousUser | None, user: User) -> int:
    """Remove a user's devices (a lost phone); they enrol again at their next sign-in."""
    count = TOTPDevice.objects.filter(user=user).count()
    if count:
        TOTPDevice.objects.filter(user=user).delete()
        record(actor, "otp_reset", user, None, {"devices": count})
    return count


def _api_refusal() -> JsonResponse:
    """The API's error shape (core/api.py)."""
    with translation.override("en"):
        english = str(OTP_REQUIRED_MESSAGE)
    with translation.override("vi"):
        vietnamese = str(OTP_REQUIRED_MESSAGE)
    body = {"code": "otp_required", "message": {"vi": vietnamese, "en": english}, "errors": []}
    return JsonResponse(body, status=403)


class OtpRequiredMiddleware:
    """A signed-in user who owes a second factor reaches only the sign-in and enrolment pages.

    - a role in OTP_REQUIRED_ROLES without a device: sent to enrolment;
    - a user with a device whose session was not verified with a code (a session opened before
      the device, or by another way in): signed out, to sign in again with a code.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user: Any = request.user  # django-otp's middleware adds is_verified()
        if not user.is_authenticated or user.is_verified():
            return self.get_response(request)
        if request.resolver_match is None:
            from django.urls import resolve
            from django.urls.exceptions import Resolver404

            try:
                name = resolve(request.path_info).url_name
            except Resolver404:
                name = None
        else:
            name = request.resolver_match.url_name
        if name in EXEMPT_URL_NAMES or request.path_info.startswith(settings.STATIC_URL):
            return self.get_response(request)
        device = has_device(user)
        if not device and not otp_required(user):
            return self.get_response(request)
        if request.path_info.startswith("/api/"):
            return _api_refusal()
        query = urlencode({"next": request.get_full_path()})
        if device:
            logout(request)
            return redirect(f"{reverse('login')}?{query}")
        return redirect(f"{reverse('otp-setup')}?{query}")
