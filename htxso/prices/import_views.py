"""The price file pages: the upload (checked in the background without writing: a
`PriceImportJob`), the template, and the job's pages — `core.job_views.JobPages`, the same as
the registry's and the reports' (progress, findings, "Ghi", "Chạy lại", the findings workbook,
the uploaded file). Who may: `may(user, "import", Kind.PRICES)` (the system admin, provincial
officers for their province, cooperative managers); each row is checked for its province."""

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from htxso.core import jobs
from htxso.core.forms import StyledForm
from htxso.core.job_views import JobPages
from htxso.core.scoping import Action, Kind, may
from htxso.core.uploads import UploadRefused
from htxso.tabular.findings_workbook import findings_workbook
from htxso.tabular.workbooks import XLSX_CONTENT_TYPE, template_workbook

from . import import_jobs, price_file
from .models import PriceImportIssue, PriceImportJob

RECENT_JOBS = 20

pages = JobPages(
    model=PriceImportJob,
    findings=PriceImportIssue,
    namespace="prices",
    route="import-job",
    template="prices/import_job.html",
    workbook=findings_workbook,
    download_prefix="nhap-gia",
)


class UploadForm(StyledForm):
    file = forms.FileField(label=gettext_lazy("Tệp XLSX hoặc CSV"), required=False)


def _require_importer(request: HttpRequest) -> None:
    if not may(request.user, Action.IMPORT, Kind.PRICES):
        raise PermissionDenied(_("Vai trò của bạn không được nhập giá từ tệp."))


@require_http_methods(["GET", "POST"])
@login_required
def upload(request: HttpRequest) -> HttpResponse:
    _require_importer(request)
    jobs.reap(every=settings.JOB_HEARTBEAT)
    posted = request.method == "POST"
    form = UploadForm(request.POST, request.FILES) if posted else UploadForm()
    if posted and form.is_valid():
        file = form.cleaned_data.get("file")
        if file is None:
            form.add_error("file", _("Hãy chọn tệp XLSX hoặc CSV."))
        else:
            try:
                job = import_jobs.create_job(request.user, file, file.name or "gia.csv")
            except UploadRefused as exc:
                form.add_error("file", exc.messages[0])
            else:
                import_jobs.start(request.user, job)
                return redirect("prices:import-job", pk=job.pk)
    recent = PriceImportJob.objects.visible_to(request.user)[:RECENT_JOBS]
    return render(
        request,
        "prices/import.html",
        {"form": form, "jobs": recent, "max_mb": import_jobs.max_bytes() // 2**20},
        status=422 if form.errors else 200,  # refused: said why, nothing kept
    )


@require_GET
@login_required
def template(request: HttpRequest) -> HttpResponse:
    _require_importer(request)
    response = HttpResponse(template_workbook(price_file.LAYOUT), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = 'attachment; filename="mau-nhap-gia.xlsx"'
    return response
