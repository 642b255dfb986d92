"""Adding a person as a member by their identity facts, without widening what the caller sees.

A CCCD alone is no proof: numbers are printed on cards, forms and photocopies, and the registry
is national. A person the caller cannot already see is linked to an organisation only when the
caller supplies the facts a registration office reads off the card — CCCD, full name and birth
date — and they match the registered person. So:

- A CCCD that is not registered: the person is recorded with the facts given (in the
  organisation's province) and linked. A registered CCCD whose facts match: linked. Both
  answer the same (the new membership); the caller learns nothing they did not type.
- A registered CCCD whose facts do not match — or whose record has no birth date to match, when
  the caller cannot see the person — is refused with a message that names the facts to check,
  never the registered ones. That refusal is the one thing a guesser can learn (that a number is
  registered under other facts), so each one is an `identity_mismatch` audit entry against the
  caller, and the audit is the budget: `IDENTITY_MISMATCH_LIMIT` a day per user, counted under a
  lock on the user's row (so parallel requests cannot overspend it, and every process and
  worker counts the same). Past it, every lookup by identity is refused, matched or not, and so
  is every member import by that user.

The write that uses these rules is `people.add_person_member`. What a membership then shows
(docs/architecture.md): the organisation's editors see the person as they see any member of
theirs — masked, with a logged reveal — because the cooperative keeps a register of its members
(Law on Cooperatives 2023). They do not see the person's other
memberships, and they do not change the person's identity or residence: that belongs to the
province the person lives in (imports: `outside_residence_sql`). The person sees who added them.
"""

import datetime as dt
import unicodedata
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from htxso.core.audit import record
from htxso.core.models import AuditEntry, User
from htxso.core.scoping import Action, Kind, Reach, reach

from ..models import Person
from .rules import check_identity

MISMATCH = "identity_mismatch"
# Vietnamese tone marks (grave, acute, hook, tilde, dot below): placed on different vowels by
# old and new spelling ("Hoà" / "Hòa"), so a name is compared with each word's tone apart.
_TONES = frozenset("\u0300\u0301\u0309\u0303\u0323")
# Lookalikes typed for Đ/đ (the Icelandic eth).
_LOOKALIKES = str.maketrans({"\u00d0": "\u0110", "\u00f0": "\u0111"})


class TooManyMismatches(PermissionDenied):
    """The caller used up the day's identity mismatches."""


def name_key(name: str | None) -> str:
    """A full name as compared for identity: case-folded, single-spaced, each word's tone mark
    moved to its end (old and new tone placement agree); other diacritics kept ("Lê" and
    "Lệ" are different names)."""
    words = []
    for word in (name or "").translate(_LOOKALIKES).casefold().split():
        letters = unicodedata.normalize("NFD", word)
        tones = "".join(ch for ch in letters if ch in _TONES)
        base = "".join(ch for ch in letters if ch not in _TONES)
        words.append(unicodedata.normalize("NFC", base) + tones)
    return " ".join(words)


def facts_match(person: Person, full_name: str, birth_date: dt.date) -> bool:
    """The registered person has this name and this birth date."""
    return same_facts(person.full_name, person.birth_date, full_name, birth_date)


def same_facts(
    name: str, born: dt.date | None, given_name: str | None, given_date: dt.date | None
) -> bool:
    """`facts_match` over plain values (imports read them by the thousand). A record without a
    birth date cannot be verified: its year is printed in the CCCD itself, so it proves nothing."""
    if given_date is None or born is None:
        return False
    return born == given_date and name_key(name) == name_key(given_name)


def _budget_left(actor: Any) -> int:
    """Mismatches the actor may still make today; call inside a transaction that has locked the
    actor's row (`_lock`)."""
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    used = AuditEntry.objects.filter(actor_id=actor.pk, action=MISMATCH, at__gte=start).count()
    return settings.IDENTITY_MISMATCH_LIMIT - used


def too_many() -> TooManyMismatches:
    return TooManyMismatches(
        _(
            "Bạn đã nhập sai thông tin nhận dạng quá %(limit)s lần hôm nay; chức năng thêm "
            "thành viên theo số CCCD tạm khóa đến hết ngày."
        )
        % {"limit": settings.IDENTITY_MISMATCH_LIMIT}
    )


def _lock(actor: Any) -> None:
    """Serialise one user's identity lookups (their budget is read, then spent)."""
    User.objects.select_for_update().filter(pk=actor.pk).exists()


def budget_left(actor: Any) -> int | None:
    """Mismatches the actor may still make today (None: national roles are not counted).
    Inside an import's transaction the lock holds to its end: one user's imports check in turn."""
    if actor is None or actor.is_national:
        return None
    with transaction.atomic():
        _lock(actor)
        return _budget_left(actor)


def mismatch_message() -> str:
    return _(
        "Không xác minh được cá nhân: số CCCD, họ và tên, ngày sinh phải đúng như trên thẻ CCCD."
    )


def check_facts(cccd: str, full_name: str, birth_date: dt.date | None) -> tuple[str, str, int]:
    """The facts themselves (before any lookup): a valid CCCD, a name, a birth date that agrees
    with the CCCD's year. (number, gender, birth year) or ValidationError keyed by field."""
    errors: dict[str, str] = {}
    if not (full_name or "").strip():
        errors["full_name"] = _("Nhập họ và tên như trên thẻ CCCD.")
    if birth_date is None:
        errors["birth_date"] = _("Nhập ngày sinh như trên thẻ CCCD.")
    if errors:
        raise ValidationError(errors)
    assert birth_date is not None
    try:
        return check_identity(cccd, None, birth_date.year)
    except ValidationError as exc:
        if "birth_year" in getattr(exc, "error_dict", {}):
            raise ValidationError({"birth_date": exc.error_dict["birth_year"]}) from None
        raise


def verified(actor: Any, number: str, full_name: str, birth_date: dt.date, org_id: int) -> Any:
    """The registered person with this CCCD (None when there is none), or ValidationError after
    auditing a mismatch. One user's lookups run one at a time (their budget)."""
    national = actor is None or actor.is_national
    with transaction.atomic():
        if not national:
            _lock(actor)
            if _budget_left(actor) <= 0:
                raise too_many()
        person = Person.objects.filter(cccd=number).first()
        if person is None or facts_match(person, full_name, birth_date):
            return person
        if national or Person.objects.visible_to(actor).filter(pk=person.pk).exists():
            # Already in the caller's sight: the name is checked against typos (a record without
            # a birth date has its year in the CCCD); a slip is not a probe (no budget spent).
            if name_key(person.full_name) == name_key(full_name) and (
                person.birth_date in (None, birth_date)
            ):
                return person
            raise ValidationError({"full_name": mismatch_message()})
        record(actor, MISMATCH, person, None, {"organisation": org_id})
    raise ValidationError({"full_name": mismatch_message()})


def outside_scope_sql(actor: Any, person: str = "p") -> tuple[str, list] | None:
    """SQL true for the people (alias `person`) outside what `actor` may see (Person.visible_to,
    before the write): None when the actor sees everyone."""
    if actor is None or actor.is_national:
        return None
    reaches = reach(actor, Action.VIEW, Kind.PERSONAL)  # the same rule as Person.scope
    if Reach.PROVINCE in reaches and actor.province_id:
        return (
            f"NOT ({person}.province_id = %s OR EXISTS (SELECT 1 FROM registry_membership sm "
            f"WHERE sm.person_id = {person}.id AND sm.province_id = %s))",
            [actor.province_id, actor.province_id],
        )
    if Reach.ORGANISATION in reaches and actor.organisation_id:
        return (
            f"NOT EXISTS (SELECT 1 FROM registry_membership sm "
            f"WHERE sm.person_id = {person}.id AND sm.organisation_id = %s)",
            [actor.organisation_id],
        )
    return ("1 = 1", [])


def outside_residence_sql(actor: Any, person: str = "p") -> tuple[str, list] | None:
    """SQL true for the registered people whose identity and residence `actor` may not rewrite:
    those who do not live in the officer's province (a membership shows a person, it does not
    hand over their record). None for national roles."""
    if actor is None or actor.is_national:
        return None
    if Reach.PROVINCE in reach(actor, Action.EDIT, Kind.PERSONAL) and actor.province_id:
        return (f"{person}.province_id IS DISTINCT FROM %s", [actor.province_id])
    return ("1 = 1", [])


def audit_mismatches(actor: Any, person_ids: list[int], source: Any) -> None:
    """One `identity_mismatch` entry per person of an import, written after its transaction (a
    dry run rolls back; the attempt stays on record and counts against the day)."""
    if actor is None or actor.is_national or not person_ids:
        return
    with transaction.atomic():
        for person in Person.objects.filter(pk__in=person_ids).only("pk", "full_name"):
            record(actor, MISMATCH, person, None, {"import": getattr(source, "pk", None)})
