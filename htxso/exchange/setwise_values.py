"""The set-wise lane's distinct values (`setwise`): every distinct value of the low-cardinality
columns judged once in Python by the layout's parsers, `Organisations.find`, `rows.place_of` and
`decode_cccd`, and written to a dictionary table that SQL joins back."""

import contextlib
import datetime as dt
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection

from htxso.core import addresses
from htxso.core.bulk import write_rows
from htxso.core.cccd import decode_cccd

from .rows import place_of
from .setwise_copy import ADDRESS, ORGANISATION, PARAMS, SINGLE, digits_sql, nfc, sql_value


class Dictionaries:
    """The distinct values of one file in the set-wise lane (`setwise.Lane` builds on it)."""

    def __init__(self, reader: Any, orgs: Any, report: Any, stage: str) -> None:
        self.reader, self.orgs, self.report, self.stage = reader, orgs, report, stage
        self.position = {column.key: p for p, column in reader.mapping.items()}
        self.width = 0
        # Unlogged tables, not temporary ones: PostgreSQL scans those with parallel workers
        # (both cores). They are created in the import's transaction, so a crash or a rollback
        # takes them away; their names are the import's own.
        suffix = secrets.token_hex(4)
        self.raw = f"member_raw_{suffix}"
        self.classified = False  # the stage holds every row, with marks (`Lane._classify`)
        self.suffix = suffix
        self.columns: dict[str, Any] = {}

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
        return f"CASE WHEN {digits_sql(cccd, 12)} THEN left({cccd}, 6) END"

    def _cell(self, key: str, raw: str) -> tuple[bool, Any]:
        if key not in self.position:
            return True, None
        column = self.columns.get(key)
        if column is None:  # looked up once: the layout's lookup is a scan of its columns
            column = self.columns[key] = self.reader.column(key)
        return self.reader.cell(column, nfc(raw))

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
                    sql_value(value),
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
