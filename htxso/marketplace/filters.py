"""The one filter of the catalogue (page and API) and the seller's order board.

Search ignores diacritics and case: every word of the query must be in the product's search
key (`core.text.search_key`; on PostgreSQL a trigram GIN index answers the LIKE '%word%'), and
the best matches (a bounded set of candidates, `browse.py`) are ranked — the name exactly as
typed first, then the name equal to the query without accents, then names containing the
typed (accented) text, then names starting with the unaccented words, then the rest."""

from typing import Any

from django import forms
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
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


def matching(queryset: QuerySet[Product], query: str) -> QuerySet[Product]:
    """The products containing every word of `query` (diacritics and case ignored)."""
    for term in search_terms(query):
        queryset = queryset.filter(search_key__contains=term)
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


class CatalogueFilter(StyledForm):
    """Browse and search the products on sale."""

    q = forms.CharField(label=_("Tìm sản phẩm"), required=False, max_length=100)
    category = forms.ChoiceField(
        label=_("Danh mục"), required=False, choices=[("", _("Tất cả")), *Category.choices]
    )
    province = forms.ChoiceField(label=_("Tỉnh/thành phố"), required=False)
    stars = forms.TypedChoiceField(
        label=_("OCOP từ"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Tất cả")), *[(str(n), _("%(n)s sao") % {"n": n}) for n in (3, 4, 5)]],
    )
    max_price = MoneyField(label=_("Giá tối đa"), required=False)
    sort = forms.ChoiceField(label=_("Sắp xếp"), required=False, choices=list(SORTS.items()))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["province"].choices = [("", _("Cả nước")), *province_names()]  # type: ignore[attr-defined]

    def filter(self, queryset: QuerySet[Product], words: bool = True) -> QuerySet[Product]:
        """The products the filters keep (`words=False`: without the search words)."""
        data: dict[str, Any] = self.cleaned_data if self.is_valid() else {}
        if data.get("category"):
            queryset = queryset.filter(category=data["category"])
        if data.get("province"):
            queryset = queryset.filter(province_id=data["province"])
        if data.get("stars"):
            queryset = queryset.filter(
                ocop_stars__gte=data["stars"],
                ocop_expires_on__gte=timezone.localdate(),
            ).exclude(ocop_certificate="")
        if data.get("max_price") is not None:
            queryset = queryset.filter(price__lte=data["max_price"])
        return matching(queryset, data.get("q") or "") if words else queryset

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
