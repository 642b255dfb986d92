"""The page of one report import job: its progress while it runs, then its findings, "Ghi"
after a clean dry run, "Chạy lại" after a failure, its findings as a workbook and its file.
A job is its uploader's (and the system admin's): others get 404, as for the registry's."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from htxso.core import jobs
from htxso.core.scoping import Action, may
from htxso.core.uploads import attachment
from htxso.tabular.findings_workbook import findings_workbook
from htxso.tabular.workbooks import XLSX_CONTENT_TYPE

from . import import_jobs
from .models import ReportImportIssue, ReportImportJob

SHOWN_FINDINGS = 500


def _job(request: HttpRequest, pk: int) -> ReportImportJob:
    jobs.reap(every=settings.JOB_HEARTBEAT)
    return get_object_or_404(
        ReportImportJob.objects.visible_to(request.user).select_related("form"), pk=pk
    )


def _editable_job(request: HttpRequest, pk: int) -> ReportImportJob:
    job = _job(request, pk)
    if not may(request.user, Action.EDIT, job):
        raise PermissionDenied(_("Chỉ người tải tệp lên mới được ghi hoặc chạy lại lượt nhập."))
    return job


@login_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    return render(
        request,
        "reporting/import_job.html",
        {
            "job": job,
            "findings": ReportImportIssue.objects.filter(job=job)[:SHOWN_FINDINGS],
            "shown_limit": SHOWN_FINDINGS,
            "progress": jobs.progress_of(job),
            "may_edit": may(request.user, Action.EDIT, job),
        },
    )


@login_required
def job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress fragment a running job's page polls; a finished job reloads the page."""
    job = _job(request, pk)
    response = render(
        request, "reporting/_import_progress.html", {"job": job, "progress": jobs.progress_of(job)}
    )
    if not job.is_running:
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def job_commit(request: HttpRequest, pk: int) -> HttpResponse:
    job = _editable_job(request, pk)
    try:
        import_jobs.request_commit(request.user, job)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    return redirect("reporting:import-job", pk=pk)


@login_required
@require_POST
def job_rerun(request: HttpRequest, pk: int) -> HttpResponse:
    job = _editable_job(request, pk)
    try:
        import_jobs.rerun(request.user, job)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    return redirect("reporting:import-job", pk=pk)


@login_required
def job_findings(request: HttpRequest, pk: int) -> HttpResponse:
    """The findings as a workbook (`tabular.findings_workbook`, as the registry's)."""
    job = _job(request, pk)
    summary = [
        (_("Tệp"), job.filename),
        (_("Biểu mẫu"), job.form.code),
        (_("Kỳ báo cáo"), job.period),
        (_("Tình trạng"), job.get_status_display()),
        (_("Số dòng"), job.rows),
        (_("Số dòng lỗi"), job.error_rows),
        (_("Tổng số phát hiện"), job.issues_total),
        *job.summary_items(),
    ]
    issues = ReportImportIssue.objects.filter(job=job).order_by("row", "id").iterator(5000)
    response = HttpResponse(
        findings_workbook(summary, issues, job.issues_total), content_type=XLSX_CONTENT_TYPE
    )
    response["Content-Disposition"] = f'attachment; filename="bao-cao-nhap-bc-{job.pk}.xlsx"'
    return response


@login_required
def job_file(request: HttpRequest, pk: int) -> FileResponse:
    """The uploaded file, as it was uploaded."""
    job = _job(request, pk)
    return attachment(request.user, job, job.file, job.filename)
