"""Two-factor sign-in (TOTP): enrolment, the code step after the password, the roles that must
use it, and the admin's device list that never shows a key."""

import re
import time

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from htxso.core.models import AuditEntry, User
from htxso.core.roles import Role
from htxso.registry.tests.conftest import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_and_clean")]

PASSWORD = "mat-khau-thu-nghiem-123"


def code_for(device: TOTPDevice, offset: int = 0) -> str:
    """The code the user's app shows now (offset: steps later)."""
    device.refresh_from_db()
    generator = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    generator.time = time.time() + offset * device.step
    return f"{generator.token():0{device.digits}d}"


def enrolled(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="app", confirmed=True)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def password_step(client, user, next_url=""):
    data = {"username": user.username, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("login"), data)


def test_enrol_shows_qr_and_key_then_confirms_with_a_code(client, officer):
    client.force_login(officer)
    page = client.get(reverse("otp-setup")).content.decode()
    assert "<svg" in page and "otpauth://totp/" in page
    key = re.search(r'<code class="user-select-all" id="otp-key">([A-Z2-7=]+)</code>', page)
    assert key, "the key is shown for manual entry"
    device = TOTPDevice.objects.get(user=officer, confirmed=False)
    assert f'id="otp-key">{key.group(1)}<' in client.get(reverse("otp-setup")).content.decode()
    response = client.post(
        reverse("otp-setup"), {"code": "000000" if code_for(device) != "000000" else "111111"}
    )
    assert response.status_code == 422 and "Mã xác thực không đúng" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed


def test_enrol_with_the_right_code(client, officer):
    client.force_login(officer)
    client.get(reverse("otp-setup"))
    device = TOTPDevice.objects.get(user=officer, confirmed=False)
    response = client.post(reverse("otp-setup"), {"code": code_for(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert AuditEntry.objects.filter(action="otp_enrol", object_id=str(officer.pk)).exists()
    page = client.get(reverse("otp-setup")).content.decode()
    assert 'id="otp-enrolled"' in page and "otpauth://" not in page  # the key is not shown again
    assert client.get(reverse("tokens")).status_code == 200  # this session is verified


def test_login_asks_for_the_code_and_accepts_a_real_one(client, officer):
    device = enrolled(officer)
    response = password_step(client, officer, "/accounts/tokens/")
    assert response.status_code == 302 and response["Location"] == reverse("login-otp")
    assert not signed_in(client)  # the password alone signs nobody in
    response = client.post(reverse("login-otp"), {"code": code_for(device)})
    assert response.status_code == 302 and response["Location"] == "/accounts/tokens/"
    assert signed_in(client)
    assert client.get(reverse("tokens")).status_code == 200
    assert AuditEntry.objects.filter(action="login", object_id=str(officer.pk)).count() == 1


def test_a_code_cannot_be_used_twice(client, officer):
    device = enrolled(officer)
    code = code_for(device)
    password_step(client, officer)
    assert client.post(reverse("login-otp"), {"code": code}).status_code == 302
    client.post(reverse("logout"))
    password_step(client, officer)
    response = client.post(reverse("login-otp"), {"code": code})
    assert response.status_code == 422 and not signed_in(client)


def test_wrong_codes_count_towards_the_lock(client, officer, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # django-otp's own delay aside: the count is ours
    device = enrolled(officer)
    right = code_for(device)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    password_step(client, officer)
    for _ in range(4):
        response = client.post(reverse("login-otp"), {"code": wrong})
        assert response.status_code == 422 and "Mã xác thực không đúng" in response.content.decode()
    page = client.post(reverse("login-otp"), {"code": wrong}).content.decode()
    assert "Tài khoản tạm khóa" in page
    officer.refresh_from_db()
    assert officer.locked_at is not None
    assert client.post(reverse("login-otp"), {"code": right}).status_code == 302  # back to login
    assert not signed_in(client)
    failed = AuditEntry.objects.filter(action="login_failed", object_id=str(officer.pk))
    assert failed.filter(after__reason="otp").count() == 5


def test_the_code_step_needs_the_password_step(client, officer):
    enrolled(officer)
    response = client.get(reverse("login-otp"))
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert client.post(reverse("login-otp"), {"code": "123456"}).status_code == 302
    assert not signed_in(client)


def test_the_code_step_expires(client, officer, monkeypatch):
    device = enrolled(officer)
    password_step(client, officer)
    code = code_for(device)
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 301)
    response = client.post(reverse("login-otp"), {"code": code})
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert not signed_in(client)


def test_malformed_code_is_refused_without_500(client, officer):
    enrolled(officer)
    password_step(client, officer)
    for code in ("", "abcdef", "12", "1" * 50):
        assert client.post(reverse("login-otp"), {"code": code}).status_code == 422


def test_required_role_without_device_is_sent_to_enrolment(client, officer, settings):
    settings.OTP_REQUIRED_ROLES = frozenset({Role.PROVINCIAL_OFFICER})
    response = password_step(client, officer, "/accounts/tokens/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("otp-setup"))
    response = client.get("/accounts/tokens/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("otp-setup"))
    assert client.get("/registry/").status_code == 302
    api = client.get("/api/v1/people")
    assert api.status_code == 403 and api.json()["code"] == "otp_required"
    page = client.get(reverse("otp-setup")).content.decode()
    assert 'id="otp-required"' in page
    device = TOTPDevice.objects.get(user=officer, confirmed=False)
    response = client.post(
        reverse("otp-setup") + "?next=/accounts/tokens/",
        {"code": code_for(device), "next": "/accounts/tokens/"},
    )
    assert response.status_code == 302 and response["Location"] == "/accounts/tokens/"
    assert client.get("/accounts/tokens/").status_code == 200


def test_required_setting_leaves_other_roles_alone(client, settings):
    settings.OTP_REQUIRED_ROLES = frozenset({Role.SYSTEM_ADMIN})
    user = make_user("quan-ly", Role.COOPERATIVE_MANAGER)
    assert password_step(client, user).status_code == 302
    assert client.get(reverse("tokens")).status_code == 200


def test_a_session_without_the_code_is_signed_out(client, officer):
    """A session opened another way (here force_login) by a user with a device."""
    enrolled(officer)
    client.force_login(officer)
    response = client.get(reverse("tokens"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert not signed_in(client)


def test_enrolment_next_is_not_an_open_redirect(client, officer):
    client.force_login(officer)
    client.get(reverse("otp-setup"))
    device = TOTPDevice.objects.get(user=officer, confirmed=False)
    response = client.post(
        reverse("otp-setup"), {"code": code_for(device), "next": "https://evil.example/"}
    )
    assert response.status_code == 302 and response["Location"] == "/"


def test_admin_device_list_never_shows_the_key(client, officer):
    device = enrolled(officer)
    admin = make_user("admin-thu", Role.SYSTEM_ADMIN, is_staff=True, is_superuser=True)
    client.force_login(admin)
    key = device.key
    for url in (
        "/admin/otp_totp/totpdevice/",
        f"/admin/otp_totp/totpdevice/{device.pk}/change/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert key not in response.content.decode()
    for view in ("config", "qrcode"):  # django-otp's own admin pages of the key are gone
        page = client.get(f"/admin/otp_totp/totpdevice/{device.pk}/{view}/", follow=True)
        assert key not in page.content.decode() and b"otpauth" not in page.content
    response = client.post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=officer).exists()
    assert AuditEntry.objects.get(action="otp_reset", object_id=str(officer.pk)).actor == admin


def test_account_pages_in_english(client, officer):
    """Every new page is in the catalogue: nothing Vietnamese left on the English pages."""
    from htxso.core.tests.test_i18n import vietnamese_left

    en = {"HTTP_ACCEPT_LANGUAGE": "en"}
    client.force_login(make_user("quan-tri", Role.SYSTEM_ADMIN))
    for name in ("otp-setup", "locked-accounts", "password_change"):
        response = client.get(reverse(name), **en)
        assert response.status_code == 200, name
        assert vietnamese_left(response.content.decode(), {"HTX Số"}) == [], name
    client.post(reverse("logout"))
    enrolled(officer)
    password_step(client, officer)
    page = client.post(reverse("login-otp"), {"code": "abcdef"}, **en).content.decode()
    assert "Verification code (6 digits)" in page and "digits only" in page
    assert vietnamese_left(page, set()) == []


def test_a_token_does_not_work_around_a_required_second_factor(client, officer, settings):
    from htxso.core.tokens import issue_token

    key = issue_token(None, officer, "tích hợp")
    settings.OTP_REQUIRED_ROLES = frozenset({Role.PROVINCIAL_OFFICER})
    response = client.get("/api/v1/people", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 403
    assert response.json()["message"]["vi"].startswith("Tài khoản phải xác thực hai lớp")
    settings.OTP_REQUIRED_ROLES = frozenset()
    assert client.get("/api/v1/people", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
