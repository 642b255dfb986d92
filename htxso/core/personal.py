"""Personal data (Personal Data Protection Law 2025): masked by default, revealed on request
by the roles that need it, and every reveal and export is written to the audit log."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from .audit import record
from .roles import Role

# Roles whose work needs a person's identifiers and contact details.
REVEALING_ROLES = frozenset(
    {Role.SYSTEM_ADMIN, Role.PROVINCIAL_OFFICER, Role.COOPERATIVE_MANAGER, Role.MEMBER}
)


def mask(value: str | None, keep_start: int = 3, keep_end: int = 2) -> str | None:
    """'001203012345' -> '001*******45'; short values are masked whole."""
    if not value:
        return value
    if len(value) <= keep_start + keep_end:
        return "*" * len(value)
    return value[:keep_start] + "*" * (len(value) - keep_start - keep_end) + value[-keep_end:]


# Keys of personal data in stored records (audit entries' before/after): how each is shown
# masked. None masks the whole value.
PERSONAL_KEYS: dict[str, tuple[int, int] | None] = {
    "cccd": (3, 2),
    "phone": (2, 2),
    "email": None,
    "birth_date": None,
    "address": None,
    "legacy_address": None,
}


def masked_values(data: dict | None) -> dict | None:
    """A stored record (an audit entry's before/after) with its personal data masked: the one
    presenter of audit values, for pages and the admin. Reading them in full is a reveal."""
    if not data:
        return data
    out = {}
    for key, value in data.items():
        if key in PERSONAL_KEYS and value not in (None, ""):
            keep = PERSONAL_KEYS[key]
            out[key] = "***" if keep is None else mask(str(value), *keep)
        else:
            out[key] = value
    return out


def may_reveal(user) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and (user.is_superuser or user.role in REVEALING_ROLES)
    )


REVEALED = ("cccd", "birth_date", "phone", "address")


def reveal(user, person, fields: tuple[str, ...] = REVEALED) -> None:
    """Check and log one reveal of a person's data (the caller has scoped `person` already)."""
    if not may_reveal(user):
        raise PermissionDenied(_("Vai trò của bạn không được xem đầy đủ dữ liệu cá nhân."))
    record(user, "reveal", person, None, {"fields": list(fields)})
