"""The report import on the jobs framework of `htxso.core.jobs`, like the registry's: the page
and the `htxso import_reports` command create a `ReportImportJob` (`create_job`: the upload
stored and checked by `core.uploads`, its SHA-256 computed once, audited `import_upload`), then
run it through `core.pipeline` (dry run, findings, commit, re-run). A run is
`report_import.run` — its checks and messages unchanged; the findings are kept on the job
(`ReportImportIssue`), never in the session.
"""

from collections.abc import Callable
from typing import IO, Any

from django.core.files import File

from htxso.core import jobs as core_jobs
from htxso.core import pipeline
from htxso.core.jobs import Pipeline, Progress
from htxso.tabular.sources import FileError

from . import report_import
from .import_models import ReportImportIssue, ReportImportJob
from .models import ReportForm
from .report_rows import Result

UPLOAD_TO = "report-imports/%Y/%m/"

__all__ = ["create_job", "request_commit", "rerun", "run_now", "start"]

start = pipeline.start
request_commit = pipeline.request_commit
rerun = pipeline.rerun
run_now = pipeline.run_now


def create_job(
    actor: Any, form: ReportForm, period: str, content: IO[bytes] | File, filename: str
) -> ReportImportJob:
    """Store the file and create its job, not started (`core.pipeline.create_job`:
    `UploadRefused` when the file is not XLSX or CSV by its bytes, empty, or over
    `REPORT_IMPORT_MAX_BYTES`); `ValidationError` when the period does not fit the form."""
    period = report_import.period_and_version(form, period)[0].code
    return pipeline.create_job(
        ReportImportJob,
        actor,
        content,
        filename,
        upload_to=UPLOAD_TO,
        max_bytes=report_import.max_bytes(),
        audit={"form": form.code, "period": period},
        form=form,
        period=period,
    )


def _run(
    job: ReportImportJob,
    commit: bool,
    progress: Progress,
    on_success: Callable[[Any], None] | None,
) -> Result:
    return report_import.run(
        job.created_by,
        job.form,
        job.period,
        job.file.path,
        commit,
        filename=job.filename,
        progress=progress,
        on_success=on_success,
    )


def register() -> None:
    core_jobs.register(
        ReportImportJob,
        Pipeline(
            run=_run,
            store=core_jobs.store_findings(ReportImportIssue),
            file_errors=(FileError,),
            progress_prefix="report-import-progress",
        ),
    )
