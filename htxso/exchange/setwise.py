"""The member import's set-wise lane (PostgreSQL): the file goes into a working table with COPY,
SQL proves which rows are clean, and only the others are read row by row.

The rules stay in Python. SQL only recognises rows that the row-by-row lane (`members`) would
take as they are, and stages them as that lane would have:

- cells of low-cardinality columns (member kind, gender, dates, amounts, the organisation's
  codes, the address, the CCCD's first six digits) are parsed once per distinct value by the
  layout's own parsers, `Organisations.find`, `rows.place_of` and `decode_cccd`, and the
  answers are joined back;
- free-text cells (CCCD, name, phone, e-mail, street) are taken as they are only when they are
  already what the parsers would make of them (NFC, trimmed, no runs of spaces, within length);
- the cross-field rules (gender and birth year against the CCCD, the membership rules) are
  `services.membership_passes_sql`, held equal to `check_membership` by a test.

Every other row — a typo, a stray space, a rule broken — goes through the row-by-row lane,
which reports it exactly as it always has: for any file both lanes give the same report and
the same staged rows (tested). A file COPY cannot read the way Python's csv module does
(ragged rows, mixed line ends, bad bytes) falls back to the row-by-row lane as a whole.
"""

import contextlib
import datetime as dt
import secrets
import unicodedata
from collections.abc import Callable, Iterator
from typing import Any

import psycopg
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from htxso.core import addresses
from htxso.core.bulk import write_rows
from htxso.core.cccd import decode_cccd
from htxso.core.timing import timed
from htxso.registry import services
from htxso.tabular.sources import PlainCsv, Table, blank_row

from .rows import place_of, report_conversion

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


def _digits(value: str, count: int) -> str:
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


def _copy_raw(plain: PlainCsv, width: int, progress: Callable[[float], None], table: str) -> bool:
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


def _nfc(text: str) -> str:
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def _sql_value(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


class Lane:
    """One file through the set-wise lane; see the module's docstring."""

    def __init__(self, reader: Any, orgs: Any, report: Any, stage: str) -> None:
        self.reader, self.orgs, self.report, self.stage = reader, orgs, report, stage
        self.position = {column.key: p for p, column in reader.mapping.items()}
        self.width = 0
        # Unlogged tables, not temporary ones: PostgreSQL scans those with parallel workers
        # (both cores). They are created in the import's transaction, so a crash or a rollback
        # takes them away; their names are the import's own.
        suffix = secrets.token_hex(4)
        self.raw, self.checked = f"member_raw_{suffix}", f"member_checked_{suffix}"
        self.suffix = suffix

    def dictionary(self, name: str) -> str:
        return f"member_d_{name}_{self.suffix}"

    def col(self, key: str) -> str:
        """The raw cell of `key` as SQL ('' for a column the file does not have)."""
        return f"r.c{self.position[key]}" if key in self.position else "''"

    # --- distinct values, judged in Python ------------------------------------------------

    def _dictionaries(self) -> None:
        """One scan of the raw rows for the distinct values of every judged column or group
        of columns (GROUPING SETS), one more for the CCCD prefixes; then each value judged in
        Python and written to a table."""
        sets: list[tuple[str, list[str]]] = []
        for key in SINGLE:
            if key in self.position:
                sets.append((key, [self.col(key)]))
        sets.append(("organisation", [self.col(k) for k in ORGANISATION]))
        sets.append(("address", [self.col(k) for k in ADDRESS]))
        expressions: list[str] = []  # each once; "''" stands for a column the file lacks
        for _name, exprs in sets:
            expressions.extend(e for e in exprs if e not in expressions and e != "''")
        alias = {e: f"e{i}" for i, e in enumerate(expressions)}
        grouped = [(name, [alias[e] for e in exprs if e != "''"]) for name, exprs in sets]
        # GROUPING() has a bit per expression, set when the row's set does not group by it.
        by_mask = {
            sum(
                1 << (len(expressions) - 1 - i) for i, a in enumerate(alias.values()) if a not in g
            ): name
            for name, g in grouped
            if g
        }
        found: dict[str, set[tuple]] = {name: set() for name, _e in sets}
        names = ", ".join(alias.values())
        group_sets = ", ".join(f"({', '.join(g)})" for _n, g in grouped if g)
        with connection.cursor() as cursor:
            # Narrow rows and hashing only: each set has at most a few hundred thousand values.
            cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute(
                f"SELECT GROUPING({names}), {names} FROM ("
                f"SELECT {', '.join(f'{e} AS {a}' for e, a in alias.items())} FROM {self.raw} r) r "
                f"GROUP BY GROUPING SETS ({group_sets})",
                PARAMS,
            )
            for mask, *values in cursor.fetchall():
                name = by_mask[mask]
                found[name].add(
                    tuple(
                        values[expressions.index(e)] if e != "''" else "" for e in dict(sets)[name]
                    )
                )
            cursor.execute("SET LOCAL enable_sort = on")
            # Apart: in the one scan, the planner (expecting up to a prefix per person) would
            # sort the whole file for them instead of hashing; alone they hash in parallel.
            cursor.execute(f"SELECT {self._prefix('r.')} FROM {self.raw} r GROUP BY 1")
            found["cccd"] = set(cursor.fetchall())
        for name, exprs in sets:  # a set of columns the file lacks: one all-blank value
            if all(e == "''" for e in exprs):
                found[name].add(("",) * len(exprs))
        for key in SINGLE:
            if key in found:
                self._write_single(key, found[key])
        self._write_organisations(found["organisation"])
        self._write_addresses(found["address"])
        self._write_cccd(found["cccd"])

    def _prefix(self, table: str) -> str:
        """The CCCD's first six digits (province, century and gender, year), when it has 12."""
        cccd = f"{table}c{self.position['cccd']}"
        return f"CASE WHEN {_digits(cccd, 12)} THEN left({cccd}, 6) END"

    def _cell(self, key: str, raw: str) -> tuple[bool, Any]:
        if key not in self.position:
            return True, None
        return self.reader.cell(self.reader.column(key), _nfc(raw))

    def _table(self, name: str, columns: str, rows: list[tuple]) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE UNLOGGED TABLE {self.dictionary(name)} ({columns})")
        write_rows(self.dictionary(name), [c.split()[0] for c in columns.split(", ")], rows)
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {self.dictionary(name)}")

    def _write_single(self, key: str, values: set[tuple]) -> None:
        """Each distinct cell: acceptable?, its value (text; a date also as the date, its year
        and month × 100 + day; an amount as a number)."""
        rows = []
        for (raw,) in values:
            ok, value = self._cell(key, raw or "")
            day = value if isinstance(value, dt.date) else None
            rows.append(
                (
                    raw or "",
                    ok,
                    _sql_value(value),
                    day,
                    day.year if day else None,
                    day.month * 100 + day.day if day else None,
                    value if isinstance(value, int) else None,
                )
            )
        self._table(
            key,
            "raw text, ok boolean, value text, day date, y integer, md integer, amount bigint",
            rows,
        )

    def _write_organisations(self, pairs: set[tuple]) -> None:
        rows = []
        for tax_raw, id_raw in pairs:
            tax_ok, tax = self._cell("organisation_tax_code", tax_raw or "")
            id_ok, org_id = self._cell("organisation_id", id_raw or "")
            info = None
            if tax_ok and id_ok:
                with contextlib.suppress(ValidationError):  # the row goes row by row
                    info = self.orgs.find(tax, org_id)
            rows.append(
                (tax_raw or "", id_raw or "", info is not None)
                + (
                    (info.id, info.kind, info.province_id, info.established_on)
                    if info
                    else (None,) * 4
                )
            )
        self._table(
            "organisation",
            "tax text, id text, ok boolean, org_id bigint, kind text, province text, "
            "established date",
            rows,
        )

    def _write_addresses(self, triples: set[tuple]) -> None:
        rows = []
        for raws in triples:
            values: dict[str, Any] = {}
            ok = True
            for key, raw in zip(ADDRESS, raws, strict=True):
                cell_ok, value = self._cell(key, raw or "")
                ok = ok and cell_ok
                if value is not None:
                    values[key] = value
            place = None
            if ok:
                try:
                    place = place_of(values)
                except addresses.AddressError:
                    ok = False
            rows.append(
                tuple(r or "" for r in raws)
                + (ok,)
                + (
                    (place.province_id, place.commune_id, place.legacy_text, place.converted_to)
                    if place
                    else (None, None, "", "")
                )
            )
        self._table(
            "address",
            "province text, district text, commune text, ok boolean, province_id text, "
            "commune_id text, legacy_text text, converted_to text",
            rows,
        )

    def _write_cccd(self, prefixes: set[tuple]) -> None:
        rows: list[tuple[str, bool, str | None, int | None]] = []
        for (prefix,) in prefixes:
            if not prefix:
                continue
            try:
                decoded = decode_cccd(prefix + "000000")
            except ValidationError:
                rows.append((prefix, False, None, None))
                continue
            rows.append((prefix, True, decoded.gender, decoded.birth_year))
        self._table("cccd", "prefix text, ok boolean, gender text, birth_year integer", rows)

    # --- the rows SQL can vouch for -------------------------------------------------------

    def _free(self, key: str) -> str:
        """A free-text cell's SQL test: blank (when allowed) or already in parsed form."""
        value = self.col(key)
        if key == "cccd":
            return _digits(value, 12)
        form = (
            f"({value} <> '' AND char_length({value}) <= {FREE[key]} "
            f"AND {value} IS NFC NORMALIZED AND {value} !~ %(white)s)"
        )
        if key == "email":
            form = f"({form} AND {value} ~ %(email)s)"
        if self.reader.column(key).required:
            return form
        return f"({value} = '' OR {form})"

    def _classify(self, today: dt.date) -> None:
        joins, checks = [], []
        for key in SINGLE:
            if key in self.position:
                joins.append(
                    f"JOIN {self.dictionary(key)} d_{key} ON d_{key}.raw = {self.col(key)}"
                )
                checks.append(f"d_{key}.ok")
        joins.append(
            "JOIN {} o ON o.tax = {} AND o.id = {}".format(
                self.dictionary("organisation"), *(self.col(k) for k in ORGANISATION)
            )
        )
        joins.append(
            "JOIN {} a ON a.province = {} AND a.district = {} AND a.commune = {}".format(
                self.dictionary("address"), *(self.col(k) for k in ADDRESS)
            )
        )
        cccd = self.col("cccd")
        joins.append(f"LEFT JOIN {self.dictionary('cccd')} cp ON cp.prefix = left({cccd}, 6)")
        checks += ["o.ok", "a.ok", "cp.ok"]
        checks += [self._free(key) for key in FREE]

        def single(key: str, column: str = "value", sql_type: str = "text") -> str:
            return f"d_{key}.{column}" if key in self.position else f"NULL::{sql_type}"

        birth, joined = single("birth_date", "day", "date"), single("joined_on", "day", "date")
        birth_y, birth_md = single("birth_date", "y", "int"), single("birth_date", "md", "int")
        joined_y, joined_md = single("joined_on", "y", "int"), single("joined_on", "md", "int")
        gender = single("gender")
        checks.append(f"({gender} IS NULL OR {gender} = cp.gender)")
        checks.append(f"({birth_y} IS NULL OR {birth_y} = cp.birth_year)")
        # services.age_on: exact with the birth date, else by the CCCD's birth year.
        age = (
            f"CASE WHEN {birth_y} IS NULL THEN {joined_y} - cp.birth_year "
            f"ELSE {joined_y} - {birth_y} - ({joined_md} < {birth_md})::int END"
        )
        capital = f"COALESCE({single('capital_contributed', 'amount', 'bigint')}, 0)"
        kind = single("member_kind")
        checks.append(
            services.membership_passes_sql(
                "o.kind",
                "o.established",
                kind,
                joined,
                capital,
                age,
                single("left_on", "day", "date"),
            )
        )
        blank = " AND ".join(f"ltrim(r.c{i}, E' \\t\\r\\n') = ''" for i in range(self.width))
        text = {key: f"NULLIF({self.col(key)}, '')" for key in FREE}
        select = f"""
            SELECT r.row_no, ({blank}) AS blank,
                   COALESCE({" AND ".join(checks)}, false) AS clean,
                   {text["cccd"]} AS cccd, {text["full_name"]} AS full_name,
                   cp.gender, cp.birth_year, {birth} AS birth_date, {text["phone"]} AS phone,
                   {text["email"]} AS email, a.province_id, a.commune_id,
                   {text["street"]} AS address, a.legacy_text, a.converted_to,
                   o.org_id, o.province AS org_province, {kind} AS kind,
                   {joined} AS joined_on, {capital} AS capital,
                   {single("left_on", "day", "date")} AS left_on
            FROM {self.raw} r {" ".join(joins)}"""
        with connection.cursor() as cursor:
            # Every join is raw row → small dictionary: hash them all (the planner, misled by
            # COALESCE keys, would loop over each dictionary for every row).
            cursor.execute("SET LOCAL enable_nestloop = off")
            cursor.execute(
                f"CREATE UNLOGGED TABLE {self.checked} AS {select}", {**PARAMS, "today": today}
            )
            cursor.execute("SET LOCAL enable_nestloop = on")

    def _stage_clean(self) -> tuple[int, int]:
        """Stage the clean rows; (clean, other non-blank rows)."""
        with connection.cursor() as cursor:
            cursor.execute(
                f"""INSERT INTO {self.stage} (row_no, cccd, full_name, gender, birth_year,
                        birth_date, phone, email, province_id, commune_id, address,
                        legacy_address, org_id, org_province, kind, joined_on, capital, left_on)
                    SELECT row_no, cccd, full_name, gender, birth_year, birth_date, phone, email,
                           province_id, commune_id, address,
                           CASE WHEN legacy_text <> '' THEN concat_ws(', ', address, legacy_text)
                           END, org_id, org_province, kind, joined_on, capital, left_on
                    FROM {self.checked} WHERE clean AND NOT blank"""
            )
            cursor.execute(
                f"SELECT COUNT(*) FILTER (WHERE clean), COUNT(*) FILTER (WHERE NOT clean) "
                f"FROM {self.checked} WHERE NOT blank"
            )
            clean, other = cursor.fetchone()
        return clean, other

    def _others(self, count: int) -> Iterator[tuple[int, list[Any]]]:
        """The rows SQL could not vouch for, as the csv reader gives them, in file order; the
        clean rows' address conversions are reported in between, in row order."""
        cap = self.report.cap
        conversions = connection.connection.cursor(name="member_conversions")
        conversions.execute(
            f"SELECT row_no, legacy_text, converted_to FROM {self.checked} "
            f"WHERE clean AND NOT blank AND legacy_text <> '' ORDER BY row_no"
        )
        pending = conversions.fetchone()

        def convert_until(row: int | None) -> None:
            nonlocal pending
            while pending is not None and (row is None or pending[0] < row):
                if len(self.report.findings) >= cap:
                    return  # no more are kept: the rest are counted at the end
                report_conversion(self.report, self.reader, *pending)
                pending = conversions.fetchone()

        try:
            if count:
                names = ", ".join(f"r.c{i}" for i in range(self.width))
                others = connection.connection.cursor(name="member_others")
                others.itersize = 2000
                others.execute(
                    f"SELECT r.row_no, {names} FROM {self.raw} r WHERE r.row_no IN "
                    f"(SELECT row_no FROM {self.checked} WHERE NOT clean AND NOT blank) "
                    f"ORDER BY r.row_no"
                )
                for number, *cells in others:
                    convert_until(number)
                    row = [_nfc(c) if c else "" for c in cells]
                    if not blank_row(row):
                        yield number, row
                others.close()
            convert_until(None)
            if pending is not None:
                with connection.cursor() as cursor:
                    cursor.execute(
                        f"SELECT COUNT(*) FROM {self.checked} WHERE clean AND NOT blank "
                        f"AND legacy_text <> '' AND row_no >= %s",
                        [pending[0]],
                    )
                    self.report.total += cursor.fetchone()[0]
        finally:
            conversions.close()

    def run(
        self, table: Table, progress: Callable[[str, float], None]
    ) -> Iterator[tuple[int, list[Any]]] | None:
        """Stage the clean rows; the other rows to read one by one, or None when the file must
        go row by row as a whole."""
        assert table.plain_csv is not None
        self.width = len(table.headers)
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '256MB'")
        with timed("import: COPY the file"):
            copied = _copy_raw(table.plain_csv, self.width, lambda f: progress("read", f), self.raw)
        if not copied:
            return None
        with connection.cursor() as cursor:
            # The prefix's own statistics: judged by the CCCD column alone, the planner would
            # expect millions of prefixes (there are at most a million), and sort the file for
            # them instead of hashing.
            cursor.execute(
                f"CREATE STATISTICS {self.raw}_prefix ON ({self._prefix('')}) FROM {self.raw}"
            )
            cursor.execute(f"ANALYZE {self.raw}")
        progress("check", 0.2)
        with timed("import: distinct values judged"):
            self._dictionaries()
        progress("check", 0.4)
        with timed("import: rows classified"):
            self._classify(dt.date.today())
        progress("check", 0.7)
        with timed("import: clean rows staged"):
            clean, others = self._stage_clean()
        self.report.rows += clean
        return self._others(others)

    def drop(self) -> None:
        with connection.cursor() as cursor:
            for name in (
                self.raw,
                self.checked,
                *(self.dictionary(k) for k in (*SINGLE, "organisation", "address", "cccd")),
            ):
                cursor.execute(f"DROP TABLE IF EXISTS {name}")
