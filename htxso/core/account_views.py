"""Sign-in (password, then a second factor when the user has one), enrolment in two-factor
sign-in, the password change, and the officers' page of locked accounts."""

import base64
import time
from typing import Any

import django_otp
import segno
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from . import lockout, twofactor
from .account_forms import LOCKED, LoginForm, OtpCodeForm, ip_blocked_error
from .audit import record
from .models import User

# The user who passed the password step and owes a code: kept in the session for 5 minutes.
PENDING = "htxso_otp_pending"
PENDING_SECONDS = 300


def safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if allowed else ""


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "registration/login.html"

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        user: Any = form.get_user()
        if twofactor.has_device(user):
            self.request.session.cycle_key()
            self.request.session[PENDING] = {
                "user": user.pk,
                "backend": user.backend,
                "at": time.time(),
                "next": self.get_success_url(),
            }
            return redirect("login-otp")
        response = super().form_valid(form)
        if twofactor.otp_required(user):
            query = urlencode({"next": self.get_success_url()})
            return redirect(f"{reverse('otp-setup')}?{query}")
        return response


def _pending_user(request: HttpRequest) -> tuple[User | None, dict]:
    pending = request.session.get(PENDING) or {}
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        request.session.pop(PENDING, None)
        return None, {}
    return User.objects.filter(pk=pending["user"], is_active=True).first(), pending


@sensitive_post_parameters("code")
@never_cache
def login_otp(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: a code from the user's authenticator app."""
    user, pending = _pending_user(request)
    if user is None:
        messages.info(request, _("Phiên đăng nhập đã hết hạn; hãy đăng nhập lại."))
        return redirect("login")
    form = OtpCodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        minutes = lockout.ip_wait_minutes(request)
        if minutes:
            form.add_error(None, ip_blocked_error(minutes))
        elif lockout.is_locked(user.username):
            request.session.pop(PENDING, None)
            form.add_error(None, str(LOCKED))
        elif form.is_valid():
            device = twofactor.verify_code(user, form.cleaned_data["code"])
            if device is not None:
                request.session.pop(PENDING, None)
                auth_login(request, user, backend=pending["backend"])
                django_otp.login(request, device)
                return redirect(pending["next"] or "home")
            if lockout.register_failure(request, user.username, "otp"):
                request.session.pop(PENDING, None)
                form.add_error(None, str(LOCKED))
            else:
                form.add_error("code", _("Mã xác thực không đúng hoặc đã được dùng."))
    return render(request, "registration/login_otp.html", {"form": form}, status=status)


@sensitive_post_parameters("code")
@never_cache
@login_required
def otp_setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: scan the code (or type the key), confirm with a code."""
    user: Any = request.user
    if twofactor.has_device(user):
        enrolled = {"enrolled": True, "may_unlock": lockout.may_unlock(user)}
        return render(request, "core/otp_setup.html", enrolled)
    device = twofactor.pending_device(user)
    form = OtpCodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid() and twofactor.confirm_device(user, device, form.cleaned_data["code"]):
            device.refresh_from_db()
            django_otp.login(request, device)
            request.session.cycle_key()  # the session rises to two factors: a new key
            messages.success(request, _("Đã bật xác thực hai lớp."))
            return redirect(safe_next(request) or "home")
        if form.is_valid():
            form.add_error("code", _("Mã xác thực không đúng hoặc đã được dùng."))
    uri = device.config_url
    context: dict[str, Any] = {
        "enrolled": False,
        "form": form,
        "uri": uri,
        # segno writes the SVG itself (no image library, nothing from a CDN); its markup only.
        "qr": mark_safe(segno.make(uri, error="m").svg_inline(scale=4, border=2)),
        "key": base64.b32encode(device.bin_key).decode(),
        "required": twofactor.otp_required(user),
        "may_unlock": lockout.may_unlock(user),
        "next": safe_next(request),
    }
    return render(request, "core/otp_setup.html", context, status=status)


@method_decorator(never_cache, name="dispatch")
class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's view (the validators of AUTH_PASSWORD_VALIDATORS apply), audited."""

    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        response = super().form_valid(form)
        user: Any = self.request.user  # signed in (PasswordChangeView requires it)
        record(user, "password_change", user)
        return response

    def form_invalid(self, form: PasswordChangeForm) -> HttpResponse:
        # A wrong current password counts like a wrong sign-in: an open session left on a
        # shared computer must not become a way to guess the password without limit.
        if "old_password" in form.errors:
            user: Any = self.request.user
            if lockout.register_failure(self.request, user.username, "password_change"):
                logout(self.request)
                messages.error(self.request, LOCKED)
                return redirect("login")
        return super().form_invalid(form)


@login_required
def locked_accounts(request: HttpRequest) -> HttpResponse:
    if not lockout.may_unlock(request.user):
        raise PermissionDenied(_("Bạn không có quyền mở khóa tài khoản."))
    users = lockout.locked_users(request.user).select_related("province").order_by("-locked_at")
    return render(request, "core/locked_accounts.html", {"users": users[:500]})


@login_required
@require_POST
def unlock_account(request: HttpRequest, pk: int) -> HttpResponse:
    if not lockout.may_unlock(request.user):
        raise PermissionDenied(_("Bạn không có quyền mở khóa tài khoản này."))
    user = get_object_or_404(User, pk=pk)
    if not lockout.may_unlock(request.user, user):
        raise Http404  # outside the officer's users: not told whether it exists
    if lockout.unlock(request.user, user):
        messages.success(
            request, _("Đã mở khóa tài khoản %(username)s.") % {"username": user.username}
        )
    else:
        messages.info(
            request, _("Tài khoản %(username)s không bị khóa.") % {"username": user.username}
        )
    return redirect("locked-accounts")
