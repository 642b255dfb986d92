"""The XLSX builders: import templates the importer reads back, the import report, and the
streamed export workbook."""

import io

import pytest
from django.core.exceptions import ValidationError
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter, range_boundaries

from htxso.exchange import xlsx_stream
from htxso.exchange.layouts import LAYOUTS, MEMBER_LAYOUT, ORGANISATION_LAYOUT
from htxso.exchange.models import ImportIssue, ImportJob, JobStatus, Severity
from htxso.exchange.workbooks import (
    CODE_KEYS,
    DATA_SHEET,
    GUIDE_SHEET,
    LISTS_SHEET,
    REPORT_SHEET,
    TEMPLATE_ROWS,
    report_workbook,
    stream_xlsx,
    template_workbook,
)

LAYOUT_PARAMS = pytest.mark.parametrize("layout", LAYOUTS.values(), ids=list(LAYOUTS))


def _open(data: bytes):
    return load_workbook(io.BytesIO(data))


def _list_values(book, formula: str) -> list:
    """The values of a validation's "'Sheet'!$A$2:$A$35" source range."""
    sheet_part, cells = formula.rsplit("!", 1)
    sheet = book[sheet_part.strip("'")]
    min_col, min_row, max_col, max_row = range_boundaries(cells.replace("$", ""))
    return [
        row[0]
        for row in sheet.iter_rows(
            min_row=min_row, max_row=max_row, min_col=min_col, max_col=max_col, values_only=True
        )
    ]


def _validations(sheet) -> dict[int, object]:
    """Column number → the data validation applied to it."""
    found = {}
    for validation in sheet.data_validations.dataValidation:
        for cell_range in validation.sqref.ranges:
            found[cell_range.min_col] = validation
    return found


def _column_format(sheet, index: int) -> str | None:
    for dimension in sheet.column_dimensions.values():
        if dimension.min and dimension.min <= index <= dimension.max:
            return dimension.number_format
    return None


# --- the template ------------------------------------------------------------------------------


@LAYOUT_PARAMS
def test_template_header_row_maps_every_column(db, layout):
    book = _open(template_workbook(layout))
    assert book.sheetnames[0] == DATA_SHEET  # the importer reads the first sheet
    headers = [cell.value for cell in book[DATA_SHEET][1]]
    mapping, unknown = layout.match_headers(headers)
    assert unknown == []
    assert [mapping[i].key for i in range(len(headers))] == [c.key for c in layout.columns]


@LAYOUT_PARAMS
def test_template_headers_mark_required_columns_and_carry_the_notes(db, layout):
    sheet = _open(template_workbook(layout))[DATA_SHEET]
    assert sheet.freeze_panes == "A2"
    for index, column in enumerate(layout.columns, start=1):
        cell = sheet.cell(row=1, column=index)
        expected = f"{column.header} *" if column.required else str(column.header)
        assert cell.value == expected
        assert cell.font.bold
        if column.note:
            assert cell.comment is not None and cell.comment.text == str(column.note)
        else:
            assert cell.comment is None
        letter = get_column_letter(index)
        assert sheet.column_dimensions[letter].width == column.width


@LAYOUT_PARAMS
def test_template_code_columns_are_text(db, layout):
    sheet = _open(template_workbook(layout))[DATA_SHEET]
    codes = [i for i, c in enumerate(layout.columns, start=1) if c.key in CODE_KEYS]
    assert codes, "every layout has code-like columns"
    for index in codes:
        assert _column_format(sheet, index) == "@"
        example = sheet.cell(row=2, column=index)
        if example.value is not None:
            assert isinstance(example.value, str)  # leading zeros survive
            assert example.number_format == "@"
    others = [i for i, c in enumerate(layout.columns, start=1) if c.key not in CODE_KEYS]
    assert all(_column_format(sheet, i) != "@" for i in others)


def test_member_template_keeps_the_leading_zero_of_the_cccd(db):
    sheet = _open(template_workbook(MEMBER_LAYOUT))[DATA_SHEET]
    index = [c.key for c in MEMBER_LAYOUT.columns].index("cccd") + 1
    assert sheet.cell(row=2, column=index).value == "019185000123"


@LAYOUT_PARAMS
def test_template_example_row_parses(db, layout):
    sheet = _open(template_workbook(layout))[DATA_SHEET]
    checked = 0
    for index, column in enumerate(layout.columns, start=1):
        value = sheet.cell(row=2, column=index).value
        if column.example in (None, ""):
            assert value is None
            continue
        assert value == str(column.example)
        column.parse(value)  # raises ValidationError when the example is not importable
        checked += 1
    assert checked >= 8


def test_a_column_parser_still_refuses_nonsense(db):
    """The example check above would be vacuous if parsers accepted anything."""
    with pytest.raises(ValidationError):
        ORGANISATION_LAYOUT.column("kind").parse("Công ty cổ phần")
    with pytest.raises(ValidationError):
        ORGANISATION_LAYOUT.column("established_on").parse("31/02/2020")


@LAYOUT_PARAMS
def test_template_dropdowns_reference_the_hidden_lists(db, layout):
    book = _open(template_workbook(layout))
    sheet = book[DATA_SHEET]
    assert book[LISTS_SHEET].sheet_state == "hidden"
    validations = _validations(sheet)
    expected = {
        index: column
        for index, column in enumerate(layout.columns, start=1)
        if column.dropdown_values()
    }
    assert set(validations) == set(expected)
    for index, column in expected.items():
        validation = validations[index]
        assert validation.type == "list"
        assert validation.showErrorMessage and validation.error and validation.errorTitle
        # A range on the hidden sheet, never an inline list (Excel caps those at 255 chars).
        assert validation.formula1.startswith(f"'{LISTS_SHEET}'!")
        assert _list_values(book, validation.formula1) == column.dropdown_values()
        (cell_range,) = validation.sqref.ranges
        assert (cell_range.min_row, cell_range.max_row) == (2, TEMPLATE_ROWS)
        assert cell_range.min_col == cell_range.max_col == index


def test_organisation_template_list_lengths(db):
    book = _open(template_workbook(ORGANISATION_LAYOUT))
    validations = _validations(book[DATA_SHEET])
    keys = [c.key for c in ORGANISATION_LAYOUT.columns]

    def values(key: str) -> list:
        return _list_values(book, validations[keys.index(key) + 1].formula1)

    assert len(values("province")) == 34
    assert "Thái Nguyên" in values("province")
    assert len(values("kind")) == 4
    assert values("is_high_tech") == ["Có", "Không"]
    assert len(values("sector")) == 21
    assert values("sector")[0].startswith("A - ")
    # Legacy province names are allowed: the province list only warns.
    assert validations[keys.index("province") + 1].errorStyle == "warning"
    assert validations[keys.index("kind") + 1].errorStyle == "stop"
    # The province list is far longer than an inline list may be.
    assert len(",".join(values("province"))) > 255


@LAYOUT_PARAMS
def test_template_guide_sheet(db, layout):
    sheet = _open(template_workbook(layout))[GUIDE_SHEET]
    rows = [tuple(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == str(layout.title)
    text = "\n".join(str(r[0]) for r in rows if r and r[0])
    for line in layout.instructions:
        assert str(line) in text
    header_at = next(
        i for i, r in enumerate(rows) if r[:4] == ("Cột", "Bắt buộc", "Ghi chú", "Giá trị cho phép")
    )
    table = {r[0]: r for r in rows[header_at + 1 :]}
    assert set(table) == {str(c.header) for c in layout.columns}
    for column in layout.columns:
        _header, required, note, allowed = table[str(column.header)][:4]
        assert required == ("Có" if column.required else "Không")
        assert (note or "") == str(column.note or "")
        assert (allowed or "") == "; ".join(column.dropdown_values())


@LAYOUT_PARAMS
def test_the_importer_reads_the_template(db, layout, tmp_path):
    from htxso.exchange.sources import open_table

    path = tmp_path / "mau.xlsx"
    path.write_bytes(template_workbook(layout))
    table = open_table(path, "mau.xlsx")
    mapping, unknown = layout.match_headers(table.headers)
    assert unknown == [] and len(mapping) == len(layout.columns)
    rows = list(table.rows)
    assert [number for number, _cells in rows] == [2]  # the example row; formats add no rows


# --- the import report -------------------------------------------------------------------------


def _job(**fields) -> ImportJob:
    defaults = {
        "kind": "members",
        "strategy": "upsert",
        "status": JobStatus.INVALID,
        "file": "imports/2025/07/thanh-vien.csv",
        "filename": "thanh-vien Thái Nguyên.csv",
        "sha256": "0" * 64,
        "rows": 120,
        "error_rows": 2,
        "issues_total": 3,
        "summary": {"people": {"created": 12, "updated": 3}, "memberships": {"created": 15}},
    }
    defaults.update(fields)
    return ImportJob.objects.create(**defaults)


def test_report_workbook_lists_summary_and_issues(db):
    job = _job()
    ImportIssue.objects.bulk_create(
        [
            ImportIssue(
                job=job, row=5, column="Số CCCD", value="0190", message="Sai", severity="error"
            ),
            ImportIssue(
                job=job,
                row=7,
                column="Họ và tên",
                value='=HYPERLINK("http://x.example","bấm")',
                message="Tên lạ",
                severity=Severity.WARNING,
            ),
            ImportIssue(
                job=job,
                row=9,
                column="Xã/phường",
                value="Xã Tân Cương\x01",
                message="Địa chỉ cũ → mới",
                severity=Severity.CONVERSION,
            ),
        ]
    )
    book = _open(report_workbook(job, job.issues.all().iterator()))
    assert book.sheetnames == [REPORT_SHEET]
    sheet = book[REPORT_SHEET]
    rows = [tuple(r) for r in sheet.iter_rows(values_only=True)]
    pairs = {r[0]: r[1] for r in rows if r and r[0] is not None}
    assert pairs["Tệp"] == "thanh-vien Thái Nguyên.csv"
    assert pairs["Tình trạng"] == str(JobStatus.INVALID.label)
    assert pairs["Số dòng"] == 120 and pairs["Số dòng lỗi"] == 2
    assert pairs["Tổng số phát hiện"] == 3
    # The summary's keys by their labels, not as code ("people.created").
    assert pairs["Người — Thêm mới"] == 12 and pairs["Người — Cập nhật"] == 3
    assert pairs["Tư cách thành viên — Thêm mới"] == 15
    assert not any("created" in str(label) for label in pairs)
    header_at = rows.index(("Dòng", "Cột", "Giá trị", "Mức độ", "Nội dung"))
    table = rows[header_at + 1 :]
    assert [r[0] for r in table] == [5, 7, 9]
    assert table[0][1:] == ("Số CCCD", "0190", "Lỗi", "Sai")
    assert table[1][3] == "Lưu ý" and table[2][3] == "Chuyển đổi địa chỉ"
    # A value that looks like a formula stays text; characters XML cannot hold are dropped.
    formula_cell = sheet.cell(row=header_at + 3, column=3)
    assert formula_cell.data_type == "s"
    assert formula_cell.value.startswith("=HYPERLINK")
    assert table[2][2] == "Xã Tân Cương"
    assert not any("Chỉ liệt kê" in str(r[0]) for r in rows)


def test_report_workbook_says_when_issues_were_capped(db, settings):
    settings.IMPORT_MAX_ISSUES = 2
    job = _job(issues_total=50, summary={})
    book = _open(report_workbook(job, []))
    first_cells = [r[0] for r in book[REPORT_SHEET].iter_rows(values_only=True) if r]
    assert "Chỉ liệt kê 2 phát hiện đầu tiên." in first_cells


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
