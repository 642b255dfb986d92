"""API schemas of exchange: import jobs (the registry's bulk imports) and their findings
(pydantic v2 through django-ninja)."""

import datetime as dt
from typing import Any

from ninja import Field, Schema


class ProgressOut(Schema):
    """Where a running job is (`core.jobs.progress_of`)."""

    phase: str
    fraction: float = Field(description="0 → 1")


class ImportJobItem(Schema):
    """An import job as a list shows it."""

    id: int
    kind: str = Field(description="organisations | members")
    strategy: str = Field(description="create | update | upsert")
    status: str = Field(description="queued, validating, valid, invalid, committing, done, failed")
    commit_requested: bool
    filename: str
    sha256: str
    size: int = Field(description="byte")
    encoding: str
    rows: int
    error_rows: int
    issues_total: int
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    committed_at: dt.datetime | None


class ImportJobOut(ImportJobItem):
    """One import job: its counters, what its run counted and why it failed, and its progress
    while it runs."""

    summary: dict[str, Any] = Field(
        description='Số bản ghi theo loại: {"people": {"created": 12, …}, …}'
    )
    message: str = Field(description="Lý do lượt nhập thất bại hoặc tệp không đọc được")
    progress: ProgressOut | None = Field(None, description="Chỉ khi đang chạy")


class FindingOut(Schema):
    """One finding of the job's last run: a row of the file, a column, the value, a Vietnamese
    message."""

    id: int
    row: int
    column: str
    value: str
    message: str
    severity: str = Field(description="error | warning | conversion")
