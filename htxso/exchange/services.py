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
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext as _

from htxso.core.audit import record
from htxso.core.uploads import store_upload

from . import jobs
from .models import ImportJob, JobStatus

UPLOAD_TO = "imports/%Y/%m/"


def _check_owner(actor: Any, job: ImportJob) -> None:
    """Only whoever uploaded the file (or the system: `actor` None) runs its job."""
    if actor is not None and not ImportJob.objects.editable_by(actor).filter(pk=job.pk).exists():
        raise PermissionDenied(_("Chỉ người tải tệp lên mới được ghi hoặc chạy lại lượt nhập."))


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


def start(actor: Any, job: ImportJob) -> None:
    """Queue the job's dry run on the configured backend (`jobs.submit`)."""
    _check_owner(actor, job)
    jobs.submit(job, commit=False)


def request_commit(actor: Any, job: ImportJob) -> None:
    """Queue the commit of a job whose dry run found nothing wrong; ValidationError otherwise."""
    _check_owner(actor, job)
    if job.status != JobStatus.VALID:
        raise ValidationError(_("Chỉ ghi được lượt nhập đã kiểm tra xong và không có lỗi."))
    record(actor, "import_commit", job, None, {"sha256": job.sha256})
    jobs.submit(job, commit=True)


def rerun(actor: Any, job: ImportJob) -> None:
    """Queue again a job that failed (its dry run, or its commit if one was asked for)."""
    _check_owner(actor, job)
    if job.status != JobStatus.FAILED:
        raise ValidationError(_("Chỉ chạy lại được lượt nhập bị thất bại."))
    record(actor, "import_rerun", job, None, {"commit": job.commit_requested})
    jobs.submit(job, commit=job.commit_requested)


def run_now(actor: Any, job: ImportJob, commit: bool) -> str:
    """Run the job here and now, whatever the backend (the `htxso import` command); its final
    status. A commit is audited as one asked for."""
    _check_owner(actor, job)
    job.commit_requested = commit
    job.save(update_fields=["commit_requested"])
    if commit:
        record(actor, "import_commit", job, None, {"sha256": job.sha256})
    return jobs.execute(job.pk)
