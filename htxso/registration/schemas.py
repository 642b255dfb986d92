"""API schemas of registration: applications (create, submit, status) and the public lookup."""

import datetime as dt
from typing import Literal

from ninja import Field, Schema

from htxso.core.api_schemas import Input


class MemberIn(Input):
    cccd: str
    full_name: str
    birth_date: dt.date
    kind: str = "official"
    capital_contributed: int = Field(0, ge=0)


class ApplicationIn(Input):
    """A new application with its facts and founding members (files are uploaded on the page)."""

    kind: str = Field(
        description="cooperative_group | cooperative | cooperative_union | household_business"
    )
    province_id: str
    commune_id: str | None = None
    name: str = ""
    sector: str = ""
    street: str = ""
    charter_capital: int | None = Field(None, ge=0)
    legal_representative: str = ""
    phone: str = ""
    email: str = ""
    members: list[MemberIn] = Field(default_factory=list, max_length=200)


class ApplicationVersionIn(Input):
    """The version of the application the caller read (another: 409). Named apart from
    reporting's `VersionIn`: the OpenAPI document has one schema per name."""

    version: int = Field(ge=1, le=2**31 - 1, description="Phiên bản đã đọc (khác: 409)")


class DecisionIn(Input):
    """An office's step on a case (the page's buttons): take it, ask for corrections (`note`:
    what to fix), approve, or refuse (`note`: the reason)."""

    version: int = Field(ge=1, le=2**31 - 1, description="Phiên bản đã đọc (khác: 409)")
    action: Literal["take", "ask_corrections", "approve", "refuse"]
    note: str = Field("", max_length=4000)


class WithdrawIn(Input):
    version: int = Field(ge=1, le=2**31 - 1, description="Phiên bản đã đọc (khác: 409)")
    reason: str = Field("", max_length=4000)


class EventOut(Schema):
    at: dt.datetime
    action: str
    status: str
    note: str


class ApplicationOut(Schema):
    id: int
    number: str | None
    kind: str
    status: str
    name: str
    province_id: str
    commune_id: str | None
    received_on: dt.date | None
    due_on: dt.date | None = Field(
        description="the legal deadline (working days); none while stopped"
    )
    corrections: str
    decision_reason: str
    organisation_id: int | None
    version: int
    missing: list[str] = Field(description="what the dossier lacks before it can be submitted")
    events: list[EventOut]


class LookupOut(Schema):
    organisation_id: int
    name: str
    kind: str
    code: str | None
    province_id: str
    status: str
    certificate: str | None
    certificate_issued_at: dt.datetime | None
