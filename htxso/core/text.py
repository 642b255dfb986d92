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
_ABBREVIATIONS = tuple(
    (re.compile(rf"(?<!\S){re.escape(phrase)}(?!\S)"), abbreviation)
    for phrase, abbreviation in (
        ("lien hiep hop tac xa", "lhhtx"),
        ("lien hiep htx", "lhhtx"),
        ("hop tac xa", "htx"),
        ("to hop tac", "tht"),
        ("ho kinh doanh", "hkd"),
    )
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
