"""Login throttling: per account (a lock that lifts itself, or an officer lifts sooner) and per
client address.

- An account: `LOGIN_FAILURES_PER_ACCOUNT` failures (wrong password or wrong second-factor
  code), each within `LOGIN_FAILURE_WINDOW` seconds of the previous one, lock it. The lock is
  stored on the user (`User.locked_at`); a locked account cannot sign in with the right
  password either (`LockAwareBackend`). It lasts `LOGIN_LOCK_SECONDS`, doubled for each further
  round of failures before a successful sign-in (at most `LOGIN_LOCK_MAX_SECONDS`), or until an
  officer lifts it (`unlock`). A lock that lifted itself only at an officer's word would let
  anyone who knows a username shut its owner out for good (an officer, a whole province); one
  that grows makes guessing slower than it is worth.
- A username that does not exist counts its failures the same way (in the cache) and answers
  with the same message for as long, so the page never tells whether an account exists.
- A client address: `LOGIN_FAILURES_PER_IP` failures within `LOGIN_IP_WINDOW` seconds refuse
  every further attempt from it (right passwords included) until the window ends.

The lock stops password guessing; it is not a suspension (that is `is_active = False`).
Sessions already open and API tokens (high-entropy secrets of their own) keep working, so an
anonymous stranger who types wrong passwords cannot cut off a province's integrations.

Every failure, lock and unlock is written to the audit log (username tried and client address,
never the password).

Why not django-axes: it counts attempts in its own tables with one failure limit and one
cool-off for every parameter, and lifts locks by deleting attempts; here an account lock grows
with each round and an officer of the right province may lift it (audited in the one audit
log), an address block expires on its own with a different limit, a wrong second-factor code
must count as a failure, and messages are Vietnamese. That is this module's ~250 lines on
Django's own backend.
"""

import hashlib
import logging
import math
import time
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from .audit import record
from .models import User
from .roles import NATIONAL_ROLES, Role
from .scoping import Action, Kind, Reach, reach

logger = logging.getLogger(__name__)


def _setting(name: str) -> int:
    return int(getattr(settings, name))


def client_ip(request: HttpRequest | None) -> str:
    """The client's address: the TCP peer, or with `TRUSTED_PROXY_COUNT` proxies in front the
    address the outermost trusted proxy saw (X-Forwarded-For entries left of it are the client's
    own say and can be forged)."""
    if request is None:
        return ""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [a for a in forwarded if a]
    if proxies <= 0 or not forwarded:
        return remote
    return forwarded[-min(proxies, len(forwarded))][:64]


def _key(kind: str, value: str) -> str:
    return f"login:{kind}:{hashlib.sha256(value.encode()).hexdigest()}"


# --- per client address ---------------------------------------------------------------------


def ip_wait_minutes(request: HttpRequest | None) -> int:
    """Minutes until the address may try again, or 0 when it may try now."""
    ip = client_ip(request)
    if not ip or (cache.get(_key("ip", ip)) or 0) < _setting("LOGIN_FAILURES_PER_IP"):
        return 0
    started = cache.get(_key("ip-start", ip)) or time.time()
    left = started + _setting("LOGIN_IP_WINDOW") - time.time()
    return max(1, math.ceil(left / 60))


def _count_ip_failure(ip: str) -> None:
    if not ip:
        return
    window = _setting("LOGIN_IP_WINDOW")
    key = _key("ip", ip)
    if cache.add(key, 0, window):
        cache.set(_key("ip-start", ip), time.time(), window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, count := 1, window)
    if count == _setting("LOGIN_FAILURES_PER_IP"):
        record(None, "login_blocked_ip", None, None, {"ip": ip}, about=("ip", ip))


# --- per account ----------------------------------------------------------------------------


def lock_seconds(failures: int) -> int:
    """How long a lock lasts after `failures` consecutive failures: the base for the first
    round, doubled for each further one."""
    rounds = max(1, failures // _setting("LOGIN_FAILURES_PER_ACCOUNT"))
    return min(
        _setting("LOGIN_LOCK_SECONDS") * 2 ** (rounds - 1), _setting("LOGIN_LOCK_MAX_SECONDS")
    )


def locked_now(user: User) -> bool:
    if user.locked_at is None:
        return False
    lifted = user.locked_at.timestamp() + lock_seconds(user.failed_logins)
    return time.time() < lifted


def is_locked(username: str) -> bool:
    user = User.objects.filter(username=username).only("locked_at", "failed_logins").first()
    if user is not None:
        return locked_now(user)
    return bool(cache.get(_key("name-locked", username)))


@transaction.atomic
def register_failure(request: HttpRequest | None, username: str, reason: str) -> bool:
    """Count a failed attempt for `username` (and the client's address); return whether the
    account is locked now. `reason`: "password", "otp" or "locked" (tried while locked)."""
    ip = client_ip(request)
    _count_ip_failure(ip)
    limit, window = _setting("LOGIN_FAILURES_PER_ACCOUNT"), _setting("LOGIN_FAILURE_WINDOW")
    details = {"username": username[:150], "ip": ip, "reason": reason}
    user = User.objects.select_for_update().filter(username=username).first()
    if user is None:
        # Not an account: perhaps a password typed in the wrong box. Kept recognisable for
        # spotting a spray (its start and a digest), never whole.
        shown = f"{username[:3]}…#{hashlib.sha256(username.encode()).hexdigest()[:8]}"
        details["username"] = shown
        record(None, "login_failed", None, None, details, about=("core.user", shown))
        if reason == "locked":
            return True
        # Each failure keeps the count for another window, as `last_failed_login_at` does for
        # a real account: the two must count alike, or timing would tell them apart.
        key = _key("name", username)
        count = (cache.get(key) or 0) + 1
        cache.set(key, count, max(window, lock_seconds(count) + window))
        if count % limit == 0:
            cache.set(_key("name-locked", username), True, lock_seconds(count))
            record(None, "lock", None, None, details, about=("core.user", shown))
            return True
        return False
    record(None, "login_failed", user, None, details)
    if locked_now(user):
        return True
    now = timezone.now()
    # After a lock the count goes on (the next lock lasts longer) until a successful sign-in.
    recent = user.locked_at is not None or (
        user.last_failed_login_at and (now - user.last_failed_login_at).total_seconds() < window
    )
    user.failed_logins = user.failed_logins + 1 if recent else 1
    user.last_failed_login_at = now
    if user.failed_logins % limit == 0:
        user.locked_at = now
    user.save(update_fields=["failed_logins", "last_failed_login_at", "locked_at"])
    if user.locked_at == now:
        seconds = lock_seconds(user.failed_logins)
        record(
            None,
            "lock",
            user,
            None,
            {**details, "failed_logins": user.failed_logins, "seconds": seconds},
        )
        logger.warning("login: account %s locked after %s failures", user.pk, user.failed_logins)
        return True
    return False


def clear_failures(user: User) -> None:
    """A successful sign-in starts the count again (and forgets a lock that lifted itself)."""
    if user.failed_logins or user.locked_at is not None:
        User.objects.filter(pk=user.pk).update(
            failed_logins=0, last_failed_login_at=None, locked_at=None
        )


class LockAwareBackend(ModelBackend):
    """Django's backend, refusing a locked account even with the right password (whatever
    form or page calls `authenticate`)."""

    def user_can_authenticate(self, user: User | AnonymousUser | None) -> bool:
        # ModelBackend asks this only of the User it found; a lock is a User's field.
        return super().user_can_authenticate(user) and not (
            isinstance(user, User) and locked_now(user)
        )

    def get_user(self, user_id: Any) -> User | None:
        # An open session outlives a lock (see the module docstring); only is_active ends it.
        try:
            user = User._default_manager.get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if user.is_active else None


# --- lifting a lock -------------------------------------------------------------------------


# A provincial officer lifts locks of the users they serve, not of their peers or superiors.
UNLOCKABLE_BY_PROVINCE_EXCLUDED = NATIONAL_ROLES | {Role.PROVINCIAL_OFFICER}


def may_unlock(actor: Any, user: User | None = None) -> bool:
    """A system admin lifts anyone's lock; a provincial officer those of their province's users
    below them (not another officer's); nobody their own."""
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    if user is not None and user.pk == actor.pk:
        return False
    reaches = reach(actor, Action.EDIT, Kind.ACCOUNTS)
    if Reach.ALL in reaches:
        return True
    if Reach.PROVINCE not in reaches or not actor.province_id:
        return False
    if user is None:
        return True
    return (
        user.province_id == actor.province_id
        and user.role not in UNLOCKABLE_BY_PROVINCE_EXCLUDED
        and not user.is_superuser
    )


def locked_users(actor: Any) -> QuerySet[User]:
    """The locked accounts `actor` may unlock."""
    users = User.objects.filter(locked_at__isnull=False).exclude(pk=actor.pk)
    if Reach.ALL in reach(actor, Action.EDIT, Kind.ACCOUNTS):
        return users
    if may_unlock(actor):
        return users.filter(province_id=actor.province_id, is_superuser=False).exclude(
            role__in=UNLOCKABLE_BY_PROVINCE_EXCLUDED
        )
    return users.none()


@transaction.atomic
def unlock(actor: User | AnonymousUser | None, user: User) -> bool:
    """Lift `user`'s lock (`actor` None: the system, e.g. the `unlock` command). Return whether
    there was a lock to lift."""
    if actor is not None and not may_unlock(actor, user):
        raise PermissionDenied(_("Bạn không có quyền mở khóa tài khoản này."))
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.locked_at is None:
        return False
    before = {"locked_at": user.locked_at, "failed_logins": user.failed_logins}
    user.locked_at, user.failed_logins, user.last_failed_login_at = None, 0, None
    user.save(update_fields=["locked_at", "failed_logins", "last_failed_login_at"])
    record(actor, "unlock", user, before, {"locked_at": None, "failed_logins": 0})
    return True
