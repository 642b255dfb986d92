"""The import page of reports: choose a form and a period, upload a file, check it without
writing ("Kiểm tra (không ghi)") or write it ("Ghi"), and read the findings.

Synchronous: a file holds at most a province's HTX (a few thousand rows), bounded by
`report_import.max_bytes()` and `max_rows()`. A file that passed the check is kept (under
MEDIA_ROOT, named by a random token held in the session, for a day) so "Ghi" needs no
re-upload; the commit runs every check again (the database may have moved on).
"""

import hashlib
import time
import uuid
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from htxso.core.scoping import Action, may
from htxso.registry.forms import StyledForm
from htxso.tabular.workbooks import XLSX_CONTENT_TYPE

from . import report_import
from .models import ReportForm, Respondent
from .periods import Period

SESSION_KEY = "reporting_import"
KEPT_DIR = "reporting-imports"
KEPT_SECONDS = 24 * 3600
SHOWN_FINDINGS = 500
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


# --- the file kept between the check and the commit ----------------------------------------------


def _kept_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / KEPT_DIR


def _kept(request: HttpRequest) -> dict[str, Any] | None:
    entry = request.session.get(SESSION_KEY)
    if not isinstance(entry, dict) or entry.get("user") != request.user.pk:
        return None
    path = _kept_dir() / f"{entry.get('token', '')}{entry.get('suffix', '')}"
    if not str(entry.get("token", "")).isalnum() or not path.is_file():
        return None
    return {**entry, "path": path}


def _forget(request: HttpRequest) -> None:
    entry = _kept(request)
    if entry is not None:
        entry["path"].unlink(missing_ok=True)
    request.session.pop(SESSION_KEY, None)


def _keep(request: HttpRequest, upload: Any, form: ReportForm, period: str) -> dict[str, Any]:
    _forget(request)
    directory = _kept_dir()
    directory.mkdir(parents=True, exist_ok=True)
    now = time.time()
    for old in directory.iterdir():  # files nobody came back for
        try:
            if now - old.stat().st_mtime > KEPT_SECONDS:
                old.unlink()
        except OSError:
            pass
    token, suffix = uuid.uuid4().hex, Path(upload.name).suffix.lower()
    digest = hashlib.sha256()
    with open(directory / f"{token}{suffix}", "wb") as handle:
        upload.seek(0)
        for chunk in upload.chunks():
            digest.update(chunk)
            handle.write(chunk)
    entry = {
        "token": token,
        "suffix": suffix,
        "filename": Path(upload.name).name[:200],
        "sha256": digest.hexdigest(),
        "form": form.code,
        "period": period,
        "user": request.user.pk,
    }
    request.session[SESSION_KEY] = entry
    return {**entry, "path": directory / f"{token}{suffix}"}


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
    if (
        request.method == "POST"
        and _declared_length(request) > report_import.max_bytes() + BODY_SLACK
    ):
        # Refused before the body is read (the CSRF check would read and store it first).
        form = ReportImportForm(initial=_initial())
        return _render(request, form, None, None, status=413, refused=report_import.too_large())
    return _page(request)


def _initial() -> dict[str, str]:
    first = _forms().first()
    return {"form": first.code if first else "", "period": _default_period(first)}


@csrf_protect
def _page(request: HttpRequest) -> HttpResponse:
    kept = _kept(request)
    if request.method != "POST":
        return _render(request, ReportImportForm(initial=_initial()), None, kept)
    form = ReportImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render(request, form, None, kept, status=400)
    commit = request.POST.get("action") == "commit"
    report_form: ReportForm = form.cleaned_data["report_form"]
    period: str = form.cleaned_data["period"]
    upload = form.cleaned_data.get("file")
    if upload is None and (kept is None or request.POST.get("kept") != kept["token"]):
        form.add_error(
            "file",
            _("Hãy chọn tệp XLSX hoặc CSV (tệp đã kiểm tra trước đây không còn giữ)."),
        )
        return _render(request, form, None, kept, status=400)
    if upload is not None:
        _forget(request)  # a new file replaces the one kept
        source: Any = upload
        filename = upload.name
    else:
        assert kept is not None
        source, filename = kept["path"], kept["filename"]
    result = report_import.run(request.user, report_form, period, source, commit, filename=filename)
    if result.committed or result.has_errors:  # written, or to be fixed: nothing to keep
        _forget(request)
        kept = None
    elif upload is not None:
        kept = _keep(request, upload, report_form, period)
    return _render(request, form, result, kept, commit=commit)


def _render(
    request: HttpRequest,
    form: ReportImportForm,
    result: report_import.Result | None,
    kept: dict[str, Any] | None,
    commit: bool = False,
    status: int = 200,
    refused: str = "",
) -> HttpResponse:
    findings = result.findings[:SHOWN_FINDINGS] if result is not None else []
    return render(
        request,
        "reporting/import.html",
        {
            "form": form,
            "result": result,
            "commit": commit,
            "findings": findings,
            "shown_limit": SHOWN_FINDINGS,
            "kept": kept,
            "refused": refused,
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
