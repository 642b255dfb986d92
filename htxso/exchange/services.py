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
from django.db import transaction

from htxso.core import pipeline
from htxso.core.audit import record
from htxso.core.uploads import store_upload

from .models import ImportJob

UPLOAD_TO = "imports/%Y/%m/"


@transaction.atomic
def create_job(
    actor: Any, kind: str, strategy: str, content: IO[bytes] | File, filename: str
) -> ImportJob:
    """Store the file and create its job (not started). The file is checked by its bytes and
    its SHA-256 computed while it is stored, once (`core.uploads.store_upload`:
    `UploadRefused` when it is not XLSX or CSV, empty, or over `IMPORT_MAX_BYTES`)."""
    stored = store_upload(
        content, filename, upload_to=UPLOAD_TO, max_bytes=settings.IMPORT_MAX_BYTES
    )
    job = ImportJob(
        kind=kind,
        strategy=strategy,
        filename=filename[:255],
        sha256=stored.sha256,
        size=stored.size,
        created_by=actor,
    )
    job.file.name = stored.name
    job.save()
    record(
        actor,
        "import_upload",
        job,
        None,
        {
            "file": job.filename,
            "sha256": stored.sha256,
            "size": job.size,
            "kind": kind,
            "strategy": strategy,
        },
    )
    return job


# The steps after the upload are the pipeline's, the same for every import (`core.pipeline`).
start = pipeline.start
request_commit = pipeline.request_commit
rerun = pipeline.rerun
run_now = pipeline.run_now
