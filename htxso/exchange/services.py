"""The write path of imports: an import job is created, started, committed and re-run here —
by the pages (`views.py`) and the `htxso import` command alike — each step audited through
`core.audit` on the job. The rows themselves are written by `importers.run` through the
registry's services.

Audit actions on the job (`exchange.importjob`): `import_upload` (file, SHA-256, size, kind,
strategy), `import_mapping` (the header row and columns confirmed), `import_commit` (a commit
asked for), `import_rerun` (a failed job run again). The
rows' own entries (`import`, `import_update`, …) are the registry services'.
"""

from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.utils.translation import gettext as _

from htxso.core import pipeline
from htxso.core.audit import record
from htxso.tabular.sources import FileError

from .layouts import LAYOUTS
from .mapping import propose, province_of, shape_of
from .models import ColumnMapping, ImportJob, JobStatus

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


def confirm_mapping(
    actor: Any, job: ImportJob, header_row: int, keys: list[str], remember: bool = True
) -> None:
    """How the job's file is read, as a person confirmed it: its header row and the field of
    each column ("" for a column left out). Kept on the job (the next run reads it so),
    remembered for the actor's province and the file's shape, audited (`import_mapping`).
    ValidationError for a job running or written, an unknown field or one given twice."""
    pipeline.check_owner(actor, job)
    not_started = job.status == JobStatus.QUEUED and job.started_at is None
    if (job.is_running and not (job.needs_mapping or not_started)) or job.status == JobStatus.DONE:
        raise ValidationError(_("Lượt nhập đang chạy hoặc đã ghi: không đổi được cách đọc cột."))
    layout = LAYOUTS[job.kind]
    known = {c.key for c in layout.readable}
    chosen = [k for k in keys if k]
    unknown = sorted(set(chosen) - known)
    if unknown:
        raise ValidationError(_("Trường không có trong tệp mẫu: %s.") % ", ".join(unknown))
    twice = sorted({k for k in chosen if chosen.count(k) > 1})
    if twice:
        labels = ", ".join(f"“{layout.column(k).header}”" for k in twice)
        raise ValidationError(_("Mỗi trường chỉ chọn cho một cột: %s.") % labels)
    headers = propose(job, header_row).headers
    keys = (list(keys) + [""] * len(headers))[: len(headers)]
    before = {"header_row": job.header_row, "column_keys": job.column_keys}
    job.header_row, job.column_keys, job.needs_mapping = header_row, keys, False
    job.save(update_fields=["header_row", "column_keys", "needs_mapping"])
    after = {"header_row": header_row, "column_keys": keys, "headers": [str(h) for h in headers]}
    record(actor, "import_mapping", job, before, after)
    if remember:
        ColumnMapping.objects.update_or_create(
            province=province_of(job.created_by),
            layout=layout.name,
            shape=shape_of(layout, headers),
            defaults={
                "headers": after["headers"],
                "column_keys": keys,
                "confirmed_by": actor if getattr(actor, "pk", None) else None,
            },
        )


def start_upload(actor: Any, job: ImportJob, *, interactive: bool) -> bool:
    """After the upload, the mapping step: a file read as the template, or of a shape whose
    mapping the uploader's province confirmed before, goes straight to its dry run; any other
    waits for a person to confirm its columns when one is there (`interactive`: the page) —
    True then — and otherwise (the API) runs as the importer finds it. A file that cannot be
    read goes to its dry run too, which says why."""
    try:
        proposal = propose(job)
    except FileError:
        proposal = None
    if proposal is not None and proposal.remembered:
        confirm_mapping(actor, job, proposal.header_row, proposal.keys, remember=False)
    elif interactive and proposal is not None and not proposal.plain:
        job.needs_mapping = True
        job.save(update_fields=["needs_mapping"])
        return True
    start(actor, job)
    return False


# The steps after the upload are the pipeline's, the same for every import (`core.pipeline`).
start = pipeline.start
request_commit = pipeline.request_commit
rerun = pipeline.rerun
run_now = pipeline.run_now
