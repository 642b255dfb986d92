"""A citizen's own account (a founder applying to register an organisation): the CCCD checked
by `core.cccd`'s rules (a valid number whose birth year agrees with the birth date, at least 18
years old), a full name, a phone number, an e-mail address and a password held to the
project's validators. The account starts inactive, with the `applicant` role; the link sent
through Django's mail backend (a signed, single-use token) activates it. The CCCD is the
sign-in name: one account per citizen."""

import datetime as dt
import re
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from .audit import record, snapshot
from .cccd import decode_cccd
from .forms import DateField, StyledForm
from .models import User
from .roles import Role

PHONE = re.compile(r"^(?:\+84|0)\d{9,10}$")


class SignupForm(StyledForm):
    cccd = forms.CharField(label=gettext_lazy("Số CCCD (dùng để đăng nhập)"), max_length=20)
    full_name = forms.CharField(label=gettext_lazy("Họ và tên"), max_length=120)
    birth_date = DateField(label=gettext_lazy("Ngày sinh"))
    phone = forms.CharField(label=gettext_lazy("Số điện thoại"), max_length=20)
    email = forms.EmailField(label=gettext_lazy("Thư điện tử"))
    password1 = forms.CharField(label=gettext_lazy("Mật khẩu"), widget=forms.PasswordInput)
    password2 = forms.CharField(label=gettext_lazy("Nhập lại mật khẩu"), widget=forms.PasswordInput)


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    """The sign-up's facts checked (ValidationError per field, in Vietnamese)."""
    errors: dict[str, list[str]] = {}
    try:
        cccd = decode_cccd(data["cccd"])
    except ValidationError as exc:
        raise ValidationError({"cccd": exc.messages}) from None
    birth: dt.date = data["birth_date"]
    if birth.year != cccd.birth_year:
        errors["birth_date"] = [
            _("Năm sinh không khớp với số CCCD (số CCCD cho năm %(year)s).")
            % {"year": cccd.birth_year}
        ]
    today = timezone.localdate()
    if (today.year - birth.year) - ((today.month, today.day) < (birth.month, birth.day)) < 18:
        errors.setdefault("birth_date", []).append(_("Người đăng ký phải đủ 18 tuổi."))
    name = " ".join(data["full_name"].split())
    if len(name.split()) < 2:
        errors["full_name"] = [_("Hãy nhập đầy đủ họ và tên.")]
    phone = re.sub(r"[\s.-]", "", data["phone"])
    if not PHONE.match(phone):
        errors["phone"] = [_("Số điện thoại không hợp lệ (ví dụ 0912345678).")]
    email = data["email"].strip().lower()
    if data["password1"] != data["password2"]:
        errors["password2"] = [_("Hai lần nhập mật khẩu không khớp.")]
    if User.objects.filter(username=cccd.number).exists():
        errors["cccd"] = [_("Số CCCD này đã có tài khoản; hãy đăng nhập.")]
    if User.objects.filter(email__iexact=email).exists():
        errors["email"] = [_("Thư điện tử này đã được dùng cho một tài khoản khác.")]
    if errors:
        raise ValidationError(errors)
    candidate = User(username=cccd.number, first_name=name, email=email)
    try:
        validate_password(data["password1"], candidate)
    except ValidationError as exc:
        raise ValidationError({"password1": exc.messages}) from None
    return {"username": cccd.number, "first_name": name, "email": email, "phone": phone}


@transaction.atomic
def sign_up(data: dict[str, Any], confirm_url: Any) -> User:
    """An inactive applicant account and the e-mail that activates it (sent on commit);
    `confirm_url(user)` is the link's address."""
    facts = _clean(data)
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                username=facts["username"],
                email=facts["email"],
                password=data["password1"],
                first_name=facts["first_name"],
                role=Role.APPLICANT,
                phone=facts["phone"],
                is_active=False,
            )
    except IntegrityError:  # the same CCCD signing up twice at once
        raise ValidationError({"cccd": _("Số CCCD này đã có tài khoản; hãy đăng nhập.")}) from None
    record(None, "signup", user, None, snapshot(user, exclude=("password",)))
    link = confirm_url(user)
    body = "\n".join(
        [
            _("Chào %(name)s,") % {"name": user.first_name},
            _("Bạn vừa đăng ký tài khoản HTX Số để nộp hồ sơ đăng ký tổ chức kinh tế tập thể."),
            _("Mở đường dẫn sau để kích hoạt tài khoản:"),
            link,
            _("Nếu bạn không đăng ký, hãy bỏ qua thư này."),
        ]
    )
    transaction.on_commit(
        lambda: send_mail(
            _("Kích hoạt tài khoản HTX Số"), body, None, [user.email], fail_silently=True
        )
    )
    return user


def confirm(uidb64: str, token: str) -> User | None:
    """Activate the account the link names, if its token is good (it no longer is once used:
    the token covers the last sign-in and the password)."""
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError):
        return None
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=pk, role=Role.APPLICANT).first()
        if user is None or user.is_active or not default_token_generator.check_token(user, token):
            return None
        user.is_active = True
        user.last_login = timezone.now()  # spends the token
        user.save(update_fields=["is_active", "last_login"])
        record(user, "activate", user, {"is_active": False}, {"is_active": True})
    return user


@sensitive_post_parameters("password1", "password2")
@never_cache
def signup_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:  # one account is enough
        if request.method == "POST":
            raise PermissionDenied(_("Bạn đã đăng nhập: không cần đăng ký tài khoản mới."))
        return render(request, "core/signup.html", {"form": None})
    form = SignupForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():

            def confirm_url(user: User) -> str:
                uid = urlsafe_base64_encode(force_bytes(user.pk))
                token = default_token_generator.make_token(user)
                return request.build_absolute_uri(reverse("signup-confirm", args=[uid, token]))

            try:
                user = sign_up(form.cleaned_data, confirm_url)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
            else:
                return render(request, "core/signup_sent.html", {"email": user.email})
    return render(request, "core/signup.html", {"form": form}, status=status)


@never_cache
def confirm_view(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    user = confirm(uidb64, token)
    if user is None:
        return render(request, "core/signup_invalid.html", status=400)
    messages.success(request, _("Tài khoản đã được kích hoạt. Mời bạn đăng nhập bằng số CCCD."))
    return redirect("login")
