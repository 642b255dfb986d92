"""Running import jobs outside the request, with progress, heartbeats and crash detection.

A job's status row is committed before its work starts; the work runs in one transaction that
also writes the final status, so a job is either DONE with all its rows or has none of them. A
thread beats every JOB_HEARTBEAT seconds into the "jobs" cache (Redis or files, shared by the
web server, the CLI and workers). A VALIDATING/COMMITTING job whose beat is older than JOB_STALE
seconds lost its worker (kill -9, a crash, a restart): `reap()` marks it FAILED, and PostgreSQL
(or SQLite's journal) has already discarded its uncommitted rows. The user can then re-run it.
"""

import logging
import threading
import time
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db import close_old_connections, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from htxso.tabular.sources import FileError

from .importers import run
from .models import ImportIssue, ImportJob, JobStatus
from .rows import ImportFindings

log = logging.getLogger(__name__)
ACTIVE = (JobStatus.VALIDATING, JobStatus.COMMITTING)


def _key(job_id: int) -> str:
    return f"import-progress:{job_id}"


def progress_of(job_id: int) -> dict[str, Any]:
    """{"phase", "fraction", "beat"} of a running job ({} when none has been written)."""
    return caches["jobs"].get(_key(job_id)) or {}


class Heartbeat:
    """Publishes the job's progress, and beats on its own thread while long SQL runs."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.state: dict[str, Any] = {"phase": "start", "fraction": 0.0}
        self._written = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def __enter__(self) -> "Heartbeat":
        self._write()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        caches["jobs"].delete(_key(self.job_id))

    def update(self, phase: str, fraction: float) -> None:
        self.state = {"phase": phase, "fraction": round(min(max(fraction, 0.0), 1.0), 4)}
        if time.time() - self._written >= 1.0:  # pages poll about once a second
            self._write()

    def _write(self) -> None:
        self._written = time.time()
        caches["jobs"].set(_key(self.job_id), {**self.state, "beat": self._written}, timeout=86_400)

    def _loop(self) -> None:
        while not self._stop.wait(settings.JOB_HEARTBEAT):
            try:
                self._write()
            except Exception:  # a cache hiccup must not kill the import
                log.exception("heartbeat of import %s", self.job_id)


def _store_report(job: ImportJob, report: ImportFindings) -> None:
    ImportIssue.objects.filter(job=job).delete()
    ImportIssue.objects.bulk_create(
        (
            ImportIssue(
                job=job,
                row=f.row,
                column=f.column[:120],
                value=f.value,
                message=f.message,
                severity=f.severity,
            )
            for f in report.findings
        ),
        batch_size=2000,
    )
    job.rows, job.error_rows, job.issues_total = report.rows, report.error_rows, report.total
    job.summary, job.encoding = report.summary, report.encoding[:40]
    if report.message:
        job.message = report.message


def execute(job_id: int) -> str:
    """Run the job's next step (dry run, or commit when requested); return its final status.

    Always in the site's language (Vietnamese), whoever asked and wherever it runs (a worker,
    a thread, or inline in an English request): its findings and messages are stored text."""
    with translation.override(settings.LANGUAGE_CODE):
        return _execute(job_id)


def _execute(job_id: int) -> str:
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    commit = job.commit_requested
    job.status = JobStatus.COMMITTING if commit else JobStatus.VALIDATING
    job.started_at, job.finished_at, job.message = timezone.now(), None, ""
    job.attempts += 1
    job.save(update_fields=["status", "started_at", "finished_at", "message", "attempts"])

    def finish(report: ImportFindings) -> None:
        """Inside the import's transaction when it commits: the status lands with the rows."""
        _store_report(job, report)
        job.status = JobStatus.DONE if commit else JobStatus.VALID
        if report.has_errors:
            job.status = JobStatus.INVALID
        job.finished_at = timezone.now()
        if job.status == JobStatus.DONE:
            job.committed_at = job.finished_at
        job.save()

    try:
        with Heartbeat(job.pk) as beat:
            report = run(job, commit, beat.update, on_success=finish if commit else None)
            if not (commit and job.status == JobStatus.DONE):
                with transaction.atomic():
                    finish(report)
    except FileError as exc:
        job.status, job.message, job.finished_at = JobStatus.INVALID, str(exc), timezone.now()
        ImportIssue.objects.filter(job=job).delete()
        job.save()
    except Exception as exc:
        log.exception("import %s failed", job.pk)
        job.status, job.finished_at = JobStatus.FAILED, timezone.now()
        job.message = (
            _("Lỗi hệ thống khi xử lý (%s); không có dữ liệu nào được ghi.") % type(exc).__name__
        )
        job.save(update_fields=["status", "finished_at", "message"])
    return job.status


_reaped_at: float | None = None  # time.monotonic() of this process's last throttled reap
_reap_lock = threading.Lock()


def _due(every: float) -> bool:
    """Whether a reap throttled to once per `every` seconds may run now (and claim the slot)."""
    global _reaped_at
    with _reap_lock:
        moment = time.monotonic()
        if _reaped_at is not None and moment - _reaped_at < every:
            return False
        _reaped_at = moment
        return True


def reap(now: float | None = None, every: float | None = None) -> int:
    """Mark as failed the running jobs whose worker stopped beating; return how many.

    Pages pass `every` (JOB_HEARTBEAT): a job page polls about once a second, and a stale job
    cannot be told from a live one more often than beats arrive, so each process then looks
    at most once per `every` seconds (0 when it did not look). Without it (the CLI, tests) it
    always looks."""
    if every is not None and not _due(every):
        return 0
    now = now or time.time()
    failed = 0
    for job in ImportJob.objects.filter(status__in=ACTIVE).only("pk", "started_at"):
        beat = progress_of(job.pk).get("beat")
        started = job.started_at.timestamp() if job.started_at else now
        if (beat or started) < now - settings.JOB_STALE:
            failed += ImportJob.objects.filter(pk=job.pk, status__in=ACTIVE).update(
                status=JobStatus.FAILED,
                finished_at=timezone.now(),
                message=_(
                    "Tiến trình xử lý đã dừng đột ngột; không có dữ liệu nào của lượt này được "
                    "ghi. Hãy chạy lại."
                ),
            )
    return failed


def _in_thread(job_id: int) -> None:
    try:
        execute(job_id)
    finally:
        connection.close()


def submit(job: ImportJob, commit: bool = False) -> None:
    """Queue the job's dry run (or its commit) on the configured backend."""
    job.commit_requested = commit
    job.status, job.message = JobStatus.QUEUED, ""
    job.save(update_fields=["commit_requested", "status", "message"])
    backend = settings.JOBS_BACKEND
    if backend == "inline":
        execute(job.pk)
    elif backend == "celery":
        from htxso.celery import app

        transaction.on_commit(lambda: app.send_task("exchange.run_import", args=[job.pk]))
    else:
        close_old_connections()
        transaction.on_commit(
            lambda: threading.Thread(target=_in_thread, args=(job.pk,), daemon=True).start()
        )
