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


# Words (search keys) → value, read when a cell is none of a catalogue's own forms: the
# synonyms people write ("Ngừng hoạt động", "HTX"), kept as data by whoever defines the column.
Words = Callable[[], dict[str, str]]


def no_words() -> dict[str, str]:
    return {}


def choice_parser(
    choices: Any, label: Callable[[str, Any], str] = plain_label, words: Words = no_words
) -> Callable[[Any], str]:
    """Accept the Vietnamese label, the English label, the code or the shown form (`label`),
    ignoring case and accents; then the synonyms `words` gives (search key → code)."""
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
        if found is not None:
            return found
        synonyms = words()
        meant = synonyms.get(search_key(str(cell)))
        found = lookup(meant) if meant is not None else None
        if found is not None:
            return found
        labels = {search_key(str(text)): str(text) for _v, text in choices.choices}
        shown = {str(value): str(text) for value, text in choices.choices}
        catalogue = "; ".join(labels.values())
        # A near miss of a synonym suggests the label it stands for.
        candidates = dict(labels)
        for key, value in synonyms.items():
            candidates.setdefault(key, shown.get(value, value))
        near_key = nearest(str(cell), list(candidates))
        if near_key is not None:
            raise ValidationError(
                _("Giá trị không có trong danh mục. Có phải “%(near)s”? Danh mục: %(all)s.")
                % {"near": candidates[search_key(near_key)], "all": catalogue}
            )
        raise ValidationError(_("Giá trị không có trong danh mục: %s.") % catalogue)

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
    # Columns read from files but not written to templates or exports (a one-cell address,
    # a count only checked): never required.
    extra: Sequence[Column] = field(default_factory=tuple)

    @property
    def readable(self) -> list[Column]:
        return [*self.columns, *self.extra]

    def column(self, key: str) -> Column:
        return next(c for c in self.readable if c.key == key)

    def header_index(self, synonyms: dict[str, str] | None = None) -> dict[str, Column]:
        """Header key → column: the template's headers, keys and aliases (active language
        first, then every other language of the interface: a template downloaded in English
        imports too), then `synonyms` (header key → column key, kept as data)."""
        index: dict[str, Column] = {}
        for column in self.readable:
            for text in (column.key, str(column.header), *column.aliases):
                index.setdefault(header_key(text), column)
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                for column in self.readable:
                    index.setdefault(header_key(_translated(column.header)), column)
        keys = {c.key: c for c in self.readable}
        for text, key in (synonyms or {}).items():
            if key in keys:
                index.setdefault(header_key(text), keys[key])
        return index

    def match_detail(
        self, headers: Sequence[Any], synonyms: dict[str, str] | None = None
    ) -> list["HeaderMatch"]:
        """Each non-blank header with the column it was matched to and how ("template" or
        synonym by name; "similar" by spelling), or None: left unmapped. A column is matched
        once; the exact names are matched first, then the near spellings."""
        index = self.header_index(synonyms)
        template = self.header_index()
        matches: list[HeaderMatch] = []
        taken: set[str] = set()
        for position, header in enumerate(headers):
            key = header_key(header)
            if not key:
                continue
            found = index.get(key)
            how = "template" if key in template else "synonym"
            if found is None or found.key in taken:
                found, how = None, ""
            else:
                taken.add(found.key)
            matches.append(HeaderMatch(position, str(header), found, how))
        for match in matches:
            if match.column is not None:
                continue
            for close in difflib.get_close_matches(
                header_key(match.header), list(index), n=3, cutoff=SIMILAR
            ):
                if index[close].key not in taken:
                    match.column, match.how = index[close], "similar"
                    taken.add(index[close].key)
                    break
        return matches

    def match_headers(
        self, headers: Sequence[Any], synonyms: dict[str, str] | None = None
    ) -> tuple[dict[int, Column], list[str]]:
        """File column index → Column, and the headers nobody recognises (`match_detail`)."""
        detail = self.match_detail(headers, synonyms)
        mapping = {m.position: m.column for m in detail if m.column is not None}
        return mapping, [m.header for m in detail if m.column is None]

    def find_header(
        self, rows: Sequence[Sequence[Any]], synonyms: dict[str, str] | None = None
    ) -> int:
        """Which of a file's first non-blank rows is its header: the first that names the most
        columns (title rows, an office's name, a merged title cell above it name none or one);
        the first row when none names any."""
        best, chosen = 0, 0
        for index, cells in enumerate(rows):
            named = sum(1 for m in self.match_detail(cells, synonyms) if m.column is not None)
            if named > best:
                best, chosen = named, index
        return chosen


# How close a header must be spelt to a known one to be taken for it (difflib's ratio, on
# header keys: "Ten hop tac xa" and "Ten hop tac xa " are equal; "Ngay thanh lap HTX" is near).
SIMILAR = 0.85


@dataclass
class HeaderMatch:
    position: int
    header: str
    column: Column | None
    how: str  # "template", "synonym", "similar" or "" (unmapped)


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
