"""Rows of the authorization matrix for the yearly forum (`htxso/tasks/forum`) and the
secretariat's pages to enter directives and give tasks, merged into the matrices of
test_authorization.py through tasks_matrix.py.

The edition is public (its connection points too). The target recommendation is raised by a
cooperative of the own (19) or the other (01) province, so the province's officer and the
cooperative's manager see it, national roles all; the public sees only answers made public.
The secretariat (designated central officers) and the system admin organise, route and turn
into tasks; the committee and a central officer without designation read and write nothing;
the competent agency answers (the target is routed to its own province's people's committee);
a province keeps its own connection point; a manager registers its own people at its
province's point."""

import datetime as dt
from typing import Any

from django.core.files.base import ContentFile

from htxso.core.roles import Role
from htxso.tasks.forum import services
from htxso.tasks.forum.models import ConnectionPoint, Edition, Recommendation
from htxso.tasks.models import Agency
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

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
YEAR = 2090  # held in the future: delegates may still register

# Roles' cells, then the designated users' (secretariat, committee, focal point of Bộ Tài
# chính): the plain central officer and the committee read, write nothing.
OFFICE = ((OK, OK), (F, F), (F, F))  # only the secretariat among the designated
READ = ((OK, OK), (OK, OK), (OK, OK))
SECRETARIAT: Row = designated(
    [(L, L), (F, F), (OK, OK), (F, F), (F, F), (F, F), (F, F), (F, F)], *OFFICE
)
RAISE: Row = designated(
    [(L, L), (F, F), (OK, OK), (F, F), (OK, OK), (F, F), (OK, OK), (F, F)], *OFFICE
)
SEEN: Row = designated(
    [(N, N), (N, N), (OK, OK), (OK, OK), (OK, N), (N, N), (OK, N), (N, N)], *READ
)
ROUTE: Row = designated([(L, L), (N, N), (OK, OK), (F, F), (F, N), (N, N), (F, N), (N, N)], *OFFICE)
# The target is routed to its own province's committee: Bộ Tài chính's focal point answers
# the ones routed to its ministry (tasks/tests/test_roles.py).
ANSWER: Row = designated(
    [(U, U), (N, N), (OK, OK), (F, F), (OK, N), (N, N), (F, N), (N, N)], *OFFICE
)
POINT: Row = designated(
    [(L, L), (F, F), (OK, OK), (F, F), (OK, F), (F, F), (F, F), (F, F)], *OFFICE
)
DELEGATE: Row = designated(
    [(L, L), (F, F), (OK, OK), (F, F), (OK, F), (F, F), (OK, F), (F, F)], *OFFICE
)
ALL: Row = designated(EVERYONE, *READ)

FORUM_PAGE_MATRIX: dict[str, dict[str, Row]] = {
    "tasks:directive-new": {"GET": SECRETARIAT, "POST": SECRETARIAT},
    "tasks:task-new": {"GET": SECRETARIAT, "POST": SECRETARIAT},
    "tasks:forum": {"GET": ALL},
    "tasks:forum-new": {"GET": SECRETARIAT, "POST": SECRETARIAT},
    "tasks:forum-edition": {"GET": ALL},
    "tasks:forum-document": {"POST": SECRETARIAT},
    "tasks:forum-document-file": {"GET": ALL},
    "tasks:forum-point": {"GET": ALL, "POST": POINT},
    "tasks:forum-delegate": {"POST": DELEGATE},
    "tasks:forum-recommendations": {"GET": ALL},
    "tasks:forum-raise": {"GET": RAISE, "POST": RAISE},
    "tasks:forum-recommendation": {"GET": SEEN},
    "tasks:forum-step": {"POST": ROUTE},  # route; answer and task: tasks/tests/test_forum.py
}

FORUM_API_MATRIX: dict[str, Row] = {
    "GET /api/v1/forum/editions": ALL,
    "GET /api/v1/forum/recommendations": designated(
        [
            (HIDDEN, HIDDEN),
            (HIDDEN, HIDDEN),
            (OK, OK),
            (OK, OK),
            (OK, HIDDEN),
            (HIDDEN, HIDDEN),
            (OK, HIDDEN),
            (HIDDEN, HIDDEN),
        ],
        *READ,
    ),
    "GET /api/v1/forum/recommendations/{pk}": SEEN,
    "POST /api/v1/forum/recommendations": [(U, U), *RAISE[1:]],
    "POST /api/v1/forum/recommendations/{pk}/route": [(U, U), *ROUTE[1:]],
    "POST /api/v1/forum/recommendations/{pk}/answer": ANSWER,
    "POST /api/v1/forum/recommendations/{pk}/task": [(U, U), *ROUTE[1:]],
    "POST /api/v1/forum/points/{pk}/delegates": [(U, U), *DELEGATE[1:]],
}


def _edition() -> Edition:
    found = Edition.objects.filter(year=YEAR).first()
    if found is not None:
        return found
    ensure_agencies()
    return services.create_edition(None, YEAR, "Ma trận", dt.date(YEAR, 6, 1), "Hà Nội")


def _point(w: Any, t: str) -> ConnectionPoint:
    return ConnectionPoint.objects.get(edition=_edition(), province_id=w.province[t])


def _recommendation(w: Any, t: str, routed: bool = False) -> Recommendation:
    raiser = make_user(
        f"mx-kn-{t}-{Recommendation.objects.count()}",
        Role.COOPERATIVE_MANAGER,
        w.province[t],
        organisation=w.organisation[t],
    )
    found = services.raise_recommendation(
        raiser, _edition().pk, "credit", "Kiến nghị ma trận", "Khó khăn", "Đề xuất"
    )
    if routed:
        agency = Agency.objects.get(province_id=w.province[t])
        found = services.route(None, found.pk, found.version, agency.pk)
    return found


def _document() -> int:
    document = services.add_document(None, _edition().pk, "Tài liệu", ContentFile(PDF), "a.pdf")
    return document.pk


def _task_form(w: Any, t: str) -> dict[str, Any]:
    from .tasks_matrix import _agency, _directive

    return {
        "directive": _directive().number,
        "title": "Nhiệm vụ giao trên trang",
        "assignee": _agency(w, t).pk,
        "recurrence": "once",
        "due_on": "30/09/2026",
        "report_day": "5",
    }


FORUM_PAGE_CALLS: dict[tuple[str, str], Builder] = {
    ("tasks:directive-new", "GET"): lambda w, t: page("tasks:directive-new"),
    ("tasks:directive-new", "POST"): lambda w, t: page(
        "tasks:directive-new",
        body={
            "number": f"MX-{t}/TT",
            "issued_on": "05/01/2026",
            "issuer": "BCĐ",
            "subject": "Nhập trên trang",
            "public": "on",
        },
    ),
    ("tasks:task-new", "GET"): lambda w, t: page("tasks:task-new"),
    ("tasks:task-new", "POST"): lambda w, t: page("tasks:task-new", body=_task_form(w, t)),
    ("tasks:forum", "GET"): lambda w, t: (_edition(), page("tasks:forum"))[1],
    ("tasks:forum-new", "GET"): lambda w, t: page("tasks:forum-new"),
    ("tasks:forum-new", "POST"): lambda w, t: page(
        "tasks:forum-new",
        body={"year": "2091", "theme": "Mới", "held_on": "01/06/2091", "venue": "Hà Nội"},
    ),
    ("tasks:forum-edition", "GET"): lambda w, t: page("tasks:forum-edition", _edition().year),
    ("tasks:forum-document", "POST"): lambda w, t: page(
        "tasks:forum-document",
        _edition().year,
        body={"title": "Đề dẫn", "file": ContentFile(PDF, name="de-dan.pdf")},
    ),
    ("tasks:forum-document-file", "GET"): lambda w, t: page(
        "tasks:forum-document-file", _document()
    ),
    ("tasks:forum-point", "GET"): lambda w, t: page("tasks:forum-point", _point(w, t).pk),
    ("tasks:forum-point", "POST"): lambda w, t: (
        lambda p: page(
            "tasks:forum-point",
            p.pk,
            body={"version": p.version, "host": "Sở Tài chính", "place": "", "attendance": "80"},
        )
    )(_point(w, t)),
    ("tasks:forum-delegate", "POST"): lambda w, t: page(
        "tasks:forum-delegate",
        _point(w, t).pk,
        body={"name": "Nguyễn Văn A", "position": "", "unit": "Sở", "kind": "agency"},
    ),
    ("tasks:forum-recommendations", "GET"): lambda w, t: page("tasks:forum-recommendations"),
    ("tasks:forum-raise", "GET"): lambda w, t: (_edition(), page("tasks:forum-raise"))[1],
    ("tasks:forum-raise", "POST"): lambda w, t: (
        _edition(),
        page(
            "tasks:forum-raise",
            body={"topic": "tax", "title": "Thuế", "difficulty": "Cao", "proposal": "Giảm"},
        ),
    )[1],
    ("tasks:forum-recommendation", "GET"): lambda w, t: page(
        "tasks:forum-recommendation", _recommendation(w, t).pk
    ),
    ("tasks:forum-step", "POST"): lambda w, t: (
        lambda r: page(
            "tasks:forum-step",
            r.pk,
            "route",
            body={"version": r.version, "agency": Agency.objects.get(code="bo-tc").pk},
        )
    )(_recommendation(w, t)),
}

FORUM_API_CALLS: dict[str, Builder] = {
    "GET /api/v1/forum/editions": lambda w, t: (_edition(), Call("/api/v1/forum/editions"))[1],
    "GET /api/v1/forum/recommendations": lambda w, t: (
        lambda r: Call("/api/v1/forum/recommendations", {"limit": 500}, listed=("id", str(r.pk)))
    )(_recommendation(w, t)),
    "GET /api/v1/forum/recommendations/{pk}": lambda w, t: Call(
        f"/api/v1/forum/recommendations/{_recommendation(w, t).pk}"
    ),
    "POST /api/v1/forum/recommendations": lambda w, t: Call(
        "/api/v1/forum/recommendations",
        body={
            "year": _edition().year,
            "topic": "land",
            "title": "Đất",
            "difficulty": "Thiếu",
            "proposal": "Giao",
        },
    ),
    "POST /api/v1/forum/recommendations/{pk}/route": lambda w, t: (
        lambda r: Call(
            f"/api/v1/forum/recommendations/{r.pk}/route",
            body={"version": r.version, "agency_id": Agency.objects.get(code="bo-tc").pk},
        )
    )(_recommendation(w, t)),
    "POST /api/v1/forum/recommendations/{pk}/answer": lambda w, t: (
        lambda r: Call(
            f"/api/v1/forum/recommendations/{r.pk}/answer",
            body={"version": r.version, "answer": "Đã tiếp thu"},
        )
    )(_recommendation(w, t, routed=True)),
    "POST /api/v1/forum/recommendations/{pk}/task": lambda w, t: (
        lambda r: Call(
            f"/api/v1/forum/recommendations/{r.pk}/task",
            body={"version": r.version, "due_on": str(dt.date.today() + dt.timedelta(days=30))},
        )
    )(_recommendation(w, t, routed=True)),
    "POST /api/v1/forum/points/{pk}/delegates": lambda w, t: Call(
        f"/api/v1/forum/points/{_point(w, t).pk}/delegates",
        body={"name": "Trần Thị B", "unit": "Sở", "kind": "agency"},
    ),
}
