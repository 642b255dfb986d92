"""The XLSX builders: import templates the importer reads back, the import report, and the
streamed export workbook."""

import io

import pytest
from django.core.exceptions import ValidationError
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter, range_boundaries

from htxso.exchange.layouts import LAYOUTS, MEMBER_LAYOUT, ORGANISATION_LAYOUT
from htxso.exchange.models import ImportIssue, ImportJob, JobStatus, Severity
from htxso.tabular.findings_workbook import findings_workbook
from htxso.tabular.workbooks import (
    CODE_KEYS,
    DATA_SHEET,
    GUIDE_SHEET,
    LISTS_SHEET,
    REPORT_SHEET,
    TEMPLATE_ROWS,
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
    from htxso.tabular.sources import open_table

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


def test_findings_workbook_lists_summary_and_issues(db):
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
    book = _open(findings_workbook(job.summary_lines(), job.issues.all().iterator(), 3))
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


def test_findings_workbook_says_when_issues_were_capped(db, settings):
    settings.IMPORT_MAX_ISSUES = 2
    job = _job(issues_total=50, summary={})
    book = _open(findings_workbook(job.summary_lines(), [], job.issues_total))
    first_cells = [r[0] for r in book[REPORT_SHEET].iter_rows(values_only=True) if r]
    assert "Chỉ liệt kê 2 phát hiện đầu tiên." in first_cells
