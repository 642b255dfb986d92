"""Rows of the authorization matrix for the assessment (`htxso/assessment`), merged into
`API_MATRIX`/`API_CALLS` and `PAGE_MATRIX`/`PAGE_CALLS` of test_authorization.py.

The targets are a classification (2025) and a DX assessment of the own (19) or the other (01)
organisation. The world's alliance adviser is assigned to the own organisation only (each
call assigns them, in the test's transaction): advisers reach what is assigned to them. A
classification is seen by national roles, its province, its adviser and its manager; filled in
by the manager; reviewed by the province. DX assessments are filled in by the adviser and the
manager, followed by the province and national roles; advisers are assigned by the province."""

import datetime as dt
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from htxso.assessment import advice, evidence, rounds, services
from htxso.assessment.models import AdviserAssignment, Classification, DxAssessment, Evidence
from htxso.core.roles import Role

from .authorization_matrix import HIDDEN, OK, Builder, Call, F, L, N, Row, U, page
from .conftest import make_user

ROUND_DAY = dt.date(2025, 12, 10)
SEEN: Row = [(L, L), (N, N), (OK, OK), (OK, OK), (OK, N), (OK, N), (OK, N), (N, N)]
SCORE: Row = [(L, L), (N, N), (OK, OK), (F, F), (F, N), (F, N), (OK, N), (N, N)]
REVIEW: Row = [(L, L), (N, N), (OK, OK), (F, F), (OK, N), (F, N), (F, N), (N, N)]
ADVISE: Row = [(L, L), (N, N), (OK, OK), (F, F), (F, N), (OK, N), (OK, N), (N, N)]
AGREE: Row = [(L, L), (N, N), (OK, OK), (F, F), (F, N), (F, N), (OK, N), (N, N)]
WORKERS: Row = [(L, L), (F, F), (OK, OK), (OK, OK), (OK, OK), (OK, OK), (OK, OK), (F, F)]
LISTED: Row = [
    (U, U),
    (HIDDEN, HIDDEN),
    (OK, OK),
    (OK, OK),
    (OK, HIDDEN),
    (OK, HIDDEN),
    (OK, HIDDEN),
    (HIDDEN, HIDDEN),
]

ASSESSMENT_PAGE_MATRIX: dict[str, dict[str, Row]] = {
    "assessment:index": {"GET": WORKERS},  # the manager is sent to their organisation
    "assessment:classifications": {"GET": WORKERS},
    "assessment:classification": {"GET": SEEN},
    "assessment:classification-save": {"POST": SCORE},
    "assessment:classification-review": {"POST": REVIEW},
    "assessment:classification-start": {
        "POST": [(L, L), (F, F), (OK, OK), (F, F), (F, F), (F, F), (OK, F), (F, F)]
    },
    "assessment:round-approve": {
        "POST": [(L, L), (F, F), (OK, OK), (F, F), (OK, F), (F, F), (F, F), (F, F)]
    },
    "assessment:organisation": {"GET": SEEN},
    "assessment:assign": {
        "POST": [(L, L), (F, F), (OK, OK), (F, F), (OK, F), (F, F), (F, F), (F, F)]
    },
    # Ending an assignment (of another adviser): seen by whoever follows the organisation.
    "assessment:unassign": {
        "POST": [(L, L), (N, N), (OK, OK), (F, F), (OK, N), (N, N), (F, N), (N, N)]
    },
    "assessment:dx-new": {"GET": ADVISE, "POST": ADVISE},
    "assessment:dx": {"GET": SEEN},
    "assessment:dx-action-add": {"POST": ADVISE},
    "assessment:dx-action": {"POST": ADVISE},
    "assessment:dx-agree": {"POST": AGREE},  # the manager agrees the adviser's plan
    "assessment:dx-visit": {"POST": ADVISE},
    "assessment:dx-compare": {"GET": SEEN},
    # Evidence of a self-scoring: added and removed by the manager while they may edit it,
    # downloaded by whoever sees the classification.
    "assessment:evidence-add": {"POST": SCORE},
    "assessment:evidence-remove": {"POST": SCORE},
    "assessment:evidence": {"GET": SEEN},
    # The provinces' results sent to the centre: a province sends its own; central officers
    # see every province's and receive or return them.
    "assessment:rounds": {
        "GET": [(L, L), (F, F), (OK, OK), (OK, OK), (OK, OK), (F, F), (F, F), (F, F)]
    },
    "assessment:round-send": {
        "POST": [(L, L), (F, F), (OK, OK), (F, F), (OK, F), (F, F), (F, F), (F, F)]
    },
    "assessment:round-review": {
        "POST": [(L, L), (N, N), (OK, OK), (OK, OK), (F, N), (N, N), (N, N), (N, N)]
    },
    # Live figures: national roles, an officer their own province's.
    "assessment:dashboard": {
        "GET": [(L, L), (F, F), (OK, OK), (OK, OK), (OK, OK), (F, F), (F, F), (F, F)]
    },
}

ASSESSMENT_API_MATRIX: dict[str, Row] = {
    "GET /api/v1/classifications": LISTED,
    "GET /api/v1/classifications/{pk}": [(U, U), *SEEN[1:]],
    "POST /api/v1/classifications/{pk}/review": [(U, U), *REVIEW[1:]],
    "GET /api/v1/grades": LISTED,
    "GET /api/v1/dx-assessments": LISTED,
    "GET /api/v1/dx-assessments/{pk}": [(U, U), *SEEN[1:]],
}


def _assigned(w: Any) -> Any:
    """The world's adviser advises the own organisation (in the test's transaction)."""
    return AdviserAssignment.objects.get_or_create(
        adviser=w.users["alliance_adviser"],
        organisation=w.organisation["own"],
        defaults={"province_id": w.province["own"], "since": dt.date(2025, 1, 1)},
    )[0]


def _classification(w: Any, t: str, state: str = "draft") -> Classification:
    _assigned(w)
    c = services.start(None, w.organisation[t].pk, 2025, today=ROUND_DAY)
    if state == "draft":
        return c
    scores = {k["code"]: k["max"] for k in c.rule_set.definition["criteria"]}
    c = services.save_scores(None, c.pk, c.version, scores)
    c = services.submit(None, c.pk, c.version, today=ROUND_DAY)
    if state == "submitted":
        return c
    return services.approve(None, c.pk, c.version)


def _answers(level: int) -> dict[str, int]:
    d = services.rule_set_for("dx", 2025).definition
    return {q["code"]: level for p in d["pillars"] for q in p["questions"]}


def _dx(w: Any, t: str, level: int = 1) -> DxAssessment:
    _assigned(w)
    return advice.assess(None, w.organisation[t].pk, _answers(level))


def _post(name: str, pk: int, body: dict | None = None, *args: Any) -> Call:
    return page(name, pk, *args, body=body or {})


def _assignment(w: Any, t: str) -> Call:
    _assigned(w)
    other = make_user(f"mx-tu-van-khac-{t}", Role.ALLIANCE_ADVISER, w.province[t])
    row = advice.assign(None, w.organisation[t].pk, other.pk)
    return page("assessment:unassign", row.pk, body={})


def _round(w: Any, t: str) -> Call:
    _classification(w, t, "submitted")
    return page("assessment:round-approve", body={"province": w.province[t], "year": "2025"})


def _compare(w: Any, t: str) -> Call:
    first, second = _dx(w, t, 1), _dx(w, t, 3)
    return page("assessment:dx-compare", second.pk, first.pk)


def _action(w: Any, t: str) -> Call:
    a = _dx(w, t)
    row = a.actions.order_by("id")[0]
    body = {"version": row.version, "text": "Mở sổ bán hàng", "priority": "high", "status": "doing"}
    return _post("assessment:dx-action", a.pk, body, row.pk)


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _evidence(w: Any, t: str) -> Evidence:
    c = _classification(w, t)
    return evidence.attach(None, c.pk, c.version, "c01", SimpleUploadedFile("a.pdf", PDF), "a.pdf")


def _evidence_add(w: Any, t: str) -> Call:
    c = _classification(w, t)
    body = {"version": c.version, "criterion": "c01", "file": SimpleUploadedFile("a.pdf", PDF)}
    return _post("assessment:evidence-add", c.pk, body)


def _evidence_remove(w: Any, t: str) -> Call:
    row = _evidence(w, t)
    body = {"version": row.classification.version}
    return _post("assessment:evidence-remove", row.classification_id, body, row.pk)


def _send(w: Any, t: str) -> Call:
    _classification(w, t, "approved")
    return page("assessment:round-send", body={"province": w.province[t], "year": "2025"})


def _round_review(w: Any, t: str) -> Call:
    _classification(w, t, "approved")
    sent = rounds.send(None, w.province[t], 2025, today=ROUND_DAY)
    body = {"version": sent.version, "action": "receive"}
    return page("assessment:round-review", sent.pk, body=body)


def _today() -> str:
    return timezone.localdate().strftime("%d/%m/%Y")


ASSESSMENT_PAGE_CALLS: dict[tuple[str, str], Builder] = {
    ("assessment:index", "GET"): lambda w, t: page("assessment:index"),
    ("assessment:classifications", "GET"): lambda w, t: page("assessment:classifications"),
    ("assessment:classification", "GET"): lambda w, t: page(
        "assessment:classification", _classification(w, t).pk
    ),
    ("assessment:classification-save", "POST"): lambda w, t: (
        lambda c: _post("assessment:classification-save", c.pk, {"version": c.version, "c01": "5"})
    )(_classification(w, t)),
    ("assessment:classification-review", "POST"): lambda w, t: (
        lambda c: _post(
            "assessment:classification-review", c.pk, {"version": c.version, "action": "approve"}
        )
    )(_classification(w, t, "submitted")),
    ("assessment:classification-start", "POST"): lambda w, t: _post(
        "assessment:classification-start", w.organisation[t].pk, {"year": "2025"}
    ),
    ("assessment:round-approve", "POST"): _round,
    ("assessment:organisation", "GET"): lambda w, t: (
        _assigned(w),
        page("assessment:organisation", w.organisation[t].pk),
    )[1],
    ("assessment:assign", "POST"): lambda w, t: _post(
        "assessment:assign",
        w.organisation[t].pk,
        {"adviser": make_user(f"mx-tu-van-moi-{t}", Role.ALLIANCE_ADVISER, w.province[t]).pk},
    ),
    ("assessment:unassign", "POST"): _assignment,
    ("assessment:dx-new", "GET"): lambda w, t: (
        _assigned(w),
        page("assessment:dx-new", w.organisation[t].pk),
    )[1],
    ("assessment:dx-new", "POST"): lambda w, t: (
        _assigned(w),
        _post("assessment:dx-new", w.organisation[t].pk, _answers(2)),
    )[1],
    ("assessment:dx", "GET"): lambda w, t: page("assessment:dx", _dx(w, t).pk),
    ("assessment:dx-action-add", "POST"): lambda w, t: _post(
        "assessment:dx-action-add",
        _dx(w, t).pk,
        {"pillar": "data", "text": "Sao lưu dữ liệu", "priority": "low", "effort": "low"},
    ),
    ("assessment:dx-action", "POST"): _action,
    ("assessment:dx-agree", "POST"): lambda w, t: (
        lambda a: _post("assessment:dx-agree", a.pk, {"version": a.version})
    )(_dx(w, t)),
    ("assessment:dx-visit", "POST"): lambda w, t: _post(
        "assessment:dx-visit", _dx(w, t).pk, {"visited_on": _today(), "notes": "Đã thăm HTX."}
    ),
    ("assessment:dx-compare", "GET"): _compare,
    ("assessment:evidence-add", "POST"): _evidence_add,
    ("assessment:evidence-remove", "POST"): _evidence_remove,
    ("assessment:evidence", "GET"): lambda w, t: (
        lambda row: page("assessment:evidence", row.classification_id, row.pk)
    )(_evidence(w, t)),
    ("assessment:rounds", "GET"): lambda w, t: page("assessment:rounds"),
    ("assessment:round-send", "POST"): _send,
    ("assessment:round-review", "POST"): _round_review,
    ("assessment:dashboard", "GET"): lambda w, t: page("assessment:dashboard"),
}

ASSESSMENT_API_CALLS: dict[str, Builder] = {
    "GET /api/v1/classifications": lambda w, t: Call(
        "/api/v1/classifications", listed=("id", str(_classification(w, t).pk))
    ),
    "GET /api/v1/classifications/{pk}": lambda w, t: Call(
        f"/api/v1/classifications/{_classification(w, t).pk}"
    ),
    "POST /api/v1/classifications/{pk}/review": lambda w, t: (
        lambda c: Call(
            f"/api/v1/classifications/{c.pk}/review",
            body={"version": c.version, "action": "approve"},
        )
    )(_classification(w, t, "submitted")),
    "GET /api/v1/grades": lambda w, t: Call(
        "/api/v1/grades",
        listed=("organisation_id", str(_classification(w, t, "approved").organisation_id)),
    ),
    "GET /api/v1/dx-assessments": lambda w, t: Call(
        "/api/v1/dx-assessments", listed=("id", str(_dx(w, t).pk))
    ),
    "GET /api/v1/dx-assessments/{pk}": lambda w, t: Call(f"/api/v1/dx-assessments/{_dx(w, t).pk}"),
}
