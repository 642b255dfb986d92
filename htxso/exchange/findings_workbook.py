"""The validation report of an import job as a workbook: a few summary lines, then one row per
finding (`htxso.tabular.findings_workbook` writes it)."""

from collections.abc import Iterable, Iterator
from typing import Any

from django.utils.translation import gettext as _

from htxso.tabular.findings_workbook import findings_workbook

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
    """The validation report of an import job (`tabular.findings_workbook`): its summary lines,
    then one row per finding, `issues` read once."""
    summary: list[tuple[Any, Any]] = [
        (_("Tệp"), job.filename),
        (_("Loại dữ liệu"), job.get_kind_display()),
        (_("Tình trạng"), job.get_status_display()),
        (_("Số dòng"), job.rows),
        (_("Số dòng lỗi"), job.error_rows),
        (_("Tổng số phát hiện"), job.issues_total),
        *_flatten(job.summary or {}),
    ]
    return findings_workbook(summary, issues, job.issues_total)
