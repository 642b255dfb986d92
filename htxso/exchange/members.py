"""People and memberships from a file (millions): each row checked in Python with the
services' rule functions (`check_identity`, `check_membership`, `age_on`) — or set-wise on
PostgreSQL (`setwise`) — streamed into a working table (`staging.Stage`), checked set-wise in SQL
(duplicates in the file, against the database, identities: `identities`), and written by
`services.import_memberships` in a few statements."""

import re
from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection
from django.utils.translation import gettext as _

from htxso.core import addresses
from htxso.core.timing import timed
from htxso.registry import services
from htxso.tabular.sources import Table

from . import setwise
from .identities import check_identities
from .models import ImportJob
from .rows import ImportFindings, Progress, RowReader, checked_rows
from .staging import Organisations, Stage, working_table

# Members from a UTF-8 CSV on PostgreSQL go through the set-wise lane (`setwise`); tests turn
# it off to hold the two lanes equal.
SETWISE = True

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def member_row(
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


def import_members(
    job: ImportJob,
    table: Table,
    reader: RowReader,
    report: ImportFindings,
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
    for number, values, place in checked_rows(rows, reader, report, tick):
        try:
            stage.add(member_row(number, values, place, orgs))
        except ValidationError as exc:
            reader.report_errors(number, exc, MEMBER_FIELD_ALIASES)
    stage.flush()
    if lane is not None:
        lane.drop()
    with timed("import: duplicates checked"):
        check_staged(job, reader, report, stage.names)
    with timed("import: identities checked"):
        check_identities(job.created_by, reader, report, stage.names.rows)
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


def check_staged(
    job: ImportJob, reader: RowReader, report: ImportFindings, names: services.MemberStage
) -> None:
    """Set-wise checks of the staged rows: duplicates in the file and against the database."""
    stage, first = names.rows, names.first
    # Only a CCCD on several rows (a few per cent of them) can differ from its first row or
    # repeat a membership: those rows are taken out once, and both checks read them alone.
    several = f"{first}_several"
    checks: list[tuple[str, str, str]] = []  # (column key, message with %s = other row, SQL)
    checks.append(
        (
            "full_name",
            _("Cùng số CCCD với dòng %s nhưng khác họ tên hoặc ngày sinh."),
            f"""SELECT r.row_no, r.full_name, r.first_row FROM {several} r
                JOIN {several} r0 ON r0.row_no = r.first_row
                WHERE r.row_no <> r.first_row
                  AND (r.full_name <> r0.full_name
                       OR r.birth_date IS DISTINCT FROM r0.birth_date)""",
        )
    )
    checks.append(
        (
            "cccd",
            _("Trùng với dòng %s: cùng người, cùng tổ chức."),
            # Twice the active membership, or twice the one that began on a day (history).
            f"""SELECT row_no, cccd, first_row FROM (
                    SELECT s.row_no, s.cccd, MIN(s.row_no) OVER (
                        PARTITION BY s.cccd, s.org_id, {_began("s.")}) AS first_row
                    FROM {several} s) d
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
        if postgres:  # hash joins: an index on first_row (7.5 M rows at 8 M) would go unused
            cursor.execute(f"ANALYZE {first}")
        else:
            cursor.execute(f"CREATE INDEX {first}_row ON {first} (first_row)")
        cursor.execute(
            f"""CREATE {working_table()} {several} AS
                SELECT s.row_no, s.cccd, s.full_name, s.birth_date, s.org_id, s.joined_on,
                       s.left_on, f.first_row
                FROM {stage} s JOIN {first} f ON f.cccd = s.cccd AND f.rows_in_file > 1"""
        )
        if postgres:
            cursor.execute(f"ANALYZE {several}")
        else:
            cursor.execute(f"CREATE INDEX {several}_row ON {several} (row_no)")
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
        cursor.execute(f"DROP TABLE {several}")
    for row, key, value, message in sorted(found):  # by row: add() counts each row once
        report.add(row, reader.column(key), value, message)
