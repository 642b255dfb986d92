"""The one filter of the organisation list: pages, API and exports all apply it."""

import re
from collections.abc import Mapping
from functools import cached_property
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from htxso.core.text import search_terms
from htxso.core.units import commune_names, province_names

from .choices import OrganisationKind, Sector, Status

TAX_CODE_QUERY = re.compile(r"^\d[\d\s.-]{2,}$")

SORTS = {
    # key: (model field, descending, label)
    "name": ("name_key", False, _("Tên A→Z")),
    "-name": ("name_key", True, _("Tên Z→A")),
    "-established": ("established_on", True, _("Thành lập mới nhất")),
    "established": ("established_on", False, _("Thành lập lâu nhất")),
    "-members": ("members_count", True, _("Nhiều thành viên nhất")),
    "members": ("members_count", False, _("Ít thành viên nhất")),
}


def province_choices() -> list[tuple[str, Any]]:
    """The 34 provinces for a select, read once per process (they change only by decree)."""
    return [("", _("Tất cả")), *province_names()]


YES_NO = [("", _("Tất cả")), ("yes", _("Có")), ("no", _("Không"))]


class OrganisationFilter(forms.Form):
    q = forms.CharField(
        label=_("Tìm kiếm"),
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={"placeholder": _("Tên tổ chức hoặc mã số thuế"), "type": "search"}
        ),
    )
    province = forms.ChoiceField(
        label=_("Tỉnh/thành phố"), required=False, choices=province_choices
    )
    commune = forms.ChoiceField(label=_("Xã/phường"), required=False)
    kind = forms.ChoiceField(
        label=_("Loại hình"),
        required=False,
        choices=[("", _("Tất cả")), *OrganisationKind.choices],
    )
    sector = forms.ChoiceField(
        label=_("Ngành"), required=False, choices=[("", _("Tất cả")), *Sector.choices]
    )
    status = forms.ChoiceField(
        label=_("Tình trạng"),
        required=False,
        choices=[("", _("Tất cả")), *Status.choices],
    )
    agricultural = forms.ChoiceField(label=_("Nông nghiệp"), required=False, choices=YES_NO)
    sort = forms.ChoiceField(
        label=_("Sắp xếp"),
        required=False,
        choices=[(key, label) for key, (_f, _d, label) in SORTS.items()],
    )

    def __init__(self, data: Mapping[str, Any] | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(data, *args, **kwargs)
        code = (data or {}).get("province")
        # Only the communes of the chosen province are valid (and listed).
        communes = commune_names(code) if isinstance(code, str) and len(code) == 2 else ()
        commune_field = self.fields["commune"]
        assert isinstance(commune_field, forms.ChoiceField)
        commune_field.choices = [("", _("Tất cả")), *communes]

    SELECTS = ("province", "commune", "kind", "sector", "status", "agricultural", "sort")

    @cached_property
    def options(self) -> dict[str, SafeString]:
        """Each select's <option> list as HTML, built in Python: a template loop over ~100
        options with lazy labels was the slowest part of the list page."""
        html = {}
        for name in self.SELECTS:
            field = self[name]
            current = str(field.value() or "")
            html[name] = format_html_join(
                "",
                '<option value="{}"{}>{}</option>',
                (
                    (value, " selected" if str(value) == current else "", label)
                    for value, label in field.field.choices  # type: ignore[attr-defined]
                ),
            )
        return html

    @property
    def sort_key(self) -> str:
        value = self.cleaned_data.get("sort") if self.is_bound and self.is_valid() else ""
        return value or "name"

    def filter(self, queryset: QuerySet) -> QuerySet:
        """Apply the valid filters; an invalid form filters nothing (the page shows the errors)."""
        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        queryset = search(queryset, data.get("q") or "")
        if data.get("province"):
            queryset = queryset.filter(province_id=data["province"])
        if data.get("commune"):
            queryset = queryset.filter(commune_id=data["commune"])
        for name in ("kind", "sector", "status"):
            if data.get(name):
                queryset = queryset.filter(**{name: data[name]})
        if data.get("agricultural"):
            queryset = queryset.filter(is_agricultural=data["agricultural"] == "yes")
        return queryset

    def aggregate_filters(self) -> dict | None:
        """The filters as RegistryAggregate lookups, or None when the aggregates can't answer."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        if data.get("q") or data.get("commune") or data.get("sector"):
            return None
        lookups: dict = {}
        if data.get("province"):
            lookups["province_id"] = data["province"]
        for name in ("kind", "status"):
            if data.get(name):
                lookups[name] = data[name]
        if data.get("agricultural"):
            lookups["is_agricultural"] = data["agricultural"] == "yes"
        return lookups


def search(queryset: QuerySet, query: str) -> QuerySet:
    """Diacritic- and case-insensitive search on names, or a tax-code prefix search.

    Every word must appear in the organisation's search key (any order). On PostgreSQL a
    trigram GIN index answers these LIKE '%word%' filters.
    """
    query = query.strip()
    if not query:
        return queryset
    if TAX_CODE_QUERY.match(query):
        digits = re.sub(r"\D", "", query)
        prefix = digits if len(digits) <= 10 else f"{digits[:10]}-{digits[10:]}"
        return queryset.filter(tax_code__startswith=prefix)
    for term in search_terms(query):
        queryset = queryset.filter(search_key__contains=term)
    return queryset
