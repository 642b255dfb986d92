"""The import page of reports: choose a form and a period, upload a file; it is checked in
the background without writing (a `ReportImportJob`, `import_jobs`), and its page
(`import_job_views`) shows the progress, the findings, "Ghi" once the dry run found no error,
and "Chạy lại" after a failure — the registry import's flow, on the same jobs framework.

The upload is bounded by `report_import.max_bytes()` (refused from the request's length before
the body is read) and checked by its bytes (`core.uploads`); nothing is kept in the session.
"""

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from htxso.core import jobs
from htxso.core.forms import StyledForm
from htxso.core.models import User
from htxso.core.scoping import Action, may
from htxso.core.uploads import UploadRefused
from htxso.tabular.workbooks import XLSX_CONTENT_TYPE

from . import import_jobs, report_import
from .models import ReportForm, ReportImportJob, Respondent
from .periods import Period

RECENT_JOBS = 20
# A multipart body carries a little more than the file (boundaries, the other fields).
BODY_SLACK = 64 * 1024


def _require_importer(request: HttpRequest) -> None:
    if not may(request.user, Action.IMPORT):
        raise PermissionDenied(_("Vai trò của bạn không được nhập báo cáo."))


def _forms() -> QuerySet[ReportForm]:
    return ReportForm.objects.filter(is_active=True, respondent=Respondent.ORGANISATION)


def _default_period(form: ReportForm | None) -> str:

    if form is None:
        return ""
    return Period.last_ended(form.periodicity).code


class ReportImportForm(StyledForm):
    form = forms.ChoiceField(label=gettext_lazy("Biểu mẫu"))
    period = forms.CharField(
        label=gettext_lazy("Kỳ báo cáo"),
        max_length=7,
        help_text=gettext_lazy("2025 (năm) hoặc 2025S1, 2025S2 (6 tháng)."),
    )
    file = forms.FileField(label=gettext_lazy("Tệp XLSX hoặc CSV"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.report_forms = {f.code: f for f in _forms()}
        field = self.fields["form"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(code, f.name) for code, f in self.report_forms.items()]

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if upload is not None:
            refusal = report_import.refuse_file(upload.name, upload.size or 0)
            if refusal:
                raise forms.ValidationError(refusal)
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        form = self.report_forms.get(data.get("form", ""))
        if form is not None and data.get("period"):
            try:
                period, _version = report_import.period_and_version(form, data["period"])
            except ValidationError as exc:
                self.add_error("period", exc.messages[0])
            else:
                data["period"] = period.code
        data["report_form"] = form
        return data


# --- the pages -----------------------------------------------------------------------------------


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


@csrf_exempt  # checked by `_page` below, once the body is known not to be oversized
@login_required
def import_reports(request: HttpRequest) -> HttpResponse:
    _require_importer(request)
    jobs.reap(every=settings.JOB_HEARTBEAT)
    if (
        request.method == "POST"
        and _declared_length(request) > report_import.max_bytes() + BODY_SLACK
    ):
        # Refused before the body is read (the CSRF check would read and store it first).
        form = ReportImportForm(initial=_initial())
        return _render(request, form, status=413, refused=report_import.too_large())
    return _page(request)


def _initial() -> dict[str, str]:
    first = _forms().first()
    return {"form": first.code if first else "", "period": _default_period(first)}


@csrf_protect
def _page(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _render(request, ReportImportForm(initial=_initial()))
    form = ReportImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render(request, form, status=400)
    upload = form.cleaned_data.get("file")
    if upload is None:
        form.add_error("file", _("Hãy chọn tệp XLSX hoặc CSV."))
        return _render(request, form, status=400)
    user = request.user
    assert isinstance(user, User)  # login_required
    try:
        job = import_jobs.create_job(
            user, form.cleaned_data["report_form"], form.cleaned_data["period"], upload, upload.name
        )
    except UploadRefused as exc:
        form.add_error("file", exc.messages[0])
        return _render(request, form, status=400)
    import_jobs.start(user, job)
    return redirect("reporting:import-job", pk=job.pk)


def _render(
    request: HttpRequest, form: ReportImportForm, status: int = 200, refused: str = ""
) -> HttpResponse:
    recent = ReportImportJob.objects.visible_to(request.user).select_related("form", "created_by")
    return render(
        request,
        "reporting/import.html",
        {
            "form": form,
            "refused": refused,
            "jobs": recent[:RECENT_JOBS],
            "forms": _forms(),
            "max_mb": report_import.max_bytes() // 2**20,
            "max_rows": report_import.max_rows(),
        },
        status=status,
    )


@login_required
def template(request: HttpRequest) -> HttpResponse:
    """GET ?form=htx-annual&period=2025: the XLSX template of the version in force then."""
    _require_importer(request)
    code = request.GET.get("form") or _initial()["form"]
    form = _forms().filter(code=code).first()
    if form is None:
        raise Http404(_("Không có biểu mẫu này."))
    period = request.GET.get("period") or _default_period(form)
    try:
        content = report_import.template(form, period)
    except ValidationError as exc:
        return HttpResponse(exc.messages[0], status=400, content_type="text/plain; charset=utf-8")
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    name = report_import.template_filename(form, period)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
