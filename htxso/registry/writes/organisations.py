"""Organisations: create and update (optimistic locking on `version`), and the founding date's
one rule (founded ≤ every status date and every member's joining date)."""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from htxso.core.audit import record, snapshot
from htxso.core.versions import check_version

from .. import aggregates
from ..choices import Status
from ..models import Membership, Organisation, StatusChange, can_create_organisations
from .common import (
    blank_text,
    check_not_future,
    clean_and_save,
    require_editable,
    tax_code_or_none,
)
from .rules import check_founding_before_status, is_agricultural

# The keyword arguments `create_organisation` and `update_organisation` take: the editable
# fields (status has its own service), the places by object or by id.
ORGANISATION_ARGUMENTS = frozenset(
    f.name
    for f in Organisation._meta.concrete_fields
    if f.editable and f.name not in {"id", "members_count", "status", "status_since"}
) | {"province_id", "commune_id"}


@transaction.atomic
@aggregates.keeping
def create_organisation(actor: Any, **fields: Any) -> Organisation:
    unknown = set(fields) - ORGANISATION_ARGUMENTS
    if unknown:
        raise ValidationError(_("Trường không hợp lệ: %s") % ", ".join(sorted(unknown)))
    organisation = Organisation(**fields)
    if "is_agricultural" not in fields:
        organisation.is_agricultural = is_agricultural(
            organisation.sector, organisation.agricultural_type
        )
    organisation.tax_code = tax_code_or_none(organisation.tax_code)
    blank_text(organisation)
    organisation.status = Status.ACTIVE
    organisation.status_since = organisation.established_on
    _check_address(organisation)
    if actor is not None and not can_create_organisations(actor, organisation.province_id):
        raise PermissionDenied(_("Bạn không có quyền tạo tổ chức ở tỉnh/thành phố này."))
    organisation.refresh_keys()
    if organisation.established_on:
        check_not_future(organisation.established_on, "established_on")
    clean_and_save(organisation)
    StatusChange.objects.create(
        organisation=organisation,
        status=Status.ACTIVE,
        effective_on=organisation.established_on,
        reason=_("Thành lập"),
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    record(actor, "create", organisation, None, snapshot(organisation))
    aggregates.touch([organisation.pk], new=True)
    return organisation


def _check_address(organisation: Organisation) -> None:
    commune = organisation.commune if organisation.commune_id else None
    if commune is not None and commune.province_id != organisation.province_id:
        raise ValidationError(
            {
                "commune": _("Xã/phường %(commune)s không thuộc tỉnh/thành phố đã chọn.")
                % {"commune": commune.name}
            }
        )


@transaction.atomic
@aggregates.keeping
def update_organisation(
    actor: Any, organisation_id: int, expected_version: int, **changes: Any
) -> Organisation:
    organisation = Organisation.objects.select_for_update().get(pk=organisation_id)
    require_editable(actor, organisation)
    check_version(organisation, expected_version)
    aggregates.touch([organisation.pk])
    unknown = set(changes) - ORGANISATION_ARGUMENTS
    if unknown:
        raise ValidationError(_("Trường không hợp lệ: %s") % ", ".join(sorted(unknown)))
    before = snapshot(organisation)
    old_province, old_commune = organisation.province_id, organisation.commune_id
    old_founding = organisation.established_on
    for name, value in changes.items():
        setattr(organisation, name, value)
    farming = (organisation.sector, organisation.agricultural_type)
    if "is_agricultural" not in changes and farming != (
        before.get("sector"),
        before.get("agricultural_type"),
    ):
        organisation.is_agricultural = is_agricultural(*farming)
    organisation.tax_code = tax_code_or_none(organisation.tax_code)
    blank_text(organisation)
    _check_address(organisation)
    if organisation.commune_id != old_commune and organisation.legacy_address == (
        before.get("legacy_address") or ""
    ):
        organisation.legacy_address = ""  # the old address's text describes the old commune
    if organisation.established_on != old_founding:
        _move_founding(organisation, old_founding)
    organisation.refresh_keys()
    if (
        actor is not None
        and organisation.province_id != old_province
        and not can_create_organisations(actor, organisation.province_id)
    ):
        raise PermissionDenied(_("Bạn không có quyền chuyển tổ chức sang tỉnh/thành phố này."))
    organisation.version = expected_version + 1  # the row is locked and was at that version
    clean_and_save(organisation)
    if organisation.province_id != old_province:
        # Memberships carry their organisation's province (provincial scoping, figures).
        Membership.objects.filter(organisation_id=organisation.pk).update(
            province_id=organisation.province_id
        )
    organisation.refresh_from_db()
    record(actor, "update", organisation, before, snapshot(organisation))
    return organisation


def _move_founding(organisation: Organisation, old: dt.date) -> None:
    """A corrected founding date, held to the one rule of dates: founded ≤ every status date and
    every member's joining date. A status unchanged since the founding moves with it (the
    founding record says "active since founded"); a later status change bounds it."""
    new = organisation.established_on
    if new is None:
        return
    check_not_future(new, "established_on")
    if organisation.status_since != old:
        check_founding_before_status(new, organisation.status_since)
    changes = StatusChange.objects.filter(organisation_id=organisation.pk)
    if changes.filter(effective_on__lt=new).exclude(effective_on=old).exists():
        raise ValidationError(
            {"established_on": _("Có thay đổi tình trạng trước ngày thành lập mới.")}
        )
    if Membership.objects.filter(organisation_id=organisation.pk, joined_on__lt=new).exists():
        raise ValidationError(
            {"established_on": _("Có thành viên gia nhập trước ngày thành lập mới.")}
        )
    if organisation.status_since == old:
        organisation.status_since = new
        changes.filter(effective_on=old).update(effective_on=new)
