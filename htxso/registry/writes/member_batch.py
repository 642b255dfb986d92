"""Several people added as members of one organisation at once (`add_person_members`): a
registration's founders, a change's admitted members. The same rules, refusals and audit
entries as `people.add_person_member` called for each in turn, in a number of queries that does
not grow with the number of people (about a dozen, whether 5 or 500).

The set-wise path decides only the plain case: every person's facts valid, each CCCD once in
the list, every registered person's facts matching, nobody already an active member, the
caller's identity budget not spent. Anything else — and a race the database refuses — goes
person by person through `add_person_member` before anything is written: the same refusals
and the mismatch's audit entry (kept when the caller's transaction is not rolled back), and
still all or none."""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F

from htxso.core.audit import record_many, snapshot

from .. import aggregates
from ..models import Membership, Organisation, Person
from . import identity
from .common import require_editable, require_person_writer
from .people import add_person_member
from .rules import age_on, check_membership


@dataclass(frozen=True)
class MemberFacts:
    """One person to add: the membership's kind and capital, the identity facts of the card."""

    kind: str
    cccd: str
    full_name: str
    birth_date: dt.date | None
    capital_contributed: int = 0


class _OneByOne(Exception):
    """The set-wise path cannot decide this list: add the people one by one."""


# Foreign keys the batch sets from rows it has just read or written: not looked up again.
_PERSON_KNOWN = ["province", "commune"]
_MEMBERSHIP_KNOWN = ["organisation", "person", "member_organisation", "province"]


def add_person_members(
    actor: Any, organisation_id: int, joined_on: dt.date, members: Sequence[MemberFacts]
) -> list[Membership]:
    """Add `members` (in order) to the organisation, all or none; see the module's docstring."""
    if not members:
        return []
    with transaction.atomic(), aggregates.deferred():
        organisation = Organisation.objects.select_for_update().get(pk=organisation_id)
        require_editable(actor, organisation)
        aggregates.touch([organisation.pk])
        try:  # (no savepoint: the set-wise path writes nothing before its last check)
            return _set_wise(actor, organisation, joined_on, members)
        except _OneByOne:
            pass
    # One by one: the identities first (a mismatch's audit entry commits on its own, as
    # `add_person_member`'s does), then the writes, together.
    for m in members:
        number, _gender, _year = identity.check_facts(m.cccd, m.full_name, m.birth_date)
        assert m.birth_date is not None
        identity.verified(actor, number, m.full_name, m.birth_date, organisation_id)
    with transaction.atomic(), aggregates.deferred():
        return [
            add_person_member(
                actor,
                organisation_id,
                m.kind,
                joined_on,
                m.cccd,
                m.full_name,
                m.birth_date,
                m.capital_contributed,
            )
            for m in members
        ]


def _set_wise(
    actor: Any, organisation: Organisation, joined_on: dt.date, members: Sequence[MemberFacts]
) -> list[Membership]:
    facts = []
    try:
        for m in members:
            number, gender, birth_year = identity.check_facts(m.cccd, m.full_name, m.birth_date)
            check_membership(
                organisation.kind,
                organisation.established_on,
                m.kind,
                joined_on,
                m.capital_contributed,
                member_age=age_on(m.birth_date, birth_year, joined_on),
            )
            if m.capital_contributed < 0:
                raise _OneByOne
            facts.append((m, number, gender, birth_year))
    except ValidationError:
        raise _OneByOne from None
    numbers = [number for _m, number, _g, _y in facts]
    if len(set(numbers)) != len(numbers):
        raise _OneByOne
    if actor is not None and not actor.is_national:
        identity._lock(actor)
        if identity._budget_left(actor) <= 0:
            raise _OneByOne
    registered = {p.cccd: p for p in Person.objects.filter(cccd__in=numbers)}
    for m, number, _g, _y in facts:
        person = registered.get(number)
        if person is not None and not identity.same_facts(
            person.full_name, person.birth_date, m.full_name, m.birth_date
        ):
            raise _OneByOne
    if (
        registered
        and Membership.objects.filter(
            organisation=organisation,
            person__in=list(registered.values()),
            left_on__isnull=True,
        ).exists()
    ):
        raise _OneByOne
    new_people = [
        Person(
            cccd=number,
            full_name=m.full_name.strip(),
            gender=gender,
            birth_year=birth_year,
            birth_date=m.birth_date,
            province_id=organisation.province_id,
        )
        for m, number, gender, birth_year in facts
        if number not in registered
    ]
    if new_people:
        require_person_writer(actor)
    people = {p.cccd: p for p in new_people} | registered
    memberships = [
        Membership(
            organisation=organisation,
            person=people[number],
            kind=m.kind,
            joined_on=joined_on,
            capital_contributed=m.capital_contributed,
            province_id=organisation.province_id,
        )
        for m, number, _g, _y in facts
    ]
    try:
        for person in new_people:
            person.full_clean(
                exclude=_PERSON_KNOWN, validate_unique=False, validate_constraints=False
            )
        for membership in memberships:
            membership.full_clean(
                exclude=_MEMBERSHIP_KNOWN, validate_unique=False, validate_constraints=False
            )
    except ValidationError:
        raise _OneByOne from None
    try:
        with transaction.atomic():
            Person.objects.bulk_create(new_people)
            for membership in memberships:  # the people's new ids
                membership.person = membership.person
            Membership.objects.bulk_create(memberships)
    except IntegrityError:  # registered meanwhile by someone else: one by one decides
        raise _OneByOne from None
    Organisation.objects.filter(pk=organisation.pk).update(
        members_count=F("members_count") + len(memberships)
    )
    record_many(
        actor, "create", "registry.person", ((p.pk, str(p), None, snapshot(p)) for p in new_people)
    )
    record_many(
        actor,
        "create",
        "registry.membership",
        ((ms.pk, str(ms), None, snapshot(ms)) for ms in memberships),
    )
    return memberships
