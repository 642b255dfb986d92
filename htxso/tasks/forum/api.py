"""The forum in the REST API (mounted on the tasks' router): the editions with their connection
points (public), the recommendations (the page's filter and scope; the public sees answers
made public), raising one, the secretariat's routing and turning into a task, the agency's
answer, a delegate registered at a connection point — through the pages' services (404
outside one's scope, 403 for a step one may not take, 409 stale, 422 refused)."""

from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router
from ninja import Status as Reply
from ninja.errors import HttpError

from htxso.core.api import READ_AUTH, WRITE_AUTH
from htxso.core.api_filters import api_page, filter_form, filter_schema
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


def _out(r: Recommendation) -> dict[str, Any]:
    task = r.task
    return {
        **{k: getattr(r, k) for k in RecommendationOut.model_fields if hasattr(r, k)},
        "year": r.edition.year,
        "agency": r.agency.name if r.agency else None,
        "task_status": status.of(task, tasks.today()).value if task else None,
        "task_percent": task.percent_done if task else None,
    }


def _rows(user: Any) -> Any:
    return Recommendation.objects.visible_to(user).select_related("edition", "agency", "task")


@router.get("/forum/editions", auth=READ_AUTH, response={200: list[ForumEditionOut], **ERRORS})
def editions(request: HttpRequest) -> list[dict[str, Any]]:
    """The forum's editions, latest first, with their connection points."""
    found = Edition.objects.visible_to(request.user).prefetch_related("points")[:20]
    return [
        {
            **{k: getattr(e, k) for k in ("id", "year", "theme", "held_on", "venue")},
            "programme": e.programme_lines(),
            "points": [
                {
                    "id": p.pk,
                    "province": p.province_id,
                    "host": p.host,
                    "place": p.place,
                    "attendance": p.attendance,
                }
                for p in e.points.all()
            ],
        }
        for e in found
    ]


@router.get(
    "/forum/recommendations", auth=READ_AUTH, response={200: Page[RecommendationOut], **ERRORS}
)
def recommendations(
    request: HttpRequest,
    filters: Query[RecommendationQuery],  # type: ignore[valid-type]
    cursor: str | None = None,
    limit: int | None = None,
) -> dict[str, Any]:
    """The recommendations the caller sees (its own, its province's, the ones routed to its
    agency; everyone: the answers made public), latest first."""
    seen = filter_form(RecommendationFilter, filters).filter(_rows(request.user), request.user)
    page = api_page(seen, "raised_on", True, cursor, limit)
    page["items"] = [_out(r) for r in page["items"]]
    return page


@router.get(
    "/forum/recommendations/{int:pk}", auth=READ_AUTH, response={200: RecommendationOut, **ERRORS}
)
def recommendation(request: HttpRequest, pk: PK) -> dict[str, Any]:
    """One recommendation with its answer and its follow-up task's status and percent."""
    return _out(get_object_or_404(_rows(request.user), pk=pk))


@router.post("/forum/recommendations", auth=WRITE_AUTH, response={201: RecommendationOut, **ERRORS})
def raise_recommendation(request: HttpRequest, payload: RecommendationIn) -> Reply[dict[str, Any]]:
    """A cooperative's, a union's (their managers) or a province's recommendation."""
    edition = get_object_or_404(Edition, year=payload.year)
    made = services.raise_recommendation(
        request.user, edition.pk, payload.topic, payload.title, payload.difficulty, payload.proposal
    )
    return Reply(201, _out(made))


def _step(request: HttpRequest, call: Any) -> dict[str, Any]:
    try:
        made = call()
    except StaleEdit as exc:
        raise HttpError(409, str(exc)) from None
    return _out(_rows(request.user).get(pk=made.pk))


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
