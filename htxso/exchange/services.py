"""The write path of imports: an import job is created, started, committed and re-run here —
by the pages (`views.py`) and the `htxso import` command alike — each step audited through
`core.audit` on the job. The rows themselves are written by `importers.run` through the
registry's services.

Audit actions on the job (`exchange.importjob`): `import_upload` (file, SHA-256, size, kind,
strategy), `import_commit` (a commit asked for), `import_rerun` (a failed job run again). The
rows' own entries (`import`, `import_update`, …) are the registry services'.
"""

from typing import IO, Any

from django.conf import settings
from django.core.files import File

from htxso.core import pipeline

from .models import ImportJob

UPLOAD_TO = "imports/%Y/%m/"


def create_job(
    actor: Any, kind: str, strategy: str, content: IO[bytes] | File, filename: str
) -> ImportJob:
    """Store the file and create its job, not started (`core.pipeline.create_job`:
    `UploadRefused` when it is not XLSX or CSV by its bytes, empty, or over
    `IMPORT_MAX_BYTES`)."""
    return pipeline.create_job(
        ImportJob,
        actor,
        content,
        filename,
        upload_to=UPLOAD_TO,
        max_bytes=settings.IMPORT_MAX_BYTES,
        audit={"kind": kind, "strategy": strategy},
        kind=kind,
        strategy=strategy,
    )


# The steps after the upload are the pipeline's, the same for every import (`core.pipeline`).
start = pipeline.start
request_commit = pipeline.request_commit
rerun = pipeline.rerun
run_now = pipeline.run_now
