"""Memberships: add, end, delete (with a tombstone for systems that sync)."""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from htxso.core.audit import record, snapshot
from htxso.core.models import Tombstone

from .. import aggregates
from ..models import Membership, Organisation, Person
from .common import check_not_future, clean_and_save, require_editable
from .rules import age_on, check_membership


@transaction.atomic
@aggregates.keeping
def add_membership(
    actor: Any,
    organisation_id: int,
    kind: str,
    joined_on: dt.date,
    person: Person | None = None,
    member_organisation: Organisation | None = None,
    capital_contributed: int = 0,
) -> Membership:
    organisation = Organisation.objects.select_for_update().get(pk=organisation_id)
    require_editable(actor, organisation)
    aggregates.touch([organisation.pk])
    check_membership(
        organisation.kind,
        organisation.established_on,
        kind,
        joined_on,
        capital_contributed,
        member_age=None
        if person is None
        else age_on(person.birth_date, person.birth_year, joined_on),
        member_organisation_kind=None if member_organisation is None else member_organisation.kind,
    )
    membership = Membership(
        organisation=organisation,
        person=person,
        member_organisation=member_organisation,
        kind=kind,
        joined_on=joined_on,
        capital_contributed=capital_contributed,
        province_id=organisation.province_id,
    )
    clean_and_save(membership)
    Organisation.objects.filter(pk=organisation.pk).update(members_count=F("members_count") + 1)
    record(actor, "create", membership, None, snapshot(membership))
    return membership


@transaction.atomic
@aggregates.keeping
def end_membership(actor: Any, membership_id: int, left_on: dt.date) -> Membership:
    membership = Membership.objects.select_for_update().get(pk=membership_id)
    require_editable(actor, membership.organisation)
    _lock_and_touch(membership.organisation_id)
    if membership.left_on is not None:
        raise ValidationError(_("Tư cách thành viên này đã chấm dứt."))
    check_not_future(left_on, "left_on")
    before = snapshot(membership)
    membership.left_on = left_on
    clean_and_save(membership)
    Organisation.objects.filter(pk=membership.organisation_id).update(
        members_count=F("members_count") - 1
    )
    record(actor, "end", membership, before, snapshot(membership))
    return membership


@transaction.atomic
@aggregates.keeping
def delete_membership(actor: Any, membership_id: int) -> None:
    """Remove a membership entered by mistake (ending one is `end_membership`).

    A tombstone tells systems that sync with `updated_since` that the row is gone.
    """
    membership = Membership.objects.select_for_update().get(pk=membership_id)
    require_editable(actor, membership.organisation)
    _lock_and_touch(membership.organisation_id)
    before = snapshot(membership)
    record(actor, "delete", membership, before, None)
    Tombstone.objects.create(
        object_type=Membership._meta.label_lower,
        object_id=str(membership.pk),
        province_id=membership.province_id,
        organisation_id=membership.organisation_id,
        person_id=membership.person_id,
    )
    if membership.left_on is None:
        Organisation.objects.filter(pk=membership.organisation_id).update(
            members_count=F("members_count") - 1
        )
    membership.delete()


def _lock_and_touch(organisation_id: int) -> None:
    """The organisation's row locked (its figures read before the write are the ones the write
    changes), then noted for the registry's figures."""
    Organisation.objects.select_for_update().filter(pk=organisation_id).exists()
    aggregates.touch([organisation_id])
