"""Keyset (cursor) pagination: page N costs the same as page 1, at any table size.

The ordering is one column plus the primary key as tie-breaker. A cursor is an opaque,
URL-safe token holding the boundary row's values and the direction to read in.
"""

import base64
import json
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet


class InvalidCursor(ValueError):
    pass


@dataclass
class KeysetPage:
    items: list
    next_cursor: str | None
    previous_cursor: str | None


def _encode(value: Any, pk: Any, direction: str) -> str:
    raw = json.dumps([value, pk, direction], default=str, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(token: str) -> tuple[Any, Any, str]:
    try:
        padded = token + "=" * (-len(token) % 4)
        # validate=True: stray characters are an error, not silently dropped.
        raw = base64.b64decode(padded.encode(), altchars=b"-_", validate=True)
        value, pk, direction = json.loads(raw)
    except (ValueError, TypeError) as exc:
        raise InvalidCursor(token) from exc
    if direction not in ("next", "prev") or value is None:
        raise InvalidCursor(token)
    if isinstance(pk, bool) or not isinstance(pk, int | str):
        raise InvalidCursor(token)
    return value, pk, direction


def _after(field: str, value: Any, pk: Any, descending: bool) -> Q:
    """Rows strictly after (value, pk) in the given order.

    Written as `field >= v AND (field > v OR pk > id)` so the planner can range-scan an
    index on (field, pk) instead of OR-ing two scans.
    """
    op, eq = ("lt", "lte") if descending else ("gt", "gte")
    return Q(**{f"{field}__{eq}": value}) & (
        Q(**{f"{field}__{op}": value}) | Q(**{f"pk__{op}": pk})
    )


def _key(row: Any, field: str, pk_name: str) -> tuple[Any, Any]:
    """(sort value, primary key) of a model instance or of a values() dict."""
    if isinstance(row, dict):
        return row[field], row[pk_name]
    return getattr(row, field), row.pk


def keyset_paginate(
    queryset: QuerySet, field: str, descending: bool, cursor: str | None, size: int
) -> KeysetPage:
    model_field = queryset.model._meta.get_field(field)
    pk_name = queryset.model._meta.pk.attname
    direction = "next"
    if cursor:
        raw, raw_pk, direction = _decode(cursor)
        try:
            value = model_field.to_python(raw)
            pk = queryset.model._meta.pk.to_python(raw_pk)
        except Exception as exc:  # a field's own parse error: the token was tampered with
            raise InvalidCursor(cursor) from exc
        backwards = direction == "prev"
        queryset = queryset.filter(_after(field, value, pk, descending != backwards))
    backwards = direction == "prev"
    desc = descending != backwards
    order = [f"-{field}", "-pk"] if desc else [field, "pk"]
    rows = list(queryset.order_by(*order)[: size + 1])
    has_more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()
    if not rows:
        return KeysetPage([], None, None)
    first, last = rows[0], rows[-1]
    more_after = has_more if not backwards else True
    more_before = bool(cursor) if not backwards else has_more
    return KeysetPage(
        items=rows,
        next_cursor=_encode(*_key(last, field, pk_name), "next") if more_after else None,
        previous_cursor=_encode(*_key(first, field, pk_name), "prev") if more_before else None,
    )
