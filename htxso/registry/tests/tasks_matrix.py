"""Rows of the authorization matrix for the steering committee's follow-up (`htxso/tasks`),
merged into `API_MATRIX`/`API_CALLS` and `PAGE_MATRIX`/`PAGE_CALLS` of test_authorization.py.

The target is a task given to the people's committee of the own (19) or the other (01)
province. Tasks are seen by national roles and the province's officer (its focal point); the
province's officer reports on its own; the secretariat (central officers) and the system admin
write directives and tasks and accept reports; the matrix's central officer is no ministry's
focal point, so it reports on nothing (a ministry's focal point: tasks/tests). Published
directives and their aggregate progress are public."""

import datetime as dt
from typing import Any

from django.core.files.base import ContentFile
from django.urls import reverse

from htxso.core.roles import Role
from htxso.tasks import services
from htxso.tasks.models import Agency, Directive, ProgressReport, Task
from htxso.tasks.reference import ensure_agencies

from .authorization_matrix import EVERYONE, HIDDEN, OK, Builder, Call, F, L, N, Row, U, page
from .conftest import make_user
from .forum_matrix import FORUM_API_CALLS, FORUM_API_MATRIX, FORUM_PAGE_CALLS, FORUM_PAGE_MATRIX

PDF = b"%PDF-1.4\n%%EOF\n"

FOLLOWERS: Row = [(L, L), (F, F), (OK, OK), (OK, OK), (OK, OK), (F, F), (F, F), (F, F)]
SEEN: Row = [(L, L), (N, N), (OK, OK), (OK, OK), (OK, N), (N, N), (N, N), (N, N)]
REPORT: Row = [(L, L), (N, N), (OK, OK), (F, F), (OK, N), (N, N), (N, N), (N, N)]
REVIEW: Row = [(L, L), (N, N), (OK, OK), (OK, OK), (F, N), (N, N), (N, N), (N, N)]

TASKS_PAGE_MATRIX: dict[str, dict[str, Row]] = {
    "tasks:dashboard": {"GET": FOLLOWERS},
    "tasks:scorecard": {"GET": FOLLOWERS},
    "tasks:pack": {"GET": FOLLOWERS},  # the meeting pack (PDF/XLSX): who may export tasks
    "tasks:task": {"GET": SEEN},
    "tasks:report": {"POST": REPORT},
    "tasks:review": {"POST": REVIEW},
    "tasks:report-file": {"GET": SEEN},
    "tasks:directive-file": {"GET": EVERYONE},  # a published directive's document
    "tasks:public": {"GET": EVERYONE},
    **FORUM_PAGE_MATRIX,  # the forum and the secretariat's entry pages: forum_matrix.py
}

TASKS_API_MATRIX: dict[str, Row] = {
    "GET /api/v1/tasks": [
        (U, U),
        (HIDDEN, HIDDEN),
        (OK, OK),
        (OK, OK),
        (OK, HIDDEN),
        (HIDDEN, HIDDEN),
        (HIDDEN, HIDDEN),
        (HIDDEN, HIDDEN),
    ],
    "GET /api/v1/tasks/{pk}": [(U, U), *SEEN[1:]],
    "POST /api/v1/directives": [(U, U), (F, F), (OK, OK), (OK, OK), *[(F, F)] * 4],
    "POST /api/v1/tasks": [(U, U), (F, F), (OK, OK), (OK, OK), *[(F, F)] * 4],
    "POST /api/v1/tasks/{pk}/reports": [(U, U), *REPORT[1:]],
    "POST /api/v1/task-reports/{pk}/review": [(U, U), *REVIEW[1:]],
    "GET /api/v1/public/directives": EVERYONE,
    **FORUM_API_MATRIX,
}


def _agency(w: Any, t: str) -> Agency:
    ensure_agencies()
    return Agency.objects.get(province_id=w.province[t])


def _directive() -> Directive:
    found = Directive.objects.filter(number="MX/BCĐ").first()
    if found is not None:
        return found
    directive = services.create_directive(None, "MX/BCĐ", dt.date(2026, 1, 5), "BCĐ", "Ma trận")
    directive.file.save("mx.pdf", ContentFile(PDF))
    Directive.objects.filter(pk=directive.pk).update(filename="mx.pdf")
    return directive


def _task(w: Any, t: str) -> Task:
    return services.create_task(
        None,
        _directive().pk,
        f"Nhiệm vụ ma trận {t}",
        _agency(w, t).pk,
        due_on=dt.date(2026, 6, 30),
    )


def _report(w: Any, t: str, file: bool = False) -> ProgressReport:
    task = _task(w, t)
    author = make_user(f"mx-dau-moi-{t}-{task.pk}", Role.PROVINCIAL_OFFICER, w.province[t])
    return services.report_progress(
        author,
        task.pk,
        1,
        "Tiến độ",
        50,
        ContentFile(PDF) if file else None,
        "bao-cao.pdf" if file else "",
    )


def _review(w: Any, t: str) -> Call:
    r = _report(w, t)
    return page("tasks:review", r.pk, "accept", body={"version": r.version, "note": ""})


TASKS_PAGE_CALLS: dict[tuple[str, str], Builder] = {
    ("tasks:dashboard", "GET"): lambda w, t: Call(
        reverse("tasks:dashboard"), {"agency": _agency(w, t).code}
    ),
    ("tasks:scorecard", "GET"): lambda w, t: page("tasks:scorecard"),
    ("tasks:pack", "GET"): lambda w, t: page("tasks:pack", "xlsx"),
    ("tasks:task", "GET"): lambda w, t: page("tasks:task", _task(w, t).pk),
    ("tasks:report", "POST"): lambda w, t: page(
        "tasks:report", _task(w, t).pk, body={"version": 1, "text": "Đã làm", "percent": "40"}
    ),
    ("tasks:review", "POST"): _review,
    ("tasks:report-file", "GET"): lambda w, t: page("tasks:report-file", _report(w, t, True).pk),
    ("tasks:directive-file", "GET"): lambda w, t: page("tasks:directive-file", _directive().pk),
    ("tasks:public", "GET"): lambda w, t: page("tasks:public"),
    **FORUM_PAGE_CALLS,
}


def _task_body(w: Any, t: str) -> dict[str, Any]:
    return {
        "directive_id": _directive().pk,
        "title": "Nhiệm vụ qua API",
        "assignee_id": _agency(w, t).pk,
        "due_on": "2026-09-30",
    }


TASKS_API_CALLS: dict[str, Builder] = {
    "GET /api/v1/tasks": lambda w, t: (
        lambda task: Call("/api/v1/tasks", {"limit": 500}, listed=("id", str(task.pk)))
    )(_task(w, t)),
    "GET /api/v1/tasks/{pk}": lambda w, t: Call(f"/api/v1/tasks/{_task(w, t).pk}"),
    "POST /api/v1/directives": lambda w, t: Call(
        "/api/v1/directives",
        body={"number": f"MX-{t}/CT", "issued_on": "2026-03-02", "issuer": "BCĐ", "subject": "X"},
    ),
    "POST /api/v1/tasks": lambda w, t: Call("/api/v1/tasks", body=_task_body(w, t)),
    "POST /api/v1/tasks/{pk}/reports": lambda w, t: Call(
        f"/api/v1/tasks/{_task(w, t).pk}/reports",
        body={"version": 1, "text": "Tiến độ qua API", "percent": 30},
    ),
    "POST /api/v1/task-reports/{pk}/review": lambda w, t: (
        lambda r: Call(
            f"/api/v1/task-reports/{r.pk}/review", body={"version": r.version, "action": "accept"}
        )
    )(_report(w, t)),
    "GET /api/v1/public/directives": lambda w, t: Call("/api/v1/public/directives"),
    **FORUM_API_CALLS,
}
