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

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

from django.db import connection

from htxso.core.timing import timed
from htxso.registry import services
from htxso.tabular.sources import Table, blank_row

from .rows import report_conversion
from .setwise_copy import ADDRESS, FREE, ORGANISATION, PARAMS, SINGLE, available, copy_raw, nfc
from .setwise_copy import digits_sql as _digits
from .setwise_values import Dictionaries
from .staging import STAGE_COLUMNS as STAGE

__all__ = ["Lane", "available"]
_copy_raw = copy_raw  # looked up here at run time (tests watch it)


class Lane(Dictionaries):
    """One file through the set-wise lane; see the module's docstring."""

    # --- the rows SQL can vouch for -------------------------------------------------------

    def _free(self, key: str) -> str:
        """A free-text cell's SQL test: blank (when allowed) or already in parsed form (its
        white space is tested by `_spaced`, for all the cells at once)."""
        value = self.col(key)
        if key == "cccd":
            return _digits(value, 12)
        form = (
            f"({value} <> '' AND char_length({value}) <= {FREE[key]} AND {value} IS NFC NORMALIZED)"
        )
        if key == "email":
            form = f"({form} AND {value} ~ %(email)s)"
        if self.reader.column(key).required:
            return form
        return f"({value} = '' OR {form})"

    def _spaced(self) -> str:
        """SQL: no free-text cell has white space its parser would change — each cell's test
        (`PARAMS["white"]`: a space at either end, two in a row, any other white space) made
        in one regular expression over the cells joined by chr(1), not one call per cell (the
        call and the conversion of the text for the regex engine cost as much as the scan).
        A cell holding chr(1) itself may fail it where alone it would not: that row goes row
        by row, as any row the lane cannot vouch for; the test never passes a row that one
        call per cell would fail."""
        joined = " || chr(1) || ".join(self.col(key) for key in FREE if key != "cccd")
        return f"(({joined}) !~ %(white_joined)s)"

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
        checks.append(self._spaced())

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
        left_on = single("left_on", "day", "date")
        # The rows go straight into the import's stage, in its columns (`STAGE_COLUMNS`), with
        # what the lane needs to know of each: the clean ones stay, the others are read back for
        # the row-by-row lane and removed (`drop`). One write of the file's rows, not two.
        staged = {
            "row_no": "r.row_no",
            "cccd": text["cccd"],
            "full_name": text["full_name"],
            "gender": "cp.gender",
            "birth_year": "cp.birth_year",
            "birth_date": birth,
            "phone": text["phone"],
            "email": text["email"],
            "province_id": "a.province_id",
            "commune_id": "a.commune_id",
            "address": text["street"],
            "legacy_address": (
                f"CASE WHEN a.legacy_text <> '' "
                f"THEN concat_ws(', ', {text['street']}, a.legacy_text) END"
            ),
            "org_id": "o.org_id",
            "org_province": "o.province",
            "kind": kind,
            "joined_on": joined,
            "capital": capital,
            "left_on": left_on,
        }
        columns = ", ".join(f"({staged[name]})::{sql_type} AS {name}" for name, sql_type in STAGE)
        select = f"""
            SELECT {columns}, ({blank}) AS blank,
                   COALESCE({" AND ".join(checks)}, false) AS clean,
                   a.legacy_text, a.converted_to
            FROM {self.raw} r {" ".join(joins)}"""
        with connection.cursor() as cursor:
            # Every join is raw row → small dictionary: hash them all. The planner, misled by
            # COALESCE keys, would loop over each dictionary for every row; and where a key
            # column is nearly all one value (the organisation's id, blank when the tax code is
            # given), it expects skewed hash buckets and sorts the whole file instead, to merge
            # it with the organisations (at 1 M rows, 2.5 s of sorting in each process).
            cursor.execute("SET LOCAL enable_nestloop = off")
            cursor.execute("SET LOCAL enable_mergejoin = off")
            cursor.execute(f"DROP TABLE {self.stage}")
            cursor.execute(
                f"CREATE UNLOGGED TABLE {self.stage} AS {select}", {**PARAMS, "today": today}
            )
            cursor.execute("SET LOCAL enable_nestloop = on")
            cursor.execute("SET LOCAL enable_mergejoin = on")
        self.classified = True

    def _stage_clean(self) -> tuple[int, int]:
        """The clean rows are staged (by `_classify`); (clean, other non-blank rows)."""
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT COUNT(*) FILTER (WHERE clean), COUNT(*) FILTER (WHERE NOT clean) "
                f"FROM {self.stage} WHERE NOT blank"
            )
            clean, other = cursor.fetchone()
        return clean, other

    def _others(self, count: int) -> Iterator[tuple[int, list[Any]]]:
        """The rows SQL could not vouch for, as the csv reader gives them, in file order; the
        clean rows' address conversions are reported in between, in row order."""
        cap = self.report.cap
        conversions = connection.connection.cursor(name="member_conversions")
        conversions.execute(
            f"SELECT row_no, legacy_text, converted_to FROM {self.stage} "
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
                    f"(SELECT row_no FROM {self.stage} WHERE NOT clean AND NOT blank) "
                    f"ORDER BY r.row_no"
                )
                for number, *cells in others:
                    convert_until(number)
                    row = [nfc(c) if c else "" for c in cells]
                    if not blank_row(row):
                        yield number, row
                others.close()
            convert_until(None)
            if pending is not None:
                with connection.cursor() as cursor:
                    cursor.execute(
                        f"SELECT COUNT(*) FROM {self.stage} WHERE clean AND NOT blank "
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
            # No JIT for the import's queries: their row estimates are far off (the classification
            # of 235,000 rows was costed at 41 million), so the planner compiled it with LLVM's
            # inlining and optimisation, about 5 s of CPU in each of its three processes, to run
            # for less than that.
            cursor.execute("SET LOCAL jit = off")
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
        """Leave the stage as the row-by-row lane would have: the clean rows and the rows it
        added (their marks NULL), in the stage's columns; drop the lane's own tables."""
        with connection.cursor() as cursor:
            if self.classified:
                cursor.execute(f"DELETE FROM {self.stage} WHERE blank OR NOT clean")
                cursor.execute(
                    f"ALTER TABLE {self.stage} DROP COLUMN blank, DROP COLUMN clean, "
                    f"DROP COLUMN legacy_text, DROP COLUMN converted_to"
                )
            for name in (
                self.raw,
                *(self.dictionary(k) for k in (*SINGLE, "organisation", "address", "cccd")),
            ):
                cursor.execute(f"DROP TABLE IF EXISTS {name}")
