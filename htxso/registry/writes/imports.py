"""The write path of a bulk import of people and memberships (set-wise SQL)."""

import contextlib
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.backends.utils import CursorWrapper
from django.utils import timezone
from django.utils.translation import gettext as _

from htxso.core import bulk as bulk_writes
from htxso.core.audit import Change, record, record_many
from htxso.core.timing import timed

from .. import aggregates
from ..models import Membership, Person
from .common import may_write_people
from .member_counts import count_members

# -- bulk import of people and memberships -------------------------------------------------------
#
# An import first streams its checked rows into a temporary table (`exchange.importers` owns the
# reading; the row-by-row rules are `rules.py`); these functions are the write path for those rows.
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


def member_import_counts(
    cursor: CursorWrapper, strategy: str, stage: MemberStage
) -> dict[str, dict[str, int]]:
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


def _audit_updates(
    actor: Any, cursor: CursorWrapper, sql: str, object_type: str, fields: tuple[str, ...]
) -> int:
    """One audit entry per updated record, before/after of the fields that change (streamed)."""
    cursor.execute(sql)

    def changes() -> Iterator[Change]:
        while rows := cursor.fetchmany(2000):
            for row in rows:
                pk, label, values = row[0], row[1], row[2:]
                pairs = [
                    (f, o, n)
                    for f, o, n in zip(
                        fields, values[: len(fields)], values[len(fields) :], strict=True
                    )
                    if n is not None and o != n
                ]
                yield pk, label, {f: o for f, o, _n in pairs}, {f: n for f, _o, n in pairs}

    return record_many(actor, "import_update", object_type, changes())


def import_memberships(
    actor: Any, strategy: str, source: Any, stage: MemberStage
) -> dict[str, dict[str, int]]:
    """Write the staged people and memberships (see the contract above); return the counts.

    Must run inside the import's transaction: the caller rolls everything back on any error.
    `source` is the import (a model instance) the audit entry points to.
    """
    if not may_write_people(actor):
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
        _write_memberships(actor, strategy, counts, now, stage, bulk)
    with timed("import: member counts and figures"), connection.cursor() as cursor:
        if counts["memberships"]["created"] or counts["memberships"]["updated"]:
            count_members(cursor, stage.rows, bulk)
        cursor.execute(f"SELECT DISTINCT org_province FROM {stage.rows}")
        provinces = [row[0] for row in cursor.fetchall()]
        if any(c["created"] or c["updated"] for c in counts.values()):  # a re-import: no-op
            record(actor, "import", source, None, counts)
            aggregates.refresh(provinces)
    return counts


def _write_memberships(
    actor: Any,
    strategy: str,
    counts: dict[str, dict[str, int]],
    now: dt.datetime,
    stage: MemberStage,
    bulk: bool,
) -> None:
    creating, updating = strategy != "update", strategy != "create"
    if _all_new(counts) and bulk and connection.vendor == "postgresql":
        _write_all_new(now, stage)
        return
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


def _all_new(counts: dict[str, dict[str, int]]) -> bool:
    """Every person and membership of the file is new (a first load: nothing to match)."""
    return all(c["updated"] == 0 and c["unchanged"] == 0 for c in counts.values()) and all(
        c["created"] for c in counts.values()
    )


def _reserve_ids(cursor: CursorWrapper, table: str, span: int) -> int:
    """The first of `span` consecutive ids of `table` taken from its sequence (the table must be
    locked against other writers: their nextval() would otherwise land in the range)."""
    cursor.execute(f"SELECT pg_get_serial_sequence('{table}', 'id')")
    sequence = cursor.fetchone()[0]
    cursor.execute("SELECT nextval(%s)", [sequence])
    first = cursor.fetchone()[0]
    cursor.execute("SELECT setval(%s, %s)", [sequence, first + span - 1])
    return int(first)


def _write_all_new(now: dt.datetime, stage: MemberStage) -> None:
    """A first load (every person and membership new, indexes being rebuilt, PostgreSQL): ids
    are given, not drawn row by row, so nothing is sorted and nothing joined back on the CCCD.

    A row's person is the file's first row with its CCCD; the ids follow the file's rows (a
    person's id is the sequence's base + their first row, a membership's its own row), so both
    stay in file order, with a gap where a row repeats an earlier person or was blank. Only the
    CCCDs on several rows (a few per cent) are joined to learn their first row."""
    with connection.cursor() as cursor:
        cursor.execute("LOCK TABLE registry_person, registry_membership IN EXCLUSIVE MODE")
        cursor.execute(f"SELECT MIN(row_no), MAX(row_no) FROM {stage.rows}")
        low, high = cursor.fetchone()
        span = high - low + 1
        person = _reserve_ids(cursor, "registry_person", span) - low
        membership = _reserve_ids(cursor, "registry_membership", span) - low
        several = (
            f"{stage.rows} r LEFT JOIN {stage.first} f ON f.cccd = r.cccd AND f.rows_in_file > 1"
        )
        cursor.execute(
            f"""INSERT INTO registry_person (id, cccd, {", ".join(PERSON_IMPORT_FIELDS)},
                    created_at, updated_at)
                SELECT %s + r.row_no, r.cccd, r.full_name, r.gender, r.birth_year, r.birth_date,
                       COALESCE(r.phone, ''), COALESCE(r.email, ''), r.province_id,
                       r.commune_id, COALESCE(r.address, ''), COALESCE(r.legacy_address, ''),
                       %s, %s
                FROM {several} WHERE f.first_row IS NULL OR f.first_row = r.row_no""",
            [person, now, now],
        )
        cursor.execute(
            f"""INSERT INTO registry_membership (id, organisation_id, person_id, kind, joined_on,
                    left_on, capital_contributed, province_id, created_at, updated_at)
                SELECT %s + r.row_no, r.org_id, %s + COALESCE(f.first_row, r.row_no), r.kind,
                       r.joined_on, r.left_on, r.capital, r.org_province, %s, %s
                FROM {several}""",
            [membership, person, now, now],
        )
