"""The set-wise lane's first step (`setwise`): the file into a working table with COPY, read
as Python's csv module reads it, or not at all (`available`, `copy_raw`)."""

import datetime as dt
import unicodedata
from collections.abc import Callable
from typing import Any

import psycopg
from django.db import connection, transaction

from htxso.tabular.sources import PlainCsv, Table

CHUNK = 1 << 20
# The member layout's columns this lane knows; a layout with any other column is not set-wise.
SINGLE = ("gender", "birth_date", "member_kind", "joined_on", "left_on", "capital_contributed")
ORGANISATION = ("organisation_tax_code", "organisation_id")
ADDRESS = ("province", "legacy_district", "commune")
FREE = {"cccd": 12, "full_name": 120, "phone": 20, "email": 254, "street": 255}
KNOWN = frozenset((*SINGLE, *ORGANISATION, *ADDRESS, *FREE))
# A free-text cell is taken as it is only without any white space the parsers would change.
_WHITE = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
PARAMS = {
    "white": f"^ | $|  |[{_WHITE}]",
    # The same test of several cells joined by chr(1) (`setwise.Lane._spaced`), in one call.
    "white_joined": f"(^|\x01) | (\x01|$)|  |[{_WHITE}]",
    "email": r"^[^@ ]+@[^@ ]+\.[^@ ]+$",
}
_DELIMITERS = {",": "','", ";": "';'", "\t": "E'\\t'"}


def _end_mark(data: bytes) -> bool:
    """Whether `data` (a chunk after the last two bytes of the one before) has a line "\\.",
    where COPY ends its input even in CSV: such a file goes row by row."""
    at = data.find(b"\\.")
    while at != -1:
        before, after = data[at - 1 : at] if at else b"\n", data[at + 2 : at + 3]
        if before in (b"\n", b"\r") and after in (b"", b"\n", b"\r"):
            return True
        at = data.find(b"\\.", at + 1)
    return False


def digits_sql(value: str, count: int) -> str:
    """SQL: `value` is exactly `count` ASCII digits (cheaper than a regular expression)."""
    return f"(octet_length({value}) = {count} AND ltrim({value}, '0123456789') = '')"


class _Unsuitable(Exception):
    """COPY would not read this file as the csv module does."""


def available(table: Table, mapped_keys: set[str]) -> bool:
    return (
        connection.vendor == "postgresql"
        and table.plain_csv is not None
        and mapped_keys <= KNOWN
        and table.plain_csv.delimiter in _DELIMITERS
    )


def copy_raw(plain: PlainCsv, width: int, progress: Callable[[float], None], table: str) -> bool:
    """The file's records into `table` (row_no as the row-by-row lane numbers them); False
    when COPY cannot read it like the csv module (nothing is left behind then)."""
    names = ", ".join(f"c{i}" for i in range(width))
    columns = ", ".join(f"c{i} text" for i in range(width))
    size = plain.path.stat().st_size or 1
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"CREATE UNLOGGED TABLE {table} (row_no integer GENERATED ALWAYS AS IDENTITY "
                f"(START WITH 2), {columns})"
            )
            # FORCE_NOT_NULL: an empty cell is '', as the csv module reads it; the columns are
            # then never NULL and the planner's statistics see the cells themselves.
            sql = (
                f"COPY {table} ({names}) FROM STDIN WITH (FORMAT csv, HEADER true, "
                f"DELIMITER {_DELIMITERS[plain.delimiter]}, ENCODING 'UTF8', "
                f"FORCE_NOT_NULL ({names}))"
            )
            with open(plain.path, "rb") as source, cursor.cursor.copy(sql) as copy:
                tail = b"\n"
                while chunk := source.read(CHUNK):
                    if _end_mark(tail + chunk):
                        raise _Unsuitable
                    copy.write(chunk)
                    tail = chunk[-2:]
                    progress(source.tell() / size)
    except (_Unsuitable, psycopg.errors.DataError):  # ragged rows, line ends, bytes: not ours
        return False
    return True


def nfc(text: str) -> str:
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def sql_value(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)
