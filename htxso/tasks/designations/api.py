"""Designations in the REST API (mounted on the tasks' router): the list (the page's filter and
scope), naming someone and ending a designation — through the pages' services (403 for a step
one may not take, 404 outside one's scope, 409 stale, 422 refused)."""

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja import Status as Reply
from ninja.errors import HttpError

from htxso.core.api import WRITE_AUTH
from htxso.core.api_filters import api_page, filter_form, filter_schema
from htxso.core.api_schemas import ERRORS, PK, Input, Page
from htxso.core.versions import StaleEdit

from ..models import Agency
from ..schemas import VERSION
from . import services
from .forms import DesignationFilter
from .models import Designation

router = Router(tags=["tasks"])
DesignationQuery = filter_schema(DesignationFilter, "DesignationQuery")
FunctionCode = Literal["secretariat", "committee", "focal_point"]


class DesignationOut(Schema):
    id: int
    user_id: int
    username: str
    function: FunctionCode
    agency: str | None = Field(description="Mã cơ quan (đầu mối)")
    starts_on: dt.date
    ends_on: dt.date | None
    active: bool
    note: str
    version: int


class DesignationIn(Input):
    """Names a central officer (or a province's officer) to a function in the follow-up."""

    user_id: int = Field(ge=1, le=2**31 - 1)
    function: FunctionCode
    agency: str | None = Field(None, max_length=40, description="Mã cơ quan, với đầu mối")
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    note: str = Field("", max_length=300)


class DesignationEndIn(Input):
    version: int = VERSION
    note: str = Field("", max_length=200)


def _out(d: Designation) -> dict[str, Any]:
    return {
        **{k: getattr(d, k) for k in ("id", "user_id", "function", "starts_on", "ends_on")},
        **{k: getattr(d, k) for k in ("active", "note", "version")},
        "username": d.user.username,
        "agency": d.agency.code if d.agency else None,
    }


def _rows(user: Any) -> Any:
    return Designation.objects.visible_to(user).select_related("user", "agency")


@router.get("/designations", auth=WRITE_AUTH, response={200: Page[DesignationOut], **ERRORS})
def designations(
    request: HttpRequest,
    filters: Query[DesignationQuery],  # type: ignore[valid-type]
    cursor: str | None = None,
    limit: int | None = None,
) -> dict[str, Any]:
    """Who holds which function in the follow-up (in force unless `ended`), latest first."""
    seen = filter_form(DesignationFilter, filters).filter(_rows(request.user), request.user)
    page = api_page(seen, "id", True, cursor, limit)
    page["items"] = [_out(d) for d in page["items"]]
    return page


@router.post("/designations", auth=WRITE_AUTH, response={201: DesignationOut, **ERRORS})
def designate(request: HttpRequest, payload: DesignationIn) -> Reply[dict[str, Any]]:
    """The secretariat (or the system admin) names someone; a focal point names its agency."""
    agency_id = None
    if payload.agency:
        agency_id = Agency.objects.filter(code=payload.agency).values_list("pk", flat=True).first()
        if agency_id is None:
            raise ValidationError({"agency": _("Không có cơ quan mã này.")})
    made = services.designate(
        request.user,
        payload.user_id,
        payload.function,
        agency_id,
        payload.starts_on,
        payload.ends_on,
        payload.note,
    )
    return Reply(201, _out(made))


@router.post(
    "/designations/{int:pk}/end", auth=WRITE_AUTH, response={200: DesignationOut, **ERRORS}
)
def end(request: HttpRequest, pk: PK, payload: DesignationEndIn) -> dict[str, Any]:
    """Ends a designation from today."""
    try:
        made = services.end(request.user, pk, payload.version, payload.note)
    except StaleEdit as exc:
        raise HttpError(409, str(exc)) from None
    return _out(made)
