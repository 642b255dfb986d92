"""The one write path of the registry.

Every function takes the acting user (None for the system itself, e.g. a command), checks that
the user may make the change, validates (Vietnamese messages), writes, records an audit entry
and refreshes the province's aggregates — all in one transaction.
"""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import CharField, F
from django.utils.translation import gettext as _

from htxso.core.audit import record, snapshot
from htxso.core.cccd import decode_cccd
from htxso.core.models import Tombstone
from htxso.core.mst import normalise_tax_code
from htxso.core.roles import Role

from . import stats
from .choices import MemberKind, OrganisationKind, Status
from .models import Membership, Organisation, Person, StatusChange, can_create_organisations

ORGANISATION_FIELDS = frozenset(
    f.name
    for f in Organisation._meta.concrete_fields
    if f.editable and f.name not in {"id", "members_count", "status", "status_since"}
)


# Roles that may record personal data (a member's own contact details come with issue #3).
PERSON_WRITERS = frozenset({Role.SYSTEM_ADMIN, Role.PROVINCIAL_OFFICER, Role.COOPERATIVE_MANAGER})


class StaleEdit(Exception):
    """The edit was based on an older version of the record."""

    def __init__(self, current_version: int) -> None:
        super().__init__(_("Hồ sơ đã được người khác cập nhật; vui lòng tải lại trước khi sửa."))
        self.current_version = current_version


def _require_editable(actor: Any, organisation: Organisation) -> None:
    if actor is None:
        return
    if not Organisation.objects.editable_by(actor).filter(pk=organisation.pk).exists():
        raise PermissionDenied(_("Bạn không có quyền thay đổi tổ chức này."))


def _clean_and_save(obj, **save_kwargs) -> None:
    obj.full_clean()
    try:
        with transaction.atomic():
            obj.save(**save_kwargs)
    except IntegrityError as exc:  # a race that full_clean could not see
        raise ValidationError(_("Dữ liệu vi phạm ràng buộc của cơ sở dữ liệu: %s") % exc) from exc


def _blank_text(obj) -> None:
    """Optional text left out (None) is stored as "", the empty value of a text column."""
    for field in obj._meta.concrete_fields:
        if isinstance(field, CharField) and not field.null and getattr(obj, field.attname) is None:
            setattr(obj, field.attname, "")


def _tax_code_or_none(value: str | None) -> str | None:
    """The normal form of a tax code, None when blank; errors are reported on the field."""
    if not value:
        return None
    try:
        return normalise_tax_code(value)
    except ValidationError as exc:
        raise ValidationError({"tax_code": exc.error_list}) from None


def _check_not_future(day: dt.date, label: str) -> None:
    if day > dt.date.today():
        raise ValidationError({label: _("Ngày không được ở tương lai.")})


@transaction.atomic
def create_organisation(actor: Any, **fields: Any) -> Organisation:
    unknown = set(fields) - ORGANISATION_FIELDS - {"province_id", "commune_id"}
    if unknown:
        raise ValidationError(_("Trường không hợp lệ: %s") % ", ".join(sorted(unknown)))
    organisation = Organisation(**fields)
    organisation.tax_code = _tax_code_or_none(organisation.tax_code)
    _blank_text(organisation)
    organisation.status = Status.ACTIVE
    organisation.status_since = organisation.established_on
    _check_address(organisation)
    if actor is not None and not can_create_organisations(actor, organisation.province_id):
        raise PermissionDenied(_("Bạn không có quyền tạo tổ chức ở tỉnh/thành phố này."))
    organisation.refresh_keys()
    if organisation.established_on:
        _check_not_future(organisation.established_on, "established_on")
    _clean_and_save(organisation)
    StatusChange.objects.create(
        organisation=organisation,
        status=Status.ACTIVE,
        effective_on=organisation.established_on,
        reason=_("Thành lập"),
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    record(actor, "create", organisation, None, snapshot(organisation))
    stats.refresh([organisation.province_id])
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
def update_organisation(
    actor: Any, organisation_id: int, expected_version: int, **changes: Any
) -> Organisation:
    organisation = Organisation.objects.select_for_update().get(pk=organisation_id)
    _require_editable(actor, organisation)
    if organisation.version != expected_version:
        raise StaleEdit(organisation.version)
    unknown = set(changes) - ORGANISATION_FIELDS - {"province_id", "commune_id"}
    if unknown:
        raise ValidationError(_("Trường không hợp lệ: %s") % ", ".join(sorted(unknown)))
    before = snapshot(organisation)
    old_province = organisation.province_id
    for name, value in changes.items():
        setattr(organisation, name, value)
    organisation.tax_code = _tax_code_or_none(organisation.tax_code)
    _blank_text(organisation)
    _check_address(organisation)
    organisation.refresh_keys()
    if (
        actor is not None
        and organisation.province_id != old_province
        and not can_create_organisations(actor, organisation.province_id)
    ):
        raise PermissionDenied(_("Bạn không có quyền chuyển tổ chức sang tỉnh/thành phố này."))
    organisation.version = expected_version + 1  # the row is locked and was at that version
    _clean_and_save(organisation)
    organisation.refresh_from_db()
    record(actor, "update", organisation, before, snapshot(organisation))
    stats.refresh({old_province, organisation.province_id})
    return organisation


@transaction.atomic
def change_status(
    actor: Any,
    organisation_id: int,
    status: str,
    effective_on: dt.date,
    reason: str = "",
    document_no: str = "",
) -> StatusChange:
    organisation = Organisation.objects.select_for_update().get(pk=organisation_id)
    _require_editable(actor, organisation)
    if status not in Status.values:
        raise ValidationError({"status": _("Tình trạng không hợp lệ.")})
    _check_not_future(effective_on, "effective_on")
    if effective_on < organisation.established_on:
        raise ValidationError({"effective_on": _("Ngày hiệu lực không được trước ngày thành lập.")})
    if effective_on < organisation.status_since:
        raise ValidationError(
            {
                "effective_on": _("Ngày hiệu lực phải sau lần thay đổi tình trạng gần nhất (%s).")
                % organisation.status_since.strftime("%d/%m/%Y")
            }
        )
    if status == organisation.status:
        raise ValidationError({"status": _("Tổ chức đang ở tình trạng này.")})
    before = snapshot(organisation)
    change = StatusChange.objects.create(
        organisation=organisation,
        status=status,
        effective_on=effective_on,
        reason=reason,
        document_no=document_no,
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    Organisation.objects.filter(pk=organisation.pk).update(
        status=status, status_since=effective_on, version=F("version") + 1
    )
    organisation.refresh_from_db()
    record(actor, "change_status", organisation, before, snapshot(organisation))
    stats.refresh([organisation.province_id])
    return change


@transaction.atomic
def create_person(actor: Any, cccd: str | None, full_name: str, **fields: Any) -> Person:
    if actor is not None and not (actor.is_superuser or actor.role in PERSON_WRITERS):
        raise PermissionDenied(_("Bạn không có quyền thêm cá nhân."))
    person = Person(full_name=(full_name or "").strip(), **fields)
    if cccd:
        decoded = decode_cccd(cccd)
        if person.gender and person.gender != decoded.gender:
            raise ValidationError({"gender": _("Giới tính không khớp với số CCCD.")})
        if person.birth_year and person.birth_year != decoded.birth_year:
            raise ValidationError({"birth_year": _("Năm sinh không khớp với số CCCD.")})
        person.cccd, person.gender, person.birth_year = (
            decoded.number,
            decoded.gender,
            decoded.birth_year,
        )
    else:
        person.cccd = None
    _clean_and_save(person)
    record(actor, "create", person, None, snapshot(person))
    return person


def _age_on(person: Person, day: dt.date) -> int:
    """Exact age when the birth date is known; by birth year otherwise (CCCD gives the year)."""
    if person.birth_date:
        born = person.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))
    if person.birth_year:
        return day.year - person.birth_year
    return 18  # unknown: the registering officer vouches for it


@transaction.atomic
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
    _require_editable(actor, organisation)
    _check_not_future(joined_on, "joined_on")
    if joined_on < organisation.established_on:
        raise ValidationError(
            {"joined_on": _("Ngày gia nhập không được trước ngày thành lập tổ chức.")}
        )
    if organisation.kind == OrganisationKind.HOUSEHOLD_BUSINESS:
        raise ValidationError(_("Hộ kinh doanh không có thành viên."))
    if member_organisation is not None:
        if organisation.kind != OrganisationKind.COOPERATIVE_UNION:
            raise ValidationError(_("Chỉ liên hiệp HTX mới có thành viên là hợp tác xã."))
        if member_organisation.kind != OrganisationKind.COOPERATIVE:
            raise ValidationError(_("Thành viên của liên hiệp HTX phải là hợp tác xã."))
    if person is not None and _age_on(person, joined_on) < 18:
        raise ValidationError({"person": _("Thành viên là cá nhân phải đủ 18 tuổi khi gia nhập.")})
    if kind == MemberKind.ASSOCIATE and capital_contributed:
        raise ValidationError(
            {"capital_contributed": _("Thành viên liên kết không góp vốn không có vốn góp.")}
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
    _clean_and_save(membership)
    Organisation.objects.filter(pk=organisation.pk).update(members_count=F("members_count") + 1)
    record(actor, "create", membership, None, snapshot(membership))
    stats.refresh([organisation.province_id])
    return membership


@transaction.atomic
def end_membership(actor: Any, membership_id: int, left_on: dt.date) -> Membership:
    membership = Membership.objects.select_for_update().get(pk=membership_id)
    _require_editable(actor, membership.organisation)
    if membership.left_on is not None:
        raise ValidationError(_("Tư cách thành viên này đã chấm dứt."))
    _check_not_future(left_on, "left_on")
    before = snapshot(membership)
    membership.left_on = left_on
    _clean_and_save(membership)
    Organisation.objects.filter(pk=membership.organisation_id).update(
        members_count=F("members_count") - 1
    )
    record(actor, "end", membership, before, snapshot(membership))
    stats.refresh([membership.province_id])
    return membership


@transaction.atomic
def delete_membership(actor: Any, membership_id: int) -> None:
    """Remove a membership entered by mistake (ending one is `end_membership`).

    A tombstone tells systems that sync with `updated_since` that the row is gone.
    """
    membership = Membership.objects.select_for_update().get(pk=membership_id)
    _require_editable(actor, membership.organisation)
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
    stats.refresh([membership.province_id])


@transaction.atomic
def update_person_contact(actor: Any, person_id: int, **contact: str) -> Person:
    """A person's own contact details (phone, email, address): the person themself, or a user
    who may record people and sees this person."""
    person = Person.objects.select_for_update().get(pk=person_id)
    own = getattr(actor, "person_id", None) == person_id
    if actor is not None and not own:
        may_write = actor.is_superuser or actor.role in PERSON_WRITERS
        if not may_write or not Person.objects.visible_to(actor).filter(pk=person_id).exists():
            raise PermissionDenied(_("Bạn không có quyền sửa thông tin liên hệ của người này."))
    unknown = set(contact) - {"phone", "email", "address"}
    if unknown:
        raise ValidationError(_("Trường không hợp lệ: %s") % ", ".join(sorted(unknown)))
    before = snapshot(person)
    for name, value in contact.items():
        setattr(person, name, (value or "").strip())
    _clean_and_save(person)
    record(actor, "update_contact", person, before, snapshot(person))
    return person
