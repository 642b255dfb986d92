"""Rows of the authorization matrix for the reporting API (`reporting/api.py`), merged into
`API_MATRIX` / `API_CALLS` of test_authorization.py. The world is that module's: a 2025 draft
report of the own (19) and the other (01) province's HTX, users by role.

Statistics are public reads; what differs by role is which cells a list holds (live figures for
national roles and an officer's own province, released periods for everyone else). Reports
carry business figures: the organisation, its province and national roles; the writes follow
the services (`editable_by` to fill in, `reviewable_by` to approve or return)."""

from typing import Any

from htxso.reporting import cube
from htxso.reporting import services as reporting_services
from htxso.reporting.models import IndicatorCell, Report
from htxso.reporting.tests.conftest import good_values

from .authorization_matrix import EVERYONE, HIDDEN, OK, Builder, Call, F, N, Row, U

# Filling in a report: visible_to (404), then editable_by (403) — as the report page.
REPORT_EDIT: Row = [(U, U), (N, N), (OK, OK), (F, F), (OK, N), (N, N), (OK, N), (N, N)]
# Reviewing an organisation's report: its province and the system admin (central officers
# review the provinces' summaries; the manager sees the report and may not review it).
REPORT_REVIEW: Row = [(U, U), (N, N), (OK, OK), (F, F), (OK, N), (N, N), (F, N), (N, N)]

REPORTING_API_MATRIX: dict[str, Row] = {
    "GET /api/v1/indicators": EVERYONE,
    "GET /api/v1/indicators/{code}": EVERYONE,
    # The target: a cell of a period not yet released, in the own / other province.
    "GET /api/v1/cells": [
        (HIDDEN, HIDDEN),
        (HIDDEN, HIDDEN),
        (OK, OK),
        (OK, OK),
        (OK, HIDDEN),  # live figures of their own province only
        (HIDDEN, HIDDEN),
        (HIDDEN, HIDDEN),
        (HIDDEN, HIDDEN),
    ],
    "GET /api/v1/releases": EVERYONE,
    "POST /api/v1/releases": [(U, U), (F, F), (OK, OK), (OK, OK), (F, F), (F, F), (F, F), (F, F)],
    "GET /api/v1/completeness": [
        (U, U),
        (F, F),
        (OK, OK),
        (OK, OK),
        (OK, F),
        (F, F),
        (F, F),
        (F, F),
    ],
    "GET /api/v1/reports": [
        (U, U),
        (HIDDEN, HIDDEN),
        (OK, OK),
        (OK, OK),
        (OK, HIDDEN),
        (HIDDEN, HIDDEN),
        (OK, HIDDEN),
        (HIDDEN, HIDDEN),
    ],
    "GET /api/v1/reports/{pk}": [
        (U, U),
        (N, N),
        (OK, OK),
        (OK, OK),
        (OK, N),
        (N, N),
        (OK, N),
        (N, N),
    ],
    # Opening the 2024 report of the target HTX: who may fill it in.
    "POST /api/v1/reports": [(U, U), (F, F), (OK, OK), (F, F), (OK, F), (F, F), (OK, F), (F, F)],
    "PUT /api/v1/reports/{pk}/values": REPORT_EDIT,
    "POST /api/v1/reports/{pk}/submit": REPORT_EDIT,
    "POST /api/v1/reports/{pk}/approve": REPORT_REVIEW,
    "POST /api/v1/reports/{pk}/return": REPORT_REVIEW,
}


def _cell(w: Any, t: str) -> Call:
    province = w.province[t]
    cube.apply({("organisations", "2024S1", province, "cooperative", "A", "active"): 7})
    cell = IndicatorCell.objects.get(
        indicator="organisations", period="2024S1", area=province, kind="cooperative", sector="A"
    )
    return Call(
        "/api/v1/cells", {"area": province, "period": "2024S1"}, listed=("id", str(cell.pk))
    )


def _report(w: Any, t: str) -> Report:
    return Report.objects.get(pk=w.report[t].pk)


def _filled(w: Any, t: str) -> Report:
    """The target report with complete values (saved by the system)."""
    return reporting_services.save_values(None, w.report[t].pk, good_values())


def _submitted(w: Any, t: str) -> Report:
    report = _filled(w, t)
    return reporting_services.submit(None, report.pk, report.version)


def _path(w: Any, t: str, action: str) -> str:
    return f"/api/v1/reports/{w.report[t].pk}/{action}"


REPORTING_API_CALLS: dict[str, Builder] = {
    "GET /api/v1/indicators": lambda w, t: Call("/api/v1/indicators"),
    "GET /api/v1/indicators/{code}": lambda w, t: Call("/api/v1/indicators/organisations"),
    "GET /api/v1/cells": _cell,
    "GET /api/v1/releases": lambda w, t: Call("/api/v1/releases"),
    "POST /api/v1/releases": lambda w, t: Call(
        "/api/v1/releases", body={"period": "2024" if t == "own" else "2023S1"}
    ),
    "GET /api/v1/completeness": lambda w, t: Call(
        "/api/v1/completeness", {"form": "htx-annual", "period": "2025", "province": w.province[t]}
    ),
    "GET /api/v1/reports": lambda w, t: Call(
        "/api/v1/reports", {"province": w.province[t]}, listed=("id", str(w.report[t].pk))
    ),
    "GET /api/v1/reports/{pk}": lambda w, t: Call(f"/api/v1/reports/{w.report[t].pk}"),
    "POST /api/v1/reports": lambda w, t: Call(
        "/api/v1/reports",
        body={"form": "htx-annual", "period": "2024", "organisation_id": w.organisation[t].pk},
    ),
    "PUT /api/v1/reports/{pk}/values": lambda w, t: Call(
        _path(w, t, "values"),
        body={"version": _report(w, t).version, "values": {"workers": "1.250"}},
    ),
    "POST /api/v1/reports/{pk}/submit": lambda w, t: Call(
        _path(w, t, "submit"), body={"version": _filled(w, t).version}
    ),
    "POST /api/v1/reports/{pk}/approve": lambda w, t: Call(
        _path(w, t, "approve"), body={"version": _submitted(w, t).version}
    ),
    "POST /api/v1/reports/{pk}/return": lambda w, t: Call(
        _path(w, t, "return"),
        body={"version": _submitted(w, t).version, "comment": "Thiếu số liệu lao động."},
    ),
}
