"""A streamed XLSX writer for exports: the first bytes leave with the first rows.

An XLSX file is a ZIP archive of XML parts. openpyxl's write-only mode (and XlsxWriter's
constant-memory mode, which took 0.87 of openpyxl's time on the national list) must finish the whole
workbook in a temporary file before a byte can be sent, and spends most of its time building
cell objects. Here each sheet is written as SpreadsheetML text straight into a ZIP entry of an
archive whose writer never seeks (the standard library's `zipfile` then records sizes in data
descriptors), and what the archive has produced is handed on every few hundred rows: memory stays
flat, nothing touches the disk, and a national export starts downloading at once.

Only what an export needs: one header row in bold, frozen below it, column widths, text (always
an inline string, so "=1+1" or "0912…" stay text, never a formula or a number), numbers and
booleans; a sheet continues on another ("Dữ liệu (2)", …) past Excel's row limit. Read back by
openpyxl in the tests, cell by cell.
"""

import io
import itertools
import math
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from typing import Any
from xml.sax.saxutils import quoteattr

# openpyxl's own (`openpyxl.cell.cell`; held equal by a test): imported here, openpyxl — which
# imports numpy — would load with every process that reads the registry's files, a commit's
# command line included (about 0.5 s of its start).
ILLEGAL_CHARACTERS_RE = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")
ERROR_CODES = ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A")

CHUNK = 64 * 1024  # bytes per piece handed on
ROWS_PER_WRITE = 500  # rows joined into one write of the sheet's entry
MAX_SHEET_ROWS = 1_048_576  # Excel's limit, header row included: longer exports continue on
# further sheets ("Dữ liệu (2)", …), each with the header row
MAX_SHEET_BYTES = 1_800_000_000  # of XML in one sheet (a ZIP entry without ZIP64: < 2 GiB)
MAX_TEXT = 32_767  # characters Excel keeps in a cell
# zlib level. The national list (200,340 organisations): 25.2 MiB in 8.1 s at 6, 31.5 MiB in
# 6.8 s at 1; on a provincial office's link the bytes cost more than the second.
COMPRESSION = 6

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_STYLES = (
    f'{_XML}<styleSheet xmlns="{_MAIN}">'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
_BOLD = 1  # the header's style index in cellXfs


class _Sink(io.RawIOBase):
    """Where the archive writes: kept until taken, never seekable."""

    def __init__(self) -> None:
        self.pieces: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.pieces.append(bytes(data))
        return len(data)

    def take(self) -> Iterator[bytes]:
        data = b"".join(self.pieces)
        self.pieces.clear()
        for start in range(0, len(data), CHUNK):
            yield data[start : start + CHUNK]


def _escape(text: str) -> str:
    if "&" in text or "<" in text or ">" in text:
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text


def _text(value: str) -> str:
    if ILLEGAL_CHARACTERS_RE.search(value):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return _escape(value[:MAX_TEXT])


class _Columns:
    """Cell references: A, B, …, grown as wide as the widest row."""

    def __init__(self) -> None:
        self.letters: list[str] = []

    def __call__(self, count: int) -> list[str]:
        from openpyxl.utils import get_column_letter

        while len(self.letters) < count:
            self.letters.append(get_column_letter(len(self.letters) + 1))
        return self.letters


def _row(number: int, values: Sequence[Any], letters: list[str], style: str = "") -> str:
    cells = [f'<row r="{number}">']
    for letter, value in zip(letters, values, strict=False):
        if value is None or value == "":
            continue  # an empty cell, as openpyxl leaves it
        ref = f"{letter}{number}"
        if isinstance(value, bool):
            cells.append(f'<c r="{ref}"{style} t="b"><v>{int(value)}</v></c>')
        elif isinstance(value, int | float):
            if not math.isfinite(value):
                continue  # no such number in a worksheet
            cells.append(f'<c r="{ref}"{style}><v>{value}</v></c>')
        else:
            text = _text(value if isinstance(value, str) else str(value))
            cells.append(
                f'<c r="{ref}"{style} t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'
            )
    cells.append("</row>")
    return "".join(cells)


def _sheet_head(widths: Sequence[int] | None) -> str:
    cols = "".join(
        f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>'
        for i, w in enumerate(widths or (), start=1)
    )
    return (
        f'{_XML}<worksheet xmlns="{_MAIN}"><sheetViews><sheetView workbookViewId="0">'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
        f'<sheetFormatPr defaultRowHeight="15"/>{f"<cols>{cols}</cols>" if cols else ""}'
        "<sheetData>"
    )


def _package_head(book: zipfile.ZipFile) -> None:
    """The parts that come first, as Excel orders them. Sheets take their content type from
    the default for .xml, so this is written before anyone knows how many sheets follow."""
    ct = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    book.writestr(
        "[Content_Types].xml",
        f'{_XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        f'<Default Extension="xml" ContentType="{ct}.worksheet+xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{ct}.sheet.main+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{ct}.styles+xml"/></Types>',
    )
    book.writestr(
        "_rels/.rels",
        f'{_XML}<Relationships xmlns="{_PKG_REL}"><Relationship Id="rId1" '
        f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    )
    book.writestr("xl/styles.xml", _STYLES)


def _package_tail(book: zipfile.ZipFile, names: list[str]) -> None:
    """The workbook and its relations, once the sheets are known."""
    sheets = "".join(
        f'<sheet name={quoteattr(name)} sheetId="{i}" r:id="rId{i}"/>'
        for i, name in enumerate(names, start=1)
    )
    book.writestr(
        "xl/workbook.xml",
        f'{_XML}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>{sheets}</sheets></workbook>',
    )
    relations = "".join(
        f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, len(names) + 1)
    )
    styles = f'<Relationship Id="rId{len(names) + 1}" Type="{_REL}/styles" Target="styles.xml"/>'
    book.writestr(
        "xl/_rels/workbook.xml.rels",
        f'{_XML}<Relationships xmlns="{_PKG_REL}">{relations}{styles}</Relationships>',
    )


def xlsx_pieces(
    headers: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    sheet_title: str,
    widths: Sequence[int] | None = None,
) -> Iterator[bytes]:
    """The workbook as pieces of at most `CHUNK` bytes, produced as `rows` are read."""
    sink = _Sink()
    columns = _Columns()
    header = [str(h) for h in headers]
    names: list[str] = []
    with zipfile.ZipFile(
        sink, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=COMPRESSION
    ) as book:
        _package_head(book)
        source = iter(rows)
        pending: Sequence[Any] | None = None  # the first row of the next sheet
        while not names or pending is not None:
            names.append(
                sheet_title if not names else f"{sheet_title[:24]} ({len(names) + 1})"[:31]
            )
            # No ZIP64: Excel refuses the ZIP64 fields Python writes into a streamed entry. An
            # entry must then stay under 2 GiB: a sheet also ends at MAX_SHEET_BYTES of XML.
            with book.open(f"xl/worksheets/sheet{len(names)}.xml", "w") as part:
                written = 0
                letters = columns(len(header))
                part.write(
                    (_sheet_head(widths) + _row(1, header, letters, f' s="{_BOLD}"')).encode()
                )
                batch: list[str] = []
                number = 1
                here = source if pending is None else itertools.chain((pending,), source)
                pending = None
                for values in here:
                    if number >= MAX_SHEET_ROWS or written >= MAX_SHEET_BYTES:
                        pending = values
                        break
                    number += 1
                    if len(values) > len(letters):
                        letters = columns(len(values))
                    batch.append(_row(number, values, letters))
                    if len(batch) >= ROWS_PER_WRITE:
                        data = "".join(batch).encode()
                        part.write(data)
                        written += len(data)
                        batch.clear()
                        yield from sink.take()
                batch.append("</sheetData></worksheet>")
                part.write("".join(batch).encode())
            yield from sink.take()
        _package_tail(book, names)
    yield from sink.take()
