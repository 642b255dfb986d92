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


class LeavingIn(Input):
    """A current member of the organisation who leaves: by `membership_id` (the registry's) or
    by `cccd`; `left_on` not before they joined nor after today."""

    membership_id: int | None = Field(None, ge=1, le=2**31 - 1)
    cccd: str = Field("", max_length=20)
    left_on: dt.date
    reason: str = Field("", max_length=255)


class ChangeIn(Input):
    """A change (or the dissolution) of an organisation the caller registered, as a draft: the
    facts as they should read (omitted: as registered), the members it admits and those who
    leave (`leaving`), in one transaction; files are uploaded on the page."""

    organisation_id: int = Field(ge=1, le=2**31 - 1)
    purpose: Literal["change", "dissolve"] = "change"
    name: str | None = Field(None, max_length=255)
    sector: str | None = Field(None, max_length=1)
    commune_id: str | None = Field(None, max_length=5)
    street: str | None = Field(None, max_length=255)
    charter_capital: int | None = Field(None, ge=0, le=10**15)
    legal_representative: str | None = Field(None, max_length=120)
    phone: str | None = Field(None, max_length=20)
    email: str | None = Field(None, max_length=254)
    statement: str | None = Field(None, max_length=4000, description="a dissolution's reason")
    members: list[MemberIn] = Field(default_factory=list, max_length=200)
    leaving: list[LeavingIn] = Field(default_factory=list, max_length=200)


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


class LeavingOut(Schema):
    full_name: str
    cccd: str = Field(description="masked")
    left_on: dt.date
    reason: str


class ApplicationOut(Schema):
    id: int
    number: str | None
    kind: str
    purpose: str
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
    leaving: list[LeavingOut] = Field(description="members leaving through a change")
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
