"""The organisation import's SQL lane (`organisations_sql`): every distinct value of the judged
columns read once in Python — by the layout's parsers and the model's fields, the addresses by
`rows.place_of`, the tax codes by `core.mst` — and written to a dictionary table that SQL
joins back to the file's rows."""

import datetime as dt
import secrets
from contextlib import suppress
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection

from htxso.core import addresses
from htxso.core.bulk import write_rows
from htxso.core.mst import normalise_tax_code
from htxso.core.text import QUICK_WORDS, UNACCENTED, quick_search_key
from htxso.registry import services
from htxso.registry.models import Organisation
from htxso.tabular.columns import MAX_TEXT

from .layouts import ADDRESS_PARTS
from .organisations import same_name
from .rows import RowReader, place_of
from .setwise_copy import digits_sql, nfc

# Columns judged once per distinct cell; the address columns together (with the one-cell
# address); free text taken as it is when already in its parsed form, within the model's
# length; e-mail and web site only blank (their validators stay in Python).
SINGLE = (
    "kind",
    "sector",
    "agricultural_type",
    "established_on",
    "registered_on",
    "charter_capital",
    "is_high_tech",
    "in_value_chain",
    "classification",
    "status",
    "status_since",
    "farming",
    "members_declared",
    "organisation_id",
)
ADDRESS = ("province", "legacy_district", "commune", "address")
NAMES = ("name", "short_name", "name_en")
_FIELDS = {f.name: f for f in Organisation._meta.concrete_fields}
FREE = {
    key: min(MAX_TEXT, _FIELDS[key].max_length or MAX_TEXT)
    for key in (*NAMES, "vsic_code", "legal_representative", "phone", "street")
}
BLANK_ONLY = ("email", "website")
KNOWN = frozenset((*SINGLE, *ADDRESS, *FREE, *BLANK_ONLY, "tax_code"))


def ascii_clean(value: str) -> str:
    """SQL: a cell of printable ASCII (so NFC) without white space the parser would change —
    what the parser leaves as it is, most phone numbers and codes (SQL tests them itself)."""
    return f"({value} !~ '^ | $|  |[^ -~]')"


class Dictionaries:
    """The distinct values of one file (`organisations_sql.Lane` builds on it)."""

    def __init__(self, reader: RowReader, checker: services.Checker) -> None:
        self.reader, self.checker = reader, checker
        self.position = {column.key: p for p, column in reader.mapping.items()}
        self.width = 0
        suffix = secrets.token_hex(4)
        self.raw, self.checked = f"org_raw_{suffix}", f"org_checked_{suffix}"
        self.suffix = suffix
        self.tables: list[str] = [self.raw, self.checked]
        self.views: list[str] = []
        self.columns = {c.key: c for c in reader.layout.readable}  # looked up per value
        self.filled: set[str] = set()  # the name columns with a cell other than ''
        self.names_in_sql: bool | None = None  # `quick`, once asked

    def dictionary(self, name: str) -> str:
        return f"org_d_{name}_{self.suffix}"

    def col(self, key: str) -> str:
        """The raw cell of `key` as SQL ('' for a column the file does not have)."""
        return f"r.c{self.position[key]}" if key in self.position else "''"

    def _table(self, name: str, columns: str, rows: list[tuple]) -> None:
        table = self.dictionary(name)
        self.tables.append(table)
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE UNLOGGED TABLE {table} ({columns})")
        write_rows(table, [c.split()[0] for c in columns.split(", ")], rows)
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {table}")

    def _distinct(self, expressions: list[str], where: str = "true") -> list[tuple]:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT DISTINCT {', '.join(expressions)} FROM {self.raw} r WHERE {where}"
            )
            return cursor.fetchall()

    def _distinct_cells(self, keys: tuple[str, ...], where: str = "true") -> list[str]:
        """The distinct non-blank cells of several columns together."""
        cells = [self.col(k) for k in keys if k in self.position]
        if not cells:
            return []
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT DISTINCT v FROM {self.raw} r, "
                f"LATERAL (VALUES {', '.join(f'({c})' for c in cells)}) x(v) "
                f"WHERE v <> '' AND {where}"
            )
            return [v for (v,) in cursor.fetchall()]

    def judge(self) -> None:
        self._singles()
        self._addresses()
        self._tax_codes()
        self._texts()
        self._minimums()

    # --- one column ---------------------------------------------------------------------

    def _value(self, key: str, raw: str) -> tuple[bool, Any]:
        """What the row lane makes of the cell: (acceptable, value), the model field's own
        check included (`prepare_organisation` cleans each given field)."""
        if not raw.strip():
            return not self.columns[key].required, None
        if key == "organisation_id":
            return False, None  # a row about an organisation on HTX Số: Python's
        ok, value = self.reader.cell(self.columns[key], nfc(raw))
        if not ok or value is None:
            return ok, value
        field = _FIELDS.get(key)
        if field is not None:
            try:
                field.clean(value, None)
            except ValidationError:
                return False, None
        return True, value

    def _singles(self) -> None:
        """Each judged column's distinct cells, read in one pass over the file (a scan per
        column cost more than the values' judging at 200,000 rows)."""
        keys = [key for key in SINGLE if key in self.position]
        found: dict[str, list[str]] = {key: [] for key in keys}
        if keys:
            # One hash table per column in one scan (GROUPING SETS; the distinct pairs of a
            # LATERAL VALUES hashed every cell of the 12 columns together, 1.3 s against 0.7 s
            # at 200,000 rows). GROUPING(…) tells the set: its one zero bit is the column's.
            cells = [self.col(key) for key in keys]
            sets = ", ".join(f"({c})" for c in cells)
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT GROUPING({', '.join(cells)}), {', '.join(cells)} "
                    f"FROM {self.raw} r GROUP BY GROUPING SETS ({sets})"
                )
                full = (1 << len(keys)) - 1
                for mask, *values in cursor.fetchall():
                    n = len(keys) - (full ^ mask).bit_length()
                    found[keys[n]].append(values[n])
        for key in keys:
            rows = []
            for raw in found[key]:
                ok, value = self._value(key, raw)
                rows.append(
                    (
                        raw,
                        ok,
                        value if isinstance(value, str) else None,
                        value if isinstance(value, dt.date) else None,
                        value if isinstance(value, int) and not isinstance(value, bool) else None,
                        value if isinstance(value, bool) else None,
                    )
                )
            self._table(key, "raw text, ok boolean, t text, d date, n bigint, b boolean", rows)

    # --- the address --------------------------------------------------------------------

    def _address(self, raws: tuple[str, ...]) -> tuple:
        """(ok, allowed, province, commune, legacy text, converted to, street from the
        one-cell address) as `RowReader.read` and `rows.place_row` make them."""
        bad = (False, False, None, None, "", "", "")
        values: dict[str, Any] = {}
        for key, raw in zip(ADDRESS, raws, strict=True):
            if key not in self.position or not raw.strip():
                continue
            ok, value = self.reader.cell(self.columns[key], nfc(raw))
            if not ok:
                return bad
            values[key] = value
        street = ""
        if values.get("address"):
            for key, part in addresses.split_address(values.pop("address")).items():
                if part and not values.get(key):
                    values[key] = part
                    street = part if key == "street" else street
        for key in ADDRESS_PARTS:
            if key in self.position and self.columns[key].required and not values.get(key):
                return bad
        if len(street) > FREE["street"]:
            return bad
        try:
            place = place_of(values)
        except addresses.AddressError:
            return bad
        if place is None or not place.province_id:
            return bad
        if place.commune_id:  # prepare_organisation's check (a placed commune always fits)
            province, _name = self.checker.commune(place.commune_id)
            if province != place.province_id:
                return bad
        allowed = self.checker.may_create(place.province_id)
        return (
            True,
            allowed,
            place.province_id,
            place.commune_id,
            place.legacy_text or "",
            place.converted_to or "",
            street,
        )

    def _addresses(self) -> None:
        rows = [
            tuple(raws) + self._address(tuple(raws))
            for raws in self._distinct([self.col(k) for k in ADDRESS])
        ]
        self._table(
            "address",
            "province text, district text, commune text, address text, ok boolean, "
            "allowed boolean, province_id text, commune_id text, legacy_text text, "
            "converted_to text, street text",
            rows,
        )

    # --- keys the row lane compares ------------------------------------------------------

    def _tax_codes(self) -> None:
        """Tax codes other than ten plain digits (SQL checks those): their normal form."""
        tax = self.col("tax_code")
        rows = []
        if "tax_code" in self.position:
            where = f"btrim({tax}) <> '' AND NOT {digits_sql(tax, 10)}"
            for (raw,) in self._distinct([tax], where):
                normal = None
                with suppress(ValidationError):
                    normal = normalise_tax_code(raw.strip())
                rows.append((raw, normal))
        self._table("tax", "raw text, normal text", rows)

    def quick(self, value: str) -> str:
        """SQL: a name SQL keys itself (`core.text.QUICK_WORDS`), when `unaccent` is there
        and strips the letters as `strip_diacritics` does; else none."""
        if self.names_in_sql is None:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'unaccent'")
                self.names_in_sql = cursor.fetchone() is not None
                if self.names_in_sql:
                    cursor.execute("SELECT unaccent('unaccent', %s) = %s", UNACCENTED)
                    self.names_in_sql = cursor.fetchone()[0]
        if not self.names_in_sql:
            return "false"
        return f"({value} ~ '{QUICK_WORDS}')"

    def _texts(self) -> None:
        """Free text: whether a cell is already what the parser makes of it (then its length),
        and for names their search key and how the row lane compares them — in SQL for the
        names of `quick` (`organisations_sql.Lane`), here for the others."""
        name = self.columns["name"]
        names = [key for key in NAMES if key in self.position]
        with connection.cursor() as cursor:
            tests = ", ".join(f"bool_or({self.col(key)} <> '')" for key in names)
            cursor.execute(f"SELECT {tests} FROM {self.raw} r")
            self.filled = {key for key, some in zip(names, cursor.fetchone(), strict=True) if some}
        rows = []
        for raw in self._distinct_cells(NAMES, f"NOT {self.quick('v')}"):
            ok, value = self.reader.cell(name, nfc(raw))
            clean = ok and value == raw
            rows.append(
                (
                    raw,
                    clean,
                    len(raw),
                    # Names the row lane takes for the same (`same_name`) have the same key
                    # here, and so in SQL (where the lane takes more as the same: safe).
                    quick_search_key(same_name(value)) if ok and value else None,
                    quick_search_key(raw) if clean else None,
                )
            )
        self._table("names", "raw text, clean boolean, length integer, same text, key text", rows)
        texts = []
        others = tuple(k for k in FREE if k not in NAMES)
        for raw in self._distinct_cells(others, f"NOT {ascii_clean('v')}"):
            ok, value = self.reader.cell(name, nfc(raw))
            texts.append((raw, ok and value == raw, len(raw)))
        self._table("texts", "raw text, clean boolean, length integer", texts)

    def _minimums(self) -> None:
        """A declared member count against each kind's minimum: (kind, count, fits)."""
        rows = []
        if "members_declared" in self.position and "kind" in self.position:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT DISTINCT k.t, m.n FROM {self.dictionary('kind')} k, "
                    f"{self.dictionary('members_declared')} m "
                    f"WHERE k.t IS NOT NULL AND m.n IS NOT NULL"
                )
                pairs = cursor.fetchall()
            rows = [(k, n, services.member_count_problem(k, n) is None) for k, n in pairs]
        self._table("minimum", "kind text, n bigint, fits boolean", rows)
