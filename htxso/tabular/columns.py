"""The columns of a file: one definition read by an importer, its templates and its exports, so
the three can never disagree.

A column has a stable key (the service's field name), a header (what the template shows and
what a file is matched on), aliases seen in provincial files, and a parser that turns a cell
into a value or raises ValidationError with a Vietnamese message. How a choice is shown (in the
template's dropdown and in exports) is the column's `label`, given by whoever defines it.
"""

import difflib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from htxso.core.text import search_key

MAX_TEXT = 255


def header_key(text: Any) -> str:
    """How headers are compared: no diacritics, case, punctuation, asterisks or notes."""
    return search_key(re.sub(r"\(.*?\)|\*", " ", str(text or "")))


_SPACE_RUNS = re.compile(r"\s{2,}|[\t\r\n\u00a0]")


def parse_text(value: Any, limit: int = MAX_TEXT) -> str:
    """A free-text cell: trimmed, runs of white space folded, at most `limit` characters."""
    text = str(value).strip()
    if "\x00" in text:
        raise ValidationError(_("Ô có ký tự NUL, không hợp lệ."))
    if _SPACE_RUNS.search(text):
        text = re.sub(r"\s+", " ", text)
    if len(text) > limit:
        raise ValidationError(_("Dài quá %(limit)s ký tự.") % {"limit": limit})
    return text


def plain_label(value: str, label: Any) -> str:
    """How a choice is shown by default: its label in the active language."""
    return str(label)


def choice_parser(
    choices: Any, label: Callable[[str, Any], str] = plain_label
) -> Callable[[Any], str]:
    """Accept the Vietnamese label, the English label, the code or the shown form (`label`),
    ignoring case and accents."""
    index: dict[str, str] = {}

    def build() -> None:
        for language in ("vi", "en"):
            with translation.override(language):
                for value, text in choices.choices:
                    index.setdefault(search_key(value), value)
                    index.setdefault(search_key(str(text)), value)
                    index.setdefault(search_key(label(value, text)), value)
                    index.setdefault(search_key(f"{value} {text}"), value)  # "A - Nông nghiệp…"

    @lru_cache(maxsize=4096)
    def lookup(text: str) -> str | None:
        if not index:
            build()
        return index.get(search_key(text))

    def parse(cell: Any) -> str:
        found = lookup(str(cell))
        if found is None:
            catalogue = "; ".join(str(text) for _v, text in choices.choices)
            near = nearest(str(cell), [str(text) for _v, text in choices.choices])
            if near is not None:
                raise ValidationError(
                    _("Giá trị không có trong danh mục. Có phải “%(near)s”? Danh mục: %(all)s.")
                    % {"near": near, "all": catalogue}
                )
            raise ValidationError(_("Giá trị không có trong danh mục: %s.") % catalogue)
        return found

    return parse


def nearest(text: str, labels: list[str]) -> str | None:
    """The label a person most likely meant: the only one the text begins (or is begun by),
    word for word, or else the closest spelling (accents and case ignored)."""
    key = search_key(text)
    if not key:
        return None
    keys = {search_key(label): label for label in labels}
    prefixed = [
        label
        for k, label in keys.items()
        if (k + " ").startswith(key + " ") or (key + " ").startswith(k + " ")
    ]
    if len(prefixed) == 1:
        return prefixed[0]
    close = difflib.get_close_matches(key, list(keys), n=1, cutoff=0.75)
    return keys[close[0]] if close else None


@dataclass(frozen=True)
class Column:
    key: str
    header: Any  # lazy Vietnamese text
    parse: Callable[[Any], Any] = parse_text
    required: bool = False
    example: Any = ""
    note: Any = ""
    choices: Any = None  # a TextChoices class, for the template's dropdown
    dropdown: str = ""  # "province" for the province list, "bool" for yes/no
    aliases: tuple[str, ...] = ()
    width: int = 18
    label: Callable[[str, Any], str] = plain_label  # how a choice is shown

    def choice_labels(self) -> dict[str, str]:
        """Code → the label shown in templates and exports (active language)."""
        if self.choices is None:
            return {}
        return {value: self.label(value, text) for value, text in self.choices.choices}

    def dropdown_values(self) -> list[str]:
        if self.choices is not None:
            return list(self.choice_labels().values())
        if self.dropdown == "province":
            from htxso.core.units import province_names

            return [name for _code, name in province_names()]
        if self.dropdown == "bool":
            return [str(_("Có")), str(_("Không"))]
        return []


@dataclass(frozen=True)
class Layout:
    name: str
    title: Any
    columns: Sequence[Column]
    keys: tuple[str, ...]  # columns that identify a record (one of them must be filled)
    instructions: Sequence[Any] = field(default_factory=tuple)

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    def match_headers(self, headers: Sequence[Any]) -> tuple[dict[int, Column], list[str]]:
        """File column index → Column, and the headers nobody recognises.

        A header is recognised in the active language (with the key and the aliases), and in
        every other language of the interface: a template downloaded in English imports too,
        whatever language the import runs in. The active language wins a clash."""
        index: dict[str, Column] = {}
        for column in self.columns:
            for text in (column.key, str(column.header), *column.aliases):
                index.setdefault(header_key(text), column)
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                for column in self.columns:
                    index.setdefault(header_key(_translated(column.header)), column)
        mapping: dict[int, Column] = {}
        unknown: list[str] = []
        taken: set[str] = set()
        for position, header in enumerate(headers):
            key = header_key(header)
            if not key:
                continue
            found = index.get(key)
            if found is None or found.key in taken:
                unknown.append(str(header))
                continue
            taken.add(found.key)
            mapping[position] = found
        return mapping, unknown


def _translated(header: Any) -> str:
    """A header in the active language: lazy text is rendered, plain text looked up."""
    if isinstance(header, Promise):
        return str(header)
    return translation.gettext(str(header)) if header else ""


def code_digits(value: Any, width: int) -> str:
    """A code typed into a number cell lost its leading zeros: put them back."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return str(int(value)).zfill(width)
    return str(value).strip()
