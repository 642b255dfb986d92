"""API schemas of the forum (names unique across apps)."""

import datetime as dt
from typing import Literal

from ninja import Field, Schema

from htxso.core.api_schemas import Input

from ..schemas import VERSION

TopicCode = Literal[
    "law", "land", "credit", "tax", "market", "technology", "training", "infrastructure", "other"
]


class ForumPointOut(Schema):
    id: int
    province: str
    host: str
    place: str
    attendance: int | None


class ForumEditionOut(Schema):
    id: int
    year: int
    theme: str
    held_on: dt.date
    venue: str
    programme: list[str]
    points: list[ForumPointOut]


class RecommendationIn(Input):
    """A recommendation to the edition of `year`; who raised it comes from the account."""

    year: int = Field(ge=2000, le=2100)
    topic: TopicCode
    title: str = Field(max_length=300)
    difficulty: str = Field(max_length=10000)
    proposal: str = Field(max_length=10000)


class RecommendationOut(Schema):
    id: int
    year: int
    topic: str
    title: str
    difficulty: str
    proposal: str
    raiser_kind: str = Field(description="cooperative | union | province | secretariat")
    raiser_name: str
    stage: str = Field(description="before | after (the forum)")
    raised_on: dt.date
    state: str = Field(description="submitted | routed | answered")
    agency: str | None
    answer: str
    answered_on: dt.date | None
    task_id: int | None
    task_status: str | None = Field(
        description="not_started | on_track | at_risk | overdue | done_on_time | done_late"
    )
    task_percent: int | None
    version: int


class RouteIn(Input):
    version: int = VERSION
    agency_id: int = Field(ge=1, le=2**63 - 1)


class AnswerIn(Input):
    version: int = VERSION
    answer: str = Field(max_length=20000)
    public: bool = True


class ToTaskIn(Input):
    version: int = VERSION
    due_on: dt.date
    title: str = Field("", max_length=500)


class DelegateIn(Input):
    """A delegate at a connection point (a cooperative's manager: `unit` and `kind` are its
    own, whatever is sent)."""

    name: str = Field(max_length=120)
    position: str = Field("", max_length=120)
    unit: str = Field("", max_length=200)
    kind: Literal["cooperative", "union", "agency", "other"] = "other"


class DelegateOut(Schema):
    id: int
    point_id: int
    name: str
    position: str
    unit: str
    kind: str
