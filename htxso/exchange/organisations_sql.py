"""Organisations from a file, set-wise in SQL (PostgreSQL; #17): the member import's way
(`setwise`) for the organisation list. The file goes into a working table with COPY; SQL proves
which rows are new organisations the row lane would create without a word, and writes them
with one INSERT … SELECT; every other row is read by the batched lane (`organisations_bulk`),
which reports it exactly as the row lane always has.

A row is taken by SQL only when everything the row lane would check holds:
- each judged cell (`organisations_values`) is acceptable to the layout's parser and the
  model's field, its address places in current units in a province the importer may create in,
  and free text is already in its parsed form, within length;
- the dates are in order and not in the future, a status other than active comes with its
  date, a cooperative has a tax code, the declared member count is not below the kind's
  minimum;
- it names no organisation on HTX Số (no HTX Số id, no registered tax code, and without a tax
  code no registered organisation of its province, kind and name), and no other row of the file
  shares its tax code, or its province, kind and name.
Anything shared with another row sends all the rows sharing it to the batched lane, which sees
them in file order as the row lane does; so for any file both give the same findings (tested).
A file COPY cannot read as the csv module does goes to the batched lane as a whole.
"""

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

from django.db import connection
from django.utils import timezone

from htxso.core.text import quick_search_key_sql
from htxso.core.timing import timed
from htxso.registry.choices import AGRICULTURAL_SECTOR, OrganisationKind, Status
from htxso.tabular.sources import Table, blank_row

from .organisations_values import (
    ADDRESS,
    BLANK_ONLY,
    FREE,
    KNOWN,
    NAMES,
    SINGLE,
    Dictionaries,
)
from .rows import Conversions, ImportFindings
from .setwise_copy import _DELIMITERS, copy_raw, digits_sql, nfc

SQL = True  # tests turn it off to compare with the batched lane alone
_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)


def available(table: Table, reader: Any, strategy: str) -> bool:
    return (
        SQL
        and connection.vendor == "postgresql"
        and strategy != "update"
        and table.plain_csv is not None
        and table.plain_csv.delimiter in _DELIMITERS
        and {c.key for c in reader.mapping.values()} <= KNOWN
    )


def _tax_valid(value: str) -> str:
    """`core.mst.normalise_tax_code` of ten plain digits, in SQL: the check digit and the
    serial number not all zeros."""
    total = " + ".join(f"{w} * substr({value}, {i + 1}, 1)::int" for i, w in enumerate(_WEIGHTS))
    return (
        f"(substr({value}, 3, 7) <> '0000000' "
        f"AND substr({value}, 10, 1) = (10 - mod({total}, 11))::text)"
    )


class Lane(Dictionaries):
    """One file through the SQL lane; see the module's docstring."""

    def _free(self, key: str) -> tuple[str, str]:
        """A free-text cell's join to its dictionary and its test: blank (a name: never), or
        already in parsed form and within length."""
        if key not in self.position or (key in NAMES[1:] and key not in self.filled):
            # A name column of '' only (the row lane's blank): nothing to join (a dictionary
            # of every name per column cost a hash table of the whole file each).
            return "", "true"
        table = self.dictionary("names" if key in NAMES else "texts")
        value = self.col(key)
        join = f"LEFT JOIN {table} f_{key} ON f_{key}.raw = {value}"
        form = f"(f_{key}.clean AND f_{key}.length <= {FREE[key]})"
        if key in NAMES:
            # A name not '' the dictionary lacks is one SQL reads itself (`Dictionaries.quick`):
            # already in parsed form.
            form = (
                f"CASE WHEN f_{key}.raw IS NULL THEN {value} <> '' "
                f"AND char_length({value}) <= {FREE[key]} ELSE {form} END"
            )
            return join, (form if key == "name" else f"({value} = '' OR {form})")
        # The dictionary holds every cell but the plain ASCII ones (`ascii_clean`): a cell it
        # lacks is one of those (no regular expression per row here).
        plain = f"(f_{key}.raw IS NULL AND octet_length({value}) <= {FREE[key]})"
        return join, f"({value} = '' OR {plain} OR {form})"

    def _classify(self, today: dt.date) -> None:
        joins, checks = [], []

        def single(key: str, column: str, sql_type: str) -> str:
            return f"d_{key}.{column}" if key in self.position else f"NULL::{sql_type}"

        for key in SINGLE:
            if key in self.position:
                joins.append(
                    f"JOIN {self.dictionary(key)} d_{key} ON d_{key}.raw = {self.col(key)}"
                )
                checks.append(f"d_{key}.ok")
        joins.append(
            "JOIN {} a ON a.province = {} AND a.district = {} AND a.commune = {} "
            "AND a.address = {}".format(self.dictionary("address"), *(self.col(k) for k in ADDRESS))
        )
        tax = self.col("tax_code")
        joins.append(f"LEFT JOIN {self.dictionary('tax')} t ON t.raw = {tax}")
        free = {key: self._free(key) for key in FREE}
        joins += [join for join, _test in free.values() if join]
        kind, sector = single("kind", "t", "text"), single("sector", "t", "text")
        founded = single("established_on", "d", "date")
        status, since = single("status", "t", "text"), single("status_since", "d", "date")
        members = single("members_declared", "n", "bigint")
        if "members_declared" in self.position:
            joins.append(
                f"LEFT JOIN {self.dictionary('minimum')} m ON m.kind = {kind} AND m.n = {members}"
            )
        capital = single("charter_capital", "n", "bigint")
        farming = single("farming", "b", "boolean")
        agricultural = f"COALESCE({single('agricultural_type', 't', 'text')}, '')"
        changes = f"({status} IS NOT NULL AND {status} <> '{Status.ACTIVE}')"
        tax_key = (
            f"CASE WHEN {digits_sql(tax, 10)} THEN CASE WHEN {_tax_valid(tax)} THEN {tax} END "
            f"ELSE t.normal END"
        )
        checks += [
            "a.ok",
            "a.allowed",
            f"({kind} <> '{OrganisationKind.COOPERATIVE}' OR btrim({tax}) <> '')",
            f"{kind} IS NOT NULL AND {sector} IS NOT NULL AND {founded} IS NOT NULL",
            f"{founded} <= %(today)s",
            f"({capital} IS NULL OR {capital} >= 0)",
            f"({members} IS NULL OR m.fits)" if "members_declared" in self.position else "true",
            # Status: none, active (a date beside it is ignored), or another with its date,
            # not in the future and not before the founding.
            f"(({status} IS NULL AND {since} IS NULL) OR {status} = '{Status.ACTIVE}' OR "
            f"({changes} AND {since} IS NOT NULL AND {since} <= %(today)s "
            f"AND {since} >= {founded}))",
            *(f"{self.col(k)} = ''" for k in BLANK_ONLY),
            *(test for _join, test in free.values()),
        ]
        street, name = self.col("street"), self.col("name")

        def search_of(k: str) -> str:
            """The name's search key (Organisation.keys_for): SQL's for a quick name."""
            if k != "name" and k not in self.filled:
                return "NULL::text"
            v = self.col(k)
            return (
                f"CASE WHEN f_{k}.raw IS NOT NULL THEN f_{k}.key "
                f"WHEN {v} <> '' THEN {quick_search_key_sql(v)} END"
            )

        # Every cell only white space, the name's first: AND stops at the first cell that is
        # not, most often the name (the concatenation of every cell cost 1.4 s at 200,000 rows).
        order = sorted(range(self.width), key=lambda i: i != self.position.get("name"))
        blank = " AND ".join(f"ltrim(r.c{i}, E' \\t\\r\\n') = ''" for i in order)
        select = f"""
            SELECT r.row_no, ({blank}) AS blank,
                   COALESCE({" AND ".join(checks)}, false) AS clean,
                   CASE WHEN a.ok THEN a.province_id END AS key_province,
                   {kind} AS key_kind,
                   f_name.same AS key_name,
                   CASE WHEN btrim({tax}) <> '' THEN {tax_key} END AS tax_code,
                   btrim({tax}) <> '' AS has_tax,
                   {kind} AS kind, {name} AS name, {self.col("name_en")} AS name_en,
                   {self.col("short_name")} AS short_name, {search_of("name")} AS name_search,
                   {search_of("short_name")} AS short_search, {search_of("name_en")} AS en_search,
                   {sector} AS sector,
                   {self.col("vsic_code")} AS vsic_code,
                   COALESCE({farming}, {sector} = '{AGRICULTURAL_SECTOR}' OR {agricultural} <> '')
                       AS is_agricultural,
                   {agricultural} AS agricultural_type,
                   a.province_id, a.commune_id,
                   CASE WHEN {street} <> '' THEN {street} ELSE a.street END AS street,
                   a.legacy_text, a.converted_to,
                   {founded} AS established_on,
                   {single("registered_on", "d", "date")} AS registered_on,
                   {capital} AS charter_capital,
                   CASE WHEN {changes} THEN {status} ELSE '{Status.ACTIVE}' END AS status,
                   CASE WHEN {changes} THEN {since} ELSE {founded} END AS status_since,
                   {self.col("legal_representative")} AS legal_representative,
                   {self.col("phone")} AS phone,
                   COALESCE({single("is_high_tech", "b", "boolean")}, false) AS is_high_tech,
                   COALESCE({single("in_value_chain", "b", "boolean")}, false)
                       AS in_value_chain,
                   COALESCE({single("classification", "t", "text")}, '') AS classification
            FROM {self.raw} r {" ".join(joins)}"""
        params = {"today": today}
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_nestloop = off")  # raw rows → small dictionaries
            cursor.execute(f"CREATE UNLOGGED TABLE {self.checked} AS {select}", params)
            cursor.execute("SET LOCAL enable_nestloop = on")
            # A tax code that is not one (checked here: its test is the costliest of the row's),
            # and shared keys: every row sharing one goes to the batched lane, in file order. A
            # quick name (not in the dictionary) by its search key, which names the row lane
            # takes for the same share (`Dictionaries._texts`).
            same = "COALESCE(key_name, name_search)"
            cursor.execute(
                f"""UPDATE {self.checked} c SET clean = false WHERE c.clean AND (
                    (c.has_tax AND c.tax_code IS NULL)
                    OR c.tax_code IN (SELECT tax_code FROM {self.checked} WHERE tax_code IS NOT NULL
                                   GROUP BY 1 HAVING COUNT(*) > 1)
                    OR (c.key_province, c.key_kind, {same}) IN (
                        SELECT key_province, key_kind, {same} FROM {self.checked}
                        WHERE key_province IS NOT NULL AND key_kind IS NOT NULL
                          AND {same} IS NOT NULL
                        GROUP BY 1, 2, 3 HAVING COUNT(*) > 1)
                    OR EXISTS (SELECT 1 FROM registry_organisation o
                               WHERE o.tax_code = c.tax_code)
                    OR (c.tax_code IS NULL AND EXISTS (
                        SELECT 1 FROM registry_organisation o
                        WHERE o.name_key = left(c.name_search, 255)
                          AND o.province_id = c.province_id AND o.kind = c.kind)))"""
            )
            cursor.execute(f"ANALYZE {self.checked} (row_no, clean)")  # the others, the writes

    def counts(self) -> tuple[int, int, int]:
        """(clean rows, of which changing status, other non-blank rows)."""
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT COUNT(*) FILTER (WHERE clean), "
                f"COUNT(*) FILTER (WHERE clean AND status <> '{Status.ACTIVE}'), "
                f"COUNT(*) FILTER (WHERE NOT clean) FROM {self.checked} WHERE NOT blank"
            )
            clean, moved, others = cursor.fetchone()
        return clean, moved, others

    def new_organisations(self) -> str:
        """The clean rows as the registry's columns, a view `services` writes from. Their ids
        are reserved in one step — a block of the sequence as long as the file, the row's
        number its offset (the other rows' ids are left unused, as a rollback leaves them)."""
        view, now = f"org_new_{self.suffix}", timezone.now().isoformat()
        self.views.append(view)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT max(row_no) FROM {self.checked}")
            (last,) = cursor.fetchone()
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('registry_organisation', 'id'), "
                "nextval(pg_get_serial_sequence('registry_organisation', 'id')) + %s)",
                [last],
            )
            (end,) = cursor.fetchone()
            # A view of constants and columns only: the rows it gives never change.
            cursor.execute(
                f"""CREATE TEMPORARY VIEW {view} AS
                    SELECT {end - last} + row_no AS id, kind, tax_code, name, name_en,
                           short_name,
                           left(concat_ws(' ', name_search,
                                CASE WHEN short_search NOT IN ('', name_search)
                                     THEN short_search END,
                                CASE WHEN en_search NOT IN ('', name_search)
                                     THEN en_search END), 600)
                               AS search_key,
                           left(name_search, 255) AS name_key, sector, vsic_code,
                           is_agricultural, agricultural_type, province_id, commune_id, street,
                           CASE WHEN legacy_text <> ''
                                THEN concat_ws(', ', NULLIF(street, ''), legacy_text)
                                ELSE '' END AS legacy_address,
                           established_on, registered_on, charter_capital, status, status_since,
                           legal_representative, phone, ''::text AS email, ''::text AS website,
                           is_high_tech, in_value_chain, classification, 0 AS members_count,
                           CASE WHEN status <> '{Status.ACTIVE}' THEN 2 ELSE 1 END AS version,
                           '{now}'::timestamptz AS created_at,
                           '{now}'::timestamptz AS updated_at
                    FROM {self.checked} WHERE clean AND NOT blank"""
            )
        return view

    def others(self, report: ImportFindings) -> Iterator[tuple[int, list[Any]]]:
        """The rows SQL did not take, as the csv reader gives them, in file order; the clean
        rows' address conversions reported in between, in row order, into whatever report
        the reader holds when the rows are read (the batched lane's held findings)."""
        conversions = connection.connection.cursor(name="org_conversions")
        conversions.itersize = 2000  # fetchone() would cost a round trip per conversion
        conversions.execute(
            f"SELECT row_no, legacy_text, converted_to FROM {self.checked} "
            f"WHERE clean AND NOT blank AND legacy_text <> '' ORDER BY row_no"
        )
        converted = iter(conversions)
        pending = next(converted, None)
        reported = Conversions(self.reader)

        def convert_until(row: int | None) -> None:
            nonlocal pending
            while pending is not None and (row is None or pending[0] < row):
                reported.report(self.reader.report, *pending)
                pending = next(converted, None)

        try:
            names = ", ".join(f"r.c{i}" for i in range(self.width))
            rows = connection.connection.cursor(name="org_others")
            rows.itersize = 2000
            rows.execute(
                f"SELECT r.row_no, {names} FROM {self.raw} r JOIN {self.checked} c "
                f"ON c.row_no = r.row_no WHERE NOT c.clean AND NOT c.blank ORDER BY r.row_no"
            )
            for number, *cells in rows:
                convert_until(number)
                row = [nfc(c) if c else "" for c in cells]
                if not blank_row(row):
                    yield number, row
            rows.close()
            convert_until(None)
        finally:
            conversions.close()

    def run(self, table: Table, progress: Callable[[str, float], None]) -> bool:
        """Copy and judge the file; False when it must go to the batched lane as a whole."""
        assert table.plain_csv is not None
        self.width = len(table.headers)
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '256MB'")
            # Compiling the wide statements below costs more than it saves at a few hundred
            # thousand rows (17 s against 2 s for 20,000 on a loaded machine).
            cursor.execute("SET LOCAL jit = off")
        with timed("import: COPY the file"):
            copied = copy_raw(table.plain_csv, self.width, lambda f: progress("read", f), self.raw)
        if not copied:
            return False
        with connection.cursor() as cursor:
            # Without statistics the planner takes the file for a few rows and hashes it,
            # ever wider, at each of the classification's joins (1.8 s of its 2.6 s at 50,000
            # rows); counted, it hashes the small dictionaries and streams the file past them.
            cursor.execute(f"ANALYZE {self.raw} (row_no)")  # the count is enough
        progress("check", 0.2)
        with timed("import: distinct values judged"):
            self.judge()
        progress("check", 0.4)
        with timed("import: rows classified"):
            self._classify(dt.date.today())
        progress("check", 0.7)
        return True

    def drop(self) -> None:
        with connection.cursor() as cursor:
            for name in self.views:
                cursor.execute(f"DROP VIEW IF EXISTS {name}")
            for name in self.tables:
                cursor.execute(f"DROP TABLE IF EXISTS {name}")
