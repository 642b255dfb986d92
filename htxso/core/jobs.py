"""Background jobs over an uploaded file: "upload → dry run → findings → commit", with progress,
heartbeats and crash detection — one framework for every app that imports files.

A job is a row of a model derived from `BaseJob` (the status, the progress counters, the
upload); its app registers a `Pipeline` for that model (`register`): how to run it (`run`, the
dry run or the commit, inside one transaction) and how to keep what a run found (`store`). The
runner (`execute`) dispatches on the job's model label, so the Celery task takes the label and
the id (`core.run_job`).

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
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from django.apps import apps
from django.conf import settings
from django.core.cache import caches
from django.db import close_old_connections, connection, models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from htxso.core.bulk import write_rows

log = logging.getLogger(__name__)

Progress = Callable[[str, float], None]


class JobStatus(models.TextChoices):
    QUEUED = "queued", gettext_lazy("Đang chờ")
    VALIDATING = "validating", gettext_lazy("Đang kiểm tra")
    VALID = "valid", gettext_lazy("Kiểm tra xong, sẵn sàng ghi")
    INVALID = "invalid", gettext_lazy("Có lỗi, chưa ghi gì")
    COMMITTING = "committing", gettext_lazy("Đang ghi")
    DONE = "done", gettext_lazy("Đã ghi vào cơ sở dữ liệu")
    FAILED = "failed", gettext_lazy("Thất bại, chưa ghi gì")


RUNNING = frozenset({JobStatus.QUEUED, JobStatus.VALIDATING, JobStatus.COMMITTING})
ACTIVE = (JobStatus.VALIDATING, JobStatus.COMMITTING)


class BaseJob(models.Model):
    """The fields every import job has: its status, its counters, its upload (`core.uploads`).

    A concrete job declares its own `file` when its files go elsewhere (`upload_to`), its
    `scope` (`Scope(Kind.JOB, owner="created_by_id")`) and its manager."""

    status = models.CharField(
        gettext_lazy("tình trạng"), max_length=12, choices=JobStatus.choices, default="queued"
    )
    commit_requested = models.BooleanField(default=False)
    file = models.FileField(upload_to="imports/%Y/%m/")
    filename = models.CharField(gettext_lazy("tên tệp"), max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField(default=0)
    encoding = models.CharField(gettext_lazy("bảng mã"), max_length=40, blank=True)
    rows = models.PositiveIntegerField(gettext_lazy("số dòng"), default=0)
    error_rows = models.PositiveIntegerField(gettext_lazy("số dòng lỗi"), default=0)
    issues_total = models.PositiveIntegerField(default=0)
    summary = models.JSONField(default=dict, blank=True)  # what the run counted
    message = models.TextField(blank=True)  # why a run failed
    created_by = models.ForeignKey(  # None: the system (a management command)
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    committed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"#{self.pk} {self.filename}"

    @property
    def is_running(self) -> bool:
        return self.status in RUNNING

    # The keys of `summary` ({"people": {"created": 12}} or {"created": 2}) as people read
    # them; a concrete job names its own.
    SUMMARY_LABELS: ClassVar[dict[str, Any]] = {}

    def summary_label(self, key: str) -> str:
        """The label of a summary key in the active language (an unknown key as it is)."""
        return str(self.SUMMARY_LABELS.get(key, key))

    def summary_items(self) -> list[tuple[str, list[tuple[str, Any]]]]:
        """The summary with labels, for the pages and the CLI:
        [("Người", [("Thêm mới", 12), …]), ("lập mới", [("", 2)]), …]."""
        items = []
        for key, counts in (self.summary or {}).items():
            if isinstance(counts, dict):
                pairs = [(self.summary_label(name), n) for name, n in counts.items()]
            else:
                pairs = [("", counts)]
            items.append((self.summary_label(key), pairs))
        return items

    def describe(self) -> list[tuple[Any, Any]]:
        """What this job holds besides its file (kind, form, period…), as (label, value)."""
        return []

    def summary_lines(self) -> list[tuple[Any, Any]]:
        """The job as (label, value) lines, for the findings workbook: its file, what it holds,
        its status and counts, then its summary ("Người — Thêm mới", 12)."""
        lines: list[tuple[Any, Any]] = [
            (gettext_lazy("Tệp"), self.filename),
            *self.describe(),
            (gettext_lazy("Tình trạng"), self.get_status_display()),  # type: ignore[attr-defined]
            (gettext_lazy("Số dòng"), self.rows),
            (gettext_lazy("Số dòng lỗi"), self.error_rows),
            (gettext_lazy("Tổng số phát hiện"), self.issues_total),
        ]
        for label, pairs in self.summary_items():
            lines += [(f"{label} — {name}" if name else label, n) for name, n in pairs]
        return lines


class BaseFinding(models.Model):
    """One finding of a job's last run: a row, a column, the value, a Vietnamese message. A
    concrete finding declares its `job` key and its `severity` (with the choices of
    `htxso.tabular.findings.Severity`)."""

    row = models.PositiveIntegerField(gettext_lazy("dòng"))
    column = models.CharField(gettext_lazy("cột"), max_length=120, blank=True)
    value = models.CharField(gettext_lazy("giá trị"), max_length=400, blank=True)
    message = models.CharField(gettext_lazy("nội dung"), max_length=600)

    class Meta:
        abstract = True
        ordering = ["row", "id"]

    def __str__(self) -> str:
        return f"{self.row}: {self.message}"


@dataclass(frozen=True)
class Pipeline:
    """How one job model runs.

    `run(job, commit, progress, on_success)` checks (and when `commit`, writes) the job's file
    in one transaction and returns its findings (`htxso.tabular.findings.Findings` or alike:
    `has_errors`, `rows`, `error_rows`, `total`, `summary`, `encoding`, `message`); it calls
    `on_success(findings)` inside that transaction just before a commit lands. `store(job,
    findings)` keeps the findings on the job (not saved) — `findings` None clears them.
    `file_errors`: exceptions meaning the file cannot be read (the job is INVALID, with the
    message). `progress_prefix` names the job's progress in the "jobs" cache."""

    run: Callable[[Any, bool, Progress, Callable[[Any], None] | None], Any]
    store: Callable[[Any, Any], None]
    file_errors: tuple[type[Exception], ...] = ()
    progress_prefix: str = "job-progress"


_PIPELINES: dict[str, Pipeline] = {}


def store_findings(finding_model: type[models.Model]) -> Callable[[Any, Any], None]:
    """The `Pipeline.store` of a job whose findings are rows of `finding_model` (a
    `BaseFinding` with its `job` key): a run's findings replace the last run's, its counters,
    summary, encoding and message (why the file was refused) go on the job (not saved)."""
    manager: Any = finding_model._default_manager
    names = ("job", "row", "column", "value", "message", "severity")
    fields: list[Any] = [finding_model._meta.get_field(n) for n in names]
    columns: tuple[str, ...] = tuple(f.column for f in fields)  # the finding's own columns
    width = {f.name: f.max_length for f in fields if getattr(f, "max_length", None)}

    def cut(text: Any, name: str) -> str:
        return str(text)[: width[name]] if name in width else str(text)

    def store(job: BaseJob, found: Any) -> None:
        manager.filter(job=job).delete()
        if found is None:
            return
        # COPY on PostgreSQL (a national list's 20,000 address conversions took 2-3 s as
        # model objects inserted in batches).
        write_rows(
            finding_model._meta.db_table,
            columns,
            (
                (
                    job.pk,
                    f.row,
                    cut(f.column, "column"),
                    cut(f.value, "value"),
                    cut(f.message, "message"),
                    cut(f.severity, "severity"),
                )
                for f in found.findings
            ),
        )
        job.rows, job.error_rows, job.issues_total = found.rows, found.error_rows, found.total
        job.summary, job.encoding = dict(found.summary), found.encoding[:40]
        if found.message:
            job.message = found.message

    return store


def register(model: type[BaseJob], pipeline: Pipeline) -> None:
    """Declare how jobs of `model` run (an app's `ready()` or its jobs module)."""
    _PIPELINES[model._meta.label] = pipeline


def registered() -> list[str]:
    """The labels of the job models that have a pipeline, sorted."""
    return sorted(_PIPELINES)


def _pipeline(label: str) -> Pipeline:
    try:
        return _PIPELINES[label]
    except KeyError:
        raise LookupError(f"no pipeline registered for {label} (core.jobs.register)") from None


def label_of(job: BaseJob | type[BaseJob]) -> str:
    return job._meta.label


# --- progress ---------------------------------------------------------------------------------


def _key(label: str, job_id: int) -> str:
    return f"{_pipeline(label).progress_prefix}:{job_id}"


def progress_of(job: BaseJob) -> dict[str, Any]:
    """{"phase", "fraction", "beat"} of a running job ({} when none has been written)."""
    return progress_by_id(label_of(job), int(job.pk))


def progress_by_id(label: str, job_id: int) -> dict[str, Any]:
    return caches["jobs"].get(_key(label, job_id)) or {}


class Heartbeat:
    """Publishes the job's progress, and beats on its own thread while long SQL runs."""

    def __init__(self, key: str) -> None:
        self.key = key
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
        caches["jobs"].delete(self.key)

    def update(self, phase: str, fraction: float) -> None:
        self.state = {"phase": phase, "fraction": round(min(max(fraction, 0.0), 1.0), 4)}
        if time.time() - self._written >= 1.0:  # pages poll about once a second
            self._write()

    def _write(self) -> None:
        self._written = time.time()
        caches["jobs"].set(self.key, {**self.state, "beat": self._written}, timeout=86_400)

    def _loop(self) -> None:
        while not self._stop.wait(settings.JOB_HEARTBEAT):
            try:
                self._write()
            except Exception:  # a cache hiccup must not kill the import
                log.exception("heartbeat of %s", self.key)


# --- running ----------------------------------------------------------------------------------


def execute(label: str, job_id: int) -> str:
    """Run the job's next step (dry run, or commit when requested); return its final status.

    Always in the site's language (Vietnamese), whoever asked and wherever it runs (a worker,
    a thread, or inline in an English request): its findings and messages are stored text."""
    with translation.override(settings.LANGUAGE_CODE):
        return _execute(label, job_id)


def _execute(label: str, job_id: int) -> str:
    pipeline = _pipeline(label)
    model = apps.get_model(label)
    job = model.objects.select_related("created_by").get(pk=job_id)
    commit = job.commit_requested
    job.status = JobStatus.COMMITTING if commit else JobStatus.VALIDATING
    job.started_at, job.finished_at, job.message = timezone.now(), None, ""
    job.attempts += 1
    job.save(update_fields=["status", "started_at", "finished_at", "message", "attempts"])

    def finish(report: Any) -> None:
        """Inside the run's transaction when it commits: the status lands with the rows."""
        pipeline.store(job, report)
        job.status = JobStatus.DONE if commit else JobStatus.VALID
        if report.has_errors:
            job.status = JobStatus.INVALID
        job.finished_at = timezone.now()
        if job.status == JobStatus.DONE:
            job.committed_at = job.finished_at
        job.save()

    try:
        with Heartbeat(_key(label, job.pk)) as beat:
            report = pipeline.run(job, commit, beat.update, finish if commit else None)
            if not (commit and job.status == JobStatus.DONE):
                with transaction.atomic():
                    finish(report)
    except pipeline.file_errors as exc:
        job.status, job.message, job.finished_at = JobStatus.INVALID, str(exc), timezone.now()
        pipeline.store(job, None)
        job.save()
    except Exception as exc:
        log.exception("job %s %s failed", label, job.pk)
        job.status, job.finished_at = JobStatus.FAILED, timezone.now()
        job.message = (
            _("Lỗi hệ thống khi xử lý (%s); không có dữ liệu nào được ghi.") % type(exc).__name__
        )
        job.save(update_fields=["status", "finished_at", "message"])
    return str(job.status)


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
    """Mark as failed the running jobs (of every registered model) whose worker stopped
    beating; return how many.

    Pages pass `every` (JOB_HEARTBEAT): a job page polls about once a second, and a stale job
    cannot be told from a live one more often than beats arrive, so each process then looks
    at most once per `every` seconds (0 when it did not look). Without it (the CLI, tests) it
    always looks."""
    if every is not None and not _due(every):
        return 0
    now = now or time.time()
    failed = 0
    for label in sorted(_PIPELINES):
        model = apps.get_model(label)
        for job in model.objects.filter(status__in=ACTIVE).only("pk", "started_at"):
            beat = progress_by_id(label, job.pk).get("beat")
            started = job.started_at.timestamp() if job.started_at else now
            if (beat or started) < now - settings.JOB_STALE:
                failed += model.objects.filter(pk=job.pk, status__in=ACTIVE).update(
                    status=JobStatus.FAILED,
                    finished_at=timezone.now(),
                    message=_(
                        "Tiến trình xử lý đã dừng đột ngột; không có dữ liệu nào của lượt này "
                        "được ghi. Hãy chạy lại."
                    ),
                )
    return failed


def _in_thread(label: str, job_id: int) -> None:
    try:
        execute(label, job_id)
    finally:
        connection.close()


def submit(job: BaseJob, commit: bool = False) -> None:
    """Queue the job's dry run (or its commit) on the configured backend (`JOBS_BACKEND`:
    celery, thread, inline)."""
    label = label_of(job)
    _pipeline(label)  # fails here, not in a worker, for a model nobody registered
    job.commit_requested = commit
    job.status, job.message = JobStatus.QUEUED, ""
    job.save(update_fields=["commit_requested", "status", "message"])
    backend = settings.JOBS_BACKEND
    job_id = int(job.pk)
    if backend == "inline":
        execute(label, job_id)
    elif backend == "celery":
        from htxso.celery import app

        transaction.on_commit(lambda: app.send_task("core.run_job", args=[label, job_id]))
    else:
        if not connection.in_atomic_block:  # inside one it would close the caller's
            close_old_connections()  # transaction's connection (PostgreSQL: "closed")
        transaction.on_commit(
            lambda: threading.Thread(target=_in_thread, args=(label, job_id), daemon=True).start()
        )
