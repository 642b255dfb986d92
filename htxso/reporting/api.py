"""Reporting operations of the REST API: the statistics (indicators, the cube's cells, releases,
completeness) and periodic reports. Reads start from `visible_to` (reports) and from what the
dashboards show each role (cells: live, or released and small cells suppressed); lists take
their filters from `reporting/filters.py` (the pages' forms); writes call `services`."""

from collections.abc import Callable
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_noop
from ninja import Path, Query, Router
from ninja import Status as Reply
from ninja.errors import HttpError

from htxso.core.api import WRITE_AUTH
from htxso.core.api_filters import api_page, filter_form, filter_schema
from htxso.core.api_schemas import ERRORS, PK, Page
from htxso.core.models import Province
from htxso.core.scoping import Action, Kind, may
from htxso.registry.models import Organisation

from . import completeness, disclosure, services
from .filters import CellFilter, CompletenessFilter, ReportFilter
from .models import (
    Indicator,
    IndicatorCell,
    Release,
    Report,
    ReportForm,
    sees_live,
)
from .periods import Period
from .schemas import (
    CellOut,
    CompletenessOut,
    IndicatorOut,
    ReleaseIn,
    ReleaseOut,
    ReportItem,
    ReportOpen,
    ReportOut,
    ReportValuesIn,
    ReturnIn,
    VersionIn,
)

router = Router(tags=["reporting"])
CellQuery = filter_schema(CellFilter, "CellQuery")
ReportQuery = filter_schema(ReportFilter, "ReportQuery")
CompletenessQuery = filter_schema(CompletenessFilter, "CompletenessQuery")
Code = Annotated[str, Path(max_length=40, pattern=r"^[-a-zA-Z0-9_]+$")]
Limit = Annotated[int | None, Query(ge=1, le=500)]


# -- what each role sees of the statistics -------------------------------------------------------


def visible_cells(user: Any) -> QuerySet[IndicatorCell]:
    """The cells the dashboards show the user (`disclosure.shown_cells` over every province),
    and a provincial officer's own province live besides."""
    shown = disclosure.shown_cells(user, "*")
    own = getattr(user, "province_id", None)
    if own and not sees_live(user, "*") and sees_live(user, own):
        shown = shown | IndicatorCell.objects.filter(area=own)
    return shown


@router.get("/indicators", response={200: list[IndicatorOut], **ERRORS})
def list_indicators(request: HttpRequest) -> QuerySet[Indicator]:
    """The indicator catalogue (published indicators, unless the user sees live figures)."""
    indicators = Indicator.objects.all()
    return indicators if sees_live(request.user, "*") else indicators.filter(is_published=True)


@router.get("/indicators/{code}", response={200: IndicatorOut, **ERRORS})
def get_indicator(request: HttpRequest, code: Code) -> Indicator:
    return get_object_or_404(list_indicators(request), code=code)


@router.get("/cells", response={200: Page[CellOut], **ERRORS})
def list_cells(
    request: HttpRequest,
    filters: Query[CellQuery],  # type: ignore[valid-type]
    cursor: str | None = None,
    limit: Limit = None,
) -> dict[str, Any]:
    """Figures of the cube with their dimensions. The public sees released periods only, small
    cells of organisations' report figures suppressed; national roles (and an officer for their
    province) see live figures."""
    form = filter_form(CellFilter, filters)
    cells = form.filter(visible_cells(request.user)).values(*CellOut.model_fields)
    return api_page(cells, "id", False, cursor, limit)


@router.get("/releases", response={200: list[ReleaseOut], **ERRORS})
def list_releases(request: HttpRequest) -> QuerySet[Release]:
    return Release.objects.all()


@router.post("/releases", auth=WRITE_AUTH, response={201: ReleaseOut, **ERRORS})
def create_release(request: HttpRequest, payload: ReleaseIn) -> Reply:
    """Publish an ended period's figures (central officers and the system admin)."""
    return Reply(201, services.release(request.user, payload.period, payload.note))


def _may_follow(user: Any) -> bool:
    """Completeness is followed by those who review reports (as the completeness page)."""
    return may(user, Action.REVIEW, Kind.REPORT)


@router.get("/completeness", auth=WRITE_AUTH, response={200: CompletenessOut, **ERRORS})
def get_completeness(
    request: HttpRequest,
    filters: Query[CompletenessQuery],  # type: ignore[valid-type]
) -> dict[str, Any]:
    """Expected, received and approved reports per province for a form and period (the last
    ended period by default): national roles every province, an officer their own."""
    user: Any = request.user
    if not _may_follow(user):
        raise PermissionDenied(gettext_noop("Trang này dành cho cán bộ theo dõi báo cáo."))
    data = filter_form(CompletenessFilter, filters).cleaned_data
    forms = ReportForm.objects.filter(is_active=True)
    form = get_object_or_404(forms, code=data["form"]) if data["form"] else forms.first()
    if form is None:
        raise HttpError(404, gettext_noop("Chưa có biểu mẫu báo cáo."))
    period = Period.parse(data["period"] or Period.last_ended(form.periodicity).code)
    if period.periodicity != form.periodicity:
        raise ValidationError(
            {"period": gettext_noop("Kỳ báo cáo không đúng chu kỳ của biểu mẫu.")}
        )
    provinces = None if user.is_national else [user.province_id]
    if data["province"]:
        if provinces is not None and data["province"] not in provinces:
            raise PermissionDenied(gettext_noop("Bạn chỉ theo dõi được tỉnh/thành phố của mình."))
        provinces = [data["province"]]
    rows = completeness.table(form, period, provinces)
    return {
        "form": form.code,
        "period": period.code,
        "deadline": period.deadline(form.deadline_days),
        "summary": completeness.summary(rows),
        "rows": [
            {**row, "province_code": row["province"].code, "province_name": row["province"].name}
            for row in rows
        ],
    }


# -- reports (business figures: never public) ----------------------------------------------------


def _reports(request: HttpRequest) -> QuerySet[Report]:
    return Report.objects.visible_to(request.user).annotate(form_code=F("form__code"))


def _report_out(report: Report) -> dict[str, Any]:
    return {
        "id": report.pk,
        "form_code": report.form.code,
        "form_version": report.form_version.number,
        "period": report.period,
        "organisation_id": report.organisation_id,
        "province_id": report.province_id,
        "status": report.status,
        "version": report.version,
        "values": report.values,
        "flags": report.flags,
        "comment": report.comment,
        "submitted_at": report.submitted_at,
        "reviewed_at": report.reviewed_at,
        "updated_at": report.updated_at,
    }


def _visible_report(request: HttpRequest, pk: int) -> Report:
    return get_object_or_404(
        Report.objects.visible_to(request.user).select_related("form", "form_version"), pk=pk
    )


@router.get("/reports", auth=WRITE_AUTH, response={200: Page[ReportItem], **ERRORS})
def list_reports(
    request: HttpRequest,
    filters: Query[ReportQuery],  # type: ignore[valid-type]
    cursor: str | None = None,
    limit: Limit = None,
) -> dict[str, Any]:
    """The reports the user sees (their organisation's, their province's, or all for national
    roles), by form, period, organisation, province and status."""
    form = filter_form(ReportFilter, filters)
    return api_page(form.filter(_reports(request)), "id", False, cursor, limit)


@router.get("/reports/{int:pk}", auth=WRITE_AUTH, response={200: ReportOut, **ERRORS})
def get_report(request: HttpRequest, pk: PK) -> dict[str, Any]:
    return _report_out(_visible_report(request, pk))


@router.post("/reports", auth=WRITE_AUTH, response={201: ReportOut, **ERRORS})
def open_report(request: HttpRequest, payload: ReportOpen) -> Reply:
    """A draft report, prefilled from the registry, for the roles that fill it in."""
    form = get_object_or_404(ReportForm, code=payload.form)
    organisation = None
    if payload.organisation_id is not None:
        organisation = get_object_or_404(Organisation, pk=payload.organisation_id)
    if payload.province_code and not Province.objects.filter(code=payload.province_code).exists():
        raise ValidationError({"province_code": gettext_noop("Mã tỉnh/thành phố không tồn tại.")})
    report = services.open_report(
        request.user,
        form,
        payload.period,
        organisation=organisation,
        province_id=payload.province_code,
    )
    return Reply(201, _report_out(report))


def _stale(exc: services.StaleReport) -> HttpError:
    return HttpError(409, str(exc))


def _values_errors(exc: ValidationError) -> ValidationError:
    """The form's field keys as the API names them (`revenue` → `values.revenue`)."""
    if not hasattr(exc, "error_dict"):
        return exc
    return ValidationError(
        {(k if k == "__all__" else f"values.{k}"): v for k, v in exc.error_dict.items()}
    )


def _transition(
    request: HttpRequest, pk: int, write: Callable[[], object], *, values: bool = True
) -> dict[str, Any]:
    """One write on a visible report through its service: a stale version is a 409, and (for
    writes that take values) a refused value names `values.<key>`; then the report as it is."""
    _visible_report(request, pk)
    try:
        write()
    except services.StaleReport as exc:
        raise _stale(exc) from None
    except ValidationError as exc:
        if not values:
            raise
        raise _values_errors(exc) from None
    return _report_out(_visible_report(request, pk))


@router.put("/reports/{int:pk}/values", auth=WRITE_AUTH, response={200: ReportOut, **ERRORS})
def save_values(request: HttpRequest, pk: PK, payload: ReportValuesIn) -> dict[str, Any]:
    """Store values (a draft or a returned report); `version` must be the one read (else
    409). Wrong input is refused whole, each field with its Vietnamese message."""
    return _transition(
        request, pk, lambda: services.save_values(request.user, pk, payload.values, payload.version)
    )


@router.post("/reports/{int:pk}/submit", auth=WRITE_AUTH, response={200: ReportOut, **ERRORS})
def submit_report(request: HttpRequest, pk: PK, payload: VersionIn) -> dict[str, Any]:
    """Errors block the submission (422); warnings go to the reviewer as `flags`."""
    return _transition(request, pk, lambda: services.submit(request.user, pk, payload.version))


@router.post("/reports/{int:pk}/approve", auth=WRITE_AUTH, response={200: ReportOut, **ERRORS})
def approve_report(request: HttpRequest, pk: PK, payload: VersionIn) -> dict[str, Any]:
    """A reviewer (the province for its organisations, central officers for provinces)."""
    return _transition(
        request, pk, lambda: services.approve(request.user, pk, payload.version), values=False
    )


@router.post("/reports/{int:pk}/return", auth=WRITE_AUTH, response={200: ReportOut, **ERRORS})
def return_report(request: HttpRequest, pk: PK, payload: ReturnIn) -> dict[str, Any]:
    """Send a submitted report back, or reopen an approved one, with the reason."""
    return _transition(
        request,
        pk,
        lambda: services.return_report(request.user, pk, payload.comment, payload.version),
        values=False,
    )
