"""Import operations of the REST API: the registry's bulk imports (organisations, members) as
jobs — upload, the dry run's findings, commit, re-run. A job is its uploader's (the system
admin sees every job): reads start from `ImportJob.objects.visible_to`, so another user's job
is 404; lists take their filters from `exchange/filters.py` (the import page's form); writes
call `services` (the pages' write path: owner, status, audit), so a job one sees but did not
upload is 403 and a step the job's status does not allow is 422."""

from collections.abc import Callable
from typing import Annotated, Any, Literal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_noop
from ninja import File, Form, Query, Router, UploadedFile
from ninja import Status as Reply

from htxso.core import jobs as core_jobs
from htxso.core.api import WRITE_AUTH
from htxso.core.api_filters import api_page, filter_form, filter_schema
from htxso.core.api_schemas import ERRORS, PK, Page
from htxso.core.scoping import Action, may
from htxso.core.uploads import UploadRefused

from . import jobs, services
from .filters import FindingFilter, ImportJobFilter
from .forms import ImportForm
from .models import ImportIssue, ImportJob
from .schemas import FindingOut, ImportJobItem, ImportJobOut

router = Router(tags=["exchange"])
ImportJobQuery = filter_schema(ImportJobFilter, "ImportJobQuery")
FindingQuery = filter_schema(FindingFilter, "FindingQuery")
Limit = Annotated[int | None, Query(ge=1, le=500)]
KindCode = Literal["organisations", "members"]
StrategyCode = Literal["create", "update", "upsert"]


def _jobs(request: HttpRequest) -> QuerySet[ImportJob]:
    jobs.reap(every=settings.JOB_HEARTBEAT)  # a job whose worker died reads as failed
    return ImportJob.objects.visible_to(request.user)


def _visible_job(request: HttpRequest, pk: int) -> ImportJob:
    return get_object_or_404(_jobs(request), pk=pk)


def _job_out(job: ImportJob) -> dict[str, Any]:
    out = {name: getattr(job, name) for name in ImportJobOut.model_fields if name != "progress"}
    out["progress"] = (core_jobs.progress_of(job) or None) if job.is_running else None
    return out


@router.get("/imports", auth=WRITE_AUTH, response={200: Page[ImportJobItem], **ERRORS})
def list_imports(
    request: HttpRequest,
    filters: Query[ImportJobQuery],  # type: ignore[valid-type]
    cursor: str | None = None,
    limit: Limit = None,
) -> dict[str, Any]:
    """The caller's import jobs, newest first (the system admin: everyone's), by kind, status
    and strategy."""
    form = filter_form(ImportJobFilter, filters)
    return api_page(form.filter(_jobs(request)), "id", True, cursor, limit)


@router.get("/imports/{int:pk}", auth=WRITE_AUTH, response={200: ImportJobOut, **ERRORS})
def get_import(request: HttpRequest, pk: PK) -> dict[str, Any]:
    """One job: its status, counters and summary; `progress` while it runs."""
    return _job_out(_visible_job(request, pk))


@router.get(
    "/imports/{int:pk}/findings", auth=WRITE_AUTH, response={200: Page[FindingOut], **ERRORS}
)
def list_findings(
    request: HttpRequest,
    pk: PK,
    filters: Query[FindingQuery],  # type: ignore[valid-type]
    cursor: str | None = None,
    limit: Limit = None,
) -> dict[str, Any]:
    """What the job's last run found, row by row (errors, warnings, address conversions)."""
    job = _visible_job(request, pk)
    findings = filter_form(FindingFilter, filters).filter(ImportIssue.objects.filter(job=job))
    return api_page(findings, "row", False, cursor, limit)


@router.post("/imports", auth=WRITE_AUTH, response={202: ImportJobOut, **ERRORS})
def upload(
    request: HttpRequest,
    file: File[UploadedFile],
    kind: Form[KindCode],
    strategy: Form[StrategyCode] = "upsert",
) -> Reply:
    """Upload an XLSX or CSV file (multipart: `file`, `kind`, `strategy`) and start its dry
    run; nothing is written to the registry until `commit`. The file is checked as on the
    import page (its name, size, then its bytes: XLSX or CSV, not empty): refused, 422 on
    `file`. Answers 202 with the job (its dry run may still be running: poll the job)."""
    user: Any = request.user
    if not may(user, Action.IMPORT):
        raise PermissionDenied(
            gettext_noop("Vai trò của bạn không được nhập dữ liệu vào sổ đăng ký.")
        )
    form = ImportForm({"kind": kind, "strategy": strategy}, {"file": file})
    if not form.is_valid():
        raise ValidationError(form.errors.as_data())
    try:
        job = services.create_job(user, kind, strategy, file, file.name or "tep")
    except UploadRefused as exc:
        raise ValidationError({"file": exc.error_list}) from None
    services.start_upload(user, job, interactive=False)
    return Reply(202, _job_out(_visible_job(request, job.pk)))


def _transition(request: HttpRequest, pk: int, write: Callable[[Any, ImportJob], None]) -> Reply:
    """One step on a visible job through its service: not the uploader's, 403; a status
    that does not allow it, 422 with the pages' message; then the job as it is (202)."""
    write(request.user, _visible_job(request, pk))
    return Reply(202, _job_out(_visible_job(request, pk)))


@router.post("/imports/{int:pk}/commit", auth=WRITE_AUTH, response={202: ImportJobOut, **ERRORS})
def commit_import(request: HttpRequest, pk: PK) -> Reply:
    """Write a job whose dry run found no error (status `valid`) into the registry: the file
    is checked again and written all or nothing."""
    return _transition(request, pk, services.request_commit)


@router.post("/imports/{int:pk}/rerun", auth=WRITE_AUTH, response={202: ImportJobOut, **ERRORS})
def rerun_import(request: HttpRequest, pk: PK) -> Reply:
    """Run a failed job again (its dry run, or its commit if one was asked for)."""
    return _transition(request, pk, services.rerun)
