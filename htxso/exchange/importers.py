"""Reading a file into the registry: every row checked, every finding reported, all or nothing.

`run(job, commit, progress)` opens the job's file, checks each row with the registry's own
rules and, when asked to commit and nothing is wrong, writes — always inside one transaction
that is rolled back on any error, on a dry run, or when the process dies.

- Organisations go row by row through the page services (`create_organisation`,
  `update_organisation`, `change_status`): a file can hold at most a few hundred thousand, and
  the services are the rules. Each row runs in a savepoint so one bad row is reported and the
  others still checked.
- People and memberships (millions) are checked row by row in Python with the services' rule
  functions (`check_identity`, `check_membership`, `age_on`), streamed into a working table,
  checked set-wise in SQL (duplicates in the file, against the database), and written by
  `services.import_memberships` in a few statements.
"""

import datetime as dt
import re
import secrets
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, NoReturn

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.utils.translation import gettext as _

from htxso.core import addresses
from htxso.core.bulk import write_rows
from htxso.core.mst import normalise_tax_code
from htxso.core.timing import timed
from htxso.registry import identity, services, stats
from htxso.registry.choices import CLOSED_STATUSES, Status
from htxso.registry.models import Organisation

from . import setwise
from .layouts import LAYOUTS, MEMBERS, Column, Layout
from .models import ImportJob, Severity
from .sources import Table, open_table

Progress = Callable[[str, float], None]
# Members from a UTF-8 CSV on PostgreSQL go through the set-wise lane (`setwise`); tests turn
# it off to hold the two lanes equal.
SETWISE = True
ROW_LEVEL = ""  # an issue about the whole row, not one column


class Aborted(Exception):
    """The file cannot be imported at all (missing columns, unreadable)."""


@dataclass
class Finding:
    row: int
    column: str
    value: str
    message: str
    severity: str = Severity.ERROR


@dataclass
class Report:
    """What a run found. Findings beyond the cap are counted, not kept."""

    cap: int = field(default_factory=lambda: settings.IMPORT_MAX_ISSUES)
    findings: list[Finding] = field(default_factory=list)
    total: int = 0
    rows: int = 0
    error_rows: int = 0
    summary: dict[str, Any] = field(default_factory=dict)
    encoding: str = ""
    mismatched_people: list[int] = field(default_factory=list)  # registry.identity
    message: str = ""  # why the file was refused before its rows (kept on the job)
    linked_unseen: int = 0  # registered people the importer could not see, facts verified
    _last_error_row: int = -1

    def add(
        self, row: int, column: Column | str, value: Any, message: Any, severity=Severity.ERROR
    ):
        header = str(column.header) if isinstance(column, Column) else column
        self.total += 1
        if severity == Severity.ERROR and row != self._last_error_row:
            self.error_rows += 1
            self._last_error_row = row
        if len(self.findings) < self.cap:
            text = "" if value is None else str(value)
            self.findings.append(Finding(row, header, text[:400], str(message)[:600], severity))

    @property
    def has_errors(self) -> bool:
        return self.error_rows > 0


def error_messages(exc: ValidationError) -> list[tuple[str, str]]:
    """(field, message) pairs of a ValidationError ("" for messages about the whole row)."""
    if hasattr(exc, "error_dict"):
        return [
            ("" if name == "__all__" else name, message)
            for name, messages in exc.message_dict.items()
            for message in messages
        ]
    return [("", message) for message in exc.messages]


# --- reading rows --------------------------------------------------------------------------------


def code_digits(value: Any, width: int) -> str:
    """A code typed into a number cell lost its leading zeros: put them back."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return str(int(value)).zfill(width)
    return str(value).strip()


CODE_WIDTHS = {"cccd": 12, "tax_code": 10, "organisation_tax_code": 10, "phone": 10}


class RowReader:
    """Turns a file's cells into {column key: value}, reporting each cell that does not parse."""

    def __init__(self, layout: Layout, headers: list[Any], report: Report) -> None:
        self.layout, self.report = layout, report
        self.mapping, unknown = layout.match_headers(headers)
        for header in unknown:
            report.add(1, header, header, _("Cột không được nhận dạng, bỏ qua."), Severity.WARNING)
        present = {c.key for c in self.mapping.values()}
        missing = [c for c in layout.columns if c.required and c.key not in present]
        if not any(k in present for k in layout.keys):
            missing.extend(c for c in layout.columns if c.key == layout.keys[0])
        if missing:
            for column in missing:
                report.add(1, column, "", _("Thiếu cột bắt buộc “%s”.") % column.header)
            raise Aborted(_("Tệp thiếu cột bắt buộc; hãy dùng tệp mẫu."))
        self.required = [c for c in self.mapping.values() if c.required]
        self.raw: dict[str, Any] = {}  # the last row's cells as the file has them, for the report
        self.items = [
            (position, column, CODE_WIDTHS.get(column.key))
            for position, column in self.mapping.items()
        ]

    def read(self, number: int, cells: list[Any]) -> dict[str, Any] | None:
        values: dict[str, Any] = {}
        self.raw = {}
        ok = True
        for position, column, width in self.items:
            raw = cells[position] if position < len(cells) else None
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                continue
            self.raw[column.key] = raw
            if width:
                raw = code_digits(raw, width)
            try:
                values[column.key] = column.parse(raw)
            except ValidationError as exc:
                self.report.add(number, column, raw, exc.messages[0])
                ok = False
                values[column.key] = None  # reported: not "missing" as well
        for column in self.required:
            if column.key not in values or values[column.key] == "":
                self.report.add(number, column, "", _("Thiếu giá trị bắt buộc."))
                ok = False
        return values if ok else None

    def cell(self, column: Column, raw: Any) -> tuple[bool, Any]:
        """What `read` makes of one cell on its own: (acceptable, value); a blank cell is None,
        acceptable unless the column is required."""
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return not column.required, None
        width = CODE_WIDTHS.get(column.key)
        try:
            value = column.parse(code_digits(raw, width) if width else raw)
        except ValidationError:
            return False, None
        return not (column.required and value == ""), value

    def column(self, key: str) -> Column:
        return self.layout.column(key)

    def report_errors(
        self, number: int, exc: ValidationError, aliases: dict[str, str] | None = None
    ) -> None:
        """A service's ValidationError on the row: each message under its file column (the
        service's field name, or its alias), or on the whole row when no column matches."""
        keys = {c.key for c in self.layout.columns}
        for name, message in error_messages(exc):
            key = (aliases or {}).get(name, name)
            column = self.layout.column(key) if key in keys else ROW_LEVEL
            self.report.add(number, column, self.raw.get(key, ""), message)


def place_of(values: dict[str, Any]) -> addresses.Place | None:
    """The row's address in current units (converted from a legacy address when the row names
    a district); None without a province; AddressError when it cannot be placed."""
    province = values.get("province")
    if not province:
        return None
    district, commune = values.get("legacy_district", ""), values.get("commune", "")
    if district:
        return addresses.convert_legacy(province, district, commune)
    return addresses.resolve_current(province, commune)


def report_conversion(report: Report, reader: RowReader, number: int, old: str, new: str) -> None:
    report.add(
        number,
        reader.column("commune"),
        old,
        _("Địa chỉ cũ “%(old)s” → “%(new)s”.") % {"old": old, "new": new},
        Severity.CONVERSION,
    )


def _place(
    reader: RowReader, number: int, values: dict[str, Any], report: Report
) -> addresses.Place | None:
    """`place_of`, with the conversion or the error in the report."""
    try:
        place = place_of(values)
    except addresses.AddressError as exc:
        district, commune = values.get("legacy_district", ""), values.get("commune", "")
        column = reader.column("commune" if commune else "province")
        shown = ", ".join(p for p in (commune, district, values["province"]) if p)
        report.add(number, column, shown, exc)
        return addresses.Place("", None)  # reported; the caller skips the row
    if place is not None and place.legacy_text:
        report_conversion(report, reader, number, place.legacy_text, place.converted_to)
    return place


def _checked_rows(
    rows: Iterable[tuple[int, list[Any]]],
    reader: RowReader,
    report: Report,
    tick: Callable[[], None],
) -> Iterator[tuple[int, dict[str, Any], addresses.Place | None]]:
    """The rows whose cells parse and whose address places: (number, values, place)."""
    for number, cells in rows:
        report.rows += 1
        tick()
        values = reader.read(number, cells)
        if values is None:
            continue
        place = _place(reader, number, values, report)
        if place is not None and not place.province_id:
            continue
        yield number, values, place


# --- organisations ------------------------------------------------------------------------------

# The file's "province" and "commune" columns hold names, placed by `_place` into the ids.
FILE_ORGANISATION_ARGUMENTS = services.ORGANISATION_ARGUMENTS - {"province", "commune"}


def _organisation_fields(
    values: dict[str, Any], place: addresses.Place | None, existing: Organisation | None = None
) -> dict[str, Any]:
    fields = {k: v for k, v in values.items() if k in FILE_ORGANISATION_ARGUMENTS}
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
    # "Agricultural" has no column: it follows the sector and the agricultural type when a row
    # creates the organisation or changes either; otherwise it stays as stored (the page may have
    # set it), so re-importing an export changes nothing.
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

    def __init__(self, reader: RowReader, report: Report, strategy: str) -> None:
        self.reader, self.report, self.strategy = reader, report, strategy
        self.tax_rows: dict[str, int] = {}  # tax code → the first row with it
        self.organisation_rows: dict[int, int] = {}  # matched organisation → its first row
        self.name_rows: dict[tuple[str, str, str], int] = {}  # (province, kind, name) → row

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
        by_tax = Organisation.objects.filter(tax_code=tax_code).first() if tax_code else None
        if org_id is None:
            key, key_value, existing = "tax_code", tax_code, by_tax
        else:
            key, key_value = "organisation_id", org_id
            existing = Organisation.objects.filter(pk=org_id).first()
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
        candidates = Organisation.objects.filter(
            province_id=place.province_id,
            kind=values["kind"],
            name_key=Organisation.keys_for(name, "", "")[1],
        ).order_by("pk")
        column = self.reader.column("organisation_id").header
        closed: list[tuple[int, Any]] = []
        for pk, other, status in candidates.values_list("pk", "name", "status"):
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


def _import_organisations(
    job: ImportJob,
    rows: Iterable[tuple[int, list[Any]]],
    reader: RowReader,
    report: Report,
    tick: Callable[[], None],
) -> None:
    actor = job.created_by
    counts = {"created": 0, "updated": 0, "unchanged": 0, "status_changes": 0}
    matcher = OrganisationMatcher(reader, report, job.strategy)
    for number, values, place in _checked_rows(rows, reader, report, tick):
        try:
            existing = matcher.match(number, values, place)
        except Refused:
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


# --- people and memberships --------------------------------------------------------------------

STAGE_COLUMNS = (
    ("row_no", "integer"),
    ("cccd", "varchar(12)"),
    ("full_name", "varchar(120)"),
    ("gender", "varchar(8)"),
    ("birth_year", "integer"),
    ("birth_date", "date"),
    ("phone", "varchar(20)"),
    ("email", "varchar(254)"),
    ("province_id", "varchar(2)"),
    ("commune_id", "varchar(5)"),
    ("address", "varchar(255)"),
    ("legacy_address", "varchar(400)"),
    ("org_id", "bigint"),
    ("org_province", "varchar(2)"),
    ("kind", "varchar(20)"),
    ("joined_on", "date"),
    ("capital", "bigint"),
    ("left_on", "date"),
)


@dataclass(frozen=True)
class OrgInfo:
    id: int
    kind: str
    province_id: str
    established_on: dt.date


@lru_cache(maxsize=300_000)
def _tax_code(value: str) -> str:
    return normalise_tax_code(value)


class Organisations:
    """The organisations an actor may add members to, by tax code and by id (one query)."""

    def __init__(self, actor: Any) -> None:
        scope = (
            Organisation.objects.all() if actor is None else Organisation.objects.editable_by(actor)
        )
        self.by_id: dict[int, OrgInfo] = {}
        self.by_tax: dict[str, OrgInfo] = {}
        for pk, tax, kind, province, established in scope.values_list(
            "id", "tax_code", "kind", "province_id", "established_on"
        ).iterator(chunk_size=20_000):
            info = OrgInfo(pk, kind, province, established)
            self.by_id[pk] = info
            if tax:
                self.by_tax[tax] = info
        self._outside: dict[Any, bool] = {}

    def find(self, tax_code: str | None, org_id: Any) -> OrgInfo:
        info = None
        if tax_code:
            try:
                tax_code = _tax_code(tax_code)
            except ValidationError as exc:
                raise ValidationError({"organisation_tax_code": exc.messages}) from None
            info = self.by_tax.get(tax_code)
            key: Any = ("tax", tax_code)
            lookup: dict[str, Any] = {"tax_code": tax_code}
            field_name = "organisation_tax_code"
        else:
            try:
                number = int(str(org_id).strip())
            except ValueError:
                raise ValidationError({"organisation_id": _("Mã tổ chức phải là số.")}) from None
            info = self.by_id.get(number)
            key, lookup, field_name = ("id", number), {"pk": number}, "organisation_id"
        if info is not None:
            if org_id not in (None, "") and tax_code and str(info.id) != str(org_id).strip():
                raise ValidationError(
                    {"organisation_id": _("Mã tổ chức không khớp với mã số thuế.")}
                )
            return info
        if key not in self._outside:
            self._outside[key] = Organisation.objects.filter(**lookup).exists()
        if self._outside[key]:
            raise ValidationError({field_name: _("Bạn không có quyền thay đổi tổ chức này.")})
        raise ValidationError({field_name: _("Không tìm thấy tổ chức trong cơ sở dữ liệu.")})


class Stage:
    """The table the checked rows are streamed into, named for this import.

    On PostgreSQL it is an unlogged table, not a temporary one: PostgreSQL scans those with
    parallel workers (the duplicate checks and the writes read it whole). It is created inside
    the import's transaction, so a rollback or a killed process takes it away with the rest."""

    def __init__(self) -> None:
        suffix = secrets.token_hex(4)
        self.names = services.MemberStage(f"member_stage_{suffix}", f"member_first_{suffix}")
        columns = ", ".join(f"{name} {sql_type}" for name, sql_type in STAGE_COLUMNS)
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE {working_table()} {self.names.rows} ({columns})")
        self.batch: list[tuple] = []
        self.count = 0

    def add(self, row: tuple) -> None:
        self.batch.append(row)
        if len(self.batch) >= 20_000:
            self.flush()

    def flush(self) -> None:
        if self.batch:
            self.count += write_rows(self.names.rows, [c for c, _t in STAGE_COLUMNS], self.batch)
            self.batch = []

    def drop(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.names.first}")
            cursor.execute(f"DROP TABLE IF EXISTS {self.names.rows}")


def working_table() -> str:
    """How an import's working tables are created (see `Stage`)."""
    return "UNLOGGED TABLE" if connection.vendor == "postgresql" else "TEMPORARY TABLE"


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _member_row(
    number: int, values: dict[str, Any], place: addresses.Place | None, orgs: Organisations
) -> tuple:
    """Check one member row with the services' rules; the staged tuple or ValidationError."""
    org = orgs.find(values.get("organisation_tax_code"), values.get("organisation_id"))
    birth_date = values.get("birth_date")
    cccd, gender, birth_year = services.check_identity(
        values["cccd"], values.get("gender"), birth_date.year if birth_date else None
    )
    full_name = values["full_name"]
    if len(full_name) > 120:
        raise ValidationError({"full_name": _("Dài quá %(limit)s ký tự.") % {"limit": 120}})
    email = values.get("email")
    if email and not _EMAIL.match(email):
        try:
            validate_email(email)
        except ValidationError as exc:
            raise ValidationError({"email": exc.messages}) from None
    phone = values.get("phone")
    if phone and len(phone) > 20:
        raise ValidationError({"phone": _("Dài quá %(limit)s ký tự.") % {"limit": 20}})
    joined_on, kind = values["joined_on"], values["member_kind"]
    capital = values.get("capital_contributed") or 0
    left_on = values.get("left_on")
    services.check_membership(
        org.kind,
        org.established_on,
        kind,
        joined_on,
        capital,
        member_age=services.age_on(birth_date, birth_year, joined_on),
        left_on=left_on,
    )
    street = values.get("street")
    legacy = None
    if place is not None and place.legacy_text:
        legacy = ", ".join(p for p in (street, place.legacy_text) if p)
    return (
        number,
        cccd,
        full_name,
        gender,
        birth_year,
        birth_date,
        phone,
        email,
        place.province_id if place else None,
        place.commune_id if place else None,
        street,
        legacy,
        org.id,
        org.province_id,
        kind,
        joined_on,
        capital,
        left_on,
    )


# Service field names that differ from the member file's column keys.
MEMBER_FIELD_ALIASES = {"birth_year": "birth_date", "person": "birth_date", "kind": "member_kind"}


def _import_members(
    job: ImportJob,
    table: Table,
    reader: RowReader,
    report: Report,
    tick: Callable[[], None],
    commit: bool,
    progress: Progress,
) -> None:
    orgs = Organisations(job.created_by)
    stage = Stage()
    rows: Iterable[tuple[int, list[Any]]] = table.rows
    lane = None
    if SETWISE and setwise.available(table, {c.key for c in reader.mapping.values()}):
        lane = setwise.Lane(reader, orgs, report, stage.names.rows)
        others = lane.run(table, progress)
        if others is not None:
            rows = others
    for number, values, place in _checked_rows(rows, reader, report, tick):
        try:
            stage.add(_member_row(number, values, place, orgs))
        except ValidationError as exc:
            reader.report_errors(number, exc, MEMBER_FIELD_ALIASES)
    stage.flush()
    if lane is not None:
        lane.drop()
    with timed("import: duplicates checked"):
        _check_staged(job, reader, report, stage.names)
    with timed("import: identities checked"):
        _check_identities(job.created_by, reader, report, stage.names.rows)
    if report.has_errors:
        stage.drop()
        return
    if commit:
        report.summary.update(
            services.import_memberships(job.created_by, job.strategy, job, stage.names)
        )
    else:
        with connection.cursor() as cursor:
            report.summary.update(services.member_import_counts(cursor, job.strategy, stage.names))
    # People the importer could not see before are new to them: counted as such, the summary
    # does not tell a registered CCCD from a new one (the audit entry keeps the true counts).
    people = report.summary.get("people")
    if people and report.linked_unseen:
        people["created"] += report.linked_unseen
        people["unchanged"] -= report.linked_unseen
    stage.drop()


def _split(message: str) -> tuple[str, str]:
    before, _sep, after = message.partition("%s")
    return before, after


def _began(table: str) -> str:
    """What tells two memberships of a person in an organisation apart in a file: none for the
    active one, the day it began for one that has ended."""
    return f"CASE WHEN {table}left_on IS NULL THEN NULL ELSE {table}joined_on END"


def _check_staged(
    job: ImportJob, reader: RowReader, report: Report, names: services.MemberStage
) -> None:
    """Set-wise checks of the staged rows: duplicates in the file and against the database."""
    stage, first = names.rows, names.first
    checks: list[tuple[str, str, str]] = []  # (column key, message with %s = other row, SQL)
    checks.append(
        (
            "full_name",
            _("Cùng số CCCD với dòng %s nhưng khác họ tên hoặc ngày sinh."),
            f"""SELECT r.row_no, r.full_name, f.first_row FROM {first} f
                JOIN {stage} r ON r.cccd = f.cccd JOIN {stage} r0 ON r0.row_no = f.first_row
                WHERE f.rows_in_file > 1 AND r.row_no <> f.first_row
                  AND (r.full_name <> r0.full_name
                       OR r.birth_date IS DISTINCT FROM r0.birth_date)""",
        )
    )
    checks.append(
        (
            "cccd",
            _("Trùng với dòng %s: cùng người, cùng tổ chức."),
            # Twice the active membership, or twice the one that began on a day (history).
            # Only a CCCD on several rows can repeat a membership: most people have one.
            f"""SELECT row_no, cccd, first_row FROM (
                    SELECT s.row_no, s.cccd, MIN(s.row_no) OVER (
                        PARTITION BY s.cccd, s.org_id, {_began("s.")}) AS first_row
                    FROM {stage} s JOIN {first} f ON f.cccd = s.cccd AND f.rows_in_file > 1) d
                WHERE row_no <> first_row""",
        )
    )
    if job.strategy == "create":
        checks.append(
            (
                "cccd",
                _("Người này đã là thành viên của tổ chức (có trong cơ sở dữ liệu)%s."),
                f"""SELECT r.row_no, r.cccd, '' FROM {stage} r
                    JOIN registry_person p ON p.cccd = r.cccd
                    JOIN registry_membership m ON {services.membership_match()}""",
            )
        )
    if job.strategy == "update":
        checks.append(
            (
                "cccd",
                _("Không có tư cách thành viên này trong cơ sở dữ liệu để cập nhật%s."),
                f"""SELECT r.row_no, r.cccd, '' FROM {stage} r
                    WHERE NOT EXISTS (SELECT 1 FROM registry_person p
                        JOIN registry_membership m ON {services.membership_match()}
                        WHERE p.cccd = r.cccd)""",
            )
        )
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if postgres:  # hash joins over both tables; SQLite looks rows up by index
            cursor.execute(f"ANALYZE {stage}")
        else:
            cursor.execute(f"CREATE INDEX {stage}_cccd ON {stage} (cccd, org_id, row_no)")
        cursor.execute(
            f"CREATE {working_table()} {first} AS SELECT cccd, MIN(row_no) AS first_row, "
            f"COUNT(*) AS rows_in_file FROM {stage} GROUP BY cccd"
        )
        cursor.execute(f"CREATE INDEX {first}_row ON {first} (first_row)")
        if postgres:
            cursor.execute(f"ANALYZE {first}")
        found: list[tuple[int, str, str, str]] = []
        for key, message, sql in checks:
            cursor.execute(sql + " ORDER BY 1")
            before, after = _split(message)
            while True:
                batch = cursor.fetchmany(5000)
                if not batch:
                    break
                found.extend(
                    (row, key, value, f"{before}{other}{after}") for row, value, other in batch
                )
                if len(found) > 2 * report.cap:
                    break
    for row, key, value, message in sorted(found):  # by row: add() counts each row once
        report.add(row, reader.column(key), value, message)


def _check_identities(actor: Any, reader: RowReader, report: Report, stage: str) -> None:
    """People already registered (registry.identity): one the importer cannot see links only
    with the name and birth date on the card and is never rewritten (all personal cells set to
    NULL, "not given"); one who lives outside the importer's province keeps their identity and
    residence (those cells NULL). Mismatches count against the importer's day: a user with none
    left, or a file with more than are left, is refused whole without a word about its rows."""
    left = identity.budget_left(actor)
    if left is not None and left <= 0:
        report.add(1, ROW_LEVEL, "", identity.too_many())
        return
    scope = identity.outside_scope_sql(actor)
    if scope is None:
        return
    where, params = scope
    mismatched: list[tuple[int, str, int]] = []  # (row, name as given, person id)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT r.row_no, r.full_name, r.birth_date, p.id, p.full_name, p.birth_date
                FROM {stage} r JOIN registry_person p ON p.cccd = r.cccd
                WHERE {where} ORDER BY r.row_no""",
            params,
        )
        linked: set[int] = set()
        while batch := cursor.fetchmany(5000):
            for row, name, born, pk, registered, registered_born in batch:
                if identity.same_facts(registered, _as_date(registered_born), name, _as_date(born)):
                    linked.add(pk)
                else:
                    mismatched.append((row, name, pk))
        report.mismatched_people = [pk for _row, _name, pk in mismatched]
        report.linked_unseen = len(linked)
        if left is not None and len(mismatched) > left:
            report.add(
                1,
                ROW_LEVEL,
                "",
                _(
                    "Tệp có nhiều dòng không xác minh được cá nhân (số CCCD, họ và tên, ngày "
                    "sinh) hơn số lần còn lại trong ngày: tệp bị từ chối."
                ),
            )
        else:
            for row, name, _pk in mismatched:
                report.add(row, reader.column("full_name"), name, identity.mismatch_message())
        cleared = ", ".join(f"{f} = NULL" for f in services.PERSON_IMPORT_FIELDS)
        cursor.execute(
            f"""UPDATE {stage} SET {cleared} WHERE cccd IN (
                    SELECT p.cccd FROM registry_person p WHERE {where})""",
            params,
        )
        residence = identity.outside_residence_sql(actor)
        if residence is not None:
            kept = ", ".join(f"{f} = NULL" for f in services.PERSON_IDENTITY_FIELDS)
            cursor.execute(
                # Rows of people the importer could not see are already all NULL (and not to be
                # counted here: the warning would tell a registered CCCD from a new one).
                f"""UPDATE {stage} SET {kept} WHERE full_name IS NOT NULL AND cccd IN (
                        SELECT p.cccd FROM registry_person p WHERE {residence[0]})""",
                residence[1],
            )
            if cursor.rowcount:
                report.add(
                    1,
                    ROW_LEVEL,
                    "",
                    _(
                        "%(count)s dòng là người đã đăng ký ở nơi khác: họ tên, ngày sinh, giới "
                        "tính và nơi ở giữ như đã đăng ký (chỉ tỉnh nơi họ cư trú được sửa); tư "
                        "cách thành viên, điện thoại và thư điện tử được cập nhật."
                    )
                    % {"count": cursor.rowcount},
                    Severity.WARNING,
                )


def _as_date(value: Any) -> dt.date | None:
    """A date read back from the working table (SQLite returns text)."""
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _silent(phase: str, fraction: float) -> None:
    pass


# --- the run ------------------------------------------------------------------------------------


def run(
    job: ImportJob,
    commit: bool,
    progress: Progress | None = None,
    on_success: Callable[[Report], None] | None = None,
) -> Report:
    """Check (and when `commit`, write) the job's file. Nothing is written unless the whole
    file is clean and `commit` is set. `on_success` runs inside the transaction just before a
    successful commit (the job's status lands with its rows)."""
    report = Report()
    layout = LAYOUTS[job.kind]
    table = open_table(job.file.path, job.filename)
    report.encoding = table.encoding
    counter = [0]

    def tick() -> None:
        counter[0] += 1
        if progress is not None and counter[0] % 2000 == 0:
            progress("read", table.position())

    try:
        reader = RowReader(layout, table.headers, report)
    except Aborted as exc:
        report.message = str(exc)
        close = getattr(table.rows, "close", None)
        if close is not None:
            close()
        return report
    with transaction.atomic(), stats.deferred() as touched_provinces:
        if job.kind == MEMBERS:
            _import_members(job, table, reader, report, tick, commit, progress or _silent)
        else:
            _import_organisations(job, table.rows, reader, report, tick)
        if report.rows == 0:
            report.add(1, ROW_LEVEL, "", _("Tệp không có dòng dữ liệu nào."))
        if progress is not None:
            progress("write" if commit else "check", 1.0)
        if not commit or report.has_errors:
            # Nothing lands, so there is nothing to re-aggregate; and a marked transaction
            # runs no more queries (the deferred refresh would raise on the way out).
            touched_provinces.clear()
            transaction.set_rollback(True)
        elif on_success is not None:
            on_success(report)
    if report.mismatched_people:  # on record even when the run rolled back
        identity.audit_mismatches(job.created_by, report.mismatched_people, job)
    return report
