"""The assessment in the REST API: classifications (self-scores, adjustments, grade) and the
province's review step, the grades (approved classifications by year: the history), DX
assessments with their plans. Reads start from `visible_to` (404 outside one's scope); the
review goes through the page's services (403 for a step one may not take, 409 for a stale
version, 422 with the Vietnamese reason)."""

from typing import Annotated, Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router
from ninja.errors import HttpError

from htxso.core.api import WRITE_AUTH
from htxso.core.api_filters import api_page, filter_form, filter_schema
from htxso.core.api_schemas import ERRORS, PK, Page
from htxso.core.versions import StaleEdit

from . import services
from .filters import ClassificationFilter
from .models import Classification, ClassificationStatus, DxAssessment
from .schemas import (
    ClassificationDetail,
    ClassificationItem,
    ClassificationReviewIn,
    DxDetail,
    DxItem,
    EvidenceOut,
    GradeOut,
)

router = Router(tags=["assessment"])
Limit = Annotated[int | None, Query(ge=1, le=500)]
ClassificationQuery = filter_schema(ClassificationFilter, "ClassificationQuery")
ITEM_FIELDS = list(ClassificationItem.model_fields)


@router.get("/classifications", auth=WRITE_AUTH, response={200: Page[ClassificationItem], **ERRORS})
def list_classifications(
    request: HttpRequest,
    filters: Query[ClassificationQuery],  # type: ignore[valid-type]
    cursor: str | None = None,
    limit: Limit = None,
) -> dict[str, Any]:
    """Classifications the caller may see (a manager their organisation's, an adviser those
    of the organisations assigned to them, a province its own), newest first."""
    form = filter_form(ClassificationFilter, filters)
    rows = form.filter(Classification.objects.visible_to(request.user)).values(*ITEM_FIELDS)
    return api_page(rows, "id", True, cursor, limit)


def _detail(c: Classification) -> dict[str, Any]:
    out = {name: getattr(c, name) for name in ITEM_FIELDS}
    out.update(
        rule_set=c.rule_set.code,
        scores=c.scores,
        prefilled=c.prefilled,
        adjustments=c.adjustments,
        return_reason=c.return_reason,
        evidence=list(c.evidence.order_by("criterion", "id").values(*EvidenceOut.model_fields)),
    )
    return out


@router.get(
    "/classifications/{int:pk}", auth=WRITE_AUTH, response={200: ClassificationDetail, **ERRORS}
)
def get_classification(request: HttpRequest, pk: PK) -> dict[str, Any]:
    rows = Classification.objects.visible_to(request.user).select_related("rule_set")
    return _detail(get_object_or_404(rows, pk=pk))


@router.post(
    "/classifications/{int:pk}/review",
    auth=WRITE_AUTH,
    response={200: ClassificationDetail, **ERRORS},
)
def review_classification(
    request: HttpRequest, pk: PK, payload: ClassificationReviewIn
) -> dict[str, Any]:
    """The province approves (the grade becomes the organisation's of that year, the
    statistics follow) or returns it to the manager with a reason."""
    get_object_or_404(Classification.objects.visible_to(request.user), pk=pk)
    try:
        if payload.action == "approve":
            c = services.approve(request.user, pk, payload.version)
        else:
            c = services.return_to_manager(request.user, pk, payload.version, payload.reason)
    except StaleEdit as exc:
        raise HttpError(409, str(exc)) from None
    return _detail(c)


@router.get("/grades", auth=WRITE_AUTH, response={200: Page[GradeOut], **ERRORS})
def list_grades(
    request: HttpRequest,
    organisation_id: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    cursor: str | None = None,
    limit: Limit = None,
) -> dict[str, Any]:
    """Decided classifications (approved, or not classified with the reason): each
    organisation's grade by year."""
    rows = Classification.objects.visible_to(request.user).filter(
        status__in=(ClassificationStatus.APPROVED, ClassificationStatus.EXCLUDED)
    )
    if organisation_id is not None:
        rows = rows.filter(organisation_id=organisation_id)
    if year is not None:
        rows = rows.filter(year=year)
    values = rows.values("id", *GradeOut.model_fields)
    return api_page(values, "id", True, cursor, limit)


def _dx(a: DxAssessment) -> dict[str, Any]:
    return {
        "id": a.pk,
        "organisation_id": a.organisation_id,
        "province_id": a.province_id,
        "assessed_on": a.assessed_on,
        "overall_level": a.overall_level,
        "pillar_levels": a.pillar_levels,
        "rule_set": a.rule_set.code,
    }


@router.get("/dx-assessments", auth=WRITE_AUTH, response={200: Page[DxItem], **ERRORS})
def list_dx(
    request: HttpRequest,
    organisation_id: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
    cursor: str | None = None,
    limit: Limit = None,
) -> dict[str, Any]:
    rows = DxAssessment.objects.visible_to(request.user).select_related("rule_set")
    if organisation_id is not None:
        rows = rows.filter(organisation_id=organisation_id)
    page = api_page(rows, "id", True, cursor, limit)
    page["items"] = [_dx(a) for a in page["items"]]
    return page


@router.get("/dx-assessments/{int:pk}", auth=WRITE_AUTH, response={200: DxDetail, **ERRORS})
def get_dx(request: HttpRequest, pk: PK) -> dict[str, Any]:
    rows = DxAssessment.objects.visible_to(request.user).select_related("rule_set")
    a = get_object_or_404(rows, pk=pk)
    return {
        **_dx(a),
        "answers": a.answers,
        "plan_agreed_on": a.plan_agreed_on,
        "actions": list(a.actions.order_by("id").values()),
    }
