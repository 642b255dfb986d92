"""Sign-in: throttling per account and per address, lifting a lock, the audit of sign-ins,
password rules (issue #14)."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse

from htxso.core.models import AuditEntry, User
from htxso.core.roles import Role
from htxso.registry.tests.conftest import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_and_clean")]

PASSWORD = "mat-khau-thu-nghiem-123"
LOCKED = "Tài khoản tạm khóa do đăng nhập sai nhiều lần"
INVALID = "Tên đăng nhập hoặc mật khẩu không đúng."
IP_BLOCKED = "Quá nhiều lần đăng nhập sai từ địa chỉ này"


@pytest.fixture
def clerk(db) -> User:
    """A cooperative manager of Thái Nguyên (19): the user who gets locked."""
    return make_user("quan-ly-19", Role.COOPERATIVE_MANAGER, "19")


def login(client, username, password, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_right_password_signs_in_and_is_audited(client, clerk):
    response = login(client, clerk.username, PASSWORD)
    assert response.status_code == 302 and signed_in(client)
    entry = AuditEntry.objects.get(action="login", object_id=str(clerk.pk))
    assert entry.actor == clerk and entry.after == {"ip": "127.0.0.1"}
    client.post(reverse("logout"))
    assert not signed_in(client)
    assert AuditEntry.objects.filter(action="logout", actor=clerk).count() == 1


def test_sixth_wrong_password_locks_then_the_right_one_is_refused(client, clerk):
    for attempt in range(4):
        page = login(client, clerk.username, f"sai-{attempt}").content.decode()
        assert INVALID in page and LOCKED not in page
    page = login(client, clerk.username, "sai-5").content.decode()  # the 5th failure locks
    assert LOCKED in page
    clerk.refresh_from_db()
    assert clerk.locked_at is not None and clerk.failed_logins == 5
    response = login(client, clerk.username, PASSWORD)  # 6th: right password, still locked
    assert response.status_code == 200 and LOCKED in response.content.decode()
    assert not signed_in(client)
    assert not client.login(username=clerk.username, password=PASSWORD)  # the backend too
    failed = AuditEntry.objects.filter(action="login_failed", object_id=str(clerk.pk))
    assert failed.count() == 6
    assert failed.filter(after__reason="locked").count() == 1
    assert all(PASSWORD not in str(e.after) for e in failed)  # never the password
    lock = AuditEntry.objects.get(action="lock", object_id=str(clerk.pk))
    assert lock.actor is None and lock.after["ip"] == "127.0.0.1"


def test_a_success_resets_the_count(client, clerk):
    for attempt in range(4):
        login(client, clerk.username, f"sai-{attempt}")
    assert login(client, clerk.username, PASSWORD).status_code == 302
    client.post(reverse("logout"))
    for attempt in range(4):
        login(client, clerk.username, f"sai-{attempt}")
    clerk.refresh_from_db()
    assert clerk.locked_at is None and clerk.failed_logins == 4


def test_unknown_username_answers_exactly_like_a_real_one(client, clerk):
    """No account enumeration: the same pages, the same count before "locked"."""

    def pages(username):
        return [login(client, username, f"sai-{n}").content.decode() for n in range(6)]

    real, unknown = pages(clerk.username), pages("khong-ton-tai")

    def verdicts(pages):
        return [LOCKED in p for p in pages], [INVALID in p for p in pages]

    assert verdicts(real) == verdicts(unknown)
    assert verdicts(real)[0] == [False] * 4 + [True] * 2
    # Not an account: kept as its start and a digest (it may be a password in the wrong box).
    unknown_entries = AuditEntry.objects.filter(object_repr__startswith="kho…#")
    assert not AuditEntry.objects.filter(object_repr__contains="khong-ton-tai").exists()
    assert unknown_entries.filter(action="login_failed").count() == 6
    assert unknown_entries.filter(action="lock").count() == 1
    assert unknown_entries.first().object_type == "core.user"


def test_address_limit_refuses_even_the_right_password(client, clerk, settings):
    settings.LOGIN_FAILURES_PER_IP = 5
    for n in range(5):  # different usernames: no account gets locked
        assert INVALID in login(client, f"thu-{n}", "sai", REMOTE_ADDR="10.0.0.7").content.decode()
    page = login(client, clerk.username, PASSWORD, REMOTE_ADDR="10.0.0.7").content.decode()
    assert IP_BLOCKED in page and "15 phút" in page
    assert not signed_in(client)
    assert AuditEntry.objects.filter(action="login_blocked_ip", object_repr="10.0.0.7").count() == 1
    clerk.refresh_from_db()
    assert clerk.locked_at is None  # the address was refused, the account not counted
    assert login(client, clerk.username, PASSWORD, REMOTE_ADDR="10.0.0.8").status_code == 302


def test_address_limit_in_english(client, settings):
    settings.LOGIN_FAILURES_PER_IP = 1
    login(client, "thu", "sai")
    page = login(client, "thu", "sai", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Too many failed sign-ins from this address; try again in 15 minutes." in page


def test_forwarded_for_is_ignored_without_trusted_proxies(client, settings):
    settings.LOGIN_FAILURES_PER_IP = 2
    for n in range(2):
        login(client, "thu", "sai", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    assert IP_BLOCKED in login(client, "x", "y", HTTP_X_FORWARDED_FOR="192.0.2.9").content.decode()


def test_forwarded_for_from_a_trusted_proxy(client, settings):
    settings.LOGIN_FAILURES_PER_IP = 2
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(2):
        login(client, "thu", "sai", HTTP_X_FORWARDED_FOR="203.0.113.5, 192.0.2.1")
    page = login(client, "thu", "sai", HTTP_X_FORWARDED_FOR="192.0.2.1").content.decode()
    assert IP_BLOCKED in page  # the client's own (forgeable) entry is not the address
    page = login(client, "thu", "sai", HTTP_X_FORWARDED_FOR="192.0.2.2").content.decode()
    assert IP_BLOCKED not in page


def lock(user: User) -> None:
    from django.utils import timezone

    User.objects.filter(pk=user.pk).update(locked_at=timezone.now(), failed_logins=5)


def test_officer_lists_and_unlocks_then_login_works(client, officer, clerk):
    lock(clerk)
    client.force_login(officer)
    page = client.get(reverse("locked-accounts")).content.decode()
    assert clerk.username in page
    assert client.get(reverse("unlock-account", args=[clerk.pk])).status_code == 405  # POST only
    response = client.post(reverse("unlock-account", args=[clerk.pk]))
    assert response.status_code == 302
    clerk.refresh_from_db()
    assert clerk.locked_at is None and clerk.failed_logins == 0
    entry = AuditEntry.objects.get(action="unlock", object_id=str(clerk.pk))
    assert entry.actor == officer and entry.before["failed_logins"] == 5
    client.post(reverse("logout"))
    assert login(client, clerk.username, PASSWORD).status_code == 302


def test_officer_of_another_province_gets_404(client, clerk):
    lock(clerk)
    other = make_user("can-bo-01", Role.PROVINCIAL_OFFICER, "01")
    client.force_login(other)
    assert clerk.username not in client.get(reverse("locked-accounts")).content.decode()
    # Not theirs, so not told whether it exists: the same answer as an id that does not.
    assert client.post(reverse("unlock-account", args=[clerk.pk])).status_code == 404
    clerk.refresh_from_db()
    assert clerk.locked_at is not None
    assert not AuditEntry.objects.filter(action="unlock").exists()


@pytest.mark.parametrize("role", [Role.COOPERATIVE_MANAGER, Role.CENTRAL_OFFICER, Role.PUBLIC])
def test_other_roles_get_403(client, clerk, role):
    lock(clerk)
    client.force_login(make_user("nguoi-khac", role, "19"))
    assert client.get(reverse("locked-accounts")).status_code == 403
    assert client.post(reverse("unlock-account", args=[clerk.pk])).status_code == 403


def test_provincial_officer_cannot_unlock_a_national_role_or_himself(client, officer):
    admin = make_user("quan-tri-19", Role.SYSTEM_ADMIN, "19")
    lock(admin)
    client.force_login(officer)
    assert client.post(reverse("unlock-account", args=[admin.pk])).status_code == 404
    lock(officer)
    assert client.post(reverse("unlock-account", args=[officer.pk])).status_code == 404
    assert client.get(reverse("locked-accounts")).content.decode().count("unlock/") == 0


def test_system_admin_unlocks_anyone(client, clerk):
    lock(clerk)
    client.force_login(make_user("quan-tri", Role.SYSTEM_ADMIN))
    assert client.post(reverse("unlock-account", args=[clerk.pk])).status_code == 302
    clerk.refresh_from_db()
    assert clerk.locked_at is None


def test_unlock_of_a_missing_user_is_404(client, officer):
    client.force_login(officer)
    assert client.post(reverse("unlock-account", args=[999999])).status_code == 404


@pytest.mark.parametrize("name", ["locked-accounts", "otp-setup", "password_change"])
def test_anonymous_is_sent_to_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_anonymous_unlock_is_sent_to_login(client, clerk):
    lock(clerk)
    response = client.post(reverse("unlock-account", args=[clerk.pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    clerk.refresh_from_db()
    assert clerk.locked_at is not None


def test_unlock_command(clerk):
    lock(clerk)
    call_command("unlock", clerk.username)
    clerk.refresh_from_db()
    assert clerk.locked_at is None
    assert AuditEntry.objects.get(action="unlock", object_id=str(clerk.pk)).actor is None


def test_password_change_refuses_weak_passwords_in_vietnamese(client, clerk):
    client.force_login(clerk)
    url = reverse("password_change")
    page = client.get(url).content.decode()
    assert "12 ký tự" in page  # the rules are shown
    for weak, message in [
        ("ngan-qua", "Mật khẩu quá ngắn: cần ít nhất 12 ký tự."),
        ("123456789012345", "Mật khẩu không được chỉ gồm chữ số."),
        ("password1234", "Mật khẩu này quá phổ biến"),
        ("quan-ly-19-abc", "mật khẩu quá giống tên đăng nhập của bạn."),
    ]:
        response = client.post(
            url, {"old_password": PASSWORD, "new_password1": weak, "new_password2": weak}
        )
        page = response.content.decode().lower()
        assert response.status_code == 200 and message.lower() in page, weak
    clerk.refresh_from_db()
    assert clerk.check_password(PASSWORD)
    strong = "Tra-xanh-Tan-Cuong-2026"
    response = client.post(
        url, {"old_password": PASSWORD, "new_password1": strong, "new_password2": strong}
    )
    assert response.status_code == 302
    clerk.refresh_from_db()
    assert clerk.check_password(strong)
    assert AuditEntry.objects.filter(action="password_change", object_id=str(clerk.pk)).exists()


def test_password_reset_by_mail_is_not_offered(client):
    assert client.get("/accounts/password_reset/").status_code == 404


def test_demo_users_keep_the_shared_password_and_lose_a_lock(db):
    call_command("demo_users")
    admin = User.objects.get(username="admin")
    assert admin.check_password("htxso-demo")
    lock(admin)
    call_command("demo_users")
    admin.refresh_from_db()
    assert admin.locked_at is None


def test_unlock_command_for_a_missing_user():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("unlock", "khong-ton-tai")


def test_unlock_needs_the_csrf_token(officer, clerk):
    from django.test import Client

    lock(clerk)
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer)
    assert client.post(reverse("unlock-account", args=[clerk.pk])).status_code == 403
    clerk.refresh_from_db()
    assert clerk.locked_at is not None


def test_a_lock_leaves_api_tokens_and_open_sessions_working(client, clerk):
    """The lock stops password guessing; it is not a suspension (see core/lockout.py)."""
    from htxso.core.tokens import authenticate, issue_token

    key = issue_token(None, clerk, "tich-hop")
    client.force_login(clerk)
    lock(clerk)
    assert authenticate(key) == clerk
    assert client.get(reverse("tokens")).status_code == 200
    User.objects.filter(pk=clerk.pk).update(is_active=False)  # suspension ends both
    assert authenticate(key) is None
    assert client.get(reverse("tokens")).status_code == 302


def test_locked_message_in_english(client, clerk):
    from htxso.core.tests.test_i18n import vietnamese_left

    lock(clerk)
    page = login(client, clerk.username, PASSWORD, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Account temporarily locked after too many failed sign-ins" in page
    assert vietnamese_left(page, set()) == []


def _back_in_time(user: User, seconds: int) -> None:
    """As if the lock had been set `seconds` ago."""
    user.refresh_from_db()
    assert user.locked_at is not None and user.last_failed_login_at is not None
    User.objects.filter(pk=user.pk).update(
        locked_at=user.locked_at - dt.timedelta(seconds=seconds),
        last_failed_login_at=user.last_failed_login_at - dt.timedelta(seconds=seconds),
    )


def test_a_lock_lifts_itself_and_the_next_one_lasts_twice_as_long(client, clerk, settings):
    # Only an officer's word used to lift it: anyone who knew a username could shut out its
    # owner (an officer, a province) for good.
    settings.LOGIN_LOCK_SECONDS = 600
    for attempt in range(5):
        login(client, clerk.username, f"sai-{attempt}")
    _back_in_time(clerk, 601)
    for attempt in range(4):  # lifted: wrong passwords are wrong again, not "locked"
        page = login(client, clerk.username, f"lai-{attempt}").content.decode()
        assert INVALID in page and LOCKED not in page
    # The count went on: the 5th failure of this round locks for twice as long.
    assert LOCKED in login(client, clerk.username, "lai-5").content.decode()
    clerk.refresh_from_db()
    assert clerk.failed_logins == 10
    lock_entry = AuditEntry.objects.filter(action="lock", object_id=str(clerk.pk)).last()
    assert lock_entry.after["seconds"] == 1200
    _back_in_time(clerk, 601)
    assert LOCKED in login(client, clerk.username, PASSWORD).content.decode()  # still locked
    _back_in_time(clerk, 600)
    assert login(client, clerk.username, PASSWORD).status_code == 302  # lifted by itself
    clerk.refresh_from_db()
    assert (clerk.failed_logins, clerk.locked_at) == (0, None)  # a success starts again


def test_a_provincial_officer_cannot_unlock_another_officer(client, officer):
    peer = make_user("can-bo-19-khac", Role.PROVINCIAL_OFFICER, "19")
    lock(peer)
    client.force_login(officer)
    assert client.post(reverse("unlock-account", args=[peer.pk])).status_code == 404
    peer.refresh_from_db()
    assert peer.locked_at is not None
    assert "can-bo-19-khac" not in client.get(reverse("locked-accounts")).content.decode()


def test_a_wrong_current_password_counts_like_a_wrong_sign_in(client, clerk):
    client.force_login(clerk)
    change = {"old_password": "doan-sai", "new_password1": "x", "new_password2": "x"}
    for _ in range(4):
        response = client.post(reverse("password_change"), change)
        assert response.status_code == 200 and signed_in(client)
    response = client.post(reverse("password_change"), change)  # the 5th: locked, signed out
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert not signed_in(client)
    clerk.refresh_from_db()
    assert clerk.locked_at is not None
    reasons = AuditEntry.objects.filter(action="login_failed", object_id=str(clerk.pk))
    assert set(reasons.values_list("after__reason", flat=True)) == {"password_change"}
