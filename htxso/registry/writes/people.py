"""People: record one, update their contact details, and add one as a member by their identity
facts (`add_person_member`, the one write path of the page and the API; the rules of
verification are `identity.py`)."""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from htxso.core.audit import record, snapshot

from ..models import Membership, Organisation, Person
from . import identity
from .common import clean_and_save, may_write_people, require_editable, require_person_writer
from .memberships import add_membership
from .rules import check_identity


@transaction.atomic
def create_person(actor: Any, cccd: str | None, full_name: str, **fields: Any) -> Person:
    require_person_writer(actor)
    person = Person(full_name=(full_name or "").strip(), **fields)
    if cccd:
        person.cccd, person.gender, person.birth_year = check_identity(
            cccd,
            person.gender,
            person.birth_year or (person.birth_date.year if person.birth_date else None),
        )
    else:
        person.cccd = None
    clean_and_save(person)
    record(actor, "create", person, None, snapshot(person))
    return person


@transaction.atomic
def update_person_contact(actor: Any, person_id: int, **contact: str) -> Person:
    """A person's own contact details (phone, email, address): the person themself, or a user
    who may record people and sees this person."""
    person = Person.objects.select_for_update().get(pk=person_id)
    own = getattr(actor, "person_id", None) == person_id
    if (
        actor is not None
        and not own
        and (
            not may_write_people(actor)
            or not Person.objects.visible_to(actor).filter(pk=person_id).exists()
        )
    ):
        raise PermissionDenied(_("Bạn không có quyền sửa thông tin liên hệ của người này."))
    unknown = set(contact) - {"phone", "email", "address"}
    if unknown:
        raise ValidationError(_("Trường không hợp lệ: %s") % ", ".join(sorted(unknown)))
    before = snapshot(person)
    for name, value in contact.items():
        setattr(person, name, (value or "").strip())
    clean_and_save(person)
    record(actor, "update_contact", person, before, snapshot(person))
    return person


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
    the API (see `identity`'s docstring). A mismatch's audit entry commits on its own (the
    refusal writes nothing else); the person and the membership are written together."""
    organisation = Organisation.objects.get(pk=organisation_id)
    require_editable(actor, organisation)
    number, gender, birth_year = identity.check_facts(cccd, full_name, birth_date)
    assert birth_date is not None
    for attempt in range(2):
        person = identity.verified(actor, number, full_name, birth_date, organisation_id)
        try:
            with transaction.atomic():
                if person is None:
                    person = create_person(
                        actor,
                        number,
                        full_name,
                        gender=gender,
                        birth_year=birth_year,
                        birth_date=birth_date,
                        province_id=organisation.province_id,
                    )
                return add_membership(
                    actor,
                    organisation_id,
                    kind,
                    joined_on,
                    person=person,
                    capital_contributed=capital_contributed,
                )
        except ValidationError as exc:
            raced = "cccd" in getattr(exc, "error_dict", {}) or "ràng buộc" in str(exc)
            if not (attempt == 0 and raced and Person.objects.filter(cccd=number).exists()):
                raise
            # Registered meanwhile by someone else: verify against that record instead.
    raise AssertionError("unreachable")
