"""The words provinces use, as data: headers ("Tên hợp tác xã" for `name`) and values
("Ngừng hoạt động" for `not_operating`), in the `Synonym` table. The catalogue ships in
`fixtures/synonyms.json` (loaded by migration 0002) and is edited by system administrators in
the admin.

Read once per run (`refresh`, called when a file's header is read) and kept in the process
until the next run, so a row costs a dictionary look-up.
"""

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from htxso.core.text import search_key
from htxso.core.values import parse_bool
from htxso.tabular.columns import header_key, nearest

DEFAULTS = Path(__file__).parent / "fixtures" / "synonyms.json"
HEADER, VALUE = "header", "value"


@dataclass
class Catalogue:
    headers: dict[str, dict[str, str]] = field(default_factory=dict)  # layout → text → column
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # column → key → value
    texts: dict[str, dict[str, str]] = field(default_factory=dict)  # column → key → as written


_current: list[Catalogue | None] = [None]


def defaults() -> Iterator[tuple[str, str, str, str, str]]:
    """The shipped catalogue as (kind, layout, column, text, value) rows."""
    data = json.loads(DEFAULTS.read_text(encoding="utf-8"))
    for layout, columns in data["headers"].items():
        for column, texts in columns.items():
            for text in texts:
                yield HEADER, layout, column, text, ""
    for column, values in data["values"].items():
        for value, texts in values.items():
            for text in texts:
                yield VALUE, "", column, text, value


def refresh() -> Catalogue:
    """Read the table again (a run begins: an administrator may have edited it)."""
    from .models import Synonym

    catalogue = Catalogue()
    rows = Synonym.objects.values_list("kind", "layout", "column", "text", "value")
    for kind, layout, column, text, value in rows:
        if kind == HEADER:
            for name in (layout,) if layout else ("organisations", "members"):
                catalogue.headers.setdefault(name, {}).setdefault(header_key(text), column)
        else:
            catalogue.values.setdefault(column, {}).setdefault(search_key(text), value)
            catalogue.texts.setdefault(column, {}).setdefault(search_key(text), text)
    _current[0] = catalogue
    return catalogue


def current() -> Catalogue:
    return _current[0] or refresh()


def forget(**kwargs: Any) -> None:
    """Drop the cached catalogue (a synonym was saved or deleted in this process)."""
    _current[0] = None


def headers(layout: str) -> dict[str, str]:
    return current().headers.get(layout, {})


def words(column: str) -> Callable[[], dict[str, str]]:
    """The value synonyms of a column (search key → value), read when a cell needs them."""
    return lambda: current().values.get(column, {})


def bool_in_words(column: str = "bool") -> Callable[[Any], bool]:
    """Yes/no (`parse_bool`), then the column's synonyms ("Nông nghiệp" → yes for the
    agricultural flag), with the near miss named."""
    lookup = words(column)

    def parse(cell: Any) -> bool:
        try:
            return parse_bool(cell)
        except ValidationError:
            pass
        known = lookup()
        meant = known.get(search_key(str(cell)))
        if meant is not None:
            return parse_bool(meant)
        texts = current().texts.get(column, {})
        near = nearest(str(cell), list(texts.values()))
        if near is not None:
            raise ValidationError(
                _("Chỉ nhận “Có” hoặc “Không”. Có phải “%(near)s” (%(value)s)?")
                % {"near": near, "value": known[search_key(near)]}
            )
        raise ValidationError(_("Chỉ nhận “Có” hoặc “Không”."))

    return parse


# The columns whose values have synonyms, and what a synonym may stand for.
VALUE_COLUMNS = ("status", "kind", "sector", "member_kind", "bool", "farming")


def value_choices(column: str) -> list[tuple[str, str]]:
    """What a value synonym of `column` may stand for: (value, label)."""
    if column in ("bool", "farming"):
        return [("Có", _("Có")), ("Không", _("Không"))]
    from .layouts import LAYOUTS

    for layout in LAYOUTS.values():
        for candidate in layout.readable:
            if candidate.key == column and candidate.choices is not None:
                return [(str(v), str(label)) for v, label in candidate.choices.choices]
    return []


def header_columns(layout: str) -> list[tuple[str, str]]:
    """The fields a header synonym of `layout` ("" for every layout) may name: (key, header)."""
    from .layouts import LAYOUTS

    found: dict[str, str] = {}
    for name, candidate in LAYOUTS.items():
        if layout in ("", name):
            for column in candidate.readable:
                found.setdefault(column.key, str(column.header))
    return sorted(found.items(), key=lambda item: item[1])
