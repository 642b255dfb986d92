"""API schemas of the registry (pydantic v2 through django-ninja)."""

import datetime as dt
import re
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, model_validator
from pydantic_core import PydanticCustomError

from htxso.core.api_schemas import Input  # shared by every app's API (with Error, Page)

from .choices import (
    AgriculturalType,
    Classification,
    Gender,
    MemberKind,
    OrganisationKind,
    Sector,
    Status,
)
from .members import keeps_members

# The code lists are the models' TextChoices (str enums): the API accepts exactly their values.
Kind = OrganisationKind
StatusCode = Status
MemberKindCode = MemberKind
SectorCode = Sector
AgriCode = AgriculturalType | Literal[""]
ClassCode = Classification | Literal[""]
GenderCode = Gender | Literal[""]


# RFC 3339 (the `date-time` of the OpenAPI document): a date, "T", a time, and an offset.
_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})")
_EARLIEST = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
_LATEST = dt.datetime(9999, 12, 30, tzinfo=dt.UTC)


def _iso_8601_text(value: object) -> object:
    """Only ISO 8601 text with an offset. pydantic's lax mode also reads numbers as Unix times
    (`updated_since=0.5`) and takes a naive time for UTC; a sync client that left the offset
    out would silently miss seven hours of changes, so both are refused (422)."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value  # from Python, already a time
    if not isinstance(value, str) or not _DATE_TIME.fullmatch(value):
        raise PydanticCustomError("datetime_parsing", "ISO 8601 date-time with an offset")
    return value


def _storable(value: dt.datetime) -> dt.datetime:
    """In UTC, within what PostgreSQL stores: a time before 1900 (or an offset PostgreSQL
    refuses) means the same as 1900 for "changed since" — every row — so it is clamped,
    not refused."""
    try:
        utc = value.astimezone(dt.UTC)
    except OverflowError:  # year 1 with a negative offset, year 9999 with a positive one
        return _EARLIEST if value.year < 5000 else _LATEST
    return min(max(utc, _EARLIEST), _LATEST)


SYNC_TIME_DOC = (
    "Thời điểm ISO 8601 / RFC 3339 có múi giờ, ví dụ `2025-07-01T08:00:00+07:00`. "
    "Số (Unix time) và thời điểm không có múi giờ bị từ chối (422)."
)
SyncTime = Annotated[
    dt.datetime,
    BeforeValidator(_iso_8601_text),
    AfterValidator(_storable),
]


class ProvinceOut(Schema):
    code: str
    name: str
    short_name: str
    division_type: str


class CommuneOut(Schema):
    code: str
    name: str
    division_type: str
    province_code: str = Field(alias="province_id")


# The default of a field a PATCH leaves out (typed Any: it is never a value of the field).
LEFT_OUT: Any = None


def _no_null_defaults(schema: dict) -> None:
    """A field left out of a PATCH is unchanged: its Python default (None) is no value a
    client could send, so the document shows none."""
    for field in schema.get("properties", {}).values():
        if field.get("default", "") is None:
            del field["default"]


class OrganisationFields(Input):
    """What a client may write, all of it optional (PATCH): a field left out is unchanged.
    Only the columns that may be empty accept `null` (tax code, commune, registration date,
    charter capital); `null` elsewhere is a 422, as the schema says. `kind` is not here (PUT
    sets it with the rest); `status` changes through /status-history."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_no_null_defaults)

    tax_code: str | None = Field(None, max_length=20)
    name: str = Field(LEFT_OUT, min_length=1, max_length=255)
    name_en: str = Field(LEFT_OUT, max_length=255)
    short_name: str = Field(LEFT_OUT, max_length=120)
    sector: SectorCode = Field(LEFT_OUT)
    vsic_code: str = Field(LEFT_OUT, max_length=5)
    is_agricultural: bool = Field(LEFT_OUT)
    agricultural_type: AgriCode = Field(LEFT_OUT)
    province_code: str = Field(LEFT_OUT, min_length=2, max_length=2)
    commune_code: str | None = Field(None, min_length=5, max_length=5)
    street: str = Field(LEFT_OUT, max_length=255)
    legacy_address: str = Field(LEFT_OUT, max_length=400)
    established_on: dt.date = Field(LEFT_OUT)
    registered_on: dt.date | None = None
    charter_capital: int | None = Field(None, ge=0, le=10**15)
    legal_representative: str = Field(LEFT_OUT, max_length=120)
    phone: str = Field(LEFT_OUT, max_length=20)
    email: str = Field(LEFT_OUT, max_length=254)
    website: str = Field(LEFT_OUT, max_length=200)
    is_high_tech: bool = Field(LEFT_OUT)
    in_value_chain: bool = Field(LEFT_OUT)
    classification: ClassCode = Field(LEFT_OUT)


class OrganisationCreate(OrganisationFields):
    kind: Kind
    name: str = Field(min_length=1, max_length=255)
    sector: SectorCode
    province_code: str = Field(min_length=2, max_length=2)
    established_on: dt.date


class OrganisationPatch(OrganisationFields):
    version: int = Field(ge=1, description="Phiên bản đã đọc; sai phiên bản → 409.")


class OrganisationPut(OrganisationCreate):
    version: int = Field(ge=1, description="Phiên bản đã đọc; sai phiên bản → 409.")


class OrganisationOut(BaseModel):
    """A plain pydantic model, not a ninja Schema: ninja's per-attribute getter made building a
    100-row page about 40 % of the request; pydantic reads the attributes itself."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    tax_code: str | None
    name: str
    name_en: str
    short_name: str
    sector: str
    vsic_code: str
    is_agricultural: bool
    agricultural_type: str
    province_code: str = Field(validation_alias="province_id")
    commune_code: str | None = Field(validation_alias="commune_id")
    street: str
    legacy_address: str
    established_on: dt.date
    registered_on: dt.date | None
    charter_capital: int | None
    status: str
    status_since: dt.date
    legal_representative: str
    phone: str
    email: str
    website: str
    is_high_tech: bool
    in_value_chain: bool
    classification: str
    members_count: int = Field(
        description="Thành viên hiện tại: tư cách thành viên chưa chấm dứt; 0 khi tổ chức đã "
        "giải thể, phá sản (current members: open memberships; 0 once dissolved or bankrupt).",
    )
    version: int
    updated_at: dt.datetime

    @model_validator(mode="after")
    def _current_members(self) -> "OrganisationOut":
        """The one definition of a current member (registry/members.py); the list reads plain
        rows, so it is applied here rather than through the model's property."""
        if not keeps_members(self.status):
            self.members_count = 0
        return self


class StatusChangeIn(Input):
    status: StatusCode
    effective_on: dt.date
    reason: str = Field("", max_length=255)
    document_no: str = Field("", max_length=60)


class StatusChangeOut(Schema):
    id: int
    status: str
    effective_on: dt.date
    reason: str
    document_no: str
    recorded_at: dt.datetime


class PersonOut(Schema):
    id: int
    full_name: str
    gender: str
    birth_year: int | None
    cccd: str | None
    birth_date: dt.date | None
    phone: str
    address: str
    province_code: str | None
    masked: bool = Field(description="Dữ liệu cá nhân đã được che; xem đầy đủ bằng `?reveal=true`.")


class PersonFacts(Input):
    """A person as on their CCCD card: linked when the facts match the registered person,
    recorded when the CCCD is new (the answer is the same)."""

    cccd: str = Field(max_length=20, description="Số CCCD (12 chữ số).")
    full_name: str = Field(min_length=1, max_length=120, description="Họ và tên như trên thẻ.")
    birth_date: dt.date = Field(description="Ngày sinh như trên thẻ.")


class MembershipIn(Input):
    organisation_id: int
    person: PersonFacts | None = Field(
        None, description="Thành viên là cá nhân, theo thông tin trên thẻ CCCD."
    )
    person_id: int | None = None
    member_organisation_id: int | None = None
    kind: MemberKindCode
    joined_on: dt.date
    capital_contributed: int = Field(0, ge=0, le=10**15)


class MembershipEnd(Input):
    left_on: dt.date


class MembershipOut(Schema):
    id: int
    organisation_id: int
    person_id: int | None
    member_organisation_id: int | None
    kind: str
    joined_on: dt.date
    left_on: dt.date | None
    capital_contributed: int
    updated_at: dt.datetime


class TombstoneOut(Schema):
    object_type: str
    object_id: str
    deleted_at: dt.datetime
