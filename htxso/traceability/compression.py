"""Compressed GS1 Digital Link URIs (GS1 Digital Link 1.2 §8: the binary compression of the
GS1 Digital Link toolkit), both ways.

A compressed URI keeps the domain and any path before the identifier, and writes every element
string (the key, its qualifiers, the GS1 attributes of the query and, optionally, the other
query parameters) as one URI-safe base64 segment:

- an AI as hex nibbles ("01" → 0000 0001; a sequence of AIs the optimisation table knows —
  GTIN + lot, GTIN + serial… — as one pair of nibbles A–F);
- a fixed-length numeric value as a binary number of ⌈n·log2 10⌉ bits;
- a variable-length value: its length in ⌈log2 max⌉ bits, preceded for alphanumeric values by
  a 3-bit encoding (numeric, lower hex, upper hex, URI-safe base64, 7-bit ASCII);
- another query parameter: nibble F, the key's length (7 bits) and characters (6 bits each),
  then its value as a variable alphanumeric of at most 127 characters.

The formats of the AIs come from the shipped syntax dictionary (consecutive fixed numeric
components merged, as the toolkit's table writes them). No package on PyPI does this correctly
(gs1-compression 0.1.3, 2021, fails its own compression examples), hence this module; it passes
every compression vector of gs1/digital-link.js."""

import math
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, urlsplit

from . import digital_link as dl

BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
HEX = "0123456789ABCDEF"
# The toolkit's optimisation table: a hex pair (outside 00–99) for a sequence of AIs.
OPTIMISED = {
    "0A": ("01", "22"), "0B": ("01", "10"), "0C": ("01", "21"), "0D": ("01", "17"),
    "0E": ("01", "7003"), "0F": ("01", "30"), "1A": ("01", "10", "21", "17"),
    "1B": ("01", "15"), "1C": ("01", "11"), "1D": ("01", "16"), "1E": ("01", "91"),
    "1F": ("01", "10", "15"),
    **{f"2{c}": ("01", f"310{i}") for i, c in enumerate("ABCDEF")},
    **{f"3{c}": ("01", f"320{i}") for i, c in enumerate("ABCDEF")},
    "9A": ("8010", "8011"), "9B": ("8017", "8019"), "9C": ("8018", "8019"),
    "9D": ("414", "254"),
    **{f"A{i}": ("01", f"392{i}") for i in range(10)},
    **{f"C{i}": ("255", f"390{i}") for i in range(10)},
    **{f"C{c}": ("255", f"394{i}") for i, c in enumerate("ABCD")},
}  # fmt: skip
_ENCODINGS = (
    (0, re.compile(r"[0-9]+")),
    (2, re.compile(r"[0-9A-F]+")),
    (1, re.compile(r"[0-9a-f]+")),
    (3, re.compile(r"[A-Za-z0-9_-]+")),
)
_SEGMENT = re.compile(r"[A-Za-z0-9_-]+")


class CompressionError(dl.DigitalLinkError):
    """Not a compressed GS1 Digital Link (the message is Vietnamese)."""


@dataclass(frozen=True)
class Part:
    numeric: bool
    least: int  # 0 for an optional component
    most: int

    @property
    def fixed(self) -> bool:
        return self.least == self.most


def _value_bits(digits: int) -> int:
    return math.ceil(digits * math.log2(10) + 0.01)


def _length_bits(most: int) -> int:
    return math.ceil(math.log2(most) + 0.01)


def parts(ai: str) -> list[Part]:
    """The value's components as the compression writes them."""
    entry = dl.dictionary().get(ai)
    if entry is None:
        raise CompressionError(f"Mã AI ({ai}) không có trong từ điển GS1.")
    out: list[Part] = []
    for c in entry.components:
        part = Part(c.charset == "N", 0 if c.optional else c.least, c.most)
        if out and part.numeric and part.fixed and out[-1].numeric and out[-1].fixed:
            out[-1] = Part(True, out[-1].least + part.least, out[-1].most + part.most)
        else:
            out.append(part)
    return out


def _bits(number: int, width: int) -> str:
    return format(number, "b").zfill(width)


def _alphanumeric(text: str, length_bits: int) -> str:
    encoding = next((e for e, rx in _ENCODINGS if rx.fullmatch(text)), 4)
    out = _bits(encoding, 3) + (_bits(len(text), length_bits) if length_bits else "")
    if encoding == 0:
        return out + _bits(int(text), _value_bits(len(text))) if text else out
    if encoding in (1, 2):
        return out + "".join(_bits(HEX.index(ch), 4) for ch in text.upper())
    if encoding == 3:
        return out + "".join(_bits(BASE64.index(ch), 6) for ch in text)
    if any(ord(ch) > 127 for ch in text):
        raise CompressionError("Chỉ nén được giá trị gồm ký tự ASCII.")
    return out + "".join(_bits(ord(ch), 7) for ch in text)


def _encode_value(ai: str, value: str) -> str:
    out, rest = "", value
    for part in parts(ai):
        if part.fixed and part.numeric:
            chunk, rest = rest[: part.most], rest[part.most :]
            out += _bits(int(chunk), _value_bits(part.most))
        elif part.fixed:
            chunk, rest = rest[: part.most], rest[part.most :]
            out += _alphanumeric(chunk, 0)
        elif part.numeric:
            chunk, rest = rest, ""
            out += _bits(len(chunk), _length_bits(part.most))
            out += _bits(int(chunk), _value_bits(len(chunk))) if chunk else ""
        else:
            chunk, rest = rest, ""
            out += _alphanumeric(chunk, _length_bits(part.most))
    return out


def _nibbles(code: str) -> str:
    return "".join(_bits(int(ch, 16), 4) for ch in code)


def _best(keys: list[str]) -> str | None:
    best, size = None, 0
    for code, sequence in OPTIMISED.items():
        if set(sequence) <= set(keys) and len("".join(sequence)) > size:
            best, size = code, len("".join(sequence))
    return best


def to_bits(elements: dict[str, str], others: dict[str, str], *, optimise: bool = True) -> str:
    keys = sorted(elements)
    out = ""
    while optimise and (code := _best(keys)):
        out += _nibbles(code) + "".join(_encode_value(ai, elements[ai]) for ai in OPTIMISED[code])
        keys = [k for k in keys if k not in OPTIMISED[code]]
    for ai in keys:
        out += _nibbles(ai) + _encode_value(ai, elements[ai])
    for key, value in others.items():
        if not _SEGMENT.fullmatch(key) or len(key) > 127 or len(value) > 127:
            raise CompressionError(f"Không nén được tham số «{key}».")
        out += "1111" + _bits(len(key), 7) + "".join(_bits(BASE64.index(c), 6) for c in key)
        out += _alphanumeric(value, 7)
    return out


def _base64(bits: str) -> str:
    bits += "0" * (-len(bits) % 6)
    return "".join(BASE64[int(bits[i : i + 6], 2)] for i in range(0, len(bits), 6))


def compress(uri: str, *, optimise: bool = True, compress_others: bool = True) -> str:
    """The compressed form of a Digital Link URI (the domain and a path prefix kept)."""
    link = dl.parse(uri, sort_qualifiers=True)
    elements = {link.key_ai: link.gtin14 or link.key, **link.qualifiers}
    others: dict[str, str] = {}
    for name, value in parse_qsl(urlsplit(uri).query, keep_blank_values=True):
        if name.isdigit():
            elements[name] = value
        elif name in dl.SHORT_NAMES:
            elements[dl.SHORT_NAMES[name]] = value
        else:
            others[name] = value
    tail = ""
    if others and not compress_others:
        tail = "?" + "&".join(f"{k}={quote(v, safe='')}" for k, v in others.items())
        others = {}
    segment = _base64(to_bits(elements, others, optimise=optimise))
    return f"{link.domain}{link.prefix}/{segment}{tail}"


class _Reader:
    def __init__(self, bits: str) -> None:
        self.bits, self.at = bits, 0

    def take(self, n: int) -> str:
        if self.at + n > len(self.bits):
            raise CompressionError("Mã nén bị cắt ngắn.")
        chunk = self.bits[self.at : self.at + n]
        self.at += n
        return chunk

    def number(self, n: int) -> int:
        return int(self.take(n), 2) if n else 0

    def nibble(self) -> str:
        return HEX[self.number(4)]


def _string(reader: _Reader, encoding: int, count: int) -> str:
    if encoding == 0:
        return str(reader.number(_value_bits(count))).zfill(count) if count else ""
    if encoding in (1, 2):
        text = "".join(HEX[reader.number(4)] for _ in range(count))
        return text.lower() if encoding == 1 else text
    if encoding == 3:
        return "".join(BASE64[reader.number(6)] for _ in range(count))
    if encoding == 4:
        return "".join(chr(reader.number(7)) for _ in range(count))
    raise CompressionError("Kiểu mã hoá giá trị không hợp lệ.")


def _decode_value(reader: _Reader, ai: str) -> str:
    out = ""
    for part in parts(ai):
        if part.fixed and part.numeric:
            out += str(reader.number(_value_bits(part.most))).zfill(part.most)
        elif part.fixed:
            out += _string(reader, reader.number(3), part.most)
        elif part.numeric:
            count = reader.number(_length_bits(part.most))
            out += str(reader.number(_value_bits(count))).zfill(count) if count else ""
        else:
            encoding = reader.number(3)
            out += _string(reader, encoding, reader.number(_length_bits(part.most)))
    return out


def _ai_length(first_two: str) -> int:
    lengths = {len(ai) for ai in dl.dictionary() if ai.startswith(first_two)}
    if len(lengths) != 1:
        raise CompressionError(f"Mã AI bắt đầu bằng {first_two} không được hỗ trợ.")
    return lengths.pop()


def from_bits(bits: str) -> tuple[dict[str, str], dict[str, str]]:
    """(GS1 element strings, other query parameters) of a compressed binary string."""
    reader = _Reader(bits)
    elements: dict[str, str] = {}
    others: dict[str, str] = {}
    while len(bits) - reader.at > 8:
        pair = reader.nibble() + reader.nibble()
        if pair.isdigit():
            ai = pair
            for _ in range(_ai_length(pair) - 2):
                ai += reader.nibble()
            if not ai.isdigit():
                raise CompressionError("Mã AI phải gồm chữ số.")
            elements[ai] = _decode_value(reader, ai)
        elif pair in OPTIMISED:
            for ai in OPTIMISED[pair]:
                elements[ai] = _decode_value(reader, ai)
        elif pair[0] == "F":
            reader.at -= 4
            size = reader.number(7)
            key = "".join(BASE64[reader.number(6)] for _ in range(size))
            encoding = reader.number(3)
            others[key] = _string(reader, encoding, reader.number(7))
        else:
            raise CompressionError(f"Mã tối ưu {pair} không được định nghĩa.")
    return elements, others


def _unbase64(segment: str) -> str:
    return "".join(format(BASE64.index(ch), "06b") for ch in segment)


def decompress(uri: str, *, short_names: bool = False) -> str:
    """The uncompressed Digital Link of a compressed one (CompressionError if it is not one)."""
    parts_ = urlsplit(uri)
    if parts_.scheme not in ("http", "https") or not parts_.netloc:
        raise CompressionError("Địa chỉ phải bắt đầu bằng http:// hoặc https://.")
    prefix, _, segment = parts_.path.rstrip("/").rpartition("/")
    if not _SEGMENT.fullmatch(segment):
        raise CompressionError("Đoạn cuối của địa chỉ không phải mã nén GS1.")
    elements, others = from_bits(_unbase64(segment))
    keys = [ai for ai in elements if dl._is_key(ai)]
    if len(keys) != 1:
        raise CompressionError("Mã nén phải chứa đúng một khoá chính GS1.")
    key_ai = keys[0]
    rest = {ai: v for ai, v in elements.items() if ai != key_ai}
    sequences = dl.dictionary()[key_ai].qualifiers or ((),)
    order = max(([ai for ai in seq if ai in rest] for seq in sequences), key=len)
    names = {v: k for k, v in dl.SHORT_NAMES.items()} if short_names else {}
    path = f"/{names.get(key_ai, key_ai)}/{quote(elements[key_ai], safe='')}"
    path += "".join(f"/{names.get(ai, ai)}/{quote(rest[ai], safe='')}" for ai in order)
    query = [(ai, rest[ai]) for ai in sorted(rest) if ai not in order] + list(others.items())
    tail = "&".join(f"{k}={quote(v, safe='')}" for k, v in query)
    out = f"{parts_.scheme}://{parts_.netloc}{prefix}{path}" + (f"?{tail}" if tail else "")
    if parts_.query:
        out += ("&" if tail else "?") + parts_.query
    dl.parse(out)  # what it names must be a valid Digital Link too
    return out


def is_compressed(uri: str) -> bool:
    try:
        dl.parse(uri, allow_compressed=False)
    except dl.DigitalLinkError:
        pass
    else:
        return False
    try:
        decompress(uri)
    except (dl.DigitalLinkError, ValueError):
        return False
    return True
