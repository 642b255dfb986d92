"""The administrative units put back after a flush, from a copy taken once per session.

`load_units()` reads and reconciles the bundled sources each time (4–6 s); a transactional test
(`transactional_db`, `live_server`) starts from flushed tables and needs the units again. The
session's database setup loads them once and keeps their rows here (`take_units`);
`restore_units()` writes the same rows back with plain INSERTs (well under a second), and falls
back to `load_units()` when no copy was taken or the tables hold something else than the copy.
"""

from typing import Any

from django.db import connection

_rows: dict[str, tuple[list[str], list[tuple[Any, ...]]]] = {}


def _tables() -> list[tuple[str, list[str]]]:
    """(table, columns) of the units, parents first; the successors' link table without its id
    (the database numbers it)."""
    from htxso.core.models import Commune, LegacyCommune, LegacyDistrict, LegacyProvince, Province

    out = []
    for model in (Province, Commune, LegacyProvince, LegacyDistrict, LegacyCommune):
        out.append((model._meta.db_table, [f.column for f in model._meta.concrete_fields]))
    through = LegacyCommune.successors.through._meta
    out.append((through.db_table, [f.column for f in through.concrete_fields if not f.primary_key]))
    return out


def take_units() -> None:
    """Copy the unit tables' rows (after `load_units()`)."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table, columns in _tables():
            cursor.execute(f"SELECT {', '.join(map(quote, columns))} FROM {quote(table)}")
            _rows[table] = (columns, cursor.fetchall())


def restore_units() -> None:
    """The units as `load_units()` leaves them: written back from the copy on flushed tables,
    left alone when already there, and loaded from the sources otherwise."""
    from htxso.core.units import _forget_cached_units, load_units

    quote = connection.ops.quote_name
    tables = _tables()
    if not _rows:
        load_units()
        return
    with connection.cursor() as cursor:
        counts = []
        for table, _columns in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")
            counts.append(cursor.fetchone()[0])
    if all(n == len(_rows[t][1]) for n, (t, _c) in zip(counts, tables, strict=True)):
        return
    if any(counts):
        load_units()
        return
    with connection.cursor() as cursor:
        for table, _columns in tables:
            columns, rows = _rows[table]
            row = f"({', '.join(['%s'] * len(columns))})"
            into = f"INSERT INTO {quote(table)} ({', '.join(map(quote, columns))}) VALUES "
            size = max(1, 900 // len(columns))  # under SQLite's oldest limit of 999 parameters
            for start in range(0, len(rows), size):  # many rows a statement: few round trips
                batch = rows[start : start + size]
                cursor.execute(into + ", ".join([row] * len(batch)), [v for r in batch for v in r])
    _forget_cached_units()
