"""The streamed XLSX writer (`htxso.tabular.xlsx_stream`) through `workbooks.stream_xlsx`."""

import io

import pytest
from openpyxl import load_workbook

from htxso.tabular import xlsx_stream
from htxso.tabular.workbooks import DATA_SHEET, stream_xlsx


def _open(data: bytes):
    return load_workbook(io.BytesIO(data))


# --- the streamed export workbook --------------------------------------------------------------


def test_stream_xlsx_yields_chunks_of_a_valid_workbook():
    headers = ["Mã số thuế", "Tên", "Số"]
    rows = [(f"0{i:09d}", f"Hợp tác xã số {i} " + "x" * 40, i) for i in range(6000)]
    chunks = list(stream_xlsx(headers, iter(rows), "Tổ chức"))
    assert len(chunks) > 1
    assert all(len(c) <= xlsx_stream.CHUNK for c in chunks)
    book = _open(b"".join(chunks))
    sheet = book["Tổ chức"]
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == tuple(headers)
    assert values[1:] == rows  # codes keep their leading zero: they are text cells
    assert sheet.freeze_panes == "A2"


def test_stream_xlsx_writes_formula_like_text_as_text():
    rows = [("=1+1", "#N/A", "Tên\x07 lạ", None, True)]
    sheet = _open(b"".join(stream_xlsx(["a", "b", "c", "d", "e"], rows)))[DATA_SHEET]
    cells = list(sheet[2])
    assert [c.data_type for c in cells[:3]] == ["s", "s", "s"]
    assert [c.value for c in cells[:3]] == ["=1+1", "#N/A", "Tên lạ"]
    assert cells[3].value is None and cells[4].value is True


def test_stream_xlsx_continues_on_a_new_sheet_past_the_row_limit(monkeypatch):
    monkeypatch.setattr(xlsx_stream, "MAX_SHEET_ROWS", 4)  # header + 3 rows per sheet
    rows = [(i,) for i in range(7)]
    book = _open(b"".join(stream_xlsx(["n"], rows, "Thành viên")))
    assert book.sheetnames == ["Thành viên", "Thành viên (2)", "Thành viên (3)"]
    sheets = [list(book[name].iter_rows(values_only=True)) for name in book.sheetnames]
    assert all(sheet[0] == ("n",) for sheet in sheets)
    assert [row for sheet in sheets for row in sheet[1:]] == rows


def test_stream_xlsx_releases_its_rows_when_writing_fails(tmp_path, monkeypatch):
    """A row that cannot be written stops the stream; the suspended source (a database cursor
    in the exports) is closed, not left to the garbage collector; no file is left anywhere."""
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    closed = []

    class Broken:
        def __len__(self):
            return 1

        def __iter__(self):
            raise ValueError("broken row")

    def rows():
        try:
            yield ("a",)
            yield Broken()
            yield ("never read",)
        finally:
            closed.append(True)

    source = rows()  # held here: only stream_xlsx itself can close it, not the collector
    stream = stream_xlsx(["h"], source)
    with pytest.raises(ValueError, match="broken row"):
        next(stream)
    assert closed == [True]
    assert list(tmp_path.iterdir()) == []


def test_stream_xlsx_sends_its_first_bytes_before_the_last_row_is_read():
    """A national export starts downloading at once: pieces leave while rows are still read."""
    read = [0]

    def rows():
        for i in range(20_000):
            read[0] += 1
            yield (f"Hợp tác xã {i}", i, f"0{i:09d}")

    stream = stream_xlsx(["Tên", "Số", "Mã"], rows())
    first = next(stream)
    assert first.startswith(b"PK")  # a ZIP archive
    assert read[0] < 20_000
    rest = b"".join(stream)
    values = list(_open(first + rest)[DATA_SHEET].iter_rows(values_only=True))
    assert len(values) == 20_001
    assert values[-1] == ("Hợp tác xã 19999", 19999, "0000019999")


def test_stream_xlsx_cells_read_back_with_their_types():
    """Every kind of value an export holds, read back by openpyxl: text stays text (leading
    zeros, spaces, markup characters, a very long text cut at Excel's limit), numbers and
    booleans keep their type, an empty cell stays empty, a lazy translation is its text."""
    from django.utils.translation import gettext_lazy

    rows = [
        ("  hai  khoảng trắng ", '<b>&amp;</b> & "x"', 0, -12.5, False, None, "012"),
        ("x" * 40_000, gettext_lazy("Đang hoạt động"), 10**15, 1.0, True, "", "=SUM(A1)"),
        ("ngắn",),  # a short row: the rest of its cells are empty
    ]
    book = _open(b"".join(stream_xlsx(list("ABCDEFG"), rows)))
    sheet = book[DATA_SHEET]
    got = list(sheet.iter_rows(min_row=2, values_only=True))
    assert got[0] == ("  hai  khoảng trắng ", '<b>&amp;</b> & "x"', 0, -12.5, False, None, "012")
    assert got[1][0] == "x" * 32_767
    assert got[1][1:] == ("Đang hoạt động", 10**15, 1, True, None, "=SUM(A1)")
    assert sheet["G3"].data_type == "s"  # never a formula
    assert got[2] == ("ngắn", None, None, None, None, None, None)
    assert sheet["A1"].font.b and not sheet["A2"].font.b


def test_stream_xlsx_column_widths_and_sheet_names():
    book = _open(b"".join(stream_xlsx(["a", "b"], [(1, 2)], "Thành viên", widths=[12, 40])))
    sheet = book["Thành viên"]
    assert sheet.column_dimensions["A"].width == 12
    assert sheet.column_dimensions["B"].width == 40
    assert sheet.freeze_panes == "A2"


def test_stream_xlsx_of_no_rows_is_a_header_alone():
    book = _open(b"".join(stream_xlsx(["Tên", "Số"], [])))
    assert book.sheetnames == [DATA_SHEET]
    assert list(book[DATA_SHEET].iter_rows(values_only=True)) == [("Tên", "Số")]


def test_stream_xlsx_starts_a_sheet_before_an_entry_would_need_zip64(monkeypatch):
    """Excel refuses the ZIP64 fields of a streamed entry: none is written, and a sheet ends
    before its XML could pass 2 GiB (here the limit is made tiny)."""
    import struct
    import zipfile

    monkeypatch.setattr(xlsx_stream, "MAX_SHEET_BYTES", 1)
    monkeypatch.setattr(xlsx_stream, "ROWS_PER_WRITE", 2)
    rows = [(i, f"tên {i}") for i in range(5)]
    data = b"".join(stream_xlsx(["n", "tên"], rows, "Tổ chức"))
    book = _open(data)
    assert book.sheetnames == ["Tổ chức", "Tổ chức (2)", "Tổ chức (3)"]
    got = [r for name in book.sheetnames for r in book[name].iter_rows(values_only=True)]
    assert [r for r in got if r != ("n", "tên")] == rows
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.namelist()[0] == "[Content_Types].xml"
    assert archive.testzip() is None
    for info in archive.infolist():
        at = info.header_offset  # the local header: signature, …, name and extra lengths
        assert data[at : at + 4] == b"PK\x03\x04"
        name_length, extra_length = struct.unpack("<HH", data[at + 26 : at + 30])
        extra = data[at + 30 + name_length : at + 30 + name_length + extra_length]
        assert extra[:2] != b"\x01\x00", info.filename  # no ZIP64 extra field
        assert info.compress_type == zipfile.ZIP_DEFLATED


def test_stream_xlsx_closed_early_closes_its_rows():
    """A client that goes away mid-download: closing the stream closes the rows' cursor."""
    closed = []

    def rows():
        try:
            for i in range(100_000):
                yield (f"Hợp tác xã {i}", i)
        finally:
            closed.append(True)

    source = rows()  # held here: only stream_xlsx itself can close it, not the collector
    stream = stream_xlsx(["Tên", "Số"], source)
    assert next(stream).startswith(b"PK")
    stream.close()
    assert closed == [True]


# --- openpyxl loaded only when a workbook is built -----------------------------------------------


def test_the_cell_rules_are_openpyxls():
    """The writers' copies of openpyxl's rules (kept here so that openpyxl, and numpy with it,
    is not loaded by every process that reads a file)."""
    from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE

    assert tuple(ERROR_CODES) == xlsx_stream.ERROR_CODES
    assert xlsx_stream.ILLEGAL_CHARACTERS_RE.pattern == ILLEGAL_CHARACTERS_RE.pattern
    assert xlsx_stream.ILLEGAL_CHARACTERS_RE.sub("", "a\x01b\x0bc\x1fd\te\n") == "abcd\te\n"


def test_a_process_starts_without_openpyxl_or_fpdf():
    """`htxso import FILE` starts without the workbook and PDF libraries (openpyxl imports
    numpy; fpdf fontTools and Pillow: about a second of every command's start); they load when
    a workbook or a PDF is made."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    from django.conf import settings

    code = (
        "import sys, django; django.setup();"
        "from django.core.management import load_command_class;"
        "load_command_class('htxso.exchange', 'import');"
        "from htxso.tabular import workbooks, findings_workbook;"
        "from htxso.core import pdf;"
        "print(sorted(m for m in ('openpyxl', 'numpy', 'fpdf', 'PIL') if m in sys.modules))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "htxso.settings"}

    def loaded(script: str) -> str:
        """The modules a fresh process running `script` has loaded (its last line)."""
        result = subprocess.run(
            [sys.executable, "-c", script],
            cwd=Path(settings.BASE_DIR),
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        return result.stdout.strip().splitlines()[-1]

    assert loaded(code) == "[]"
    made = "workbooks.bold()"  # a workbook's first style loads it
    assert "openpyxl" in loaded(code.replace("print(", f"{made}; print("))
