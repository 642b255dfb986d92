"""Price files on the jobs framework of `htxso.core.jobs`, like the registry's and the reports'
imports: the page and `htxso import_prices` create a `PriceImportJob` (`core.pipeline.create_job`:
the upload stored and checked by its bytes, its SHA-256 computed once, audited `import_upload`),
then run it through `core.pipeline` (dry run, findings, commit, re-run). A run is
`price_file.run`; its findings are kept on the job (`PriceImportIssue`)."""

from collections.abc import Callable
from typing import IO, Any

from django.conf import settings
from django.core.files import File

from htxso.core import jobs as core_jobs
from htxso.core import pipeline
from htxso.core.jobs import Pipeline, Progress
from htxso.tabular.findings import Findings
from htxso.tabular.sources import FileError

from . import price_file
from .models import PriceImportIssue, PriceImportJob

UPLOAD_TO = "price-imports/%Y/%m/"

__all__ = ["create_job", "max_bytes", "request_commit", "rerun", "run_now", "start"]

start = pipeline.start
request_commit = pipeline.request_commit
rerun = pipeline.rerun
run_now = pipeline.run_now


def max_bytes() -> int:
    """The largest price file (20 MB: a province's years of daily prices fit in a few MB)."""
    return int(getattr(settings, "PRICE_IMPORT_MAX_BYTES", 20 * 1024 * 1024))


def create_job(actor: Any, content: IO[bytes] | File, filename: str) -> PriceImportJob:
    """Store the file and create its job, not started (`UploadRefused` when it is not XLSX or
    CSV by its bytes, empty, or over `max_bytes()`)."""
    return pipeline.create_job(
        PriceImportJob,
        actor,
        content,
        filename,
        upload_to=UPLOAD_TO,
        max_bytes=max_bytes(),
        audit={"kind": "prices"},
    )


def _run(
    job: PriceImportJob,
    commit: bool,
    progress: Progress,
    on_success: Callable[[Any], None] | None,
) -> Findings:
    return price_file.run(job.created_by, job.file.path, job.filename, commit, progress, on_success)


def register() -> None:
    core_jobs.register(
        PriceImportJob,
        Pipeline(
            run=_run,
            store=core_jobs.store_findings(PriceImportIssue),
            file_errors=(FileError,),
            progress_prefix="price-import-progress",
        ),
    )
