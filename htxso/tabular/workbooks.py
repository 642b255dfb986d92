"""Excel workbooks: the import templates and streamed exports.

- `template_workbook(layout)`: what a province downloads to fill in. Built from the same
  `Layout` the importer reads, so its header row always maps every column back.
- `cell` / `bold()`: a write-only cell that is never read as a formula (the import reports of
  `findings_workbook` use it).
- `stream_xlsx(headers, rows, sheet_title)`: an export as an iterator of bytes for a
  `StreamingHttpResponse`, written as the rows are read (`xlsx_stream`).

Text is never left for Excel to interpret: a value starting with "=" is written as text (not
a formula) and characters XML cannot hold are dropped, so what a user typed into a name cannot
run in the workbook of whoever opens the export.
"""

import io
import os
from collections.abc import Iterable, Iterator, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from .columns import Column, Layout
from .xlsx_stream import ERROR_CODES, ILLEGAL_CHARACTERS_RE, xlsx_pieces

if TYPE_CHECKING:  # openpyxl (and numpy with it) is loaded when a workbook is built
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation
    from openpyxl.worksheet.worksheet import Worksheet

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Sheet names are part of the file format (the importer reads the first sheet): not translated.
DATA_SHEET = "Dữ liệu"
GUIDE_SHEET = "Hướng dẫn"
LISTS_SHEET = "Danh mục"
REPORT_SHEET = "Báo cáo"

TEMPLATE_ROWS = 5000  # rows 2..TEMPLATE_ROWS carry the text format and the dropdowns
# Codes whose leading zeros matter: their cells are text ("@"), never numbers.
CODE_KEYS = frozenset(
    {"cccd", "tax_code", "organisation_tax_code", "phone", "vsic_code", "organisation_id"}
)
TEXT_FORMAT = "@"
AUTHOR = "HTX Số"


@cache
def bold() -> "Font":
    from openpyxl.styles import Font

    return Font(bold=True)


@cache
def example_font() -> "Font":
    from openpyxl.styles import Font

    return Font(italic=True, color="666666")


def _text(value: Any) -> Any:
    """A cell value as written: lazy text forced, illegal characters dropped."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if not isinstance(value, str):
        value = str(value)
    if ILLEGAL_CHARACTERS_RE.search(value):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def _needs_text_cell(value: Any) -> bool:
    """openpyxl would store this string as a formula or an error code."""
    return (
        isinstance(value, str)
        and len(value) > 1
        and (value.startswith("=") or value in ERROR_CODES)
    )


# --- the import template -------------------------------------------------------------------


def header_text(column: Column) -> str:
    """The template's header of a column: required columns end with " *"."""
    return f"{column.header} *" if column.required else str(column.header)


def _lists(wb: "Workbook", columns: Sequence[Column]) -> dict[str, str]:
    from openpyxl.utils import get_column_letter, quote_sheetname

    """Write each distinct dropdown list into a column of the hidden sheet; column key →
    the absolute range holding its values (Excel caps inline lists at 255 characters)."""
    sheet = wb.create_sheet(LISTS_SHEET)
    sheet.sheet_state = "hidden"
    ranges: dict[str, str] = {}
    written: dict[tuple[str, ...], str] = {}
    for column in columns:
        values = tuple(column.dropdown_values())
        if not values:
            continue
        if values not in written:
            index = len(written) + 1
            letter = get_column_letter(index)
            sheet.cell(row=1, column=index, value=str(column.header)).font = bold()
            for row, value in enumerate(values, start=2):
                sheet.cell(row=row, column=index, value=value)
            sheet.column_dimensions[letter].width = max(12, min(80, max(map(len, values))))
            written[values] = (
                f"{quote_sheetname(LISTS_SHEET)}!${letter}$2:${letter}${len(values) + 1}"
            )
        ranges[column.key] = written[values]
    return ranges


def _dropdown(column: Column, source: str, letter: str) -> "DataValidation":
    from openpyxl.worksheet.datavalidation import DataValidation

    if column.dropdown == "province":
        # Old province names are accepted too (legacy addresses): warn, don't refuse.
        style = "warning"
        error = _(
            "Tỉnh/thành phố không có trong danh sách 34 đơn vị hiện hành. "
            "Chỉ giữ giá trị này nếu đó là tỉnh cũ của địa chỉ cũ."
        )
    else:
        style = "stop"
        error = _("Hãy chọn một giá trị trong danh sách của cột này.")
    validation = DataValidation(
        type="list",
        formula1=source,
        allow_blank=True,
        showErrorMessage=True,
        errorStyle=style,
        errorTitle=_("Giá trị không hợp lệ")[:32],
        error=error[:255],
    )
    validation.add(f"{letter}2:{letter}{TEMPLATE_ROWS}")
    return validation


def _data_sheet(sheet: "Worksheet", layout: Layout, lists: dict[str, str]) -> None:
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    for index, column in enumerate(layout.columns, start=1):
        letter = get_column_letter(index)
        dimension = sheet.column_dimensions[letter]
        dimension.width = column.width
        if column.key in CODE_KEYS:
            dimension.number_format = TEXT_FORMAT  # cells typed later are text too
        cell = sheet.cell(row=1, column=index, value=header_text(column))
        cell.font = bold()
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if column.note:
            cell.comment = Comment(str(column.note), AUTHOR, height=120, width=260)
        example = str(column.example) if column.example not in (None, "") else None
        sample = sheet.cell(row=2, column=index, value=example)
        sample.font = example_font()
        if column.key in CODE_KEYS:
            sample.number_format = TEXT_FORMAT
        if column.key in lists:
            sheet.add_data_validation(_dropdown(column, lists[column.key], letter))
    sheet.freeze_panes = "A2"


def _guide_sheet(sheet: "Worksheet", layout: Layout) -> None:
    from openpyxl.styles import Alignment, Font

    sheet.column_dimensions["A"].width = 34
    sheet.column_dimensions["B"].width = 10
    sheet.column_dimensions["C"].width = 60
    sheet.column_dimensions["D"].width = 80
    sheet.append([str(layout.title)])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([])
    lines = [
        *layout.instructions,
        _("Dòng 2 của trang “%s” là dòng ví dụ: hãy ghi đè hoặc xóa dòng này trước khi nhập.")
        % DATA_SHEET,
    ]
    for number, line in enumerate(lines, start=1):
        sheet.append([f"{number}. {line}"])
    sheet.append([])
    sheet.append([_("Cột"), _("Bắt buộc"), _("Ghi chú"), _("Giá trị cho phép")])
    for cell in sheet[sheet.max_row]:
        cell.font = bold()
    wrap = Alignment(wrap_text=True, vertical="top")
    yes, no = _("Có"), _("Không")
    for column in layout.columns:
        sheet.append(
            [
                str(column.header),
                yes if column.required else no,
                str(column.note or ""),
                "; ".join(column.dropdown_values()),
            ]
        )
        for cell in sheet[sheet.max_row]:
            cell.alignment = wrap


def template_workbook(layout: Layout) -> bytes:
    """The import template of a layout as XLSX bytes: the data sheet first (the importer reads
    the first sheet), then the instructions, then the hidden dropdown lists."""
    from openpyxl import Workbook

    wb = Workbook()
    data = wb.active
    assert data is not None
    data.title = DATA_SHEET
    guide = wb.create_sheet(GUIDE_SHEET)
    lists = _lists(wb, layout.columns)
    _data_sheet(data, layout, lists)
    _guide_sheet(guide, layout)
    wb.active = 0
    wb.properties.title = str(layout.title)
    wb.properties.creator = AUTHOR
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# --- write-only sheets: the report and the exports -----------------------------------------------


def text_cell(sheet: Any, value: Any, font: "Font | None" = None) -> Any:
    """A value for `WriteOnlyWorksheet.append`: plain, or a cell when it needs a style or must
    be kept as text."""
    value = _text(value)
    if font is None and not _needs_text_cell(value):
        return value
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    if _needs_text_cell(value):
        cell.data_type = "s"
    if font is not None:
        cell.font = font
    return cell


def text_row(sheet: Any, values: Iterable[Any]) -> list[Any]:
    return [text_cell(sheet, v) for v in values]


def write_xlsx(
    target: Any,
    headers: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    sheet_title: str = DATA_SHEET,
    widths: Sequence[int] | None = None,
) -> int:
    """Write a header row and rows as a workbook into `target` (a path or a binary file); the
    number of data rows written."""
    count = [0]

    def counted() -> Iterator[Sequence[Any]]:
        for row in rows:
            count[0] += 1
            yield row

    pieces = xlsx_pieces(headers, counted(), sheet_title, widths)
    if isinstance(target, str | os.PathLike):
        with open(target, "wb") as handle:
            handle.writelines(pieces)
    else:
        target.writelines(pieces)
    return count[0]


def stream_xlsx(
    headers: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    sheet_title: str = DATA_SHEET,
    widths: Sequence[int] | None = None,
) -> Iterator[bytes]:
    """An XLSX export as pieces of at most 64 KB for a `StreamingHttpResponse`, produced while
    the rows are read (`xlsx_stream`): memory stays flat and nothing touches the disk. Nothing
    happens until the iterator is first advanced; closing it early closes `rows`."""
    try:
        yield from xlsx_pieces(headers, rows, sheet_title, widths)
    finally:
        close = getattr(rows, "close", None)
        if close is not None:
            close()
