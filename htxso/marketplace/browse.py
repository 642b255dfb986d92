"""One page of the catalogue, for the page and the API: keyset pages at any depth.

- Browsing (no search words): `core.pagination` keyset cursors on (id) or (price, id), each
  read through its index, so page 400 costs what page 1 costs.
- Searching: the candidates are bounded, never all matches ranked. Every word is required as a
  whole word (`filters.matching`: on PostgreSQL one exact read of the full-text GIN index, the
  category and province with the words); when none has them all, the last word may be the start
  of a word. At most `CANDIDATES` + 1 matches are read unordered (stopped by LIMIT). A query
  with no more than `CANDIDATES` matches ranks them all; a broader one (a common word) takes the
  names starting with its words first (exact names among them: a B-tree range on the key,
  `0004_search_prefix`), then the first matches found, and says the list shows the best
  `CANDIDATES` ("narrow it"). The candidates are ranked (`filters.ranked`: the name exactly as
  typed, the name without accents, the accented text, the words as a prefix, the rest; then id)
  or sorted by price, and paged by a cursor naming the last product shown.
"""

import base64
import json
from dataclasses import dataclass

from django.db import connection
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.functions import Collate

from htxso.core.pagination import InvalidCursor, keyset_paginate
from htxso.core.text import search_key

from .filters import CatalogueFilter, ranked
from .models import Product

CANDIDATES = 480  # 20 pages of 24: the best matches a search shows


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


def _candidates(
    matches: QuerySet[Product], filtered: QuerySet[Product], query: str
) -> tuple[list[int], bool]:
    """(ids, capped) of `matches` (`filtered`: the same without the words): every match when
    there are at most CANDIDATES; otherwise the names that start with the query's words (the
    exact name first: an index range in byte order), then the first matches the index finds,
    CANDIDATES in all."""
    found = list(matches.values_list("id", flat=True)[: CANDIDATES + 1])
    if len(found) <= CANDIDATES:
        return found, False
    # A name starting with the query's key holds every word: no '%word%' test (so the
    # planner reads the B-tree range, not the trigram index).
    starting = filtered.filter(search_key__startswith=search_key(query))
    # In byte order (the index's, SQLite's own): the exact key comes before its extensions.
    key_order = Collate("search_key", "C") if connection.vendor == "postgresql" else "search_key"
    first = list(starting.order_by(key_order, "id").values_list("id", flat=True)[: CANDIDATES // 2])
    return list(dict.fromkeys(first + found))[:CANDIDATES], True


def _among(queryset: QuerySet[Product], ids: list[int]) -> QuerySet[Product]:
    """`queryset` kept to `ids`: on PostgreSQL one array parameter (`id = ANY(%s)`), not
    480 placeholders that Django builds and psycopg parses again for every request."""
    if connection.vendor != "postgresql":
        return queryset.filter(id__in=ids)
    among = RawSQL('"marketplace_product"."id" = ANY(%s::bigint[])', [ids], BooleanField())
    return queryset.filter(among)


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
        found = keyset_paginate(matches, field, descending, cursor, size)
        return Page(found.items, found.next_cursor, found.previous_cursor, False)
    filtered = form.filter(products, words=False)
    ids, capped = _candidates(matches, filtered, query)
    if not ids:  # no whole-word match: the last word may be one still being typed
        ids, capped = _candidates(form.filter(products, partial=True), filtered, query)
    best = ranked(_among(Product.objects.all(), ids), query)
    order = list(best.order_by(*form.ordering()).values_list("id", flat=True))
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
