"""People already registered, in a member import (`registry.writes.identity`, set-wise): linking a
person never widens what the importer sees."""

import datetime as dt
from typing import Any

from django.db import connection
from django.utils.translation import gettext as _

from htxso.registry import services
from htxso.registry.services import identity
from htxso.tabular.findings import ROW_LEVEL, Severity

from .rows import ImportFindings, RowReader


def check_identities(actor: Any, reader: RowReader, report: ImportFindings, stage: str) -> None:
    """People already registered (services.identity): one the importer cannot see links only
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
            # Correlated on the file's rows, so the person is found by the CCCD index: with
            # `cccd IN (SELECT … FROM registry_person …)` SQLite scanned the whole registry,
            # judging the scope person by person (34 s for a 3-row file on the demo registry).
            f"""UPDATE {stage} SET {cleared} WHERE EXISTS (
                    SELECT 1 FROM registry_person p WHERE p.cccd = {stage}.cccd AND {where})""",
            params,
        )
        residence = identity.outside_residence_sql(actor)
        if residence is not None:
            kept = ", ".join(f"{f} = NULL" for f in services.PERSON_IDENTITY_FIELDS)
            cursor.execute(
                # Rows of people the importer could not see are already all NULL (and not to be
                # counted here: the warning would tell a registered CCCD from a new one).
                f"""UPDATE {stage} SET {kept} WHERE full_name IS NOT NULL AND EXISTS (
                        SELECT 1 FROM registry_person p
                        WHERE p.cccd = {stage}.cccd AND {residence[0]})""",
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
