"""API schemas of the assessment: classifications (with their grades) and DX assessments.
Names are the app's own (`Classification…`, `Dx…`): OpenAPI has one schema per name."""

import datetime as dt

from ninja import Field, Schema

from htxso.core.api_schemas import Input


class ClassificationItem(Schema):
    id: int
    organisation_id: int
    province_id: str
    year: int
    status: str
    total: int
    grade: str = Field(description="good | fair | average | weak; trống: chưa xếp loại")
    exclusion: str
    version: int


class ClassificationAdjustment(Schema):
    points: int
    was: int | None = None
    reason: str


class EvidenceOut(Schema):
    """A file of evidence attached to a criterion (PDF, JPEG or PNG by its bytes); the file
    itself is downloaded from the classification's page (signed in)."""

    id: int
    criterion: str
    filename: str
    size: int
    content_kind: str
    uploaded_at: dt.datetime


class ClassificationDetail(ClassificationItem):
    rule_set: str
    scores: dict[str, int]
    prefilled: dict[str, str]
    adjustments: dict[str, ClassificationAdjustment]
    return_reason: str
    evidence: list[EvidenceOut]


class GradeOut(Schema):
    """One approved classification: the organisation's grade of a year (the history)."""

    organisation_id: int
    year: int
    grade: str
    total: int
    status: str


class ClassificationReviewIn(Input):
    """The province's step: approve, or return with a reason (the page's buttons)."""

    version: int = Field(ge=1, le=2**31 - 1, description="Phiên bản đã đọc (khác: 409)")
    action: str = Field(pattern="^(approve|return)$")
    reason: str = Field("", max_length=4000)


class DxItem(Schema):
    id: int
    organisation_id: int
    province_id: str
    assessed_on: dt.date
    overall_level: int
    pillar_levels: dict[str, int]
    rule_set: str


class DxActionOut(Schema):
    id: int
    pillar: str
    text: str
    priority: str
    effort: str
    due_on: dt.date | None
    status: str


class DxDetail(DxItem):
    answers: dict[str, int]
    plan_agreed_on: dt.date | None
    actions: list[DxActionOut]
