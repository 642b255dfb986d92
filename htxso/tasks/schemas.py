"""API schemas of the steering committee's follow-up (names unique across apps)."""

import datetime as dt
from typing import Literal

from ninja import Field, Schema

from htxso.core.api_schemas import Input

VERSION = Field(ge=1, le=2**31 - 1, description="Phiên bản đã đọc (khác: 409)")


class DirectiveIn(Input):
    number: str = Field(max_length=40)
    issued_on: dt.date
    issuer: str = Field(max_length=200)
    subject: str = Field(max_length=500)
    public: bool = True


class DirectiveOut(Schema):
    id: int
    number: str
    issued_on: dt.date
    issuer: str
    subject: str
    public: bool


class TaskIn(Input):
    """A task given by a directive: a one-off deadline (`due_on`) or a recurrence with its
    first and last periods (`starts_on`, `ends_on`; each period's report is due on `report_day`
    of the month after it)."""

    directive_id: int = Field(ge=1, le=2**63 - 1)
    title: str = Field(max_length=500)
    assignee_id: int = Field(ge=1, le=2**63 - 1)
    lead_id: int | None = Field(None, ge=1, le=2**63 - 1)
    coordinating_ids: list[int] = Field(default_factory=list, max_length=100)
    recurrence: Literal["once", "monthly", "quarterly", "yearly"] = "once"
    due_on: dt.date | None = None
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    report_day: int = Field(5, ge=1, le=28)
    expected_output: str = Field("", max_length=500)
    indicator_codes: str = Field("", max_length=200, description="mã chỉ tiêu, cách nhau dấu phẩy")


class TaskOut(Schema):
    id: int
    directive_id: int
    directive_number: str
    title: str
    assignee_id: int
    assignee: str
    recurrence: str
    period_start: dt.date | None
    effective_due_on: dt.date = Field(description="hạn, chuyển sang ngày làm việc nếu là ngày nghỉ")
    status: str = Field(
        description="not_started | on_track | at_risk | overdue | done_on_time | done_late"
    )
    percent_done: int | None
    indicator_codes: str
    version: int


class ProgressIn(Input):
    version: int = VERSION
    text: str = Field(min_length=1, max_length=10000)
    percent: int = Field(ge=0, le=100)


class ProgressOut(Schema):
    id: int
    task_id: int
    period_start: dt.date | None
    text: str
    percent: int
    submitted_on: dt.date
    state: str
    review_note: str
    version: int


class ReviewIn(Input):
    version: int = VERSION
    action: Literal["accept", "return"]
    note: str = Field("", max_length=4000)


class PublicDirectiveOut(Schema):
    number: str
    issued_on: dt.date
    issuer: str
    subject: str
    tasks: int
    done: int
    overdue: int
    mean_percent: float | None
