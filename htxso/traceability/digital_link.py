"""GS1 Digital Link URIs (syntax 1.2): parse, validate and produce them.

The primary keys, their key qualifiers (in order) and every Application Identifier's format come
from the GS1 Barcode Syntax Dictionary shipped in `gs1/` (`dlpkey=…`, the components `N14,csum`,
`X..20`, `N1,yesno`…); the short names (`gtin`, `lot`, `ser`…) from the 1.2 grammar. Checked:
a primary key's format and check digit, qualifiers allowed for the key and in the grammar's
order (or sorted on request), every numeric query parameter against its AI's format. Linters
other than csum, yesno and zero (company-prefix lookups, dates) are not applied.

Compressed URIs (the binary compression of GS1 DL 1.2 §8) are read transparently by `parse`
and written by `compression.compress`. GIAI (8004, an individual asset) is a key like the
others, as the 1.2 grammar defines it (`giai-path`); two vectors transcribed from
gs1/digital-link.js call /giai/0801234126 and …127 invalid against that grammar (see the tests).

A value holding "/" is written %2F; a server that decodes the path before it reaches us (Django
does) is read with `slash_in_values`: a qualifier's value runs to the next qualifier the key
allows."""

import functools
import json
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from htxso.core.gs1 import valid_check_digit

from .gs1 import DATA

SHORT_NAMES = {
    "gtin": "01", "itip": "8006", "gmn": "8013", "cpid": "8010", "gln": "414", "party": "417",
    "gsrnp": "8017", "gsrn": "8018", "gcn": "255", "sscc": "00", "gdti": "253", "ginc": "401",
    "gsin": "402", "grai": "8003", "giai": "8004", "cpv": "22", "lot": "10", "ser": "21",
    "cpsn": "8011", "glnx": "254", "refno": "8020", "srin": "8019",
}  # fmt: skip
_CSETS = {
    "N": r"[0-9]",
    "X": r"[!\"%&'()*+,\-./0-9:;<=>?A-Z_a-z]",
    "Y": r"[#\-/0-9A-Z]",
    "Z": r"[\-0-9A-Z_a-z=]",
}
_COMPONENT = re.compile(r"^(\[)?([NXYZ])(\d*)(?:\.\.(\d+))?((?:,\w+)*)(\])?$")


class DigitalLinkError(ValueError):
    """A URI that is not a GS1 Digital Link (the message is Vietnamese)."""


@dataclass(frozen=True)
class Component:
    charset: str
    least: int
    most: int
    linters: tuple[str, ...]
    optional: bool


@dataclass(frozen=True)
class Entry:
    components: tuple[Component, ...]
    qualifiers: tuple[tuple[str, ...], ...] | None  # None: not a primary key


@functools.cache
def dictionary() -> dict[str, Entry]:
    """AI → its entry, read once from the shipped syntax dictionary."""
    entries: dict[str, Entry] = {}
    for line in (DATA / "gs1-syntax-dictionary.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        tokens = line.split()
        ais, rest = tokens[0], tokens[1:]
        if rest and set(rest[0]) <= {"*", "?"}:
            rest = rest[1:]
        components: list[Component] = []
        qualifiers: tuple[tuple[str, ...], ...] | None = None
        for token in rest:
            match = _COMPONENT.match(token)
            if match and "=" not in token:
                opt, cset, fixed, most, linters, _ = match.groups()
                least = int(fixed) if fixed else 1
                components.append(
                    Component(
                        cset, least, int(most) if most else least,
                        tuple(linters.strip(",").split(",")) if linters else (), bool(opt),
                    )
                )  # fmt: skip
            elif token == "dlpkey":
                qualifiers = ((),)
            elif token.startswith("dlpkey="):
                qualifiers = tuple(tuple(seq.split(",")) for seq in token[7:].split("|"))
        start, _, end = ais.partition("-")
        for number in range(int(start), int(end or start) + 1):
            entries[str(number).zfill(len(start))] = Entry(tuple(components), qualifiers)
    return entries


def value_error(ai: str, value: str) -> str | None:
    """Why `value` is not a valid value of `ai` (Vietnamese), or None."""
    entry = dictionary().get(ai)
    if entry is None:
        return f"Mã AI ({ai}) không có trong từ điển GS1."
    rest = value
    for component in entry.components:
        if not rest and component.optional:
            continue
        size = component.least if component.least == component.most else component.most
        part = rest[:size] if component.least == component.most else rest
        if component.least != component.most and component is not entry.components[-1]:
            part = rest[: component.most]
        if not component.least <= len(part) <= component.most or not re.fullmatch(
            _CSETS[component.charset] + "+", part
        ):
            return f"Giá trị «{value}» của AI ({ai}) sai định dạng."
        if "csum" in component.linters and not valid_check_digit(part):
            return f"Số kiểm tra của AI ({ai}) «{value}» sai."
        if "yesno" in component.linters and part not in ("0", "1"):
            return f"AI ({ai}) chỉ nhận 0 hoặc 1."
        if "zero" in component.linters and part != "0":
            return f"AI ({ai}) phải bắt đầu bằng 0."
        rest = rest[len(part) :]
    if rest:
        return f"Giá trị «{value}» của AI ({ai}) quá dài."
    return None


@dataclass
class DigitalLink:
    domain: str  # scheme and host, e.g. https://id.gs1.org
    key_ai: str  # the primary key's AI (01, 00, 414…)
    key: str  # as written (a GTIN may be 8, 12, 13 or 14 digits)
    qualifiers: dict[str, str] = field(default_factory=dict)  # AI → value, in path order
    attributes: dict[str, str] = field(default_factory=dict)  # query parameters but linkType
    link_type: str | None = None
    prefix: str = ""  # a custom path before the key ("/some/path")
    sort_qualifiers: bool = False

    @property
    def gtin14(self) -> str | None:
        return self.key.zfill(14) if self.key_ai == "01" else None

    def uri(self, domain: str | None = None) -> str:
        """The URI: the domain (or another), the key, the qualifiers in the grammar's order, the
        attributes then linkType in the query."""
        order = qualifier_order(self.key_ai, list(self.qualifiers)) or list(self.qualifiers)
        path = f"/{self.key_ai}/{quote(self.key, safe='')}" + "".join(
            f"/{ai}/{quote(self.qualifiers[ai], safe='')}" for ai in order
        )
        query = [*self.attributes.items()]
        if self.link_type is not None:
            query.append(("linkType", self.link_type))
        tail = "&".join(f"{k}={quote(v, safe='')}" for k, v in query)
        return f"{domain or self.domain}{self.prefix}{path}" + (f"?{tail}" if tail else "")

    def canonical(self) -> str:
        """The form EPCIS stores as an EPC: id.gs1.org, a 14-digit GTIN, no query."""
        key = self.gtin14 or self.key
        return DigitalLink("https://id.gs1.org", self.key_ai, key, self.qualifiers).uri()

    def to_json(self) -> str:
        """As gs1/digital-link.js `toJsonString()` writes it."""
        out: dict[str, object] = {"domain": self.domain, "identifier": {self.key_ai: self.key}}
        out["keyQualifiers"] = dict(self.qualifiers)
        out["attributes"] = dict(self.attributes)
        out["sortKeyQualifiers"] = self.sort_qualifiers
        out["keyQualifiersOrder"] = list(self.qualifiers)
        if self.link_type is not None:
            out["linkType"] = self.link_type
        return json.dumps(out, separators=(",", ":"), ensure_ascii=False)


def qualifier_order(key_ai: str, present: list[str]) -> list[str] | None:
    """`present` in the order of one of the key's qualifier sequences, or None if none fits."""
    entry = dictionary().get(key_ai)
    for sequence in entry.qualifiers or () if entry else ():
        if set(present) <= set(sequence):
            return [ai for ai in sequence if ai in present]
    return None


def _ai(segment: str) -> str:
    return SHORT_NAMES.get(segment, segment)


def _is_key(segment: str) -> bool:
    entry = dictionary().get(_ai(segment))
    return entry is not None and entry.qualifiers is not None


def parse(
    uri: str,
    *,
    sort_qualifiers: bool = False,
    allow_compressed: bool = True,
    slash_in_values: bool = False,
) -> DigitalLink:
    """A Digital Link from `uri` (compressed or not), or DigitalLinkError saying why it is
    not one."""
    parts = urlsplit(uri)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise DigitalLinkError("Địa chỉ phải bắt đầu bằng http:// hoặc https://.")
    segments = parts.path.rstrip("/").split("/")[1:] if parts.path.strip("/") else []
    size = len(segments)
    starts = [
        i
        for i, s in enumerate(segments)
        if _is_key(s) and ((size - i) % 2 == 0 or (slash_in_values and size - i > 1))
    ]
    if not starts:
        if allow_compressed and segments:
            from .compression import decompress

            try:
                plain = decompress(uri)
            except (DigitalLinkError, ValueError):
                pass
            else:
                return parse(plain, sort_qualifiers=sort_qualifiers, allow_compressed=False)
        raise DigitalLinkError("Địa chỉ không chứa khoá chính GS1 (ví dụ /01/<GTIN>).")
    last_error = ""
    for start in starts:
        try:
            return _parse_from(parts, segments, start, sort_qualifiers, slash_in_values)
        except DigitalLinkError as error:
            last_error = str(error)
    raise DigitalLinkError(last_error)


def _pairs(key_ai: str, segments: list[str], slash: bool) -> list[tuple[str, str]]:
    """(AI, value) of the qualifiers; with `slash`, a value runs to the next allowed AI."""
    if not slash:
        if len(segments) % 2:
            raise DigitalLinkError("Thiếu giá trị của AI cuối cùng.")
        return [(_ai(segments[i]), unquote(segments[i + 1])) for i in range(0, len(segments), 2)]
    allowed = {ai for seq in (dictionary()[key_ai].qualifiers or ()) for ai in seq}
    out: list[tuple[str, str]] = []
    i = 0
    while i < len(segments):
        ai = _ai(segments[i])
        if i + 1 >= len(segments):
            raise DigitalLinkError("Thiếu giá trị của AI cuối cùng.")
        value, i = [unquote(segments[i + 1])], i + 2
        while i < len(segments) and not (_ai(segments[i]) in allowed and i + 1 < len(segments)):
            value.append(unquote(segments[i]))
            i += 1
        out.append((ai, "/".join(value)))
    return out


def _parse_from(  # type: ignore[no-untyped-def]
    parts, segments: list[str], start: int, sort: bool, slash: bool = False
) -> DigitalLink:
    key_ai = _ai(segments[start])
    end = start + 2
    if slash:  # a key that may hold "/" (GIAI, GRAI…) runs to its first allowed qualifier
        allowed = {ai for seq in (dictionary()[key_ai].qualifiers or ()) for ai in seq}
        while end < len(segments) and not (
            _ai(segments[end]) in allowed and end + 1 < len(segments)
        ):
            end += 1
    key, rest = "/".join(unquote(s) for s in segments[start + 1 : end]), segments[end:]
    if key_ai == "01" and len(key) in (8, 12, 13) and key.isdigit():
        error = value_error("01", key.zfill(14))
    else:
        error = value_error(key_ai, key)
    if error:
        raise DigitalLinkError(error)
    qualifiers: dict[str, str] = {}
    for ai, value in _pairs(key_ai, rest, slash):
        if ai in qualifiers:
            raise DigitalLinkError(f"AI ({ai}) xuất hiện hai lần.")
        qualifiers[ai] = value
    order = qualifier_order(key_ai, list(qualifiers))
    if order is None:
        raise DigitalLinkError(f"Khoá ({key_ai}) không nhận các AI {', '.join(qualifiers)}.")
    if order != list(qualifiers) and not sort:
        raise DigitalLinkError("Các AI phụ sai thứ tự (ví dụ /10/ phải đứng trước /21/).")
    for ai in order:
        if error := value_error(ai, qualifiers[ai]):
            raise DigitalLinkError(error)
    attributes: dict[str, str] = {}
    link_type = None
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        if name == "linkType":
            link_type = value
        elif name.isdigit():
            if error := value_error(name, value):
                raise DigitalLinkError(error)
            attributes[name] = value
        else:
            attributes[name] = value
    return DigitalLink(
        f"{parts.scheme}://{parts.netloc}",
        key_ai,
        key,
        {ai: qualifiers[ai] for ai in order},
        attributes,
        link_type,
        "/" + "/".join(segments[:start]) if start else "",
        sort,
    )


def is_valid(uri: str, *, sort_qualifiers: bool = False) -> bool:
    try:
        parse(uri, sort_qualifiers=sort_qualifiers)
    except DigitalLinkError:
        return False
    return True
