"""Adding a person as a member by their identity facts, without widening what the caller sees.

A CCCD alone is no proof: numbers are printed on cards, forms and photocopies, and the registry
is national. A person is linked to an organisation only when the caller supplies the facts a
registration office reads off the card — CCCD, full name and birth date — and they match the
registered person. So:

- A CCCD that is not registered: the person is recorded with the facts given (in the
  organisation's province) and linked. A registered CCCD whose facts match: linked. Both
  answer the same (the new membership); the caller learns nothing they did not type.
- A registered CCCD whose facts do not match: refused with a message that names the facts to
  check, never the registered ones. That refusal is the one thing a guesser can learn (that a
  number is registered under another name), so each one is audited against the caller
  (`identity_mismatch`, on the person: their province's officers and the person see it) and a
  caller gets `IDENTITY_MISMATCH_LIMIT` of them per day; past it, every lookup by identity is
  refused until the next day, matched or not.

What a membership then shows (docs/architecture.md, "Personal data"): the organisation's editors
see the person as they see any member of theirs — masked, with a logged reveal — because the
cooperative must keep a register of its members (Law on Cooperatives 2023, art. 31). Nothing
else about the person widens: their other memberships stay out of the caller's scope. The
person sees who added them, and when, on their own page.
"""

import datetime as dt
import unicodedata
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from htxso.core.audit import record
from htxso.core.roles import Role

from . import services
from .models import Membership, Organisation, Person

MISMATCH = "identity_mismatch"


class TooManyMismatches(PermissionDenied):
    """The caller used up the day's identity mismatches."""


def name_key(name: str | None) -> str:
    """A full name as compared for identity: NFC, case-folded, single-spaced (diacritics kept:
    "Lê" and "Lệ" are different names)."""
    return " ".join(unicodedata.normalize("NFC", name or "").casefold().split())


def facts_match(person: Person, full_name: str, birth_date: dt.date) -> bool:
    """The registered person has this name and this birth date (the year, when only the year
    is registered: the CCCD itself carries it)."""
    return same_facts(person.full_name, person.birth_date, person.birth_year, full_name, birth_date)


def same_facts(
    name: str,
    born: dt.date | None,
    birth_year: int | None,
    given_name: str | None,
    given_date: dt.date | None,
) -> bool:
    """`facts_match` over plain values (imports read them by the thousand)."""
    if given_date is None or name_key(name) != name_key(given_name):
        return False
    if born is not None:
        return born == given_date
    return birth_year in (None, given_date.year)


def outside_scope_sql(actor: Any, person: str = "p") -> tuple[str, list] | None:
    """SQL true for the people (alias `person`) outside what `actor` may see (Person.visible_to,
    before the write): None when the actor sees everyone."""
    if actor is None or actor.is_national:
        return None
    if actor.role == Role.PROVINCIAL_OFFICER and actor.province_id:
        return (
            f"NOT ({person}.province_id = %s OR EXISTS (SELECT 1 FROM registry_membership sm "
            f"WHERE sm.person_id = {person}.id AND sm.province_id = %s))",
            [actor.province_id, actor.province_id],
        )
    if actor.role == Role.COOPERATIVE_MANAGER and actor.organisation_id:
        return (
            f"NOT EXISTS (SELECT 1 FROM registry_membership sm "
            f"WHERE sm.person_id = {person}.id AND sm.organisation_id = %s)",
            [actor.organisation_id],
        )
    return ("1 = 1", [])


def spend(actor: Any, mismatches: int) -> bool:
    """Count `mismatches` against the actor's day; False when that goes past the limit (the
    caller then refuses without saying which facts failed)."""
    if actor is None or mismatches == 0:
        return True
    key = _mismatch_key(actor)
    cache.add(key, 0, timeout=86_400)
    try:
        total = cache.incr(key, mismatches)
    except ValueError:
        cache.set(key, mismatches, timeout=86_400)
        total = mismatches
    return total <= settings.IDENTITY_MISMATCH_LIMIT


def audit_mismatches(actor: Any, person_ids: list[int], source: Any) -> None:
    """One `identity_mismatch` entry per person, written after an import's transaction (a dry
    run rolls back; the attempt must still be on record)."""
    for person in Person.objects.filter(pk__in=person_ids).only("pk", "full_name"):
        record(actor, MISMATCH, person, None, {"import": getattr(source, "pk", None)})


def _mismatch_key(actor: Any) -> str:
    return f"identity-mismatch:{getattr(actor, 'pk', None)}:{dt.date.today().isoformat()}"


def _check_budget(actor: Any) -> None:
    if actor is None:
        return
    if (cache.get(_mismatch_key(actor)) or 0) >= settings.IDENTITY_MISMATCH_LIMIT:
        raise TooManyMismatches(
            _(
                "Bạn đã nhập sai thông tin nhận dạng quá %(limit)s lần hôm nay; chức năng thêm "
                "thành viên theo số CCCD tạm khóa đến hết ngày."
            )
            % {"limit": settings.IDENTITY_MISMATCH_LIMIT}
        )


def mismatch_message() -> str:
    return _(
        "Không xác minh được cá nhân: số CCCD, họ và tên, ngày sinh phải đúng như trên thẻ CCCD."
    )


def _refuse(actor: Any, person: Person, organisation_id: int | None) -> None:
    """Audit the mismatch (in its own transaction: the caller's rolls back) and refuse."""
    spend(actor, 1)
    with transaction.atomic():
        record(actor, MISMATCH, person, None, {"organisation": organisation_id})
    raise ValidationError({"full_name": mismatch_message()})


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
        return services.check_identity(cccd, None, birth_date.year)
    except ValidationError as exc:
        if "birth_year" in getattr(exc, "error_dict", {}):
            raise ValidationError({"birth_date": exc.error_dict["birth_year"]}) from None
        raise


def add_person_member(
    actor: Any,
    organisation_id: int,
    kind: str,
    joined_on: dt.date,
    cccd: str,
    full_name: str,
    birth_date: dt.date | None,
    capital_contributed: int = 0,
) -> Membership:
    """Add a person, identified by their facts, as a member: the one write path of pages and
    the API (see the module's docstring). Not itself atomic: a mismatch's audit entry is
    written in its own transaction, which must not roll back with the refusal."""
    organisation = Organisation.objects.get(pk=organisation_id)
    services.require_editable(actor, organisation)
    _check_budget(actor)
    number, gender, birth_year = check_facts(cccd, full_name, birth_date)
    assert birth_date is not None
    person = Person.objects.filter(cccd=number).first()
    if person is not None and not facts_match(person, full_name, birth_date):
        _refuse(actor, person, organisation_id)
    with transaction.atomic():
        if person is None:
            person = services.create_person(
                actor,
                number,
                full_name,
                gender=gender,
                birth_year=birth_year,
                birth_date=birth_date,
                province_id=organisation.province_id,
            )
        return services.add_membership(
            actor,
            organisation_id,
            kind,
            joined_on,
            person=person,
            capital_contributed=capital_contributed,
        )


def register_person(actor: Any, cccd: str | None, full_name: str, **fields: Any) -> Person:
    """Record a person (the API's `POST /people`). A CCCD that is already registered is never
    confirmed to a caller who does not hold its facts: without the matching name and birth
    date it is a mismatch (audited, counted); with them, the caller is told to add the person
    as a member, which links the registered record."""
    services.require_person_writer(actor)
    if cccd:
        _check_budget(actor)
        number = services.check_identity(cccd)[0]
        person = Person.objects.filter(cccd=number).first()
        if person is not None:
            birth_date = fields.get("birth_date")
            if birth_date is None or not facts_match(person, full_name, birth_date):
                _refuse(actor, person, None)
            raise ValidationError(
                {
                    "cccd": _(
                        "Cá nhân này đã có trong cơ sở dữ liệu: hãy thêm làm thành viên bằng số "
                        "CCCD, họ và tên, ngày sinh."
                    )
                }
            )
    return services.create_person(actor, cccd, full_name, **fields)
