"""The one filter of the organisation list: pages, API and exports all apply it."""

import copy
import re
from collections.abc import Iterator, Mapping
from functools import cached_property, lru_cache
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.choices import BaseChoiceIterator
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString
from django.utils.translation import get_language
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
        commune_field.choices = _commune_choices(communes) if communes else [("", _("Tất cả"))]

    SELECTS = ("province", "commune", "kind", "sector", "status", "agricultural", "sort")

    @cached_property
    def options(self) -> dict[str, SafeString]:
        """Each select's <option> list as HTML. The options' escaped text is built once per
        language (and province, for the communes) and kept: building ~100 options with lazy
        labels through format_html was a fifth of the list page's time (issue #24)."""
        html = {}
        for name in self.SELECTS:
            field = self[name]
            current = str(field.value() or "")
            province = self.data.get("province") if name == "commune" else None
            html[name] = _options_html(name, province, field.field.choices, current)  # type: ignore[attr-defined]
        return html

    @cached_property
    def labels(self) -> dict[str, SafeString]:
        """Each field's <label> as `label_tag` renders it, kept per language: label_tag renders
        a template each time (an eighth of the list page)."""
        language = get_language() or ""
        labels = _LABELS.get(language)
        if labels is None:
            labels = _LABELS[language] = {
                name: SafeString(self[name].label_tag()) for name in ("q", *self.SELECTS)
            }
        return labels

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


class _Fields(dict):
    """The form's fields, shared by its instances but for the commune (its choices are the
    request's province's): Django deep-copies every field and widget for each form, ~100
    choices and nine widgets a request, a sixth of a small result's time (issue #24). Nothing
    else writes to a field of this form after the class is built."""

    def __deepcopy__(self, memo: dict) -> dict:
        fields = dict(self)
        fields["commune"] = copy.deepcopy(self["commune"], memo)
        return fields


OrganisationFilter.base_fields = _Fields(OrganisationFilter.base_fields)


class _Kept(BaseChoiceIterator):
    """A province's commune choices, kept: Django normalises a list of choices (a new list of
    ~100 pairs) for the field and again for its widget on every form; an iterator it keeps as
    it is (issue #24)."""

    def __init__(self, choices: list[tuple[str, Any]]) -> None:
        self.choices = choices

    def __iter__(self) -> Iterator[tuple[str, Any]]:
        return iter(self.choices)

    def __len__(self) -> int:
        return len(self.choices)


@lru_cache(maxsize=64)  # keyed by the communes themselves: units reloaded are new choices
def _commune_choices(communes: tuple[tuple[str, str], ...]) -> _Kept:
    return _Kept([("", _("Tất cả")), *communes])


# (what, language, province) → ((value, "<option value=…", ">label</option>"), …)
_PARTS: dict[tuple[str, str, str], tuple[tuple[str, str, str], ...]] = {}
_LABELS: dict[str, dict[str, SafeString]] = {}
# (what, language, province, selected value) → the <option>s: only values of the lists.
_HTML: dict[tuple[str, str, str, str], SafeString] = {}


def _options_html(name: str, province: Any, choices: Any, current: str) -> SafeString:
    # Only a province with communes keys its own list (any other value lists "Tất cả" alone):
    # what a request sends cannot grow the cache.
    code = str(province) if name == "commune" and len(choices) > 1 else ""
    key = (name, get_language() or "", code)
    parts = _PARTS.get(key)
    if parts is None:
        parts = _PARTS[key] = tuple(
            (
                str(value),
                f'<option value="{conditional_escape(value)}"',
                f">{conditional_escape(label)}</option>",
            )
            for value, label in choices
        )
    kept = _HTML.get((*key, current))
    if kept is not None:
        return kept
    html = SafeString(
        "".join(
            f"{start} selected{end}" if value == current else start + end
            for value, start, end in parts
        )
    )
    if any(value == current for value, _start, _end in parts):  # one of the list's own values
        _HTML[(*key, current)] = html
    return html


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
