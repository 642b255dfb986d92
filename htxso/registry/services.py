"""The one write path of the registry.

Every function takes the acting user (None for the system itself, e.g. a command), checks that
the user may make the change, validates (Vietnamese messages), writes, records an audit entry
and refreshes the province's aggregates — all in one transaction.
"""

import contextlib
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import CharField, F
from django.utils.translation import gettext as _

from htxso.core import bulk as bulk_writes
from htxso.core.audit import record, snapshot
from htxso.core.cccd import decode_cccd
from htxso.core.models import Tombstone
from htxso.core.mst import normalise_tax_code
from htxso.core.roles import Role
from htxso.core.timing import timed

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


def require_editable(actor: Any, organisation: Organisation) -> None:
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
    require_editable(actor, organisation)
    if organisation.version != expected_version:
        raise StaleEdit(organisation.version)
    unknown = set(changes) - ORGANISATION_FIELDS - {"province_id", "commune_id"}
    if unknown:
        raise ValidationError(_("Trường không hợp lệ: %s") % ", ".join(sorted(unknown)))
    before = snapshot(organisation)
    old_province, old_commune = organisation.province_id, organisation.commune_id
    old_founding = organisation.established_on
    for name, value in changes.items():
        setattr(organisation, name, value)
    organisation.tax_code = _tax_code_or_none(organisation.tax_code)
    _blank_text(organisation)
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
    _clean_and_save(organisation)
    if organisation.province_id != old_province:
        # Memberships carry their organisation's province (provincial scoping, figures).
        Membership.objects.filter(organisation_id=organisation.pk).update(
            province_id=organisation.province_id
        )
    organisation.refresh_from_db()
    record(actor, "update", organisation, before, snapshot(organisation))
    stats.refresh({old_province, organisation.province_id})
    return organisation


def _move_founding(organisation: Organisation, old: dt.date) -> None:
    """A corrected founding date, held to the one rule of dates: founded ≤ every status date and
    every member's joining date. A status unchanged since the founding moves with it (the
    founding record says "active since founded"); a later status change bounds it."""
    new = organisation.established_on
    if new is None:
        return
    _check_not_future(new, "established_on")
    if organisation.status_since != old and new > organisation.status_since:
        raise ValidationError(
            {
                "established_on": _(
                    "Ngày thành lập không được sau ngày của tình trạng hiện tại (%s)."
                )
                % organisation.status_since.strftime("%d/%m/%Y")
            }
        )
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
    require_editable(actor, organisation)
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


def require_person_writer(actor: Any) -> None:
    if actor is not None and not (actor.is_superuser or actor.role in PERSON_WRITERS):
        raise PermissionDenied(_("Bạn không có quyền thêm cá nhân."))


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
    _clean_and_save(person)
    record(actor, "create", person, None, snapshot(person))
    return person


MEMBER_KINDS = frozenset(MemberKind.values)


def check_identity(
    cccd: str, gender: str | None = None, birth_year: int | None = None
) -> tuple[str, str, int]:
    """A CCCD number checked against the gender and birth year given with it:
    (number, gender, birth year), or ValidationError keyed by field."""
    try:
        decoded = decode_cccd(cccd)
    except ValidationError as exc:
        raise ValidationError({"cccd": exc.error_list}) from None
    if gender and gender != decoded.gender:
        raise ValidationError({"gender": _("Giới tính không khớp với số CCCD.")})
    if birth_year and birth_year != decoded.birth_year:
        raise ValidationError({"birth_year": _("Năm sinh không khớp với số CCCD.")})
    return decoded.number, decoded.gender, decoded.birth_year


def age_on(birth_date: dt.date | None, birth_year: int | None, day: dt.date) -> int:
    """Exact age when the birth date is known; by birth year otherwise (CCCD gives the year)."""
    if birth_date:
        return (
            day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))
        )
    if birth_year:
        return day.year - birth_year
    return 18  # unknown: the registering officer vouches for it


def check_membership(
    organisation_kind: str,
    established_on: dt.date,
    kind: str,
    joined_on: dt.date,
    capital_contributed: int = 0,
    member_age: int | None = None,
    member_organisation_kind: str | None = None,
    left_on: dt.date | None = None,
) -> None:
    """The rules of a new membership (Law on Cooperatives 2023), shared by the page service and
    the bulk import (which may bring one that has already ended: `left_on`); ValidationError
    keyed by field."""
    _check_not_future(joined_on, "joined_on")
    if joined_on < established_on:
        raise ValidationError(
            {"joined_on": _("Ngày gia nhập không được trước ngày thành lập tổ chức.")}
        )
    if organisation_kind == OrganisationKind.HOUSEHOLD_BUSINESS:
        raise ValidationError(_("Hộ kinh doanh không có thành viên."))
    if member_organisation_kind is not None:
        if organisation_kind != OrganisationKind.COOPERATIVE_UNION:
            raise ValidationError(_("Chỉ liên hiệp HTX mới có thành viên là hợp tác xã."))
        if member_organisation_kind != OrganisationKind.COOPERATIVE:
            raise ValidationError(_("Thành viên của liên hiệp HTX phải là hợp tác xã."))
    if member_age is not None and member_age < 18:
        raise ValidationError({"person": _("Thành viên là cá nhân phải đủ 18 tuổi khi gia nhập.")})
    if kind not in MEMBER_KINDS:
        raise ValidationError({"kind": _("Loại thành viên không hợp lệ.")})
    if kind == MemberKind.ASSOCIATE and capital_contributed:
        raise ValidationError(
            {"capital_contributed": _("Thành viên liên kết không góp vốn không có vốn góp.")}
        )
    if left_on is not None:
        _check_not_future(left_on, "left_on")
        if left_on < joined_on:
            raise ValidationError({"left_on": _("Ngày chấm dứt không được trước ngày gia nhập.")})


def membership_passes_sql(
    organisation_kind: str,
    established_on: str,
    kind: str,
    joined_on: str,
    capital_contributed: str,
    member_age: str,
    left_on: str = "NULL",
) -> str:
    """`check_membership` for a person as one SQL predicate over these SQL expressions (and the
    parameter %(today)s): true exactly when check_membership would pass. The set-wise member
    import proves rows with it; a row it does not prove goes through check_membership itself.
    registry/tests/test_membership_sql.py holds the two equal."""
    kinds = ", ".join(f"'{k}'" for k in sorted(MEMBER_KINDS))
    return (
        f"({joined_on} <= %(today)s AND {joined_on} >= {established_on} "
        f"AND {organisation_kind} <> '{OrganisationKind.HOUSEHOLD_BUSINESS.value}' "
        f"AND {member_age} >= 18 AND {kind} IN ({kinds}) "
        f"AND NOT ({kind} = '{MemberKind.ASSOCIATE.value}' AND {capital_contributed} <> 0) "
        f"AND ({left_on} IS NULL OR ({left_on} <= %(today)s AND {left_on} >= {joined_on})))"
    )


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
    require_editable(actor, organisation)
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
    _clean_and_save(membership)
    Organisation.objects.filter(pk=organisation.pk).update(members_count=F("members_count") + 1)
    record(actor, "create", membership, None, snapshot(membership))
    stats.refresh([organisation.province_id])
    return membership


@transaction.atomic
def end_membership(actor: Any, membership_id: int, left_on: dt.date) -> Membership:
    membership = Membership.objects.select_for_update().get(pk=membership_id)
    require_editable(actor, membership.organisation)
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
    require_editable(actor, membership.organisation)
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


# -- bulk import of people and memberships -------------------------------------------------------
#
# An import first streams its checked rows into a temporary table (`exchange.importers` owns the
# reading and the row-by-row rules above); these functions are the write path for those rows.
# They run inside the import's transaction, on PostgreSQL and SQLite alike (plain SQL with
# UPDATE … FROM), and write set-based: millions of rows cost a few statements, not a service
# call each. The staging contract:
#
#   <rows>(row_no, cccd, full_name, gender, birth_year, birth_date, phone, email,
#          province_id, commune_id, address, legacy_address,
#          org_id, org_province, kind, joined_on, capital, left_on)
#   <first>(cccd, first_row, rows_in_file)   -- the row that defines each person (its first)
#
# The two tables' names are the import's own (`MemberStage`). A NULL person field means "not
# given in the file": an update leaves the stored value.


@dataclass(frozen=True)
class MemberStage:
    """The names of an import's staged rows and of its first-row-per-person table."""

    rows: str
    first: str


PERSON_IMPORT_FIELDS = (
    "full_name",
    "gender",
    "birth_year",
    "birth_date",
    "phone",
    "email",
    "province_id",
    "commune_id",
    "address",
    "legacy_address",
)
# A person's identity and residence: written from a file only by the province they live in
# (or a national role); a membership shows a person, it does not hand over their record.
PERSON_IDENTITY_FIELDS = (
    "full_name",
    "gender",
    "birth_year",
    "birth_date",
    "province_id",
    "commune_id",
    "address",
    "legacy_address",
)
MEMBERSHIP_IMPORT_FIELDS = (
    ("kind", "kind"),
    ("joined_on", "joined_on"),
    ("capital_contributed", "capital"),
    ("left_on", "left_on"),
)


def membership_match(m: str = "m") -> str:
    """The stored membership `m` a staged row r (person p) is about: the person's active one in
    the organisation for a row without an end date; for an ended row (history), the one that
    began the same day — active (the row ends it) or ended."""
    return (
        f"{m}.person_id = p.id AND {m}.organisation_id = r.org_id AND "
        f"CASE WHEN r.left_on IS NULL THEN {m}.left_on IS NULL "
        f"ELSE {m}.joined_on = r.joined_on END"
    )


def membership_differs(m: str = "m") -> str:
    return " OR ".join(
        f"{m}.{field} IS DISTINCT FROM r.{column}" for field, column in MEMBERSHIP_IMPORT_FIELDS
    )


def _person_changes_sql(table: str = "p") -> tuple[str, str]:
    """SET list and "differs" condition for updating people from their defining rows."""

    def new_value(f: str, t: str) -> str:
        # A blank cell keeps the stored value, except the commune of a person who moves to
        # another province without one: the old commune would lie outside the new province.
        if f == "commune_id":
            return (
                f"CASE WHEN r.province_id IS NOT NULL AND r.commune_id IS NULL "
                f"AND r.province_id IS DISTINCT FROM {t}.province_id THEN NULL "
                f"ELSE COALESCE(r.commune_id, {t}.commune_id) END"
            )
        return f"COALESCE(r.{f}, {t}.{f})"

    sets = ", ".join(f"{f} = {new_value(f, 'registry_person')}" for f in PERSON_IMPORT_FIELDS)
    differs = " OR ".join(
        f"{new_value(f, table)} IS DISTINCT FROM {table}.{f}" for f in PERSON_IMPORT_FIELDS
    )
    return sets, f"({differs})"


def member_import_counts(cursor, strategy: str, stage: MemberStage) -> dict[str, dict[str, int]]:
    """What writing the staged rows would do: created / updated / unchanged per model."""
    _sets, differs = _person_changes_sql()
    cursor.execute(f"SELECT COUNT(*) FROM {stage.first}")
    people = cursor.fetchone()[0]
    # Only the people already registered need their file row read (a first load has none).
    cursor.execute(
        f"""SELECT COUNT(*), SUM(CASE WHEN {differs} THEN 1 ELSE 0 END)
            FROM {stage.first} f JOIN registry_person p ON p.cccd = f.cccd
            JOIN {stage.rows} r ON r.row_no = f.first_row"""
    )
    known, people_changed = (v or 0 for v in cursor.fetchone())
    people_new = people - known
    cursor.execute(
        f"""SELECT COUNT(*),
                   SUM(CASE WHEN m.id IS NULL THEN 1 ELSE 0 END),
                   SUM(CASE WHEN m.id IS NOT NULL AND ({membership_differs()})
                       THEN 1 ELSE 0 END)
            FROM {stage.rows} r
            LEFT JOIN registry_person p ON p.cccd = r.cccd
            LEFT JOIN registry_membership m ON {membership_match()}"""
    )
    members, members_new, members_changed = (v or 0 for v in cursor.fetchone())
    creating = strategy != "update"
    updating = strategy != "create"
    return {
        "people": {
            "created": people_new if creating else 0,
            "updated": people_changed if updating else 0,
            "unchanged": people
            - people_new
            - people_changed
            + (people_changed if not updating else 0),
        },
        "memberships": {
            "created": members_new if creating else 0,
            "updated": members_changed if updating else 0,
            "unchanged": members
            - members_new
            - members_changed
            + (members_changed if not updating else 0),
        },
    }


def _audit_updates(actor: Any, cursor, sql: str, object_type: str, fields: tuple[str, ...]) -> int:
    """One audit entry per updated record, before/after of the fields that change (streamed)."""
    from htxso.core.audit import request_id_var
    from htxso.core.models import AuditEntry

    cursor.execute(sql)
    actor_id = getattr(actor, "pk", None)
    request_id = request_id_var.get()
    written = 0
    while True:
        rows = cursor.fetchmany(2000)
        if not rows:
            return written
        entries = []
        for row in rows:
            pk, label, values = row[0], row[1], row[2:]
            old, new = values[: len(fields)], values[len(fields) :]
            before = {
                f: o for f, o, n in zip(fields, old, new, strict=True) if n is not None and o != n
            }
            after = {
                f: n for f, o, n in zip(fields, old, new, strict=True) if n is not None and o != n
            }
            if before or after:
                entries.append(
                    AuditEntry(
                        actor_id=actor_id,
                        request_id=request_id,
                        action="import_update",
                        object_type=object_type,
                        object_id=str(pk),
                        object_repr=str(label)[:255],
                        before=before,
                        after=after,
                    )
                )
        AuditEntry.objects.bulk_create(entries, batch_size=2000)
        written += len(entries)


def import_memberships(
    actor: Any, strategy: str, source: Any, stage: MemberStage
) -> dict[str, dict[str, int]]:
    """Write the staged people and memberships (see the contract above); return the counts.

    Must run inside the import's transaction: the caller rolls everything back on any error.
    `source` is the import (a model instance) the audit entry points to.
    """
    from django.db import connection
    from django.utils import timezone

    if actor is not None and not (actor.is_superuser or actor.role in PERSON_WRITERS):
        raise PermissionDenied(_("Bạn không có quyền thêm cá nhân."))
    now = timezone.now()
    with timed("import: counted"), connection.cursor() as cursor:
        counts = member_import_counts(cursor, strategy, stage)
    bulk = counts["memberships"]["created"] >= settings.IMPORT_REBUILD_ROWS
    with (
        timed("import: written" + (" (indexes rebuilt)" if bulk else "")),
        bulk_writes.indexes_rebuilt("registry_person", "registry_membership")
        if bulk
        else contextlib.nullcontext(),
    ):
        _write_memberships(actor, strategy, counts, now, stage)
    with timed("import: member counts and figures"), connection.cursor() as cursor:
        if counts["memberships"]["created"] or counts["memberships"]["updated"]:
            cursor.execute(
                f"""UPDATE registry_organisation SET members_count = (
                        SELECT COUNT(*) FROM registry_membership m
                        WHERE m.organisation_id = registry_organisation.id
                          AND m.left_on IS NULL)
                    WHERE id IN (SELECT DISTINCT org_id FROM {stage.rows})"""
            )
        cursor.execute(f"SELECT DISTINCT org_province FROM {stage.rows}")
        provinces = [row[0] for row in cursor.fetchall()]
        if any(c["created"] or c["updated"] for c in counts.values()):  # a re-import: no-op
            record(actor, "import", source, None, counts)
            stats.refresh(provinces)
    return counts


def _write_memberships(
    actor: Any, strategy: str, counts: dict, now: Any, stage: MemberStage
) -> None:
    from django.db import connection

    creating, updating = strategy != "update", strategy != "create"
    sets, differs = _person_changes_sql()
    in_place = _person_changes_sql("registry_person")[1]
    with connection.cursor() as cursor:
        if updating and counts["people"]["updated"]:
            columns = ", ".join(f"p.{f}" for f in PERSON_IMPORT_FIELDS)
            given = ", ".join(f"r.{f}" for f in PERSON_IMPORT_FIELDS)
            _audit_updates(
                actor,
                cursor,
                f"""SELECT p.id, p.full_name, {columns}, {given}
                    FROM {stage.first} f JOIN {stage.rows} r ON r.row_no = f.first_row
                    JOIN registry_person p ON p.cccd = f.cccd WHERE {differs}""",
                Person._meta.label_lower,
                PERSON_IMPORT_FIELDS,
            )
            cursor.execute(
                f"""UPDATE registry_person SET {sets}, updated_at = %s
                    FROM {stage.first} f JOIN {stage.rows} r ON r.row_no = f.first_row
                    WHERE registry_person.cccd = f.cccd AND {in_place}""",
                [now],
            )
        if creating and counts["people"]["created"]:
            cursor.execute(
                f"""INSERT INTO registry_person (cccd, {", ".join(PERSON_IMPORT_FIELDS)},
                        created_at, updated_at)
                    SELECT f.cccd, r.full_name, r.gender, r.birth_year, r.birth_date,
                           COALESCE(r.phone, ''), COALESCE(r.email, ''), r.province_id,
                           r.commune_id, COALESCE(r.address, ''), COALESCE(r.legacy_address, ''),
                           %s, %s
                    FROM {stage.first} f JOIN {stage.rows} r ON r.row_no = f.first_row
                    WHERE NOT EXISTS (SELECT 1 FROM registry_person p WHERE p.cccd = f.cccd)
                    ORDER BY f.first_row""",
                [now, now],
            )
        if updating and counts["memberships"]["updated"]:
            fields = tuple(f for f, _c in MEMBERSHIP_IMPORT_FIELDS)
            _audit_updates(
                actor,
                cursor,
                f"""SELECT m.id, p.full_name, {", ".join(f"m.{f}" for f in fields)},
                           {", ".join(f"r.{c}" for _f, c in MEMBERSHIP_IMPORT_FIELDS)}
                    FROM {stage.rows} r JOIN registry_person p ON p.cccd = r.cccd
                    JOIN registry_membership m ON {membership_match()}
                    WHERE {membership_differs()}""",
                Membership._meta.label_lower,
                fields,
            )
            cursor.execute(
                f"""UPDATE registry_membership SET kind = r.kind, joined_on = r.joined_on,
                        capital_contributed = r.capital, left_on = r.left_on, updated_at = %s
                    FROM {stage.rows} r JOIN registry_person p ON p.cccd = r.cccd
                    WHERE {membership_match("registry_membership")}
                      AND ({membership_differs("registry_membership")})""",
                [now],
            )
        if creating and counts["memberships"]["created"]:
            cursor.execute(
                f"""INSERT INTO registry_membership (organisation_id, person_id, kind, joined_on,
                        left_on, capital_contributed, province_id, created_at, updated_at)
                    SELECT r.org_id, p.id, r.kind, r.joined_on, r.left_on, r.capital,
                           r.org_province, %s, %s
                    FROM {stage.rows} r JOIN registry_person p ON p.cccd = r.cccd
                    WHERE NOT EXISTS (SELECT 1 FROM registry_membership m
                        WHERE {membership_match()})
                    ORDER BY r.row_no""",
                [now, now],
            )
