"""The one filter of the catalogue (page and API) and the seller's order board.

Search ignores diacritics and case: every word of the query must be a whole word of the
product's search key (`core.text.search_key`), or, when no product has them all as whole
words, the last word may be the start of a word (a word still being typed: "chè tân cươ").
On PostgreSQL a full-text GIN index (`0007_search_words`: the `simple` configuration over the
key plus the category and the province as tokens) answers the words and those two filters in
one exact index read; elsewhere (SQLite, the embedded demo) the same rule is a LIKE on the key
padded with spaces. The best matches (a bounded set of candidates, `browse.py`) are ranked —
the name exactly as typed first, then the name equal to the query without accents, then names
containing the typed (accented) text, then names starting with the unaccented words, then the
rest."""

from typing import Any

from django import forms
from django.db import connection
from django.db.models import BooleanField, Case, IntegerField, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Concat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from htxso.core.forms import MoneyField, StyledForm
from htxso.core.text import search_key, search_terms
from htxso.core.units import province_names

from .models import Category, Order, OrderStatus, Product

SORTS = {
    "": _("Phù hợp nhất"),
    "price": _("Giá thấp trước"),
    "-price": _("Giá cao trước"),
    "new": _("Mới nhất"),
}


# The document the GIN index of `0007_search_words` holds: written exactly as the index is.
DOCUMENT = (
    "to_tsvector('simple'::regconfig, (\"marketplace_product\".\"search_key\"::text || ' zc' || "
    '"marketplace_product"."category"::text || \' zp\' || '
    '"marketplace_product"."province_id"::text))'
)


def matching(
    queryset: QuerySet[Product],
    query: str,
    partial: bool = False,
    category: str = "",
    province: str = "",
) -> QuerySet[Product]:
    """The products having every word of `query` as a whole word (diacritics and case
    ignored; `partial`: the last word may be the start of a word), in `category` and
    `province` when given."""
    terms = search_terms(query)
    if connection.vendor == "postgresql" and terms:
        # Words (\w only: no tsquery operator), category and province as the index's tokens.
        tokens = [
            *terms,
            *([f"zc{category}"] if category else []),
            *([f"zp{province}"] if province else []),
        ]
        if partial:
            tokens[len(terms) - 1] += ":*"
        found = RawSQL(
            f"{DOCUMENT} @@ to_tsquery('simple'::regconfig, %s)",
            [" & ".join(tokens)],
            output_field=BooleanField(),
        )
        return queryset.filter(found)
    if category:
        queryset = queryset.filter(category=category)
    if province:
        queryset = queryset.filter(province_id=province)
    if not terms:
        return queryset
    queryset = queryset.alias(padded=Concat(Value(" "), "search_key", Value(" ")))
    for n, term in enumerate(terms):
        last = partial and n == len(terms) - 1
        queryset = queryset.filter(padded__contains=f" {term}" if last else f" {term} ")
    return queryset


def ranked(queryset: QuerySet[Product], query: str) -> QuerySet[Product]:
    """`queryset` annotated with each product's rank for `query` (0 best)."""
    query = (query or "").strip()
    key = search_key(query)
    return queryset.annotate(
        rank=Case(
            When(name__iexact=query, then=Value(0)),
            When(search_key=key, then=Value(1)),
            When(name__icontains=query, then=Value(2)),
            When(search_key__startswith=key, then=Value(3)),
            default=Value(4),
            output_field=IntegerField(),
        )
    )


def search(queryset: QuerySet[Product], query: str) -> QuerySet[Product]:
    """The products matching `query` (every word, diacritics ignored), ranked."""
    if not search_terms(query):
        return queryset
    return ranked(matching(queryset, query), query)


def province_choices() -> list[tuple[str, Any]]:
    return [("", _("Cả nước")), *province_names()]


class CatalogueFilter(StyledForm):
    """Browse and search the products on sale."""

    q = forms.CharField(label=_("Tìm sản phẩm"), required=False, max_length=100)
    category = forms.ChoiceField(
        label=_("Danh mục"), required=False, choices=[("", _("Tất cả")), *Category.choices]
    )
    # A callable: read when drawn or checked, not copied with the form's fields each request.
    province = forms.ChoiceField(
        label=_("Tỉnh/thành phố"), required=False, choices=province_choices
    )
    stars = forms.TypedChoiceField(
        label=_("OCOP từ"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Tất cả")), *[(str(n), _("%(n)s sao") % {"n": n}) for n in (3, 4, 5)]],
    )
    max_price = MoneyField(label=_("Giá tối đa"), required=False)
    sort = forms.ChoiceField(label=_("Sắp xếp"), required=False, choices=list(SORTS.items()))

    def filter(
        self, queryset: QuerySet[Product], words: bool = True, partial: bool = False
    ) -> QuerySet[Product]:
        """The products the filters keep (`words=False`: without the search words;
        `partial`: the last word may be the start of a word)."""
        data: dict[str, Any] = self.cleaned_data if self.is_valid() else {}
        if data.get("stars"):
            queryset = queryset.filter(
                ocop_stars__gte=data["stars"],
                ocop_expires_on__gte=timezone.localdate(),
            ).exclude(ocop_certificate="")
        if data.get("max_price") is not None:
            queryset = queryset.filter(price__lte=data["max_price"])
        # Category and province go with the words: one index read on PostgreSQL.
        return matching(
            queryset,
            (data.get("q") or "") if words else "",
            partial,
            data.get("category") or "",
            data.get("province") or "",
        )

    def narrowed(self) -> bool:
        """Filters the search's index ranges do not serve (stars, a price): set, a range of
        names could be read whole to keep none of them (`browse._candidates`)."""
        data: dict[str, Any] = self.cleaned_data if self.is_valid() else {}
        return bool(data.get("stars")) or data.get("max_price") is not None

    def query(self) -> str:
        """The search words as typed ("" when there are none to search by)."""
        query = ((self.cleaned_data.get("q") if self.is_valid() else "") or "").strip()
        return query if search_terms(query) else ""

    def _sort(self) -> str:
        return (self.cleaned_data.get("sort") if self.is_valid() else "") or ""

    def keyset(self) -> tuple[str, bool]:
        """Browsing's keyset order: (field, descending), the id breaking ties."""
        sort = self._sort()
        if sort in ("price", "-price"):
            return "price", sort == "-price"
        return "id", True

    def ordering(self) -> list[str]:
        """A search's order over its ranked candidates (`browse.page`)."""
        sort = self._sort()
        if sort == "price":
            return ["price", "id"]
        if sort == "-price":
            return ["-price", "-id"]
        if sort == "new":
            return ["-id"]
        return ["rank", "id"]


class OrderFilter(StyledForm):
    """The seller's board and the API's order list."""

    status = forms.ChoiceField(
        label=_("Trạng thái"), required=False, choices=[("", _("Tất cả")), *OrderStatus.choices]
    )
    unpaid = forms.BooleanField(label=_("Chưa nhận tiền"), required=False)

    def filter(self, queryset: QuerySet[Order]) -> QuerySet[Order]:
        data: dict[str, Any] = self.cleaned_data if self.is_valid() else {}
        if data.get("status"):
            queryset = queryset.filter(status=data["status"])
        if data.get("unpaid"):
            queryset = queryset.filter(Q(paid_at__isnull=True))
        return queryset
