"""The follow-up in the REST API: the tasks (the page's filter, status computed), one task,
directives and tasks given by the secretariat, a focal point's progress report, the
secretariat's review, the public directives with aggregate progress — through the pages'
services (404 outside one's scope, 403 for a step one may not take, 409 stale, 422 refused)."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Query, Router
from ninja import Status as Reply
from ninja.errors import HttpError

from htxso.core.api import READ_AUTH, WRITE_AUTH
from htxso.core.api_filters import api_page, filter_form, filter_schema
from htxso.core.api_rows import Rows
from htxso.core.api_schemas import ERRORS, PK, Page
from htxso.core.versions import StaleEdit

from . import dashboards, services, status
from .designations.api import router as designations_router
from .filters import TaskFilter
from .forum.api import router as forum_router
from .models import Directive, ProgressReport, Task
from .schemas import (
    DirectiveIn,
    DirectiveOut,
    ProgressIn,
    ProgressOut,
    PublicDirectiveOut,
    ReviewIn,
    TaskIn,
    TaskOut,
)

router = Router(tags=["tasks"])
router.add_router("/", forum_router)  # the yearly forum and its recommendations (forum/api.py)
router.add_router("/", designations_router)  # who is secretariat, committee, focal point
TaskQuery = filter_schema(TaskFilter, "TaskQuery")


def _task_out(task: Task) -> dict[str, Any]:
    return {
        **{k: getattr(task, k) for k in TaskOut.model_fields if hasattr(task, k)},
        "directive_number": task.directive.number,
        "assignee": task.assignee.name,
        "status": status.of(task, services.today()).value,
    }


@router.get("/tasks", auth=WRITE_AUTH, response={200: Page[TaskOut], **ERRORS})
def list_tasks(
    request: HttpRequest,
    filters: Query[TaskQuery],  # type: ignore[valid-type]
    cursor: str | None = None,
    limit: int | None = None,
) -> dict[str, Any]:
    """The caller's tasks (national roles: all; a province's officer: the province's), nearest
    deadline first, filtered as the dashboard filters."""
    on = services.today()
    tasks = filter_form(TaskFilter, filters).filter(Task.objects.visible_to(request.user), on)
    page = api_page(
        tasks.select_related("directive", "assignee"), "effective_due_on", False, cursor, limit
    )
    page["items"] = [_task_out(t) for t in page["items"]]
    return page


@router.get("/tasks/{int:pk}", auth=WRITE_AUTH, response={200: TaskOut, **ERRORS})
def get_task(request: HttpRequest, pk: PK) -> dict[str, Any]:
    task = get_object_or_404(
        Task.objects.visible_to(request.user).select_related("directive", "assignee"), pk=pk
    )
    return _task_out(task)


@router.post("/directives", auth=WRITE_AUTH, response={201: DirectiveOut, **ERRORS})
def create_directive(request: HttpRequest, payload: DirectiveIn) -> Reply[Directive]:
    """A directive (the secretariat); its file is attached on the admin pages."""
    return Reply(201, services.create_directive(request.user, **payload.dict()))


@router.post("/tasks", auth=WRITE_AUTH, response={201: TaskOut, **ERRORS})
def create_task(request: HttpRequest, payload: TaskIn) -> Reply[dict[str, Any]]:
    """A task given by a directive to an agency (the secretariat)."""
    data = payload.dict()
    directive_id, title, assignee_id = (
        data.pop("directive_id"),
        data.pop("title"),
        data.pop("assignee_id"),
    )
    task = services.create_task(request.user, directive_id, title, assignee_id, **data)
    return Reply(201, _task_out(task))


@router.post("/tasks/{int:pk}/reports", auth=WRITE_AUTH, response={201: ProgressOut, **ERRORS})
def report(request: HttpRequest, pk: PK, payload: ProgressIn) -> Reply[ProgressReport]:
    """A focal point's progress report on the task's current period (files: on the page)."""
    try:
        found = services.report_progress(
            request.user, pk, payload.version, payload.text, payload.percent
        )
    except StaleEdit as exc:
        raise HttpError(409, str(exc)) from None
    return Reply(201, found)


@router.post(
    "/task-reports/{int:pk}/review", auth=WRITE_AUTH, response={200: ProgressOut, **ERRORS}
)
def review(request: HttpRequest, pk: PK, payload: ReviewIn) -> ProgressReport:
    """The secretariat accepts a report (the task moves on) or returns it (`note`: why)."""
    try:
        return services.review_report(
            request.user, pk, payload.version, payload.action == "accept", payload.note
        )
    except StaleEdit as exc:
        raise HttpError(409, str(exc)) from None


DIRECTIVES = Rows(PublicDirectiveOut)


@router.get(
    "/public/directives", auth=READ_AUTH, response={200: list[PublicDirectiveOut], **ERRORS}
)
def public_directives(request: HttpRequest) -> HttpResponse:
    """The published directives and their tasks' aggregate progress (no report text)."""
    rows = [
        {
            "number": r["directive"].number,
            "issued_on": r["directive"].issued_on,
            "issuer": r["directive"].issuer,
            "subject": r["directive"].subject,
            "tasks": r["total"],
            "done": r["done"],
            "overdue": r["overdue"],
            "mean_percent": None if r["mean"] is None else round(float(r["mean"]), 1),
        }
        for r in dashboards.public(services.today())
    ]
    return DIRECTIVES.many(request, rows)  # plain rows, no per-item validation (#24 item 4)
