"""Import pages: the upload; the job's own pages (progress, findings, commit, re-run, its
workbook and file) are `core.job_views.JobPages`, as for the report import."""

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from htxso.core.job_views import JobPages
from htxso.core.models import User
from htxso.core.scoping import Action, may
from htxso.core.uploads import UploadRefused
from htxso.tabular.findings_workbook import findings_workbook

from . import jobs, services
from .filters import ImportJobFilter
from .forms import ImportForm
from .layouts import LAYOUTS
from .models import ImportIssue, ImportJob


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
            if services.start_upload(user, job, interactive=True):
                return redirect("exchange:job-mapping", pk=job.pk)
            return redirect("exchange:job", pk=job.pk)
    # The one filter of import jobs (the API's too); an invalid value filters nothing.
    filters = ImportJobFilter(request.GET, auto_id="filter_%s")  # ids apart from the upload
    recent = filters.filter(ImportJob.objects.visible_to(request.user)).select_related(
        "created_by"
    )[:30]
    return render(
        request,
        "exchange/index.html",
        {"form": form, "jobs": recent, "filters": filters, "layouts": LAYOUTS},
        status=400 if form.errors else 200,
    )


def _mapping_page(job: ImportJob) -> str | None:
    """A job waiting for its columns to be confirmed opens on its mapping page."""
    return reverse("exchange:job-mapping", args=[job.pk]) if job.needs_mapping else None


pages = JobPages(
    model=ImportJob,
    findings=ImportIssue,
    namespace="exchange",
    route="job",
    template="exchange/job.html",
    workbook=findings_workbook,
    download_prefix="bao-cao-nhap",
    select_related=("created_by",),
    waiting=lambda job: (
        reverse("exchange:job-mapping", args=[job.pk]) if job.needs_mapping else None
    ),
)
