"""The forum in the REST API (mounted on the tasks' router): the editions with their connection
points (public), the recommendations (the page's filter and scope; the public sees answers
made public), raising one, the secretariat's routing and turning into a task, the agency's
answer, a delegate registered at a connection point — through the pages' services (404
outside one's scope, 403 for a step one may not take, 409 stale, 422 refused)."""

from types import SimpleNamespace
from typing import Any

from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Query, Router
from ninja import Status as Reply
from ninja.errors import HttpError

from htxso.core.api import READ_AUTH, WRITE_AUTH
from htxso.core.api_filters import api_page, filter_form, filter_schema
from htxso.core.api_rows import Rows, Values
from htxso.core.api_schemas import ERRORS, PK, Page
from htxso.core.versions import StaleEdit

from .. import services as tasks
from .. import status
from . import services
from .filters import RecommendationFilter
from .models import ConnectionPoint, Delegate, Edition, Recommendation
from .schemas import (
    AnswerIn,
    DelegateIn,
    DelegateOut,
    ForumEditionOut,
    RecommendationIn,
    RecommendationOut,
    RouteIn,
    ToTaskIn,
)

router = Router(tags=["forum"])
RecommendationQuery = filter_schema(RecommendationFilter, "RecommendationQuery")


# Plain rows of the columns the answers show (`values()`; model instances with joins and
# per-item validation cost more than the queries, #24 item 4), answered by `core.api_rows`.
EDITIONS = Rows(ForumEditionOut)
RECOMMENDATIONS = Rows(RecommendationOut)
RECOMMENDATION_COLUMNS = tuple(
    f
    for f in RecommendationOut.model_fields
    if f != "agency" and f in {c.attname for c in Recommendation._meta.fields}
)
TASK_COLUMNS = ("completed_on", "effective_due_on", "warn_from", "last_reported_on")


def _recommendation_rows(user: Any) -> Any:
    """The answer's rows (`RECOMMENDATION_ROWS`) the user sees."""
    return RECOMMENDATION_ROWS().visible_to(user)


RECOMMENDATION_ROWS = Values(
    Recommendation,
    *RECOMMENDATION_COLUMNS,
    year=F("edition__year"),
    agency_name=F("agency__name"),
    task_percent=F("task__percent_done"),
    **{f"task_{c}": F(f"task__{c}") for c in TASK_COLUMNS},
)


def _out(row: dict[str, Any]) -> dict[str, Any]:
    """The answer's fields of a row of `RECOMMENDATION_ROWS`: the agency's name, the task's
    status today (`status.of`, from the task's columns)."""
    row["agency"] = row.pop("agency_name")
    task = SimpleNamespace(**{c: row.pop(f"task_{c}") for c in TASK_COLUMNS})
    row["task_status"] = status.of(task, tasks.today()).value if row["task_id"] else None
    return row


@router.get("/forum/editions", auth=READ_AUTH, response={200: list[ForumEditionOut], **ERRORS})
def editions(request: HttpRequest) -> HttpResponse:
    """The forum's editions, latest first, with their connection points."""
    found = list(
        Edition.objects.visible_to(request.user).values(
            "id", "year", "theme", "held_on", "venue", "programme"
        )[:20]
    )
    points: dict[int, list[dict[str, Any]]] = {e["id"]: [] for e in found}
    for point in (
        ConnectionPoint.objects.filter(edition_id__in=points)
        .order_by("edition_id", "province_id")
        .values("id", "edition_id", "province_id", "host", "place", "attendance")
    ):
        point["province"] = point.pop("province_id")
        points[point.pop("edition_id")].append(point)
    for edition in found:
        edition["programme"] = Edition(programme=edition["programme"]).programme_lines()
        edition["points"] = points[edition["id"]]
    return EDITIONS.many(request, found)


@router.get(
    "/forum/recommendations", auth=READ_AUTH, response={200: Page[RecommendationOut], **ERRORS}
)
def recommendations(
    request: HttpRequest,
    filters: Query[RecommendationQuery],  # type: ignore[valid-type]
    cursor: str | None = None,
    limit: int | None = None,
) -> HttpResponse:
    """The recommendations the caller sees (its own, its province's, the ones routed to its
    agency; everyone: the answers made public), latest first."""
    seen = filter_form(RecommendationFilter, filters).filter(
        _recommendation_rows(request.user), request.user
    )
    page = api_page(seen, "raised_on", True, cursor, limit)
    return RECOMMENDATIONS.page(request, [_out(r) for r in page["items"]], page["next_cursor"])


@router.get(
    "/forum/recommendations/{int:pk}", auth=READ_AUTH, response={200: RecommendationOut, **ERRORS}
)
def recommendation(request: HttpRequest, pk: PK) -> HttpResponse:
    """One recommendation with its answer and its follow-up task's status and percent."""
    row = get_object_or_404(_recommendation_rows(request.user), pk=pk)
    return RECOMMENDATIONS.one(request, _out(row))


@router.post("/forum/recommendations", auth=WRITE_AUTH, response={201: RecommendationOut, **ERRORS})
def raise_recommendation(request: HttpRequest, payload: RecommendationIn) -> Reply[dict[str, Any]]:
    """A cooperative's, a union's (their managers) or a province's recommendation."""
    edition = get_object_or_404(Edition, year=payload.year)
    made = services.raise_recommendation(
        request.user, edition.pk, payload.topic, payload.title, payload.difficulty, payload.proposal
    )
    return Reply(201, _out(RECOMMENDATION_ROWS().get(pk=made.pk)))


def _step(request: HttpRequest, call: Any) -> dict[str, Any]:
    try:
        made = call()
    except StaleEdit as exc:
        raise HttpError(409, str(exc)) from None
    return _out(_recommendation_rows(request.user).get(pk=made.pk))


@router.post(
    "/forum/recommendations/{int:pk}/route",
    auth=WRITE_AUTH,
    response={200: RecommendationOut, **ERRORS},
)
def route(request: HttpRequest, pk: PK, payload: RouteIn) -> dict[str, Any]:
    """The secretariat routes a recommendation to the competent agency."""
    return _step(
        request, lambda: services.route(request.user, pk, payload.version, payload.agency_id)
    )


@router.post(
    "/forum/recommendations/{int:pk}/answer",
    auth=WRITE_AUTH,
    response={200: RecommendationOut, **ERRORS},
)
def answer(request: HttpRequest, pk: PK, payload: AnswerIn) -> dict[str, Any]:
    """The competent agency's answer (`public`: shown to everyone)."""
    return _step(
        request,
        lambda: services.answer(request.user, pk, payload.version, payload.answer, payload.public),
    )


@router.post(
    "/forum/recommendations/{int:pk}/task",
    auth=WRITE_AUTH,
    response={200: RecommendationOut, **ERRORS},
)
def to_task(request: HttpRequest, pk: PK, payload: ToTaskIn) -> dict[str, Any]:
    """One action: the recommendation becomes a task given to its agency (the secretariat)."""
    return _step(
        request,
        lambda: services.to_task(request.user, pk, payload.version, payload.due_on, payload.title),
    )


@router.post(
    "/forum/points/{int:pk}/delegates", auth=WRITE_AUTH, response={201: DelegateOut, **ERRORS}
)
def register_delegate(request: HttpRequest, pk: PK, payload: DelegateIn) -> Reply[Delegate]:
    """A delegate registered at a connection point (its province's officer; a cooperative's
    manager for its own people at its province's point)."""
    get_object_or_404(ConnectionPoint.objects.visible_to(request.user), pk=pk)
    made = services.register_delegate(
        request.user, pk, payload.name, payload.position, payload.unit, payload.kind
    )
    return Reply(201, made)
