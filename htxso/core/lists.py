"""The UI kit's list: one component for every app's list pages (`core/_list.html`).

An app declares its list once, as a `ListSpec` (columns, the whitelisted sorts, exports, bulk
actions), registers it, and its view calls `build()` on a query set that already went through
`visible_to(user)` and the app's filter class:

    ORGANISATIONS = register(ListSpec(name="organisations", columns=(...), sorts=SORTS, ...))

    listing = build(request, ORGANISATIONS, OrganisationFilter(request.GET).filter(
        Organisation.objects.visible_to(request.user)))
    return render(request, "registry/list.html", {"listing": listing}, status=listing.status)

What `build` does, the same way for every list:
- **Sorting** by whitelisted keys only (`?sort=name`, `?sort=-members`: `sorts[key]` is a model
  field and a direction); an unknown key is ignored (the default sort, and a note), never a
  500. The order is that field then the primary key (a tiebreaker), which the app backs with an
  index on (field, id).
- **Keyset paging** (`core/pagination.py`, `?cursor=`): page N costs what page 1 costs; a
  tampered cursor shows the first page with a message (status 400).
- **Chosen columns** remembered per user (`ListPreference`, audited) or, for an anonymous
  visitor, in the session: `remember_columns`, posted to `core.views.list_columns`.
- **Counting** bounded: the app passes `count` when it can answer exactly from aggregates;
  otherwise at most `COUNT_LIMIT` rows are counted ("more than 10.000"). A result that fits on
  its one page is counted by its rows, without a query.
- **Exports** (links to the app's streamed exports with the same filters) and **bulk actions**
  (a checkbox per row, posted to the app's action) where the spec declares them.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, QueryDict
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import list_markup as markup
from .audit import record
from .models import ListPreference
from .pagination import InvalidCursor, KeysetPage, keyset_paginate

COUNT_LIMIT = 10_000
SESSION_KEY = "list_columns"
# Parameters of the list itself, not filters: left out of the links that set them anew.
PAGING = ("cursor", "page")
NO_RESULTS = gettext_lazy("Không có kết quả phù hợp.")


def _always(user: Any) -> bool:
    return True


@dataclass(frozen=True)
class Column:
    """One column: its key (in the chooser and the preference), its header, and its cell.

    `value(row)` is the cell's content (text, a number, or safe HTML such as a link); `sort`
    names the sort key it orders by ("name": `?sort=name` ascending, `?sort=-name` descending,
    both in the spec's `sorts`); `fixed` columns cannot be hidden; `default` columns show until
    the user chooses."""

    key: str
    label: Any
    value: Callable[[Any], Any]
    sort: str = ""
    numeric: bool = False
    default: bool = True
    fixed: bool = False


@dataclass(frozen=True)
class Export:
    """A download of the same list (`url_name` with `args`), given the page's filters."""

    label: Any
    url_name: str
    args: tuple = ()
    allowed: Callable[[Any], bool] = _always


def csv_and_xlsx(url_name: str) -> tuple[Export, Export]:
    """The two downloads every list offers: `url_name` taking the format ("csv", "xlsx")."""
    return (
        Export(gettext_lazy("Tải CSV"), url_name, ("csv",)),
        Export(gettext_lazy("Tải XLSX"), url_name, ("xlsx",)),
    )


@dataclass(frozen=True)
class BulkAction:
    """An action on the checked rows: a POST of `ids` to `url_name` (the app's view calls its
    service for each, with the acting user)."""

    name: str
    label: Any
    url_name: str
    allowed: Callable[[Any], bool] = _always


@dataclass(frozen=True)
class ListSpec:
    name: str
    columns: tuple[Column, ...]
    # key → (model field, descending, label); the only sorts a request may ask for.
    sorts: Mapping[str, tuple[str, bool, Any]]
    default_sort: str
    counted: Callable[[int, bool], str]  # "2.812 tổ chức" / "more than 10.000 …"
    empty: Any = NO_RESULTS
    page_size: int = 50
    exports: tuple[Export, ...] = ()
    bulk_actions: tuple[BulkAction, ...] = ()

    def column_keys(self) -> list[str]:
        return [c.key for c in self.columns]

    def defaults(self) -> list[str]:
        return [c.key for c in self.columns if c.default or c.fixed]


LISTS: dict[str, ListSpec] = {}


def register(spec: ListSpec) -> ListSpec:
    """Declare a list (its name is what the column chooser posts). Sort keys of columns must
    be in the whitelist, in both directions: a typo fails at import, not on a click."""
    for column in spec.columns:
        if column.sort and not {column.sort, f"-{column.sort}"} <= set(spec.sorts):
            raise ValueError(f"{spec.name}.{column.key}: sort {column.sort!r} not in sorts")
    if spec.default_sort not in spec.sorts:
        raise ValueError(f"{spec.name}: default sort {spec.default_sort!r} not in sorts")
    LISTS[spec.name] = spec
    return spec


# --- chosen columns -------------------------------------------------------------------------


def chosen_columns(request: HttpRequest, spec: ListSpec) -> list[str]:
    """The keys of the columns to show: the user's (or the session's) choice, else defaults."""
    user: Any = request.user
    if user.is_authenticated:
        stored = (
            ListPreference.objects.filter(user=user, list_name=spec.name)
            .values_list("columns", flat=True)
            .first()
        )
    else:
        stored = request.session.get(SESSION_KEY, {}).get(spec.name)
    if not isinstance(stored, list):
        return spec.defaults()
    keys = set(stored)
    return [c.key for c in spec.columns if c.fixed or c.key in keys]


def remember_columns(request: HttpRequest, spec: ListSpec, keys: Sequence[str] | None) -> None:
    """Keep the user's choice of columns (None: back to the defaults). Unknown keys are a
    ValidationError (nothing written); a signed-in user's change is audited."""
    choosable = {c.key for c in spec.columns if not c.fixed}
    if keys is not None:
        unknown = sorted(set(keys) - choosable)
        if unknown:
            raise ValidationError(_("Cột không có trong danh sách: %s") % ", ".join(unknown))
        keys = [c.key for c in spec.columns if c.key in set(keys)]
    user: Any = request.user
    if not user.is_authenticated:
        stored = dict(request.session.get(SESSION_KEY, {}))
        if keys is None:
            stored.pop(spec.name, None)
        else:
            stored[spec.name] = keys
        request.session[SESSION_KEY] = stored
        return
    with transaction.atomic():
        preference = (
            ListPreference.objects.select_for_update()
            .filter(user=user, list_name=spec.name)
            .first()
        )
        before = {"columns": preference.columns if preference else None}
        if keys is None:
            if preference is None:
                return
            record(user, "update", preference, before, {"columns": None})
            preference.delete()
            return
        if preference is None:
            preference = ListPreference(user=user, list_name=spec.name)
        preference.columns = keys
        preference.save()
        record(user, "update", preference, before, {"columns": keys})


# --- the page -------------------------------------------------------------------------------


@dataclass
class Header:
    column: Column
    href: str = ""  # the sort link ("" when the column does not sort)
    aria_sort: str = ""  # "ascending" / "descending" on the column that orders the list
    action: str = ""  # what the link does, for screen readers


@dataclass
class Row:
    pk: Any
    cells: list[tuple[Column, Any]]

    @property
    def html(self) -> SafeString:
        """The row's cells as `<td>`s, rendered as the template would (localised, escaped, "—"
        for None) but in one pass: a template loop over every cell was most of a list page's
        rendering (issue #24)."""
        return SafeString(
            "".join(
                ('<td class="text-end">' if column.numeric else "<td>")
                + ("—" if value is None else markup.cell(value))
                + "</td>"
                for column, value in self.cells
            )
        )


@dataclass
class ListPage:
    spec: ListSpec
    page: KeysetPage
    headers: list[Header]
    rows: list[Row]
    choices: list[tuple[Column, bool]]  # every column, shown or not (the chooser)
    sort: str
    count_text: str
    base_query: str  # the filters and the sort, without the cursor
    exports: list[tuple[Any, str]]
    bulk_actions: list[BulkAction]
    next_path: str
    messages: list[str] = field(default_factory=list)
    status: int = 200

    @property
    def headers_html(self) -> SafeString:
        """The headers' `<th>`s (sort links, aria-sort), as the template loop rendered them."""
        return SafeString("".join(markup.header(h) for h in self.headers))

    @property
    def rows_html(self) -> SafeString:
        """The table's rows without bulk actions, as the template's loop rendered them (the
        loop resolved `listing.…` twice a row: a tenth of a 50-row page, issue #24)."""
        return SafeString("".join(f"\n    <tr>{row.html}</tr>\n  " for row in self.rows))

    @property
    def choices_html(self) -> SafeString:
        """The column chooser's checkboxes, kept per list, shown columns and language (the
        template loop over every column was a tenth of a list page's rendering, issue #24)."""
        return markup.choices(self.spec.name, self.choices)

    def page_link(self, cursor: str | None) -> str:
        if not cursor:
            return ""
        joiner = "&" if self.base_query else ""
        return f"?{self.base_query}{joiner}cursor={cursor}"

    @property
    def next_link(self) -> str:
        return self.page_link(self.page.next_cursor)

    @property
    def previous_link(self) -> str:
        return self.page_link(self.page.previous_cursor)


def _query(params: QueryDict, drop: Sequence[str], **extra: str) -> str:
    query = params.copy()
    for name in drop:
        query.pop(name, None)
    for name, value in extra.items():
        query[name] = value
    return query.urlencode()


def resolve_sort(spec: ListSpec, requested: str | None) -> tuple[str, bool]:
    """(sort key, was the request's key ignored)."""
    if requested and requested in spec.sorts:
        return requested, False
    return spec.default_sort, bool(requested)


def bounded_count(queryset: QuerySet, limit: int = COUNT_LIMIT) -> tuple[int, bool]:
    """(count, exact): counts at most `limit` + 1 rows, never the whole table."""
    n = queryset.order_by()[: limit + 1].count()
    return min(n, limit), n <= limit


def _headers(spec: ListSpec, shown: list[Column], sort: str, params: QueryDict) -> list[Header]:
    headers = []
    for column in shown:
        if not column.sort:
            headers.append(Header(column))
            continue
        ascending = sort == column.sort
        current = ascending or sort == f"-{column.sort}"
        target = f"-{column.sort}" if ascending else column.sort
        label = str(column.label)
        action = (
            _("Sắp xếp theo %s, giảm dần") % label
            if ascending
            else _("Sắp xếp theo %s, tăng dần") % label
        )
        headers.append(
            Header(
                column,
                href="?" + _query(params, (*PAGING, "sort"), sort=target),
                aria_sort=("ascending" if ascending else "descending") if current else "",
                action=action,
            )
        )
    return headers


def build(
    request: HttpRequest,
    spec: ListSpec,
    queryset: QuerySet,
    count: Callable[[QuerySet], tuple[int, bool]] = bounded_count,
) -> ListPage:
    """One page of the list: `queryset` is already scoped and filtered by the app."""
    params = request.GET
    sort, ignored = resolve_sort(spec, params.get("sort"))
    field_name, descending, _label = spec.sorts[sort]
    notes = []
    if ignored:
        notes.append(_("Không sắp xếp được theo “%s”; đang sắp xếp mặc định.") % params["sort"])
    status = 200
    try:
        page = keyset_paginate(
            queryset, field_name, descending, params.get("cursor") or None, spec.page_size
        )
    except InvalidCursor:
        notes.append(_("Liên kết trang không hợp lệ hoặc đã hết hạn; đang hiển thị trang đầu."))
        page = keyset_paginate(queryset, field_name, descending, None, spec.page_size)
        status = 400
    keys = set(chosen_columns(request, spec))
    shown = [c for c in spec.columns if c.key in keys]
    rows = [Row(item.pk, [(c, c.value(item)) for c in shown]) for item in page.items]
    if page.next_cursor is None and page.previous_cursor is None:
        # The whole result is on this page: its rows are the count, no second statement
        # (a search for one organisation ran the bounded count over the match set again).
        total, exact = len(page.items), True
    else:
        total, exact = count(queryset)
    user = request.user
    export_query = _query(params, PAGING)
    exports = [
        (e.label, reverse(e.url_name, args=e.args) + (f"?{export_query}" if export_query else ""))
        for e in spec.exports
        if e.allowed(user)
    ]
    return ListPage(
        spec=spec,
        page=page,
        headers=_headers(spec, shown, sort, params),
        rows=rows,
        choices=[(c, c.key in keys) for c in spec.columns],
        sort=sort,
        count_text=spec.counted(total, exact),
        base_query=_query(params, PAGING),
        exports=exports,
        bulk_actions=[a for a in spec.bulk_actions if a.allowed(user)],
        next_path=request.get_full_path(),
        messages=notes,
        status=status,
    )


def counted(one: Callable[[int], str], more: Any) -> Callable[[int, bool], str]:
    """A `counted` for a spec: `one(n)` names an exact count (ngettext there), `more` a bounded
    one ("Hơn %(n)s tổ chức — hãy thu hẹp bộ lọc")."""

    def text(total: int, exact: bool) -> str:
        return one(total) % {"n": intcomma(total)} if exact else more % {"n": intcomma(total)}

    return text
