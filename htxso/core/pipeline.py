"""The steps of "upload → dry run → findings → commit" for any job of `core.jobs`, the same for
every app's pages and commands: each checks the owner and the status and is audited on the job.

Audit actions on the job: `import_commit` (a commit asked for), `import_rerun` (a failed job run
again). The upload itself (`import_upload`) is audited by the app that creates the job, with
what its job holds (kind, form, period…).
"""

from typing import IO, Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext as _

from .audit import record
from .jobs import BaseJob, JobStatus, execute, label_of, submit
from .scoping import Action, may
from .uploads import store_upload

J = TypeVar("J", bound=BaseJob)


@transaction.atomic
def create_job(
    model: type[J],
    actor: Any,
    content: IO[bytes] | File,
    filename: str,
    *,
    upload_to: str,
    max_bytes: int,
    audit: dict[str, Any],
    **fields: Any,
) -> J:
    """Store the file and create its job (not started), audited `import_upload` with the file,
    its SHA-256 and size and `audit` (what the job holds: kind, form, period…). The file is
    checked by its bytes and its SHA-256 computed while it is stored, once
    (`core.uploads.store_upload`: `UploadRefused` when it is not XLSX or CSV, empty, or over
    `max_bytes`)."""
    stored = store_upload(content, filename, upload_to=upload_to, max_bytes=max_bytes)
    job = model(
        filename=stored.filename, sha256=stored.sha256, size=stored.size, created_by=actor, **fields
    )
    job.file.name = stored.name
    job.save()
    details = {"file": job.filename, "sha256": stored.sha256, "size": job.size, **audit}
    record(actor, "import_upload", job, None, details)
    return job


def check_owner(actor: Any, job: BaseJob) -> None:
    """Only whoever uploaded the file (or the system: `actor` None; or the system admin) runs
    its job."""
    if actor is not None and not may(actor, Action.EDIT, job):
        raise PermissionDenied(_("Chỉ người tải tệp lên mới được ghi hoặc chạy lại lượt nhập."))


def start(actor: Any, job: BaseJob) -> None:
    """Queue the job's dry run on the configured backend (`jobs.submit`)."""
    check_owner(actor, job)
    submit(job, commit=False)


def request_commit(actor: Any, job: BaseJob) -> None:
    """Queue the commit of a job whose dry run found nothing wrong; ValidationError otherwise
    (a job with errors, one running, one already written)."""
    check_owner(actor, job)
    if job.status != JobStatus.VALID:
        raise ValidationError(_("Chỉ ghi được lượt nhập đã kiểm tra xong và không có lỗi."))
    record(actor, "import_commit", job, None, {"sha256": job.sha256})
    submit(job, commit=True)


def rerun(actor: Any, job: BaseJob) -> None:
    """Queue again a job that failed (its dry run, or its commit if one was asked for)."""
    check_owner(actor, job)
    if job.status != JobStatus.FAILED:
        raise ValidationError(_("Chỉ chạy lại được lượt nhập bị thất bại."))
    record(actor, "import_rerun", job, None, {"commit": job.commit_requested})
    submit(job, commit=job.commit_requested)


def run_now(actor: Any, job: BaseJob, commit: bool) -> str:
    """Run the job here and now, whatever the backend (a management command); its final
    status. A commit is audited as one asked for."""
    check_owner(actor, job)
    job.commit_requested = commit
    job.save(update_fields=["commit_requested"])
    if commit:
        record(actor, "import_commit", job, None, {"sha256": job.sha256})
    return execute(label_of(job), int(job.pk))
