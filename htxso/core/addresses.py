"""Addresses typed by people: current units found by name, pre-2025 addresses converted.

Files from provinces name units loosely ("TP Thái Nguyên", "xa tan cuong", "Tỉnh Bắc Kạn").
Current names are matched on their search key with the unit type dropped. A three-level
address from before 1/7/2025 (commune, district, province) is parsed by `vietnamadminunits`
(tolerant of types, case and missing diacritics) and mapped to today's commune through our
`LegacyCommune` table. An old commune that was split among several new ones cannot be placed
without more detail: that is an error naming the candidates, never a guess.
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from django.utils.translation import gettext as _

from .models import Commune, LegacyCommune, Province
from .text import search_key

_TYPES = re.compile(
    r"^(tinh|thanh pho|tp|xa|phuong|thi tran|tt|dac khu|quan|huyen|thi xa|tx|q|h|p)\s+"
)


class AddressError(ValueError):
    """An address that cannot be placed; the message is Vietnamese (the active language)."""


@dataclass(frozen=True)
class Place:
    province_id: str
    commune_id: str | None
    legacy_text: str = ""  # the original pre-2025 address, kept on the record
    converted_to: str = ""  # "Xã Tân Cương, Tỉnh Thái Nguyên" when converted


def unit_key(name: str) -> str:
    """The search key of a unit name without its type word ("TP Thái Nguyên" → "thai nguyen")."""
    key = search_key(name)
    return _TYPES.sub("", key, count=1) or key


@lru_cache(maxsize=1)
def _provinces() -> dict[str, str]:
    index: dict[str, str] = {}
    for code, name, short in Province.objects.values_list("code", "name", "short_name"):
        for text in (name, short, code):
            index[unit_key(text)] = code
    return index


def _accented_key(name: str) -> str:
    """Lower-case NFC name without its type word, keeping diacritics ("Văn Lăng" ≠ "Văn Lang")."""
    text = " ".join(unicodedata.normalize("NFC", name).lower().split())
    plain = search_key(text)
    stripped = unit_key(text)
    if stripped != plain:  # drop as many words as the type word had
        text = " ".join(text.split(" ")[len(plain.split(" ")) - len(stripped.split(" ")) :])
    return text


@lru_cache(maxsize=64)
def _communes(province: str) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """(accented name → codes, unaccented key → codes) of one province's communes."""
    accented: dict[str, list[str]] = {}
    plain: dict[str, list[str]] = {}
    for code, name in Commune.objects.filter(province_id=province).values_list("code", "name"):
        for index, keys in (
            (accented, (_accented_key(name), " ".join(name.lower().split()))),
            (plain, (unit_key(name), search_key(name), code)),
        ):
            for key in keys:
                index.setdefault(key, [])
                if code not in index[key]:
                    index[key].append(code)
    return accented, plain


@lru_cache(maxsize=1)
def _commune_labels() -> dict[str, str]:
    return dict(Commune.objects.values_list("code", "name"))


@lru_cache(maxsize=1)
def _province_labels() -> dict[str, str]:
    return dict(Province.objects.values_list("code", "name"))


@lru_cache(maxsize=1)
def _legacy_units() -> dict[str, tuple[str, str, tuple[str, ...]]]:
    """Old commune code → (new province, default new commune, successors): two queries for
    all of them (an import names thousands)."""
    successors: dict[str, list[str]] = {}
    for old, new in LegacyCommune.successors.through.objects.values_list(
        "legacycommune_id", "commune_id"
    ):
        successors.setdefault(old, []).append(new)
    found = LegacyCommune.objects.filter(current_commune__isnull=False).values_list(
        "code", "current_commune__province_id", "current_commune_id"
    )
    return {
        code: (province, commune, tuple(sorted(successors.get(code, ()))))
        for code, province, commune in found
    }


def _exact(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


@lru_cache(maxsize=1)
def _legacy_names() -> dict[tuple[str, str, str], str]:
    """(province, district, commune) as the unit tables write their full names (case and
    spacing aside, diacritics kept) → old commune code; names shared by two communes left out.
    An address written exactly so is placed without the parser (a national file names
    thousands, and each parse costs milliseconds)."""
    found: dict[tuple[str, str, str], str | None] = {}
    rows = LegacyCommune.objects.values_list(
        "code", "name", "district__name", "district__province__name"
    )
    for code, commune, district, province in rows:
        key = (_exact(province), _exact(district), _exact(commune))
        found[key] = None if key in found else code
    return {key: code for key, code in found.items() if code is not None}


def forget() -> None:
    """Drop the cached unit indexes (after `load_units`)."""
    for cached in (
        _provinces,
        _communes,
        _commune_labels,
        _province_labels,
        _legacy,
        _legacy_names,
        _legacy_units,
        resolve_current,
    ):
        cached.cache_clear()


def province_code(name: str) -> str | None:
    return _provinces().get(unit_key(name)) if name else None


@lru_cache(maxsize=100_000)
def resolve_current(province: str, commune: str = "") -> Place:
    code = province_code(province)
    if code is None:
        raise AddressError(
            _("Không tìm thấy tỉnh/thành phố “%s” (34 đơn vị hiện hành).") % province
        )
    if not commune:
        return Place(code, None)
    accented, plain = _communes(code)
    codes = (
        accented.get(" ".join(unicodedata.normalize("NFC", commune).lower().split()))
        or accented.get(_accented_key(commune))
        or plain.get(search_key(commune))
        or plain.get(unit_key(commune))
    )
    if not codes:
        raise AddressError(
            _("Không tìm thấy xã/phường “%(commune)s” thuộc %(province)s.")
            % {"commune": commune, "province": province}
        )
    if len(codes) > 1:
        labels = _commune_labels()
        raise AddressError(
            _(
                "Tên xã/phường “%(commune)s” ứng với nhiều đơn vị (%(names)s); "
                "hãy ghi đúng tên có dấu."
            )
            % {"commune": commune, "names": ", ".join(labels.get(c, c) for c in codes)}
        )
    return Place(code, codes[0])


@lru_cache(maxsize=50_000)
def _legacy(text: str) -> tuple[str | None, str | None, tuple[str, ...], str]:
    """Parse one legacy address: (new province, default commune, successors, old label)."""
    import vietnamadminunits

    try:
        parsed = vietnamadminunits.parse_address(text, mode="LEGACY", level=3, keep_street=False)
    except (ValueError, KeyError, AttributeError):
        return None, None, (), ""
    if not parsed.ward_code:
        return None, None, (), ""
    legacy = _legacy_units().get(parsed.ward_code)
    if legacy is None:
        return None, None, (), ""
    province, commune, successors = legacy
    label = ", ".join(p for p in (parsed.ward, parsed.district, parsed.province) if p)
    return province, commune, successors, label


def convert_legacy(province: str, district: str, commune: str, hint: str = "") -> Place:
    """Place a pre-2025 address (commune, district, province) in today's units.

    `hint` is an optional current commune name that picks among the successors of a split
    commune.
    """
    original = ", ".join(p for p in (commune, district, province) if p)
    if not commune:
        raise AddressError(_("Địa chỉ cũ “%s” thiếu xã/phường/thị trấn.") % original)
    code = _legacy_names().get((_exact(province), _exact(district), _exact(commune)))
    direct = _legacy_units().get(code or "")
    # A split commune goes to the parser: its message names the old unit as the parser does.
    unsplit = direct is not None and len(direct[2]) <= 1
    found: tuple[str | None, str | None, tuple[str, ...], str] = (
        (*direct, "") if direct is not None and unsplit else _legacy(original)
    )
    new_province, default, successors, label = found
    if new_province is None:
        raise AddressError(
            _("Không xác định được đơn vị hành chính cũ “%s” (xã, huyện, tỉnh trước 7/2025).")
            % original
        )
    labels = _commune_labels()
    chosen = default
    if len(successors) > 1:
        picked = [code for code in successors if unit_key(labels.get(code, "")) == unit_key(hint)]
        if not picked:
            raise AddressError(
                _(
                    "Xã cũ “%(old)s” đã được chia cho nhiều xã/phường mới (%(new)s); "
                    "hãy ghi xã/phường mới."
                )
                % {"old": label, "new": ", ".join(labels.get(c, c) for c in successors)}
            )
        chosen = picked[0]
    province_name = _province_labels().get(new_province, "")
    return Place(
        new_province,
        chosen,
        legacy_text=original,
        converted_to=f"{labels.get(chosen or '', '')}, {province_name}".strip(", "),
    )


# Abbreviated unit types as provinces write them: "TP Thái Nguyên", "H. Phú Lương", "TT Đu",
# "Q.1", "P. Tân Thịnh", "X. Tân Cương", "TX Phổ Yên".
_ABBREVIATIONS = (
    (re.compile(r"^tp\.?\s*(?=\S)", re.IGNORECASE), "Thành phố "),
    (re.compile(r"^tx\.?\s*(?=\S)", re.IGNORECASE), "Thị xã "),
    (re.compile(r"^tt\.?\s*(?=\S)", re.IGNORECASE), "Thị trấn "),
    (re.compile(r"^h\.\s*(?=\S)", re.IGNORECASE), "Huyện "),
    (re.compile(r"^q\.\s*(?=\S)", re.IGNORECASE), "Quận "),
    (re.compile(r"^p\.\s*(?=\S)", re.IGNORECASE), "Phường "),
    (re.compile(r"^x\.\s*(?=\S)", re.IGNORECASE), "Xã "),
)
_SEPARATORS = re.compile(r"\s*[,;]\s*|\s+[-–]\s+")
_DISTRICT_WORDS = ("huyen ", "quan ", "thi xa ", "thanh pho ")
_COMMUNE_WORDS = ("xa ", "phuong ", "thi tran ", "dac khu ")


def _expand(part: str) -> str:
    for pattern, word in _ABBREVIATIONS:
        if pattern.match(part):
            return pattern.sub(word, part, count=1)
    return part


def split_address(text: str) -> dict[str, str]:
    """A whole address in one cell, split into the address columns: {"province", "commune",
    "street"} for a current address ("Tổ 5, Phường Phan Đình Phùng, Thái Nguyên"), with
    "legacy_district" for a pre-2025 one ("Xã Tân Cương, TP Thái Nguyên, tỉnh Thái Nguyên").
    The unit types tell the levels apart; without them, three parts that read as an old
    commune, district and province (`vietnamadminunits`) are taken for one, else the last two
    are today's commune and province."""
    parts = [_expand(p) for p in _SEPARATORS.split(" ".join(str(text).split())) if p.strip()]
    if not parts:
        return {}
    if len(parts) == 1:
        return {"province": parts[0]}
    province, before = parts[-1], parts[:-1]
    last_key = search_key(before[-1]) + " "
    legacy = len(before) >= 2 and last_key.startswith(_DISTRICT_WORDS)
    if not legacy and len(before) >= 2 and not last_key.startswith(_COMMUNE_WORDS):
        try:
            convert_legacy(province, before[-1], before[-2])
            legacy = True
        except AddressError:
            legacy = False
    if legacy:
        return {
            "province": province,
            "legacy_district": before[-1],
            "commune": before[-2],
            "street": ", ".join(before[:-2]),
        }
    return {"province": province, "commune": before[-1], "street": ", ".join(before[:-1])}
