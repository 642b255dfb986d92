"""Reading the files people upload: CSV in any encoding Vietnamese offices used, and XLSX.

`open_table` gives the header row and a stream of (row number as the spreadsheet shows it,
cells); nothing holds more than one row. Text comes out as NFC Unicode whatever the file used:

- UTF-8 with or without BOM;
- Windows-1258 (Vietnamese Windows code page, tones as combining marks);
- TCVN3 / ABC (".VnTime" fonts) and VNI, whose bytes read as Latin-1 look like "Hîp t¸c x·";
- the same legacy-font text typed into an XLSX or saved as UTF-8 (the letters are "wrong" but
  the bytes valid), found by content and converted cell by cell: a cell with a letter outside
  Latin-1 (the template's headers and drop-down values) is Unicode already and left alone.

The tables of TCVN3 and VNI and the content detector come from `viparse` (tables checked
against real government documents); the decision between code pages is ours.
"""

import codecs
import csv
import io
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

SAMPLE = 256 * 1024
UTF8, UTF8_BOM, CP1258, TCVN3, VNI, XLSX = (
    "utf-8",
    "utf-8-sig",
    "windows-1258",
    "tcvn3",
    "vni",
    "xlsx",
)


class FileError(ValueError):
    """The file as a whole cannot be read; the message is Vietnamese."""


@dataclass
class Table:
    headers: list[Any]
    rows: Iterator[tuple[int, list[Any]]]
    encoding: str  # how the bytes were read, plus "+tcvn3" when legacy-font text was converted
    size: int
    position: Callable[[], float] = field(default=lambda: 0.0)  # 0..1 read so far
    # A UTF-8 CSV whose text needs no conversion: its bytes can go to PostgreSQL's COPY as
    # they are (the set-wise member import); None for any other file.
    plain_csv: "PlainCsv | None" = None
    header_row: int = 1  # the header's row number as the spreadsheet shows it


# How many non-blank rows at the top of a file may hold the header (title rows, a date, the
# office's name, merged title cells above it are skipped).
HEAD_ROWS = 20

# Which of a file's first non-blank rows is its header: given them as (row number, cells), the
# index of one.
HeaderPicker = Callable[[list[tuple[int, list[Any]]]], int]


@dataclass(frozen=True)
class PlainCsv:
    path: Path
    delimiter: str


def _tcvn3_table() -> dict[int, str]:
    from viparse.normalize.tcvn3 import TCVN3

    return {ord(source): target for source, target in TCVN3.pairs}


def _charmap(name: str) -> Any:
    from viparse.normalize.encodings import CHARMAPS

    return CHARMAPS[name]


def converter(name: str | None) -> Callable[[str], str]:
    """Text → NFC Unicode for a legacy font encoding (None: only NFC)."""
    if name == TCVN3:
        table = _tcvn3_table()  # single characters: str.translate runs at C speed
        return lambda text: unicodedata.normalize("NFC", text.translate(table))
    if name is not None:
        from viparse.normalize.tables import convert

        charmap = _charmap(name)
        return lambda text: convert(text, charmap)
    return lambda text: unicodedata.normalize("NFC", text)


def _score(text: str) -> float:
    from viparse.normalize.frequency import vietnamese_score

    return vietnamese_score(text)


def may_be_legacy(text: str) -> bool:
    """Whether a legacy font could have produced this text: not ASCII, and every character in
    Latin-1 (TCVN3 and VNI text always is). Text with any other letter (ư, ơ, ạ, a combining
    tone…) is Unicode already, e.g. the template's headers and drop-down values in a file whose
    other cells were typed with a .VnTime font."""
    return not text.isascii() and max(map(ord, text)) <= 0xFF


def cell_converter(name: str | None) -> Callable[[str], str]:
    """Per cell: convert what the legacy font may have produced, only NFC the Unicode rest."""
    legacy, unicode = converter(name), converter(None)
    if name is None:
        return unicode
    return lambda text: legacy(text) if may_be_legacy(text) else unicode(text)


def legacy_font(sample: str) -> str | None:
    """The legacy font encoding of Unicode text that reads as mojibake, or None."""
    if not sample or sample.isascii():
        return None
    from viparse.normalize.detector import detect_encoding_by_content
    from viparse.normalize.encodings import AUTO_DETECT_CHARMAPS

    return detect_encoding_by_content(sample, AUTO_DETECT_CHARMAPS).encoding


def detect_bytes(sample: bytes) -> str:
    """How to read a CSV's bytes: UTF-8 (BOM or not), Windows-1258, TCVN3 or VNI."""
    if sample.startswith(codecs.BOM_UTF8):
        return UTF8_BOM
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return UTF8
    except UnicodeDecodeError:
        pass
    latin = sample.decode("latin-1")
    candidates = {
        CP1258: unicodedata.normalize("NFC", sample.decode("cp1258", errors="replace")),
        TCVN3: converter(TCVN3)(latin),
        VNI: converter(VNI)(latin[:20_000]),
    }
    return max(candidates, key=lambda name: _score(candidates[name]))


def _sniff_delimiter(text: str) -> str:
    first = text.splitlines()[0] if text else ""
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def blank_row(cells: list[Any]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def _legacy_cells(text: str, delimiter: str) -> str:
    """The cells of a CSV sample that a legacy font may have produced, for detection."""
    cells: list[str] = []
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            cells.extend(c for c in row if may_be_legacy(c))
    except csv.Error:
        pass
    return " ".join(cells)


def _nul_line(path: Path) -> int | None:
    """The line (1-based) of the file's first NUL byte, or None. PostgreSQL text cannot hold
    one, and none of the encodings a CSV may use writes it (upload's sniff refuses a file with
    one in its first 64 KiB): found before any row is read, as `bytes.find` does (~1 GB/s)."""
    lines = 0
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            at = chunk.find(b"\x00")
            if at >= 0:
                return lines + chunk.count(b"\n", 0, at) + 1
            lines += chunk.count(b"\n")
    return None


def _read_csv(path: Path, size: int, pick_header: HeaderPicker | None = None) -> Table:
    nul = _nul_line(path)
    if nul is not None:
        raise FileError(
            _(
                "Tệp có ký tự rỗng (NUL, mã 0) ở dòng %(row)s: tệp bị hỏng hoặc không phải văn "
                "bản. Hãy xoá ký tự đó, hoặc mở tệp bằng Excel và lưu lại dạng “CSV UTF-8 (phân "
                "cách bằng dấu phẩy)”."
            )
            % {"row": nul}
        )
    with open(path, "rb") as probe:
        sample = probe.read(SAMPLE)
    byte_encoding = detect_bytes(sample)
    text_encoding = {TCVN3: "latin-1", VNI: "latin-1"}.get(byte_encoding, byte_encoding)
    font = byte_encoding if byte_encoding in (TCVN3, VNI) else None
    decoded_sample = sample.decode(text_encoding, errors="ignore")
    delimiter = _sniff_delimiter(decoded_sample)
    if font is None and byte_encoding in (UTF8, UTF8_BOM):
        font = legacy_font(_legacy_cells(decoded_sample[:50_000], delimiter))
    convert = cell_converter(font)
    raw = open(path, "rb")  # noqa: SIM115 — closed when the rows are exhausted
    stream = io.TextIOWrapper(raw, encoding=text_encoding, newline="")
    reader = csv.reader(stream, delimiter=delimiter)

    def clean(cells: list[str]) -> list[Any]:
        return [convert(c) if not c.isascii() else c for c in cells]

    head: list[tuple[int, list[Any]]] = []  # the first non-blank rows, cleaned
    number = 0
    try:
        # Blank lines (or a file of nothing else) are not a header of empty columns; the
        # header is the row of the first few that `pick_header` chooses.
        for number, cells in enumerate(reader, start=1):
            if not blank_row(cells):
                head.append((number, clean(cells)))
                if len(head) >= HEAD_ROWS:
                    break
    except (UnicodeDecodeError, csv.Error):
        raw.close()
        raise FileError(
            _(
                "Không đọc được tệp CSV: hãy lưu lại từ Excel dạng “CSV UTF-8 (phân cách bằng "
                "dấu phẩy)”."
            )
        ) from None
    if not head:
        raw.close()
        raise FileError(_("Tệp trống: không có dòng tiêu đề."))
    chosen = pick_header(head) if pick_header else 0
    header_row, headers = head[chosen]
    after = head[chosen + 1 :]
    read_up_to = number

    def rows() -> Iterator[tuple[int, list[Any]]]:
        number = read_up_to
        try:
            yield from after
            for cells in reader:
                number += 1
                if not blank_row(cells):
                    yield number, clean(cells)
        except UnicodeDecodeError as exc:
            raise FileError(
                _("Tệp có ký tự không đọc được theo bảng mã %(enc)s gần dòng %(row)s.")
                % {"enc": byte_encoding, "row": number + 1}
            ) from exc
        except csv.Error as exc:  # the csv module's words are English: say where, in Vietnamese
            raise FileError(
                _("Lỗi định dạng CSV ở dòng %(row)s (dấu ngoặc kép hoặc ký tự lạ).")
                % {"row": number + 1}
            ) from exc
        finally:
            raw.close()

    name = byte_encoding if font in (None, byte_encoding) else f"{byte_encoding}+{font}"
    plain = byte_encoding in (UTF8, UTF8_BOM) and font is None
    return Table(
        headers,
        rows(),
        name,
        size,
        position=lambda: 1.0 if raw.closed or not size else raw.tell() / size,
        # COPY reads the file from its first line: only when the header is that line.
        plain_csv=PlainCsv(path, delimiter) if plain and header_row == 1 else None,
        header_row=header_row,
    )


def _excel_text(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _read_xlsx(path: Path, size: int, pick_header: HeaderPicker | None = None) -> Table:
    import zipfile

    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        # openpyxl's own words are English ("File is not a zip file"): say what to do instead.
        raise FileError(
            _(
                "Không mở được tệp Excel (.xlsx): tệp không đúng định dạng .xlsx (có thể là tệp "
                "khác được đổi tên). Hãy mở bằng Excel và lưu lại dạng .xlsx hoặc CSV UTF-8."
            )
        ) from None
    sheet = book.worksheets[0]
    total = max(sheet.max_row or 1, 1)
    iterator = sheet.iter_rows(values_only=True)
    sample: list[str] = []
    buffered: list[tuple[int, list[Any]]] = []  # the first non-blank rows, header among them
    consumed = 0
    for number, values in enumerate(iterator, start=1):
        consumed = number
        cells = [_excel_text(v) for v in values]
        if not blank_row(cells):
            buffered.append((number, cells))
            sample.extend(c for c in cells if isinstance(c, str) and may_be_legacy(c))
        if len(buffered) >= 200 + HEAD_ROWS:
            break
    if not buffered:
        book.close()
        raise FileError(_("Tệp trống: không có dòng tiêu đề."))
    font = legacy_font(" ".join(sample)[:50_000])
    convert = cell_converter(font)

    def clean(cells: list[Any]) -> list[Any]:
        return [convert(c) if isinstance(c, str) and not c.isascii() else c for c in cells]

    buffered = [(number, clean(cells)) for number, cells in buffered]
    chosen = pick_header(buffered[:HEAD_ROWS]) if pick_header else 0
    header_row, headers = buffered[chosen]
    buffered = buffered[chosen + 1 :]
    seen = [header_row]

    def rows() -> Iterator[tuple[int, list[Any]]]:
        try:
            for number, cells in buffered:
                seen[0] = number
                yield number, cells
            for number, values in enumerate(iterator, start=consumed + 1):
                seen[0] = number
                cells = [_excel_text(v) for v in values]
                if not blank_row(cells):
                    yield number, clean(cells)
        finally:
            book.close()

    return Table(
        headers,
        rows(),
        XLSX if font is None else f"{XLSX}+{font}",
        size,
        position=lambda: min(seen[0] / total, 1.0),
        header_row=header_row,
    )


def open_table(
    path: str | Path, filename: str = "", pick_header: HeaderPicker | None = None
) -> Table:
    """Open an uploaded file by its name's extension (CSV or XLSX). The header is the first
    non-blank row, or the one of the first `HEAD_ROWS` that `pick_header` chooses."""
    path = Path(path)
    suffix = Path(filename or path.name).suffix.lower()
    size = path.stat().st_size
    if size == 0:
        raise FileError(_("Tệp trống."))
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, size, pick_header)
    if suffix in (".csv", ".txt", ".tsv"):
        return _read_csv(path, size, pick_header)
    if suffix == ".xls":
        raise FileError(
            _("Tệp .xls (Excel 97-2003) chưa được hỗ trợ: hãy lưu lại dạng .xlsx hoặc CSV.")
        )
    raise FileError(_("Chỉ nhận tệp .xlsx hoặc .csv."))
