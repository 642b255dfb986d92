"""API schemas of reporting: the indicator catalogue, the cube's cells, releases, completeness
and periodic reports (pydantic v2 through django-ninja)."""

import datetime as dt
from typing import Annotated, Any

from ninja import Field, Schema

from htxso.core.api_schemas import Input

from .filters import PeriodField

PeriodCode = Annotated[
    str, Field(max_length=7, pattern=PeriodField.api_pattern, description="2025, 2025S1, 2025S2")
]
# A typed value: a number or yes/no as JSON, or text typed the Vietnamese way ("1.250", "có").
RawValue = int | float | bool | str | None


class IndicatorOut(Schema):
    code: str
    name: str
    name_en: str
    definition: str
    formula: str
    unit: str
    source: str
    periodicity: str
    disaggregations: list[Any]
    is_published: bool


class CellOut(Schema):
    """One figure of the cube with its dimensions (`_T` = total over that dimension)."""

    id: int
    indicator: str
    period: str
    area: str = Field(description="VN (cả nước) hoặc mã tỉnh")
    kind: str
    sector: str
    status: str
    value: int


class ReleaseOut(Schema):
    period: str
    released_at: dt.datetime
    note: str


class ReleaseIn(Input):
    period: PeriodCode
    note: str = Field("", max_length=300)


class CompletenessRow(Schema):
    province_code: str
    province_name: str
    expected: int
    received: int
    approved: int
    returned: int
    rate: float | None
    missing: int
    overdue: bool


class CompletenessSummary(Schema):
    expected: int
    received: int
    approved: int
    rate: float | None
    overdue_provinces: int


class CompletenessOut(Schema):
    form: str
    period: str
    deadline: dt.date
    summary: CompletenessSummary
    rows: list[CompletenessRow]


class ReportItem(Schema):
    """A report in a list (its values: `GET /reports/{id}`)."""

    id: int
    form: str = Field(validation_alias="form_code")
    period: str
    organisation_id: int | None
    province_code: str = Field(validation_alias="province_id")
    status: str
    version: int
    submitted_at: dt.datetime | None
    reviewed_at: dt.datetime | None
    updated_at: dt.datetime


class ReportOut(ReportItem):
    form_version: int = Field(description="Phiên bản biểu mẫu của báo cáo")
    values: dict[str, Any]
    flags: list[dict[str, Any]] = Field(description="Cảnh báo cho người duyệt (khi nộp)")
    comment: str


class ReportOpen(Input):
    """A draft for a respondent and period: an organisation (`organisation_id`) or, for a
    province's summary form, a province (`province_code`)."""

    form: str = Field(max_length=40, pattern=r"^[-a-zA-Z0-9_]+$")
    period: PeriodCode
    organisation_id: int | None = Field(None, ge=1, le=2**63 - 1)
    province_code: str | None = Field(None, min_length=2, max_length=2)


class VersionIn(Input):
    version: int = Field(ge=1, le=2**31 - 1, description="Phiên bản đã đọc (khác: 409)")


class ReportValuesIn(VersionIn):
    """Values by field key; text in the Vietnamese style is accepted, "" or null clears."""

    values: dict[Annotated[str, Field(max_length=60)], RawValue]


class ReturnIn(VersionIn):
    comment: str = Field(max_length=2000, description="Lý do trả lại (bắt buộc)")
