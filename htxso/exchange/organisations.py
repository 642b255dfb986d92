"""Organisations from a file, row by row through the page services (`create_organisation`,
`update_organisation`, `change_status`): a file holds at most a few hundred thousand, and the
services are the rules. Each row runs in a savepoint, so one bad row is reported and the others
still checked. `OrganisationMatcher` decides which organisation a row is about."""

import unicodedata
from collections.abc import Callable, Iterable
from typing import Any, NoReturn

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from htxso.core import addresses
from htxso.core.mst import normalise_tax_code
from htxso.registry import services
from htxso.registry.choices import CLOSED_STATUSES, Status
from htxso.registry.models import Organisation
from htxso.tabular.findings import ROW_LEVEL, Severity

from .models import ImportJob
from .rows import ImportFindings, RowReader, checked_rows

# The service fields a file row may set: its "province" and "commune" columns hold names, placed
# by `rows.place_row` into the ids.
FILE_FIELDS = services.ORGANISATION_ARGUMENTS - {"province", "commune"}


def _organisation_fields(
    values: dict[str, Any], place: addresses.Place | None, existing: Organisation | None = None
) -> dict[str, Any]:
    fields = {k: v for k, v in values.items() if k in FILE_FIELDS}
    if place is not None:
        fields["province_id"] = place.province_id
        # A blank commune means "no change", like any blank optional cell — except on a row that
        # moves the organisation to another province: its old commune lies outside the new one.
        commune_given = bool(values.get("commune") or values.get("legacy_district"))
        if existing is None or commune_given or place.province_id != existing.province_id:
            fields["commune_id"] = place.commune_id
        if place.legacy_text:
            fields["legacy_address"] = ", ".join(
                p for p in (values.get("street"), place.legacy_text) if p
            )
    # A "Lĩnh vực" column (nông nghiệp / phi nông nghiệp) says the flag itself. Without it, the
    # flag follows the sector and the agricultural type when a row creates the organisation or
    # changes either; otherwise it stays as stored (the page may have set it), so re-importing
    # an export changes nothing.
    if values.get("farming") is not None:
        if existing is None or existing.is_agricultural != values["farming"]:
            fields["is_agricultural"] = values["farming"]
        return fields
    sector = values.get("sector") or (existing.sector if existing else None)
    farming = values.get("agricultural_type") or (existing.agricultural_type if existing else "")
    if sector and (
        existing is None or (sector, farming) != (existing.sector, existing.agricultural_type)
    ):
        fields["is_agricultural"] = services.is_agricultural(sector, farming)
    return fields


def same_name(name: str) -> str:
    """How names are compared for a row without a code: case and spacing ignored, diacritics
    kept ("Tổ hợp tác Lúa" and "Tổ hợp tác Lựa" are two names)."""
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


class Refused(Exception):
    """The row has been reported and is skipped."""


class OrganisationMatcher:
    """Which organisation each row of a file is about: the one with the row's HTX Số id, else
    the one with its tax code (an id and a tax code that disagree are refused), else none (a new
    organisation). A row with neither code whose kind and name are those of an organisation of
    the same province — in the database or on an earlier row — is an error, never a merge and
    never a second copy: a cooperative group has no tax code, so its id is what tells a
    re-import from a new group."""

    def __init__(self, reader: RowReader, report: ImportFindings, strategy: str) -> None:
        self.reader, self.report, self.strategy = reader, report, strategy
        self.tax_rows: dict[str, int] = {}  # tax code → the first row with it
        self.organisation_rows: dict[int, int] = {}  # matched organisation → its first row
        self.name_rows: dict[tuple[str, str, str], int] = {}  # (province, kind, name) → row

    # The registry's organisations, one query each here; `organisations_bulk` answers from
    # what it fetched for a whole batch of rows.
    def by_tax(self, tax_code: str) -> Organisation | None:
        return Organisation.objects.filter(tax_code=tax_code).first()

    def by_pk(self, org_id: Any) -> Organisation | None:
        return Organisation.objects.filter(pk=org_id).first()

    def same_names(self, province_id: str, kind: str, name: str) -> list[tuple[int, str, str]]:
        """(pk, name, status) of the province's organisations of that kind and name key."""
        return list(
            Organisation.objects.filter(
                province_id=province_id, kind=kind, name_key=Organisation.keys_for(name, "", "")[1]
            )
            .order_by("pk")
            .values_list("pk", "name", "status")
        )

    def _refuse(self, number: int, key: str, value: Any, message: str) -> NoReturn:
        self.report.add(number, self.reader.column(key), value, message)
        raise Refused

    def match(
        self, number: int, values: dict[str, Any], place: addresses.Place | None
    ) -> Organisation | None:
        """The organisation the row updates (None: it creates one); Refused once reported."""
        name_key = (
            place.province_id if place else "",
            values.get("kind") or "",
            same_name(values.get("name") or ""),
        )
        try:
            return self._match(number, values, place, name_key)
        finally:
            self.name_rows.setdefault(name_key, number)

    def _match(
        self,
        number: int,
        values: dict[str, Any],
        place: addresses.Place | None,
        name_key: tuple[str, str, str],
    ) -> Organisation | None:
        tax_code = self._tax_code(number, values)
        org_id = values.get("organisation_id")
        by_tax = self.by_tax(tax_code) if tax_code else None
        if org_id is None:
            key, key_value, existing = "tax_code", tax_code, by_tax
        else:
            key, key_value = "organisation_id", org_id
            existing = self.by_pk(org_id)
            if existing is None:
                self._refuse(number, key, org_id, _("Không có tổ chức mang mã này trên HTX Số."))
            # The tax code may be the organisation's, or its first one (no other has it).
            if tax_code and (
                (by_tax is not None and by_tax.pk != existing.pk)
                or (existing.tax_code and existing.tax_code != tax_code)
            ):
                self._refuse(number, key, org_id, _("Mã tổ chức không khớp với mã số thuế."))
        if existing is not None:
            if existing.pk in self.organisation_rows:
                self._refuse(
                    number,
                    key,
                    key_value,
                    _("Cùng tổ chức với dòng %s của tệp.") % self.organisation_rows[existing.pk],
                )
            self.organisation_rows[existing.pk] = number
            if self.strategy == "create":
                message = (
                    _("Mã tổ chức này đã có trong cơ sở dữ liệu (%s); chọn cách ghi có cập nhật.")
                    if org_id is not None
                    else _("Mã số thuế đã có trong cơ sở dữ liệu (%s); chọn cách ghi có cập nhật.")
                )
                self._refuse(number, key, key_value, message % existing.name)
            return existing
        if self.strategy == "update":
            self._refuse(
                number,
                "tax_code",
                tax_code or "",
                _("Không tìm thấy tổ chức có mã số thuế này để cập nhật.")
                if tax_code
                else _(
                    "Không tìm thấy tổ chức để cập nhật: dòng không có mã tổ chức trên HTX Số "
                    "hay mã số thuế."
                ),
            )
        if not tax_code and place is not None:
            self._check_new_name(number, values, place, name_key)
        return None

    def _tax_code(self, number: int, values: dict[str, Any]) -> str | None:
        if not values.get("tax_code"):
            return None
        try:
            tax_code = normalise_tax_code(values["tax_code"])
        except ValidationError as exc:
            self._refuse(number, "tax_code", values["tax_code"], exc.messages[0])
        values["tax_code"] = tax_code
        if tax_code in self.tax_rows:
            self._refuse(
                number,
                "tax_code",
                tax_code,
                _("Trùng mã số thuế với dòng %s của tệp.") % self.tax_rows[tax_code],
            )
        self.tax_rows[tax_code] = number
        return tax_code

    def _check_new_name(
        self,
        number: int,
        values: dict[str, Any],
        place: addresses.Place,
        name_key: tuple[str, str, str],
    ) -> None:
        """A new organisation without a tax code: not one the province already has."""
        name = values["name"]
        if name_key in self.name_rows:
            self._refuse(
                number,
                "name",
                name,
                _("Trùng tên và loại hình với dòng %s của tệp (cùng tỉnh/thành phố).")
                % self.name_rows[name_key],
            )
        candidates = self.same_names(place.province_id, values["kind"], name)
        column = self.reader.column("organisation_id").header
        closed: list[tuple[int, Any]] = []
        for pk, other, status in candidates:
            if same_name(other) != name_key[2]:
                continue
            if status in CLOSED_STATUSES:  # a name may be taken again once its holder closed
                closed.append((pk, Status(status).label))
                continue
            self._refuse(
                number,
                "name",
                name,
                _(
                    "Đã có tổ chức cùng tên và loại hình ở tỉnh/thành phố này (mã tổ chức "
                    "trên HTX Số: %(id)s); ghi mã này vào cột “%(column)s” để cập nhật tổ "
                    "chức đó."
                )
                % {"id": pk, "column": column},
            )
        for pk, label in closed:
            self.report.add(
                number,
                self.reader.column("name"),
                name,
                _(
                    "Tỉnh/thành phố này có một tổ chức cùng tên và loại hình nhưng ở trạng thái "
                    "“%(status)s” (mã tổ chức trên HTX Số: %(id)s); dòng này được thêm như một "
                    "tổ chức mới. Nếu là tổ chức đó, ghi mã này vào cột “%(column)s”."
                )
                % {"status": label, "id": pk, "column": column},
                Severity.WARNING,
            )


def import_organisations(
    job: ImportJob,
    rows: Iterable[tuple[int, list[Any]]],
    reader: RowReader,
    report: ImportFindings,
    tick: Callable[[], None],
) -> None:
    actor = job.created_by
    counts = {"created": 0, "updated": 0, "unchanged": 0, "status_changes": 0}
    matcher = OrganisationMatcher(reader, report, job.strategy)
    for number, values, place in checked_rows(rows, reader, report, tick):
        try:
            existing = matcher.match(number, values, place)
        except Refused:
            continue
        if not _members_fit(reader, number, values, existing):
            continue
        try:
            with transaction.atomic():
                outcome = _write_organisation(actor, existing, values, place)
        except ValidationError as exc:
            reader.report_errors(number, exc)
            continue
        except PermissionDenied as exc:
            report.add(number, ROW_LEVEL, "", exc)
            continue
        for name in outcome:
            counts[name] += 1
    report.summary["organisations"] = counts


def _members_fit(
    reader: RowReader, number: int, values: dict[str, Any], existing: Organisation | None
) -> bool:
    """The row's declared member count against the kind's minimum (an HTX below it is an error,
    a union or group a warning: `services.member_count_problem`) and against the memberships
    HTX Số holds (a difference is a warning). A count equal to the one HTX Số holds (an export
    read back) brings nothing new and is not checked again. False when the row is refused."""
    declared = values.get("members_declared")
    kind = values.get("kind") or (existing.kind if existing else "")
    if declared is None or not kind:
        return True
    if existing is not None and existing.members_count == declared:
        return True  # the file agrees with HTX Số (an export read back): nothing new to check
    column = reader.column("members_declared")
    problem = services.member_count_problem(kind, declared)
    if problem is not None:
        error, message = problem
        severity = Severity.ERROR if error else Severity.WARNING
        reader.report.add(number, column, declared, message, severity)
        if error:
            return False
    if existing is not None:
        reader.report.add(
            number,
            column,
            declared,
            _(
                "Tệp ghi %(declared)s thành viên; HTX Số đang có %(held)s tư cách thành viên "
                "của tổ chức này. Hãy đối chiếu danh sách thành viên."
            )
            % {"declared": declared, "held": existing.members_count},
            Severity.WARNING,
        )
    return True


def _write_organisation(
    actor: Any, existing: Organisation | None, values: dict[str, Any], place: addresses.Place | None
) -> list[str]:
    fields = _organisation_fields(values, place, existing)
    status, since = values.get("status"), values.get("status_since")
    if existing is None:
        missing = [k for k in ("kind", "name", "sector", "established_on") if k not in fields]
        if place is None:
            missing.append("province")
        if missing:
            raise ValidationError({k: _("Thiếu giá trị bắt buộc.") for k in missing})
        organisation = services.create_organisation(actor, **fields)
        outcome = ["created"]
    else:
        organisation = existing
        changes = {k: v for k, v in fields.items() if getattr(existing, k) != v}
        if changes:
            organisation = services.update_organisation(
                actor, existing.pk, existing.version, **changes
            )
            outcome = ["updated"]
        else:
            outcome = ["unchanged"]
    if status and status != organisation.status:
        if since is None:  # never invented (e.g. as the founding date): the file must say
            raise ValidationError({"status_since": _("Thiếu ngày của tình trạng mới.")})
        services.change_status(actor, organisation.pk, status, since)
        outcome = [o for o in outcome if o != "unchanged"] or ["updated"]
        outcome.append("status_changes")
    elif status is None and existing is None and since is not None:
        raise ValidationError({"status": _("Ghi ngày tình trạng nhưng thiếu tình trạng.")})
    return outcome
