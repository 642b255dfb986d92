"""The findings of a run over a file as a workbook: a title, a few summary lines, then one row
per finding (row, column, value, severity, message). Shared by the registry exchange and the
report import; each says what its summary lines are."""

import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from .findings import Severity
from .workbooks import REPORT_SHEET, bold, text_cell, text_row


def findings_workbook(
    summary: Sequence[tuple[Any, Any]], issues: Iterable[Any], total: int
) -> bytes:
    """The workbook: `summary` (label, value) lines, then `issues` (objects with row, column,
    value, severity, message — a query set's iterator is best: read once, row by row, in
    write-only mode, so tens of thousands of findings stay small in memory). `total`: how many
    the run found (more than it kept beyond IMPORT_MAX_ISSUES)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    severities = {value: str(label) for value, label in Severity.choices}
    wb = Workbook(write_only=True)
    sheet: Any = wb.create_sheet(REPORT_SHEET)
    for letter, width in zip("ABCDE", (22, 28, 30, 18, 80), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.append([text_cell(sheet, _("Báo cáo kiểm tra tệp nhập"), Font(bold=True, size=14))])
    for label, value in summary:
        sheet.append([text_cell(sheet, label, bold()), text_cell(sheet, value)])
    cap = settings.IMPORT_MAX_ISSUES
    if total > cap:
        sheet.append(
            [text_cell(sheet, _("Chỉ liệt kê %(cap)s phát hiện đầu tiên.") % {"cap": cap})]
        )
    sheet.append([])
    headers = [_("Dòng"), _("Cột"), _("Giá trị"), _("Mức độ"), _("Nội dung")]
    sheet.append([text_cell(sheet, h, bold()) for h in headers])
    for issue in issues:
        sheet.append(
            text_row(
                sheet,
                (
                    issue.row,
                    issue.column,
                    issue.value,
                    severities.get(issue.severity, issue.severity),
                    issue.message,
                ),
            )
        )
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
