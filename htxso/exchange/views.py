"""Import pages: upload, the dry-run report with a live progress bar, commit, re-run."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from htxso.core.models import User
from htxso.core.scoping import Action, may
from htxso.core.uploads import UploadRefused, attachment
from htxso.tabular.sources import FileError

from . import jobs, mapping, services
from .forms import ImportForm
from .layouts import LAYOUTS
from .models import ImportIssue, ImportJob, Severity

SHOWN_ISSUES = 500


def may_import(user: Any) -> bool:
    """Kept for callers of this name: `core.scoping.may(user, "import")` decides."""
    return may(user, Action.IMPORT)


def _require_importer(request: HttpRequest) -> None:
    if not may_import(request.user):
        raise PermissionDenied(_("Vai trò của bạn không được nhập dữ liệu vào sổ đăng ký."))


@login_required
def index(request: HttpRequest) -> HttpResponse:
    _require_importer(request)
    jobs.reap(every=settings.JOB_HEARTBEAT)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():  # checked by name and size, then by bytes
        upload = form.cleaned_data["file"]
        user = request.user
        assert isinstance(user, User)  # login_required
        try:
            job = services.create_job(
                user, form.cleaned_data["kind"], form.cleaned_data["strategy"], upload, upload.name
            )
        except UploadRefused as exc:
            form.add_error("file", exc.messages[0])
        else:
            return _after_upload(user, job)
    recent = ImportJob.objects.visible_to(request.user).select_related("created_by")[:30]
    return render(
        request,
        "exchange/index.html",
        {"form": form, "jobs": recent, "layouts": LAYOUTS},
        status=400 if form.errors else 200,
    )


def _after_upload(user: User, job: ImportJob) -> HttpResponse:
    """The mapping step: a file read as the template, or of a shape whose mapping this
    province confirmed before, goes straight to its dry run; any other waits on the mapping
    page. A file that cannot be read goes to its dry run too, which says why."""
    try:
        proposal = mapping.propose(job)
    except FileError:
        proposal = None
    if proposal is not None and proposal.remembered:
        services.confirm_mapping(user, job, proposal.header_row, proposal.keys, remember=False)
    elif proposal is not None and not proposal.plain:
        job.needs_mapping = True
        job.save(update_fields=["needs_mapping"])
        return redirect("exchange:job-mapping", pk=job.pk)
    services.start(user, job)
    return redirect("exchange:job", pk=job.pk)


def _job(request: HttpRequest, pk: int) -> ImportJob:
    return get_object_or_404(ImportJob.objects.visible_to(request.user), pk=pk)


@login_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    jobs.reap(every=settings.JOB_HEARTBEAT)
    job = _job(request, pk)
    if job.needs_mapping:
        return redirect("exchange:job-mapping", pk=pk)
    issues = ImportIssue.objects.filter(job=job)
    shown = list(issues.exclude(severity=Severity.CONVERSION)[:SHOWN_ISSUES])
    conversions = list(issues.filter(severity=Severity.CONVERSION)[:SHOWN_ISSUES])
    return render(
        request,
        "exchange/job.html",
        {
            "job": job,
            "issues": shown,
            "conversions": conversions,
            "shown_limit": SHOWN_ISSUES,
            "progress": jobs.progress_of(job.pk),
            "may_edit": ImportJob.objects.editable_by(request.user).filter(pk=pk).exists(),
        },
    )


@login_required
def job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress fragment a running job's page polls; a finished job reloads the page."""
    jobs.reap(every=settings.JOB_HEARTBEAT)
    job = _job(request, pk)
    response = render(
        request, "exchange/_progress.html", {"job": job, "progress": jobs.progress_of(job.pk)}
    )
    if not job.is_running:
        response["HX-Refresh"] = "true"
    return response


def _editable_job(request: HttpRequest, pk: int) -> ImportJob:
    job = _job(request, pk)
    if not ImportJob.objects.editable_by(request.user).filter(pk=pk).exists():
        raise PermissionDenied(_("Chỉ người tải tệp lên mới được ghi hoặc chạy lại lượt nhập."))
    return job


@login_required
@require_POST
def job_commit(request: HttpRequest, pk: int) -> HttpResponse:
    job = _editable_job(request, pk)
    try:
        services.request_commit(request.user, job)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    return redirect("exchange:job", pk=pk)


@login_required
@require_POST
def job_rerun(request: HttpRequest, pk: int) -> HttpResponse:
    job = _editable_job(request, pk)
    try:
        services.rerun(request.user, job)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    return redirect("exchange:job", pk=pk)


@login_required
def job_report(request: HttpRequest, pk: int) -> HttpResponse:
    from .findings_workbook import report_workbook

    job = _job(request, pk)
    issues = ImportIssue.objects.filter(job=job).order_by("row", "id").iterator(chunk_size=5000)
    response = HttpResponse(
        report_workbook(job, issues),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="bao-cao-nhap-{job.pk}.xlsx"'
    return response


@login_required
def job_file(request: HttpRequest, pk: int) -> FileResponse:
    """The uploaded file of a job, as it was uploaded (its owner, the system admin)."""
    job = _job(request, pk)
    return attachment(request.user, job, job.file, job.filename)
