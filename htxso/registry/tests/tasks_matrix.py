"""Rows of the authorization matrix for the steering committee's follow-up (`htxso/tasks`),
merged into `API_MATRIX`/`API_CALLS` and `PAGE_MATRIX`/`PAGE_CALLS` of test_authorization.py.

The target is a task given to the people's committee of the own (19) or the other (01)
province. Tasks are seen by national roles and the province's officer (its focal point); the
province's officer reports on its own; the designated secretariat and the system admin write
directives and tasks and accept reports; the committee and the plain central officer read and
write nothing; Bộ Tài chính's focal point reports on its ministry's tasks, not on these (its
own: tasks/tests/test_roles.py). Published directives and their aggregate progress are
public. Each row carries the designated users' cells after the roles' (`designated`)."""

import datetime as dt
from typing import Any

from django.core.files.base import ContentFile
from django.urls import reverse

from htxso.core.models import User
from htxso.core.roles import Role
from htxso.tasks import services
from htxso.tasks.designations.models import Function
from htxso.tasks.designations.services import designate
from htxso.tasks.models import Agency, Designation, Directive, ProgressReport, Task
from htxso.tasks.reference import ensure_agencies

from .authorization_matrix import (
    EVERYONE,
    HIDDEN,
    OK,
    Builder,
    Call,
    F,
    L,
    N,
    Row,
    U,
    designated,
    page,
)
from .conftest import make_user
from .forum_matrix import FORUM_API_CALLS, FORUM_API_MATRIX, FORUM_PAGE_CALLS, FORUM_PAGE_MATRIX

PDF = b"%PDF-1.4\n%%EOF\n"

OFFICE = ((OK, OK), (F, F), (F, F))  # the designated: only the secretariat writes
READ = ((OK, OK), (OK, OK), (OK, OK))
NONE = ((F, F), (F, F), (F, F))
FOLLOWERS: Row = designated(
    [(L, L), (F, F), (OK, OK), (OK, OK), (OK, OK), (F, F), (F, F), (F, F)], *READ
)
SEEN: Row = designated([(L, L), (N, N), (OK, OK), (OK, OK), (OK, N), (N, N), (N, N), (N, N)], *READ)
# The targets are provinces' tasks: Bộ Tài chính's focal point reports on its ministry's
# (tasks/tests/test_roles.py), not on these.
REPORT: Row = designated([(L, L), (N, N), (OK, OK), (F, F), (OK, N), (N, N), (N, N), (N, N)], *NONE)
REVIEW: Row = designated(
    [(L, L), (N, N), (OK, OK), (F, F), (F, N), (N, N), (N, N), (N, N)], *OFFICE
)
ALL: Row = designated(EVERYONE, *READ)
# Designations: central officers see the list, a province's officer its own; the secretariat
# and the system admin name and end them. The target to end is the matrix's province's
# officer's own designation (own) or a central officer's (other).
DESIGNATIONS: Row = designated(
    [(L, L), (F, F), (OK, OK), (OK, OK), (OK, OK), (F, F), (F, F), (F, F)], *READ
)
DESIGNATE: Row = designated(
    [(L, L), (F, F), (OK, OK), (F, F), (F, F), (F, F), (F, F), (F, F)], *OFFICE
)
END: Row = designated([(L, L), (N, N), (OK, OK), (F, F), (F, N), (N, N), (N, N), (N, N)], *OFFICE)

TASKS_PAGE_MATRIX: dict[str, dict[str, Row]] = {
    "tasks:dashboard": {"GET": FOLLOWERS},
    "tasks:scorecard": {"GET": FOLLOWERS},
    "tasks:pack": {"GET": FOLLOWERS},  # the meeting pack (PDF/XLSX): who may export tasks
    "tasks:task": {"GET": SEEN},
    "tasks:report": {"POST": REPORT},
    "tasks:review": {"POST": REVIEW},
    "tasks:report-file": {"GET": SEEN},
    "tasks:directive-file": {"GET": ALL},  # a published directive's document
    "tasks:public": {"GET": ALL},
    "tasks:designations": {"GET": DESIGNATIONS},
    "tasks:designation-new": {"GET": DESIGNATE, "POST": DESIGNATE},
    "tasks:designation-end": {"GET": END, "POST": END},
    **FORUM_PAGE_MATRIX,  # the forum and the secretariat's entry pages: forum_matrix.py
}

HIDDEN_LIST: Row = [
    (U, U),
    (HIDDEN, HIDDEN),
    (OK, OK),
    (OK, OK),
    (OK, HIDDEN),
    (HIDDEN, HIDDEN),
    (HIDDEN, HIDDEN),
    (HIDDEN, HIDDEN),
]
TASKS_API_MATRIX: dict[str, Row] = {
    "GET /api/v1/tasks": designated(HIDDEN_LIST, *READ),
    "GET /api/v1/tasks/{pk}": [(U, U), *SEEN[1:]],
    "POST /api/v1/directives": [(U, U), *DESIGNATE[1:]],
    "POST /api/v1/tasks": [(U, U), *DESIGNATE[1:]],
    "POST /api/v1/tasks/{pk}/reports": [(U, U), *REPORT[1:]],
    "POST /api/v1/task-reports/{pk}/review": [(U, U), *REVIEW[1:]],
    "GET /api/v1/public/directives": ALL,
    "GET /api/v1/designations": designated(HIDDEN_LIST, *READ),
    "POST /api/v1/designations": [(U, U), *DESIGNATE[1:]],
    "POST /api/v1/designations/{pk}/end": [(U, U), *END[1:]],
    **FORUM_API_MATRIX,
}


def designated_users() -> dict[str, User]:
    """The matrix's designated central officers (the world's, committed)."""
    ensure_agencies()
    made = {
        "secretariat": make_user("mx-van-phong", Role.CENTRAL_OFFICER),
        "committee": make_user("mx-ban-chi-dao", Role.CENTRAL_OFFICER),
        "focal_point": make_user("mx-dau-moi-bo-tc", Role.CENTRAL_OFFICER),
    }
    designate(None, made["secretariat"].pk, Function.SECRETARIAT)
    designate(None, made["committee"].pk, Function.COMMITTEE)
    bo_tc = Agency.objects.get(code="bo-tc").pk
    designate(None, made["focal_point"].pk, Function.FOCAL_POINT, bo_tc)
    return made


def _designation(w: Any, t: str) -> Designation:
    """The target to end: the province's officer's own (as its province's contact), or a
    fresh central officer's membership of the committee."""
    if t == "own":
        officer = w.users["provincial_officer"]
        agency = _agency(w, "own")
        return designate(None, officer.pk, Function.FOCAL_POINT, agency.pk)
    user = make_user("mx-uy-vien", Role.CENTRAL_OFFICER)
    return designate(None, user.pk, Function.COMMITTEE)


def _designate_form(w: Any, t: str) -> dict[str, Any]:
    if t == "own":
        return {
            "user": make_user("mx-uy-vien-moi", Role.CENTRAL_OFFICER).pk,
            "function": "committee",
        }
    officer = make_user("mx-dau-moi-01", Role.PROVINCIAL_OFFICER, "01")
    return {"user": officer.pk, "function": "focal_point", "agency": _agency(w, "other").pk}


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
    ("tasks:designations", "GET"): lambda w, t: page("tasks:designations"),
    ("tasks:designation-new", "GET"): lambda w, t: page("tasks:designation-new"),
    ("tasks:designation-new", "POST"): lambda w, t: page(
        "tasks:designation-new", body=_designate_form(w, t)
    ),
    ("tasks:designation-end", "GET"): lambda w, t: page(
        "tasks:designation-end", _designation(w, t).pk
    ),
    ("tasks:designation-end", "POST"): lambda w, t: (
        lambda d: page("tasks:designation-end", d.pk, body={"version": d.version, "note": ""})
    )(_designation(w, t)),
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
    "GET /api/v1/designations": lambda w, t: (
        lambda d: Call("/api/v1/designations", {"limit": 500}, listed=("id", str(d.pk)))
    )(_designation(w, t)),
    "POST /api/v1/designations": lambda w, t: (
        lambda f: Call(
            "/api/v1/designations",
            body={
                "user_id": f["user"],
                "function": f["function"],
                **({"agency": _agency(w, "other").code} if "agency" in f else {}),
            },
        )
    )(_designate_form(w, t)),
    "POST /api/v1/designations/{pk}/end": lambda w, t: (
        lambda d: Call(f"/api/v1/designations/{d.pk}/end", body={"version": d.version})
    )(_designation(w, t)),
    **FORUM_API_CALLS,
}
