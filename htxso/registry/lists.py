"""The registry's lists on the UI kit (`core/lists.py`): what each column shows, how it sorts
(the whitelist is `filters.SORTS`, shared with the API and the exports) and what it exports."""

from functools import cache
from typing import Any

from django.contrib.humanize.templatetags.humanize import intcomma
from django.urls import reverse
from django.utils.formats import date_format, get_format
from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _

from htxso.core.lists import Column, ListSpec, counted, csv_and_xlsx, register
from htxso.core.units import place_name

from .choices import OrganisationKind, Sector, Status
from .filters import SORTS

KINDS = dict(OrganisationKind.choices)
STATUSES = dict(Status.choices)
SECTORS = dict(Sector.choices)


@cache
def _link_prefix() -> str:
    # One reverse() per process, not one per row (rows were most of the page's rendering time).
    return escape(reverse("registry:organisation", args=[0]).removesuffix("0/"))


def _name(o: Any) -> str:
    # format_html's markup, without its per-argument escaping of a prefix and an integer.
    return SafeString(f'<a href="{_link_prefix()}{o.pk}/">{escape(o.name)}</a>')


def _place(o: Any) -> str:
    # Names from the process's unit names: the page runs no query for its rows' places.
    return place_name(o.province_id, o.commune_id)


# (choices, language) → {value: translated label}: one gettext per label and language, not
# one per cell (a kind and a status in each of the page's 50 rows).
_LABELS: dict[tuple[int, str], dict[str, str]] = {}


def _label(choices: dict[str, Any], value: Any) -> str | None:
    key = (id(choices), get_language() or "")
    labels = _LABELS.get(key)
    if labels is None:
        labels = _LABELS[key] = {k: str(v) for k, v in choices.items()}
    return labels.get(value)


def _date(value: Any) -> str | None:
    return date_format(value, "d/m/Y") if value else None


# language → the thousands separator when numbers group by threes (None: intcomma decides).
_GROUPING: dict[str, str | None] = {}


def _members(o: Any) -> str:
    """`intcomma` of the count, without its per-call format lookups for a plain int (~14 µs a
    row); the same text (tested)."""
    n = o.members_count
    language = get_language() or ""
    if language not in _GROUPING:
        grouped = get_format("NUMBER_GROUPING") == 3
        _GROUPING[language] = str(get_format("THOUSAND_SEPARATOR")) if grouped else None
    separator = _GROUPING[language]
    if separator is None or type(n) is not int:
        return intcomma(n)
    return f"{n:,}".replace(",", separator)


ORGANISATIONS = register(
    ListSpec(
        name="registry.organisations",
        columns=(
            Column("name", _("Tên"), _name, sort="name", fixed=True),
            Column("kind", _("Loại hình"), lambda o: _label(KINDS, o.kind)),
            Column("tax_code", _("Mã số thuế"), lambda o: o.tax_code or None),
            Column("place", _("Địa bàn"), _place),
            Column("status", _("Tình trạng"), lambda o: _label(STATUSES, o.status)),
            Column("members", _("Thành viên"), _members, sort="members", numeric=True),
            Column(
                "established",
                _("Thành lập"),
                lambda o: _date(o.established_on),
                sort="established",
                default=False,
            ),
            Column("sector", _("Ngành"), lambda o: _label(SECTORS, o.sector), default=False),
            Column(
                "agricultural",
                _("Nông nghiệp"),
                lambda o: _("Có") if o.is_agricultural else _("Không"),
                default=False,
            ),
        ),
        sorts=SORTS,
        default_sort="name",
        counted=counted(
            lambda n: ngettext("%(n)s tổ chức", "%(n)s tổ chức", n),
            _("Hơn %(n)s tổ chức — hãy thu hẹp bộ lọc"),
        ),
        empty=_("Không tìm thấy tổ chức nào phù hợp."),
        exports=csv_and_xlsx("exchange:export-organisations"),
    )
)
