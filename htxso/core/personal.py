"""Personal data (Personal Data Protection Law 2025): masked by default, revealed on request
by the roles that need it, and every reveal and export is written to the audit log.

The one presenter of personal data: `MASKS` declares which fields of a person are personal and
how each is masked; the API (`shown(..., typed=True)`), the pages (the `personal` template
tag and `masked` filter, templatetags/personal.py), the exports and the audit history
(`masked_data`) all show a person through it, so a field is hidden the same way everywhere.
"""

from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from .audit import record
from .scoping import Action, Kind, may


def mask(value: str | None, keep_start: int = 3, keep_end: int = 2) -> str | None:
    """'001203012345' -> '001*******45'; short values are masked whole."""
    if not value:
        return value
    if len(value) <= keep_start + keep_end:
        return "*" * len(value)
    return value[:keep_start] + "*" * (len(value) - keep_start - keep_end) + value[-keep_end:]


def _masked_date(value: Any) -> str | None:
    """A birth date keeps its year only (the year is shown on the pages as well)."""
    text = str(value) if value else ""
    return (
        f"**/**/{text[:4]}" if len(text) >= 4 and text[:4].isdigit() else ("***" if text else None)
    )


# How each personal field is masked wherever it is shown without a reveal.
MASKS: dict[str, Callable[[Any], Any]] = {
    "cccd": mask,
    "phone": lambda value: mask(value, 2, 2),
    "birth_date": _masked_date,
    "email": lambda value: "***" if value else value,
    "address": lambda value: "***" if value else value,
    "legacy_address": lambda value: "***" if value else value,
}


# Fields whose masked form is text although their value is not (a date): a channel that keeps
# the field's type (the API's `birth_date: date | None`) shows them masked as absent (None).
UNTYPED_WHEN_MASKED = frozenset({"birth_date"})


def masked(field: str, value: Any) -> Any:
    """`value` of the personal field `field`, masked (other fields unchanged)."""
    masker = MASKS.get(field)
    if masker is None or value is None or value == "":
        return value
    return masker(value if field == "birth_date" else str(value))


def shown(
    obj: Any, revealed: bool, fields: Iterable[str] = tuple(MASKS), *, typed: bool = False
) -> dict[str, Any]:
    """The personal `fields` of `obj` (a person) as a channel shows them: as stored when
    revealed (after `reveal`), masked otherwise. `typed`: for a channel whose fields keep
    their type (the API), where a masked date is None."""
    values = {}
    for field in fields:
        value = getattr(obj, field)
        if not revealed:
            value = None if typed and field in UNTYPED_WHEN_MASKED else masked(field, value)
        values[field] = value
    return values


def masked_data(data: Any) -> Any:
    """A copy of JSON data (an audit entry's before/after) with every personal field masked,
    at any depth."""
    if isinstance(data, dict):
        return {k: masked(k, v) if k in MASKS else masked_data(v) for k, v in data.items()}
    if isinstance(data, list):
        return [masked_data(item) for item in data]
    return data


def may_reveal(user: Any) -> bool:
    """Whether `user`'s role reveals personal data at all (`core.scoping.TABLE`); which people
    is the caller's scoping (`Person.objects.visible_to`)."""
    return user is not None and may(user, Action.REVEAL, Kind.PERSONAL)


REVEALED = ("cccd", "birth_date", "phone", "address")


def reveal(user: Any, person: Any, fields: tuple[str, ...] = REVEALED) -> None:
    """Check and log one reveal of a person's data (the caller has scoped `person` already)."""
    if not may_reveal(user):
        raise PermissionDenied(_("Vai trò của bạn không được xem đầy đủ dữ liệu cá nhân."))
    record(user, "reveal", person, None, {"fields": list(fields)})
