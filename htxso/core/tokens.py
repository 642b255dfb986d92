"""API tokens: issued once in clear text, stored as a SHA-256 hash, revocable.

A token looks like `htx_<prefix>_<secret>`; the prefix (not secret) lets a user and an auditor
tell tokens apart.
"""

import hashlib
import secrets
from datetime import datetime

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .audit import record
from .models import ApiToken, User


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def issue_token(
    actor: User | AnonymousUser | None, user: User, name: str, expires_at: datetime | None = None
) -> str:
    """Create a token for `user`; return its clear text (shown once, never stored)."""
    if actor is not None and actor != user and not actor.is_superuser:
        raise PermissionDenied(_("Chỉ người dùng hoặc quản trị hệ thống mới cấp được khóa API."))
    prefix = secrets.token_hex(4)
    key = f"htx_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        user=user, name=name[:100], prefix=prefix, key_hash=_hash(key), expires_at=expires_at
    )
    record(actor, "issue_token", token, None, {"user": user.pk, "name": token.name})
    return key


@transaction.atomic
def revoke_token(actor: User | AnonymousUser | None, token: ApiToken) -> None:
    if actor is not None and actor != token.user and not actor.is_superuser:
        raise PermissionDenied(_("Bạn không có quyền thu hồi khóa API này."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record(actor, "revoke_token", token, None, {"revoked_at": token.revoked_at})


def authenticate(key: str) -> User | None:
    """The active user of a valid, unrevoked, unexpired token, or None."""
    if not key.startswith("htx_"):
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=_hash(key)).first()
    now = timezone.now()
    if token is None or token.revoked_at is not None or not token.user.is_active:
        return None
    if token.expires_at is not None and token.expires_at <= now:
        return None
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        # At most one write a minute per token: the hot path stays read-only.
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
