"""What a run over a file found: each finding (row, column, value, message, severity) and the
collection of them, capped (`Findings`). Used by the registry exchange and the report import."""

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .columns import Column

ROW_LEVEL = ""  # a finding about the whole row, not one column


class Severity(models.TextChoices):
    ERROR = "error", _("Lỗi")
    WARNING = "warning", _("Lưu ý")
    CONVERSION = "conversion", _("Chuyển đổi địa chỉ")


class Aborted(Exception):
    """The file cannot be imported at all (missing columns, unreadable)."""


@dataclass
class Finding:
    row: int
    column: str
    value: str
    message: str
    severity: str = Severity.ERROR


@dataclass
class Findings:
    """What a run found. Findings beyond the cap are counted, not kept."""

    cap: int = field(default_factory=lambda: settings.IMPORT_MAX_ISSUES)
    findings: list[Finding] = field(default_factory=list)
    total: int = 0
    rows: int = 0
    error_rows: int = 0
    summary: dict[str, Any] = field(default_factory=dict)
    encoding: str = ""
    message: str = ""  # why the file was refused before its rows (kept on the job)
    _last_error_row: int = -1

    def add(
        self,
        row: int,
        column: Column | str,
        value: Any,
        message: Any,
        severity: str = Severity.ERROR,
    ) -> None:
        header = str(column.header) if isinstance(column, Column) else column
        self.total += 1
        if severity == Severity.ERROR and row != self._last_error_row:
            self.error_rows += 1
            self._last_error_row = row
        if len(self.findings) < self.cap:
            text = "" if value is None else str(value)
            self.findings.append(Finding(row, header, text[:400], str(message)[:600], severity))

    @property
    def has_errors(self) -> bool:
        return self.error_rows > 0


def error_messages(exc: ValidationError) -> list[tuple[str, str]]:
    """(field, message) pairs of a ValidationError ("" for messages about the whole row)."""
    if hasattr(exc, "error_dict"):
        return [
            ("" if name == "__all__" else name, message)
            for name, messages in exc.message_dict.items()
            for message in messages
        ]
    return [("", message) for message in exc.messages]
