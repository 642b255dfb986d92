"""One page of the catalogue, for the page and the API: keyset pages at any depth.

- Browsing (no search words): `core.pagination` keyset cursors on (id) or (price, id), each
  read through its index, so page 400 costs what page 1 costs.
- Searching: the candidates are bounded. PostgreSQL reads the `CANDIDATES` products nearest
  to the query by trigram distance straight off a GiST index (`search_key <-> key … LIMIT`:
  the index walk stops there), with every word still required (`LIKE '%word%'`, the same
  index); SQLite takes the first matches by id. The candidates are then ranked
  (`filters.ranked`: the name exactly as typed, the name without accents, the accented text,
  the words as a prefix, the rest; then distance, id) or sorted by price, and paged by a
  cursor naming the last product shown. A query matching more says so ("the best N").
"""

import base64
import json
from dataclasses import dataclass

from django.contrib.postgres.search import TrigramDistance
from django.db import connection
from django.db.models import QuerySet

from htxso.core.pagination import InvalidCursor, keyset_paginate
from htxso.core.text import search_key

from .filters import CatalogueFilter, ranked
from .models import Product

CANDIDATES = 480  # 20 pages of 24: the best matches a search shows


@dataclass
class Page:
    items: list[Product]
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


def _candidates(matches: QuerySet[Product], query: str) -> QuerySet[Product]:
    if connection.vendor == "postgresql":
        nearest = matches.annotate(distance=TrigramDistance("search_key", search_key(query)))
        return nearest.order_by("distance", "id")
    return matches.order_by("id")


def page(
    form: CatalogueFilter, products: QuerySet[Product], cursor: str | None, size: int
) -> Page:
    """The page of `products` (the caller's visible rows) that `form` and `cursor` ask for.
    Raises `InvalidCursor` for a cursor this module did not give (or whose row is gone)."""
    matches = form.filter(products)
    query = form.query()
    if not query:
        field, descending = form.keyset()
        found = keyset_paginate(matches, field, descending, cursor, size)
        return Page(found.items, found.next_cursor, found.previous_cursor, False)
    ids = list(
        _candidates(matches, query).values_list("id", flat=True)[: CANDIDATES + 1]
    )
    capped = len(ids) > CANDIDATES
    best = ranked(Product.objects.filter(id__in=ids[:CANDIDATES]), query)
    if connection.vendor == "postgresql":
        best = best.annotate(distance=TrigramDistance("search_key", search_key(query)))
    order = list(best.order_by(*form.ordering()).values_list("id", flat=True))
    start = 0
    if cursor:
        last = _after(cursor)
        if last not in order:
            raise InvalidCursor(cursor)
        start = order.index(last) + 1
    chosen = order[start : start + size]
    rows = {p.pk: p for p in products.filter(id__in=chosen)}
    items = [rows[pk] for pk in chosen if pk in rows]
    more = start + size < len(order)
    return Page(items, _token(chosen[-1]) if more and chosen else None, None, capped)
