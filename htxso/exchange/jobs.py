"""The registry import on the jobs framework of `htxso.core.jobs`: how an `ImportJob` runs
(`importers.run`) and where its findings go (`ImportIssue`). Registered by the app's
`ready()`; `execute`, `submit`, `progress_of` and `reap` are the framework's, for an import job.
"""

from collections.abc import Callable
from typing import Any

from htxso.core import jobs as core_jobs
from htxso.core.jobs import Pipeline, Progress, reap
from htxso.tabular.sources import FileError

from .importers import run
from .models import ImportIssue, ImportJob
from .rows import ImportFindings

__all__ = ["execute", "progress_of", "reap", "register", "submit"]


def _run(
    job: ImportJob,
    commit: bool,
    progress: Progress,
    on_success: Callable[[Any], None] | None,
) -> ImportFindings:
    # `run` is looked up here, at call time (tests replace it).
    return run(job, commit, progress, on_success=on_success)


def register() -> None:
    core_jobs.register(
        ImportJob,
        Pipeline(
            run=_run,
            store=core_jobs.store_findings(ImportIssue),
            file_errors=(FileError,),
            progress_prefix="import-progress",
        ),
    )


def execute(job_id: int) -> str:
    """Run the import job's next step here and now; its final status."""
    return core_jobs.execute(ImportJob._meta.label, job_id)


def submit(job: ImportJob, commit: bool = False) -> None:
    core_jobs.submit(job, commit)


def progress_of(job_id: int) -> dict[str, Any]:
    return core_jobs.progress_by_id(ImportJob._meta.label, job_id)
