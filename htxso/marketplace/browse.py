"""One page of the catalogue, for the page and the API: keyset pages at any depth.

- Browsing (no search words): `core.pagination` keyset cursors on (id) or (price, id), each
  read through its index, so page 400 costs what page 1 costs.
- Searching: the candidates are bounded, never all matches ranked. Every word is required as a
  whole word (`filters.matching`: on PostgreSQL one exact read of the full-text GIN index, the
  category and province with the words); when none has them all, the last word may be the start
  of a word. First the names starting with the query's words are read off a byte-order B-tree
  range, stopped at `CANDIDATES` + 1 (`0004_search_prefix`, with a province
  `0009_search_filter_prefix`): when more than `CANDIDATES` names start with the words (a
  common first word), they are the candidates and the full-text index is not read. Otherwise at
  most `CANDIDATES` + 1 matches are read off the index unordered (stopped by LIMIT): no more
  than `CANDIDATES` and all are ranked; more, and the starting names (exact names among them)
  come first, then the first matches found. A capped list says it shows the best `CANDIDATES`
  ("narrow it"). Each candidate is read with its rank (`filters.ranked`: the name exactly as
  typed, the name without accents, the accented text, the words as a prefix, the rest; then
  id) and price, ordered in Python, and paged by a cursor naming the last product shown.
"""

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.db.models.functions import Collate

from htxso.core.pagination import InvalidCursor, keyset_paginate
from htxso.core.text import search_key

from .filters import CatalogueFilter, ranked
from .models import Product

CANDIDATES = 480  # 20 pages of 24: the best matches a search shows
Row = tuple[int, int, int, str]  # a starting name: id, rank, price, key


@dataclass
class Page:
    items: list  # products, or rows of `values()` when `products` is one (the API's)
    next_cursor: str | None
    previous_cursor: str | None
    capped: bool  # a search with more matches than CANDIDATES


def _token(pk: int) -> str:
    return base64.urlsafe_b64encode(json.dumps(["after", pk]).encode()).decode().rstrip("=")


def _after(token: str) -> int:
    try:
        raw = base64.b64decode((token + "=" * (-len(token) % 4)).encode(), b"-_", validate=True)
        word, pk = json.loads(raw)
    except (ValueError, TypeError) as exc:
        raise InvalidCursor(token) from exc
    if word != "after" or isinstance(pk, bool) or not isinstance(pk, int):
        raise InvalidCursor(token)
    return pk


def _starting(filtered: QuerySet[Product], query: str, key: str) -> list[Row]:
    """(id, rank, price, key) of the first CANDIDATES + 1 products whose key starts with `key`,
    in byte order: a B-tree range stopped at the limit (`0004_search_prefix`; with a province
    or a category, `0009_search_filter_prefix`), cheap however common the words. In byte
    order the keys holding `key` as whole words (`key` itself, then `key` and a space) come
    before those where its last word is cut ("che", "che bup …", then "chem …")."""
    if connection.vendor == "postgresql":
        # LIKE 'key%' with the "C" range the planner derives from it (no trigram read).
        order: list = [Collate("search_key", "C"), "id"]
    else:
        order = ["search_key", "id"]
    rows = ranked(filtered.filter(search_key__startswith=key), query).order_by(*order)
    columns = rows.values_list("id", "rank", "price", "search_key")  # type: ignore[misc]
    return list(columns[: CANDIDATES + 1])


def _candidates(
    query: str, starting: Callable[[], list[Row]], matches: QuerySet[Product], eager: bool
) -> tuple[dict[int, tuple[int, int]], bool]:
    """({id: (rank, price)}, capped) of `matches`, `starting()` its names starting with the
    query's words (`_starting`, in byte order).

    `eager` (no filter but category and province, which the ranges serve): the starting names
    first; more than CANDIDATES of them and the search is capped with those, the full-text
    index not read at all (it would build the whole list of a common word's matches, tens of
    thousands, before any limit applies). Otherwise every match when there are at most
    CANDIDATES; else the starting names (up to half) then the first matches the index finds.
    Not eager (stars, a price: a range could read all its rows to keep none), the index first.
    Each candidate comes with its rank and price: no further query orders them."""
    if eager and len(starting()) > CANDIDATES:
        return {pk: (rank, price) for pk, rank, price, _ in starting()[:CANDIDATES]}, True
    rows = ranked(matches, query).values_list("id", "rank", "price")  # type: ignore[misc]
    rows = rows[: CANDIDATES + 1]
    found = {pk: (rank, price) for pk, rank, price in rows}
    if len(found) <= CANDIDATES:
        return found, False
    head = [(pk, (rank, price)) for pk, rank, price, _ in starting()[: CANDIDATES // 2]]
    rest = [(pk, value) for pk, value in found.items() if pk not in dict(head)]
    return dict([*head, *rest][:CANDIDATES]), True


def _sort_key(ordering: list[str], found: dict[int, tuple[int, int]]) -> Any:
    """The key `sorted` orders candidate ids by for `ordering` (fields rank, price, id, each
    ascending or "-" descending: all numbers)."""
    column = {"rank": 0, "price": 1}

    def key(pk: int) -> tuple[int, ...]:
        values = []
        for name in ordering:
            field = name.lstrip("-")
            value = pk if field == "id" else found[pk][column[field]]
            values.append(-value if name.startswith("-") else value)
        return tuple(values)

    return key


def _pk(row: Product | dict) -> int:
    """A product's id, as an instance or as a row of `values()` (the API reads rows)."""
    return row["id"] if isinstance(row, dict) else row.pk


def page(form: CatalogueFilter, products: QuerySet[Product], cursor: str | None, size: int) -> Page:
    """The page of `products` (the caller's visible rows) that `form` and `cursor` ask for.
    Raises `InvalidCursor` for a cursor this module did not give (or whose row is gone)."""
    matches = form.filter(products)
    query = form.query()
    if not query:
        field, descending = form.keyset()
        kept = keyset_paginate(matches, field, descending, cursor, size)
        return Page(kept.items, kept.next_cursor, kept.previous_cursor, False)
    filtered = form.filter(products, words=False)
    key = search_key(query)
    # One range read serves both passes (read once, when first needed): its whole-word names
    # lead it in byte order.
    read: list[list[Row]] = []

    def starting() -> list[Row]:
        if not read:
            read.append(_starting(filtered, query, key))
        return read[0]

    def whole() -> list[Row]:
        return [row for row in starting() if row[3] == key or row[3].startswith(key + " ")]

    eager = not form.narrowed()
    found, capped = _candidates(query, whole, matches, eager)
    if not found:  # no whole-word match: the last word may be one still being typed
        partial = form.filter(products, partial=True)
        found, capped = _candidates(query, starting, partial, eager)
    order = sorted(found, key=_sort_key(form.ordering(), found))
    start = 0
    if cursor:
        last = _after(cursor)
        if last not in order:
            raise InvalidCursor(cursor)
        start = order.index(last) + 1
    chosen = order[start : start + size]
    rows = {_pk(p): p for p in products.filter(id__in=chosen)}
    items = [rows[pk] for pk in chosen if pk in rows]
    more = start + size < len(order)
    return Page(items, _token(chosen[-1]) if more and chosen else None, None, capped)
