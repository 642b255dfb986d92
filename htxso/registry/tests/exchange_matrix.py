"""Rows of the authorization matrix for the import API (`exchange/api.py`), merged into
`API_MATRIX` / `API_CALLS` of test_authorization.py. The world is that module's: an import job
uploaded by the provincial officer (`world.job`, the target for both "own" and "other": a job
is its uploader's, whatever its province), users by role; jobs run inline there.

A job is seen by its uploader and the system admin (others: 404); it is committed or re-run
only by its uploader (the system admin: 403). Uploading is for the roles that import into the
registry (`may(user, "import")`)."""

import csv
import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from htxso.exchange.layouts import MEMBER_LAYOUT
from htxso.exchange.models import ImportJob, JobStatus

from .authorization_matrix import HIDDEN, OK, Builder, Call, F, N, Row, U

# One job: its uploader (the provincial officer) and the system admin see it.
IMPORT_JOB_READ: Row = [(U, U), (N, N), (OK, OK), (N, N), (OK, OK), (N, N), (N, N), (N, N)]
# Committing or re-running it: its uploader only (the admin sees it: 403).
IMPORT_JOB_WRITE: Row = [(U, U), (N, N), (F, F), (N, N), (OK, OK), (N, N), (N, N), (N, N)]

EXCHANGE_API_MATRIX: dict[str, Row] = {
    "GET /api/v1/imports": [
        (U, U),
        (HIDDEN, HIDDEN),
        (OK, OK),
        (HIDDEN, HIDDEN),
        (OK, OK),
        (HIDDEN, HIDDEN),
        (HIDDEN, HIDDEN),
        (HIDDEN, HIDDEN),
    ],
    # The roles that import into the registry (as the import page).
    "POST /api/v1/imports": [(U, U), (F, F), (OK, OK), (F, F), (OK, OK), (F, F), (OK, OK), (F, F)],
    "GET /api/v1/imports/{pk}": IMPORT_JOB_READ,
    "GET /api/v1/imports/{pk}/findings": IMPORT_JOB_READ,
    "POST /api/v1/imports/{pk}/commit": IMPORT_JOB_WRITE,
    "POST /api/v1/imports/{pk}/rerun": IMPORT_JOB_WRITE,
}


def _members_file(w: Any, t: str) -> SimpleUploadedFile:
    """A one-row members file for the target's organisation (its dry run runs inline)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([str(c.header) for c in MEMBER_LAYOUT.columns])
    row = dict.fromkeys((c.key for c in MEMBER_LAYOUT.columns), "")
    row.update(
        organisation_tax_code=w.organisation[t].tax_code,
        cccd=w.fresh_person[t].cccd,
        full_name=w.fresh_person[t].full_name,
        member_kind="Thành viên chính thức",
        joined_on="04/01/2021",
    )
    writer.writerow(row.values())
    return SimpleUploadedFile("thanh-vien.csv", out.getvalue().encode(), "text/csv")


def _job_in(w: Any, status: str, step: str) -> Call:
    """The target job put in the status the step needs (in the test's transaction)."""
    ImportJob.objects.filter(pk=w.job.pk).update(status=status)
    return Call(f"/api/v1/imports/{w.job.pk}/{step}", body={})


EXCHANGE_API_CALLS: dict[str, Builder] = {
    "GET /api/v1/imports": lambda w, t: Call("/api/v1/imports", listed=("id", str(w.job.pk))),
    "POST /api/v1/imports": lambda w, t: Call(
        "/api/v1/imports",
        body={"kind": "members", "strategy": "upsert", "file": _members_file(w, t)},
        form=True,  # multipart
    ),
    "GET /api/v1/imports/{pk}": lambda w, t: Call(f"/api/v1/imports/{w.job.pk}"),
    "GET /api/v1/imports/{pk}/findings": lambda w, t: Call(f"/api/v1/imports/{w.job.pk}/findings"),
    "POST /api/v1/imports/{pk}/commit": lambda w, t: _job_in(w, JobStatus.VALID, "commit"),
    "POST /api/v1/imports/{pk}/rerun": lambda w, t: _job_in(w, JobStatus.FAILED, "rerun"),
}
