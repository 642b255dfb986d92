"""Vietnamese text: search keys that ignore diacritics and case.

Stripping combining marks after NFD leaves đ/Đ untouched (they are letters, not marks),
so they are mapped to d explicitly. Common abbreviations of organisation kinds are folded to
one form on both sides, so "hop tac xa che" finds "HTX Chè …" and "htx che" finds
"Hợp tác xã Chè …".
"""

import re
import unicodedata
from functools import lru_cache

_SPACES = re.compile(r"\s+")
_PUNCT = re.compile(r"[^\w\s]|_")
# Longest phrases first: "lien hiep hop tac xa" must fold before "hop tac xa".
ABBREVIATED = (
    ("lien hiep hop tac xa", "lhhtx"),
    ("lien hiep htx", "lhhtx"),
    ("hop tac xa", "htx"),
    ("to hop tac", "tht"),
    ("ho kinh doanh", "hkd"),
)
_ABBREVIATIONS = tuple(
    (re.compile(rf"(?<!\S){re.escape(phrase)}(?!\S)"), abbreviation)
    for phrase, abbreviation in ABBREVIATED
)


def strip_diacritics(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.replace("đ", "d").replace("Đ", "D")


@lru_cache(maxsize=8192)  # an import asks for the same name's key several times
def search_key(text: str | None) -> str:
    """Lower-case, unaccented, punctuation-free, single-spaced, abbreviations folded."""
    if not text:
        return ""
    key = strip_diacritics(unicodedata.normalize("NFC", text)).lower()
    key = _PUNCT.sub(" ", key)
    key = _SPACES.sub(" ", key).strip()
    for phrase, abbreviation in _ABBREVIATIONS:
        key = phrase.sub(abbreviation, key)
    return key


def search_terms(query: str | None) -> list[str]:
    """The distinct words of a query, as search keys, in their order."""
    seen: dict[str, None] = {}
    for word in search_key(query).split(" "):
        if word:
            seen.setdefault(word, None)
    return list(seen)


def _vietnamese() -> str:
    vowels = "aăâeêioôơuưy"
    marks = ("", "\u0301", "\u0300", "\u0309", "\u0303", "\u0323")
    lower = [unicodedata.normalize("NFC", v + m) for v in vowels for m in marks] + ["đ"]
    return "".join(c for c in [*lower, *(c.upper() for c in lower)] if not c.isascii())


# Printable ASCII and the Vietnamese letters (NFC): `quick_search_key` reads such text with
# one translation table instead of a decomposition, a regular expression per step.
_ALPHABET = frozenset(chr(c) for c in range(0x20, 0x7F)) | frozenset(_vietnamese())
# Bytes: each ASCII punctuation mark (and "_") to a space, letters to lower case.
_QUICK = bytes((c + 32 if 65 <= c <= 90 else c) if chr(c).isalnum() else 32 for c in range(256))


def quick_search_key(text: str) -> str:
    """`search_key`, several times faster for names in the alphabet (an import computes the
    keys of hundreds of thousands); the same answer for any text (tested)."""
    if not text or not _ALPHABET.issuperset(text):
        return search_key(text)
    plain = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    key = " ".join(plain.encode("ascii", "ignore").translate(_QUICK).decode().split())
    for (phrase, _short), (pattern, abbreviation) in zip(ABBREVIATED, _ABBREVIATIONS, strict=True):
        if phrase in key:
            key = pattern.sub(abbreviation, key)
    return key


# --- the same key in SQL (PostgreSQL with `unaccent`), for the commonest names -----------------

_LETTERS = _vietnamese()
_WORD = f"[A-Za-z0-9{_LETTERS}]+"
# A name of such words, single-spaced: `parse_text` leaves it as it is and its key needs no
# punctuation folded. SQL computes its key with `quick_search_key_sql` (the same: tested).
QUICK_WORDS = f"^{_WORD}( {_WORD})*$"
# What `unaccent` must make of the letters for that to hold (checked before it is used).
UNACCENTED = (
    _LETTERS + "09AZaz",
    "".join(strip_diacritics(c) for c in _LETTERS) + "09AZaz",
)


def quick_search_key_sql(value: str) -> str:
    """SQL: `quick_search_key` of `value`, a text matching `QUICK_WORDS`. Accents go by
    `unaccent`, case by the C locale (ASCII only, whatever the database's); the abbreviations
    by plain replaces on the words each between its own spaces (a regular expression per
    phrase cost about a second per 200,000 names)."""
    key = f"' ' || replace(lower(unaccent('unaccent', {value}) COLLATE \"C\"), ' ', '  ') || ' '"
    for phrase, abbreviation in ABBREVIATED:
        key = f"replace({key}, ' {phrase.replace(' ', '  ')} ', ' {abbreviation} ')"
    return f"btrim(replace({key}, '  ', ' '))"
