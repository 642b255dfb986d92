"""The pages of one import job, the same for every app (`core.jobs`): its progress while it
runs, then its findings, "Ghi" after a clean dry run, "Chạy lại" after a failure, its findings
as a workbook and its uploaded file. A job is its uploader's (and the system admin's): others
get 404 (`visible_to`); changing it needs `may(user, "edit", job)`.

An app declares its pages once (`JobPages`) and mounts `pages.urls(...)`; its template extends
`core/job.html` (blocks: `breadcrumb`, `done`, `actions`).
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import jobs, pipeline
from .scoping import Action, may
from .uploads import attachment

SHOWN_FINDINGS = 500
CONVERSION = "conversion"  # `htxso.tabular.findings.Severity.CONVERSION`: shown apart
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Workbook writer: (summary lines, findings read once, total found) → XLSX bytes
# (`htxso.tabular.findings_workbook.findings_workbook`, which core cannot import).
Workbook = Callable[[Sequence[tuple[Any, Any]], Iterable[Any], int], bytes]


@dataclass(frozen=True)
class JobPages:
    """The pages of the jobs of `model` whose findings are `findings` rows (`BaseFinding`).

    `route`: the URL name of the job page inside the app's namespace ("job"), the others are
    `<route>-progress`, `-commit`, `-rerun`, `-findings`, `-file`; `namespace`: the app's."""

    model: type[jobs.BaseJob]
    findings: type[jobs.BaseFinding]
    namespace: str
    route: str
    template: str
    workbook: Workbook
    download_prefix: str  # "bao-cao-nhap" → bao-cao-nhap-12.xlsx
    select_related: tuple[str, ...] = ()
    # A page the job waits on before its own (the registry import's column mapping): its URL,
    # or None when the job does not wait.
    waiting: Callable[[Any], str | None] | None = None

    def name(self, page: str = "") -> str:
        return f"{self.namespace}:{self.route}" + (f"-{page}" if page else "")

    def urls(self, prefix: str, findings_path: str = "findings.xlsx") -> list[URLPattern]:
        """The six routes under `prefix` ("jobs/"), named after `route`."""
        at = f"{prefix}<int:pk>/"
        route = self.route
        return [
            path(at, self.detail, name=route),
            path(f"{at}progress/", self.progress, name=f"{route}-progress"),
            path(f"{at}commit/", self.commit, name=f"{route}-commit"),
            path(f"{at}rerun/", self.rerun, name=f"{route}-rerun"),
            path(f"{at}{findings_path}", self.findings_workbook, name=f"{route}-findings"),
            path(f"{at}file", self.file, name=f"{route}-file"),
        ]

    # --- reading ------------------------------------------------------------------------------

    def job(self, request: HttpRequest, pk: int) -> Any:
        """The job if the user sees it (404 otherwise); stale running jobs are reaped first."""
        jobs.reap(every=settings.JOB_HEARTBEAT)
        visible = self.model.objects.visible_to(request.user)  # type: ignore[attr-defined]
        return get_object_or_404(visible.select_related(*self.select_related), pk=pk)

    def editable_job(self, request: HttpRequest, pk: int) -> Any:
        """The job if the user sees it (404) and may change it (403: only its uploader)."""
        job = self.job(request, pk)
        if not may(request.user, Action.EDIT, job):
            raise PermissionDenied(_("Chỉ người tải tệp lên mới được ghi hoặc chạy lại lượt nhập."))
        return job

    def _findings(self, job: Any) -> QuerySet[Any]:
        return self.findings._default_manager.filter(job=job)  # type: ignore[misc]

    def _links(self, job: Any) -> dict[str, str]:
        pages = ("progress", "commit", "rerun", "findings", "file")
        return {page: reverse(self.name(page), args=[job.pk]) for page in pages}

    def _progress_context(self, job: Any) -> dict[str, Any]:
        return {"job": job, "progress": jobs.progress_of(job), "links": self._links(job)}

    def detail(self, request: HttpRequest, pk: int) -> HttpResponse:
        return login_required(self._detail)(request, pk)

    def _detail(self, request: HttpRequest, pk: int) -> HttpResponse:
        job = self.job(request, pk)
        if self.waiting is not None and (detour := self.waiting(job)):
            return redirect(detour)
        found = self._findings(job)
        return render(
            request,
            self.template,
            {
                **self._progress_context(job),
                "findings": list(found.exclude(severity=CONVERSION)[:SHOWN_FINDINGS]),
                "conversions": list(found.filter(severity=CONVERSION)[:SHOWN_FINDINGS]),
                "shown_limit": SHOWN_FINDINGS,
                "may_edit": may(request.user, Action.EDIT, job),
            },
        )

    def progress(self, request: HttpRequest, pk: int) -> HttpResponse:
        return login_required(self._progress)(request, pk)

    def _progress(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The fragment a running job's page polls; a finished job reloads the page."""
        job = self.job(request, pk)
        response = render(request, "core/_job_progress.html", self._progress_context(job))
        if not job.is_running:
            response["HX-Refresh"] = "true"
        return response

    def findings_workbook(self, request: HttpRequest, pk: int) -> HttpResponse:
        return login_required(self._findings_workbook)(request, pk)

    def _findings_workbook(self, request: HttpRequest, pk: int) -> HttpResponse:
        job = self.job(request, pk)
        found = self._findings(job).order_by("row", "id").iterator(chunk_size=5000)
        response = HttpResponse(
            self.workbook(job.summary_lines(), found, job.issues_total), content_type=XLSX
        )
        filename = f"{self.download_prefix}-{job.pk}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    def file(self, request: HttpRequest, pk: int) -> FileResponse:
        return login_required(self._file)(request, pk)  # type: ignore[no-any-return]

    def _file(self, request: HttpRequest, pk: int) -> FileResponse:
        """The uploaded file, as it was uploaded."""
        job = self.job(request, pk)
        return attachment(request.user, job, job.file, job.filename)

    # --- writing ------------------------------------------------------------------------------

    def commit(self, request: HttpRequest, pk: int) -> HttpResponse:
        return login_required(require_POST(self._step))(request, pk, pipeline.request_commit)

    def rerun(self, request: HttpRequest, pk: int) -> HttpResponse:
        return login_required(require_POST(self._step))(request, pk, pipeline.rerun)

    def _step(
        self, request: HttpRequest, pk: int, step: Callable[[Any, jobs.BaseJob], None]
    ) -> HttpResponse:
        job = self.editable_job(request, pk)
        try:
            step(request.user, job)
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        return redirect(self.name(), pk=pk)
