"""The validation report of an import job as a workbook: a few summary lines, then one row per
finding (`htxso.tabular.workbooks` writes the cells)."""

import io
from collections.abc import Iterable, Iterator
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from htxso.tabular.findings import Severity
from htxso.tabular.workbooks import BOLD, REPORT_SHEET, text_cell, text_row

from .models import summary_label


def _flatten(data: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """{"people": {"created": 12}} → ("Người — Thêm mới", 12): the keys by their labels."""
    if isinstance(data, dict):
        for key, value in data.items():
            label = summary_label(str(key))
            yield from _flatten(value, f"{prefix} — {label}" if prefix else label)
    elif isinstance(data, list | tuple):
        yield prefix, ", ".join(str(v) for v in data)
    else:
        yield prefix, data


def report_workbook(job: Any, issues: Iterable[Any]) -> bytes:
    """The validation report of an import job: a few summary lines, then one row per finding.

    Written in write-only mode: `issues` (a query set's iterator is best) is read once, row by
    row, so a report of tens of thousands of findings stays small in memory.
    """
    severities = {value: str(label) for value, label in Severity.choices}
    wb = Workbook(write_only=True)
    sheet: Any = wb.create_sheet(REPORT_SHEET)
    for letter, width in zip("ABCDE", (22, 28, 30, 18, 80), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.append([text_cell(sheet, _("Báo cáo kiểm tra tệp nhập"), Font(bold=True, size=14))])
    summary: list[tuple[Any, Any]] = [
        (_("Tệp"), job.filename),
        (_("Loại dữ liệu"), job.get_kind_display()),
        (_("Tình trạng"), job.get_status_display()),
        (_("Số dòng"), job.rows),
        (_("Số dòng lỗi"), job.error_rows),
        (_("Tổng số phát hiện"), job.issues_total),
        *_flatten(job.summary or {}),
    ]
    for label, value in summary:
        sheet.append([text_cell(sheet, label, BOLD), text_cell(sheet, value)])
    cap = settings.IMPORT_MAX_ISSUES
    if job.issues_total > cap:
        sheet.append(
            [text_cell(sheet, _("Chỉ liệt kê %(cap)s phát hiện đầu tiên.") % {"cap": cap})]
        )
    sheet.append([])
    headers = [_("Dòng"), _("Cột"), _("Giá trị"), _("Mức độ"), _("Nội dung")]
    sheet.append([text_cell(sheet, h, BOLD) for h in headers])
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
