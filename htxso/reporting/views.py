"""Report pages: the list, opening a report, filling it in, submitting, reviewing, and who is
still to report. Forms are read from the form version; services write (with audit); a
refused action says why in Vietnamese and keeps what was typed."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.forms import HiddenInput, Select
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from htxso.core.forms import style
from htxso.core.lists import build
from htxso.core.scoping import Action, Kind, Reach, may, reach
from htxso.core.values import format_number
from htxso.registry.models import Organisation
from htxso.tabular.csv_stream import csv_stream
from htxso.tabular.workbooks import XLSX_CONTENT_TYPE, stream_xlsx

from . import completeness, services
from .definitions import localised
from .filters import ReportFilter
from .lists import REPORTS
from .models import Report, ReportForm, ReportStatus
from .periods import Period
from .report_export import FORMATS as EXPORT_FORMATS
from .report_export import WIDTHS, report_rows


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    # The one filter of reports (the API's too); an invalid value filters nothing and is named.
    filters = ReportFilter(request.GET)
    reports = filters.filter(
        Report.objects.visible_to(request.user)
        .select_related("form")
        .prefetch_related(Prefetch("organisation", Organisation.objects.only("id", "name")))
        .defer("values", "contribution")
    )
    listing = build(request, REPORTS, reports)
    forms = ReportForm.objects.filter(is_active=True)
    _page_widgets(filters, forms)
    user: Any = request.user
    openable = []
    fills = reach(user, Action.EDIT, Kind.REPORT)
    if Reach.ORGANISATION in fills and user.organisation_id:
        org = Organisation.objects.filter(pk=user.organisation_id).first()
        for form in forms.filter(respondent="organisation"):
            if org is not None and org.kind in form.organisation_kinds:
                openable.append(form)
    return render(
        request,
        "reporting/list.html",
        {
            "listing": listing,
            "filters": filters,
            "forms": forms,
            "openable": openable,
            "may_open_province": Reach.PROVINCE in fills,
        },
        status=listing.status,
    )


def _page_widgets(filters: ReportFilter, forms: Any) -> None:
    """The page's widgets for the filter (the API reads the same fields as plain values): the
    forms as a select by title, the organisation (a link from elsewhere) kept but not shown."""
    filters.fields["form"].widget = Select(
        choices=[("", _("Mọi biểu mẫu")), *((f.code, f.title) for f in forms)]
    )
    filters.fields["organisation"].widget = HiddenInput()
    filters.fields["period"].widget.attrs["placeholder"] = _("vd 2025S1")
    style(filters)


@login_required
@require_POST
def report_open(request: HttpRequest) -> HttpResponse:
    form = get_object_or_404(ReportForm, code=request.POST.get("form", ""))
    organisation = None
    org_id = _int(request.POST.get("organisation"))
    if org_id is not None:
        organisation = get_object_or_404(Organisation, pk=org_id)
    try:
        report = services.open_report(
            request.user,
            form,
            request.POST.get("period", ""),
            organisation=organisation,
            province_id=request.POST.get("province") or None,
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("reporting:list")
    messages.success(request, _("Đã lập báo cáo; hãy nhập số liệu rồi nộp."))
    return redirect("reporting:report", pk=report.pk)


def _shown(value: Any) -> str:
    """A stored value as the page writes it: 1.234.567, Có / Không, nothing for none."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Có") if value else _("Không")
    return format_number(value)


def _fields(report: Report, raw: dict[str, Any], errors: dict[str, list[str]]) -> list[dict]:
    definition = services.definition_of(report.form_version)
    previous = services.previous_values(report) or {}
    rows = []
    for field in definition.fields:
        # What was typed is shown back as typed; a stored number the Vietnamese way.
        value = raw.get(field.key, report.values.get(field.key))
        if field.key not in raw and not isinstance(value, bool):
            value = format_number(value)
        rows.append(
            {
                "key": field.key,
                "label": field.title,
                "unit": field.unit,
                "type": field.type,
                "required": field.required,
                "value": "" if value is None else value,
                "previous": _shown(previous.get(field.key)),
                "errors": errors.get(field.key, []),
            }
        )
    return rows


def _flags(report: Report) -> list[dict]:
    return [{**f, "message": localised({"vi": f["vi"], "en": f["en"]})} for f in report.flags]


@login_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(
        Report.objects.visible_to(request.user).select_related(
            "form", "form_version", "organisation", "province"
        ),
        pk=pk,
    )
    editable = Report.objects.editable_by(request.user).filter(pk=pk).exists()
    reviewable = Report.objects.reviewable_by(request.user).filter(pk=pk).exists()
    raw: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        version = _int(request.POST.get("version"))
        raw = {
            k: request.POST.get(k, "") for k in services.definition_of(report.form_version).by_key
        }
        try:
            if version is None:  # every form of the page carries it: optimistic locking
                raise ValidationError(_("Thiếu phiên bản của báo cáo; vui lòng tải lại trang."))
            if action in ("save", "submit"):
                if not editable:
                    raise PermissionDenied(_("Bạn không có quyền sửa báo cáo này."))
                report = services.save_values(request.user, pk, raw, version)
                if action == "submit":
                    report = services.submit(request.user, pk, report.version)
                    messages.success(request, _("Đã nộp báo cáo."))
                else:
                    messages.success(request, _("Đã lưu."))
            elif action == "approve":
                services.approve(request.user, pk, version)
                messages.success(request, _("Đã duyệt báo cáo."))
            elif action == "return":
                services.return_report(request.user, pk, request.POST.get("comment", ""), version)
                messages.success(request, _("Đã trả lại báo cáo."))
            else:
                raise Http404
            return redirect("reporting:report", pk=pk)
        except services.StaleReport as exc:
            errors["__all__"] = [str(exc)]
            status = 409
        except ValidationError as exc:
            errors = (
                dict(exc.message_dict)
                if hasattr(exc, "error_dict")
                else {"__all__": list(exc.messages)}
            )
            status = 422
        report.refresh_from_db()
    return render(
        request,
        "reporting/report.html",
        {
            "report": report,
            "period": Period.parse(report.period),
            "fields": _fields(report, raw, errors),
            "form_errors": errors.get("__all__", []),
            "comment_errors": errors.get("comment", []),
            "flags": _flags(report),
            "editable": editable,
            "reviewable": reviewable
            and report.status
            in (
                ReportStatus.SUBMITTED,
                ReportStatus.APPROVED,
            ),
            "comment": request.POST.get("comment", "") if request.method == "POST" else "",
        },
        status=status,
    )


def _may_follow(user: Any) -> bool:
    """Completeness is followed by those who review reports: national and provincial roles."""
    return may(user, Action.REVIEW, Kind.REPORT)


@login_required
def completeness_view(request: HttpRequest) -> HttpResponse:
    """Received / expected per province and the organisations still to report."""
    if not _may_follow(request.user):
        raise PermissionDenied(_("Trang này dành cho cán bộ theo dõi báo cáo."))
    forms = list(ReportForm.objects.filter(is_active=True))
    form = next(
        (f for f in forms if f.code == request.GET.get("form")), forms[0] if forms else None
    )
    if form is None:
        raise Http404(_("Chưa có biểu mẫu báo cáo."))
    try:
        period = Period.parse(request.GET.get("period") or Period.last_ended(form.periodicity).code)
        if period.periodicity != form.periodicity:
            raise ValidationError(_("Kỳ báo cáo không đúng chu kỳ của biểu mẫu."))
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        period = Period.parse(Period.last_ended(form.periodicity).code)
    user: Any = request.user
    own = None if user.is_national else [user.province_id]
    rows = completeness.table(form, period, own)
    province = request.GET.get("province") or (user.province_id if own else "")
    missing_page = None
    if province and (own is None or province in own):
        missing_page = Paginator(completeness.missing(form, period, province), 100).get_page(
            request.GET.get("page")
        )
    return render(
        request,
        "reporting/completeness.html",
        {
            "forms": forms,
            "form": form,
            "period": period,
            "deadline": period.deadline(form.deadline_days),
            "rows": rows,
            "summary": completeness.summary(rows),
            "province": province,
            "missing": missing_page,
        },
    )


@login_required
@require_GET
def report_export(request: HttpRequest, fmt: str) -> HttpResponse | StreamingHttpResponse:
    """The report list with the page's filters and sort, as CSV or XLSX, streamed."""
    if fmt not in EXPORT_FORMATS:
        raise Http404(_("Định dạng tệp không được hỗ trợ."))
    try:
        headers, rows = report_rows(request.user, request.GET, fmt)
    except ValidationError as exc:
        text = _("Bộ lọc không hợp lệ: %s") % " ".join(exc.messages)
        return HttpResponseBadRequest(text, content_type="text/plain; charset=utf-8")
    if fmt == "csv":
        response = StreamingHttpResponse(
            csv_stream(headers, rows), content_type="text/csv; charset=utf-8"
        )
    else:
        response = StreamingHttpResponse(
            stream_xlsx(headers, rows, widths=WIDTHS), content_type=XLSX_CONTENT_TYPE
        )
    filename = f"bao-cao-{timezone.localdate():%Y%m%d}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
