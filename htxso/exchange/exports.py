"""Streamed exports of the registry (CSV and XLSX), in the columns of the import templates.

- `organisation_rows(user, params)`: the organisation list as the list page filters it
  (`visible_to` + `OrganisationFilter`), one row per organisation, every value written the way
  the importer reads it back ("Hợp tác xã", "A - Nông nghiệp…", 15/03/2012, "Có"), so an
  export re-imports with the template's column matching: its last layout column is the
  organisation's id on HTX Số (what a re-import matches on first), then the member count, which
  the importer ignores (with a warning).
- `member_rows(user, params)`: memberships of people (personal data) in the user's scope,
  masked unless the user's role may see personal data in full. Roles without any personal
  scope (anonymous, public, alliance adviser) are refused.

Rows come from `values_list(...).iterator()`: one query (memberships join person and
organisation), no model instances, places named from dictionaries read once per export.

Every export leaves one audit entry (`action="export"`), written before the first row with
`rows=None` and completed when the stream ends, so a download cut off midway is still logged
(with the rows sent so far and `complete: false`).
"""

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from htxso.core import personal
from htxso.core.audit import record
from htxso.core.models import AuditEntry, Commune
from htxso.core.personal import may_reveal
from htxso.core.units import province_names
from htxso.core.values import parse_date, parse_money
from htxso.registry.filters import SORTS, OrganisationFilter, province_choices
from htxso.registry.models import Membership, Organisation
from htxso.tabular.columns import Column, Layout
from htxso.tabular.csv_stream import BOM, csv_stream  # noqa: F401  (moved down; re-exported)

from .layouts import MEMBER_LAYOUT, ORGANISATION_LAYOUT

FORMATS = ("csv", "xlsx")
CHUNK_SIZE = 5000  # rows per database fetch

Rows = Iterator[tuple[Any, ...]]

# Layout column key → the values_list path it is read from (None: always empty). A column added
# to a layout without a path here fails loudly (KeyError), not silently.
ORGANISATION_COLUMNS: dict[str, str | None] = {
    "tax_code": "tax_code",
    "kind": "kind",
    "name": "name",
    "short_name": "short_name",
    "name_en": "name_en",
    "sector": "sector",
    "vsic_code": "vsic_code",
    "agricultural_type": "agricultural_type",
    "province": "province_id",
    "legacy_district": None,  # exports are in current units
    "commune": "commune_id",
    "street": "street",
    "established_on": "established_on",
    "registered_on": "registered_on",
    "charter_capital": "charter_capital",
    "legal_representative": "legal_representative",
    "phone": "phone",
    "email": "email",
    "website": "website",
    "is_high_tech": "is_high_tech",
    "in_value_chain": "in_value_chain",
    "classification": "classification",
    "status": "status",
    "status_since": "status_since",
    "organisation_id": "id",
}

MEMBER_COLUMNS: dict[str, str | None] = {
    "organisation_tax_code": "organisation__tax_code",
    "organisation_id": "organisation_id",
    "cccd": "person__cccd",
    "full_name": "person__full_name",
    "gender": "person__gender",
    "birth_date": "person__birth_date",
    "phone": "person__phone",
    "email": "person__email",
    "province": "person__province_id",
    "legacy_district": None,
    "commune": "person__commune_id",
    "street": "person__address",
    "member_kind": "kind",
    "joined_on": "joined_on",
    "left_on": "left_on",
    "capital_contributed": "capital_contributed",
}
# The member columns that hold a person's personal fields (core.personal declares which are).
PERSONAL_KEYS = tuple(
    key
    for key, path in MEMBER_COLUMNS.items()
    if path and path.startswith("person__") and path.removeprefix("person__") in personal.MASKS
)


# --- values as the importer reads them --------------------------------------------------------


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _date(value: dt.date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def _money(value: int | None) -> int | str:
    return "" if value is None else int(value)


def _lookup(table: Mapping[Any, str]) -> Callable[[Any], str]:
    return lambda value: table.get(value, _text(value)) if value else ""


class Places:
    """Province and commune names by code, read once per export (no join, no N+1)."""

    def __init__(self) -> None:
        self.provinces = dict(province_names())
        self.communes = dict(Commune.objects.order_by().values_list("code", "name"))


def renderer(column: Column, places: Places) -> Callable[[Any], Any]:
    """How one column's database value is written. Labels are resolved now, in the request's
    language, not later while the response streams."""
    if column.choices is not None:
        return _lookup(column.choice_labels())
    if column.dropdown == "province":
        return _lookup(places.provinces)
    if column.key == "commune":
        return _lookup(places.communes)
    if column.parse is parse_date:
        return _date
    if column.dropdown == "bool":
        yes, no = _("Có"), _("Không")
        return lambda value: yes if value else no
    if column.parse is parse_money:
        return _money
    if column.key == "organisation_id":
        return lambda value: "" if value is None else int(value)
    return _text


def _masker(key: str) -> Callable[[Any], str]:
    """How the export writes the personal column `key` masked: core.personal's mask of the
    person field it holds ("" when empty)."""
    field = (MEMBER_COLUMNS[key] or "").removeprefix("person__")
    return lambda value: personal.masked(field, value) or ""


MASKS: dict[str, Callable[[Any], str]] = {key: _masker(key) for key in PERSONAL_KEYS}


class Plan:
    """The values_list paths of a layout and how each column is written."""

    def __init__(
        self,
        layout: Layout,
        fields: Mapping[str, str | None],
        places: Places,
        masked: Sequence[str] = (),
    ) -> None:
        self.paths: list[str] = []
        self.steps: list[tuple[int | None, Callable[[Any], Any]]] = []
        self.headers = [str(column.header) for column in layout.columns]
        for column in layout.columns:
            path = fields[column.key]
            render = MASKS[column.key] if column.key in masked else renderer(column, places)
            self.steps.append((self.add(path) if path else None, render))

    def add(self, path: str) -> int:
        self.paths.append(path)
        return len(self.paths) - 1

    def extra(self, header: str, path: str, render: Callable[[Any], Any]) -> None:
        self.headers.append(header)
        self.steps.append((self.add(path), render))

    def row(self, values: Sequence[Any]) -> tuple[Any, ...]:
        return tuple("" if i is None else render(values[i]) for i, render in self.steps)


# --- the audit entry ----------------------------------------------------------------------------


def _start_audit(
    user: Any, object_type: str, what: str, fmt: str, filters: dict, personal: str
) -> AuditEntry:
    return record(
        user,
        "export",
        None,
        None,
        {"format": fmt, "filters": filters, "rows": None, "personal_data": personal},
        about=(object_type, f"{what} ({fmt.upper()})"),
        about_id="*",
    )


def _counted(entry: AuditEntry, rows: Iterable[tuple[Any, ...]]) -> Rows:
    """Yield the rows, then write how many went out (also when the stream is cut short)."""
    count = 0
    complete = False
    try:
        for row in rows:
            count += 1  # handed to the writer (a cut-off download may lose the last ones)
            yield row
        complete = True
    finally:
        after = {**(entry.after or {}), "rows": count, "complete": complete}
        AuditEntry.objects.filter(pk=entry.pk).update(after=after)


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")


def _invalid(form: forms.Form) -> ValidationError:
    return ValidationError(
        [
            f"{form.fields[name].label if name in form.fields else ''}: {message}".lstrip(": ")
            for name, messages in form.errors.items()
            for message in messages
        ]
        or [_("Bộ lọc không hợp lệ.")]
    )


def _filters(form: forms.Form) -> dict[str, Any]:
    return {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}


# --- organisations -------------------------------------------------------------------------------


def organisation_rows(
    user: Any, params: Mapping[str, Any], fmt: str = "csv"
) -> tuple[list[str], Rows]:
    """(headers, rows) of the organisations the list page shows for these GET parameters.

    Invalid filters raise ValidationError (an export never silently widens to everything).
    Ordered by id, or by the list page's sort when `sort` is given. The audit entry is written
    now; the rows are read when the iterator is consumed.
    """
    _check_format(fmt)
    form = OrganisationFilter(params or None)
    if form.is_bound and not form.is_valid():
        raise _invalid(form)
    queryset = form.filter(Organisation.objects.visible_to(user))
    if form.is_bound and form.cleaned_data.get("sort"):
        field, descending, _label = SORTS[form.sort_key]
        sign = "-" if descending else ""
        queryset = queryset.order_by(f"{sign}{field}", f"{sign}id")
    else:
        queryset = queryset.order_by("id")
    plan = Plan(ORGANISATION_LAYOUT, ORGANISATION_COLUMNS, Places())
    plan.extra(_("Số thành viên"), "members_count", int)
    entry = _start_audit(
        user,
        Organisation._meta.label_lower,
        _("Xuất danh sách tổ chức"),
        fmt,
        _filters(form) if form.is_bound else {},
        "none",
    )
    values = queryset.values_list(*plan.paths).iterator(chunk_size=CHUNK_SIZE)
    return plan.headers, _counted(entry, (plan.row(v) for v in values))


# --- memberships (personal data) ----------------------------------------------------------------


class MemberExportFilter(forms.Form):
    organisation = forms.IntegerField(label=_("Tổ chức"), required=False, min_value=1)
    province = forms.ChoiceField(
        label=_("Tỉnh/thành phố"), required=False, choices=province_choices
    )
    active = forms.ChoiceField(
        label=_("Tư cách thành viên"),
        required=False,
        choices=[("", _("Tất cả")), ("1", _("Đang là thành viên"))],
    )

    def filter(self, queryset: QuerySet[Membership]) -> QuerySet[Membership]:
        data = self.cleaned_data
        if data.get("organisation"):
            queryset = queryset.filter(organisation_id=data["organisation"])
        if data.get("province"):
            queryset = queryset.filter(province_id=data["province"])
        if data.get("active") == "1":
            queryset = queryset.filter(left_on__isnull=True)
        return queryset


def may_export_members(user: Any) -> bool:
    """A role with some personal scope (all, a province, an organisation, oneself)."""
    return not Membership.objects.visible_to(user).query.is_empty()


def member_rows(user: Any, params: Mapping[str, Any], fmt: str = "csv") -> tuple[list[str], Rows]:
    """(headers, rows) of the people's memberships in the user's scope, filtered by the optional
    parameters `organisation` (id), `province` (the organisation's province code) and
    `active` ("1": current members only). Memberships of organisations in unions are not
    people and are left out (they have no CCCD to import back).

    PermissionDenied for a role without personal scope; ValidationError for invalid filters.
    """
    _check_format(fmt)
    scope = Membership.objects.visible_to(user)
    if scope.query.is_empty():
        raise PermissionDenied(
            _("Vai trò của bạn không được xuất danh sách thành viên (dữ liệu cá nhân).")
        )
    form = MemberExportFilter(params or None)
    if form.is_bound and not form.is_valid():
        raise _invalid(form)
    queryset: QuerySet[Membership] = scope.filter(person__isnull=False)
    if form.is_bound:
        queryset = form.filter(queryset)
    revealed = may_reveal(user)
    plan = Plan(
        MEMBER_LAYOUT,
        MEMBER_COLUMNS,
        Places(),
        masked=() if revealed else PERSONAL_KEYS,
    )
    entry = _start_audit(
        user,
        Membership._meta.label_lower,
        _("Xuất danh sách thành viên"),
        fmt,
        _filters(form) if form.is_bound else {},
        "full" if revealed else "masked",
    )
    values = queryset.order_by("id").values_list(*plan.paths).iterator(chunk_size=CHUNK_SIZE)
    return plan.headers, _counted(entry, (plan.row(v) for v in values))
