"""The one write path of reporting: reports through their workflow (form versions, releases and
the reference catalogue: `catalogue.py`, re-exported here).

draft → submitted → approved (locked), or submitted → returned (with a comment) → submitted…;
a reviewer may reopen an approved report (it goes back to returned and leaves the cube).
Every function takes the acting user (None = the system), checks permission, validates with
Vietnamese messages, writes, records an audit entry and updates the cube, in one transaction.
"""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from htxso.core.audit import record, snapshot
from htxso.core.models import Province
from htxso.core.scoping import Action, may
from htxso.core.versions import StaleEdit
from htxso.registry.choices import CLOSED_STATUSES
from htxso.registry.models import Organisation

from . import cube, measures
from .catalogue import (  # noqa: F401 — the app's one write path: services.release(…)
    add_form_version,
    definition_of,
    load_reference,
    may_release,
    release,
    release_past,
    version_for,
)
from .definitions import ERROR
from .models import FormVersion, Report, ReportForm, ReportStatus, Respondent
from .periods import Period


class StaleReport(StaleEdit):
    """The action was based on an older version of the report."""

    def __init__(self, current_version: int) -> None:
        super().__init__(
            current_version, _("Báo cáo đã được người khác cập nhật; vui lòng tải lại.")
        )


def _audit_fields(report: Report) -> dict:
    return snapshot(report)


def _locked(report_id: int, expected_version: int | None) -> Report:
    # Lock the report row only: a bare FOR UPDATE over the join would also lock the form
    # (every report of a form would queue behind one another) and the organisation.
    report = (
        Report.objects.select_for_update(of=("self",))
        .select_related("form", "form_version", "organisation")
        .get(pk=report_id)
    )
    if expected_version is not None and report.version != expected_version:
        raise StaleReport(report.version)
    return report


def _may_fill(actor: Any, form: ReportForm, organisation: Any, province_id: str) -> bool:
    """Whether `actor` may open (and so fill in) this respondent's report: `Report.scope`."""
    return may(
        actor, Action.EDIT, Report(form=form, province_id=province_id, organisation=organisation)
    )


def prefill(version: FormVersion, organisation: Organisation | None) -> dict[str, Any]:
    """Values the registry already knows (members, member cooperatives)."""
    if organisation is None:
        return {}
    known = {
        "members_count": organisation.members_count,
        "member_organisations": organisation.memberships.filter(
            member_organisation__isnull=False, left_on__isnull=True
        ).count(),
    }
    out = {}
    for field in definition_of(version).fields:
        if field.prefill in known:
            out[field.key] = known[field.prefill]
    return out


@transaction.atomic
def open_report(
    actor: Any,
    form: ReportForm,
    period_code: str,
    organisation: Organisation | None = None,
    province_id: str | None = None,
    today: dt.date | None = None,
) -> Report:
    """A draft report for a respondent and a period, prefilled from the registry."""
    period = Period.parse(period_code)
    today = today or timezone.localdate()
    if not form.is_active:
        raise ValidationError(_("Biểu mẫu %s không còn áp dụng.") % form.name)
    if period.periodicity != form.periodicity:
        raise ValidationError({"period": _("Kỳ báo cáo không đúng chu kỳ của biểu mẫu.")})
    if period.start > today:
        raise ValidationError({"period": _("Chưa đến kỳ báo cáo này.")})
    if form.respondent == Respondent.ORGANISATION:
        if organisation is None:
            raise ValidationError(_("Biểu mẫu này do tổ chức kinh tế tập thể báo cáo."))
        # As stored now: the caller's instance may predate a status change or new members.
        organisation = Organisation.objects.get(pk=organisation.pk)
        if organisation.kind not in form.organisation_kinds:
            raise ValidationError(
                _("Loại hình %(kind)s không báo cáo theo biểu mẫu này.")
                % {"kind": organisation.get_kind_display()}
            )
        if organisation.established_on > period.end:
            raise ValidationError({"period": _("Tổ chức chưa thành lập trong kỳ báo cáo này.")})
        if organisation.status in CLOSED_STATUSES and organisation.status_since < period.start:
            raise ValidationError({"period": _("Tổ chức đã chấm dứt hoạt động trước kỳ này.")})
        province_id = organisation.province_id
    else:
        if organisation is not None or not province_id:
            raise ValidationError(_("Biểu mẫu này do tỉnh/thành phố báo cáo."))
        if not Province.objects.filter(code=province_id).exists():
            raise ValidationError(_("Không có tỉnh/thành phố mã %s.") % province_id)
    assert province_id is not None
    if not _may_fill(actor, form, organisation, province_id):
        raise PermissionDenied(_("Bạn không có quyền lập báo cáo này."))
    version = version_for(form, period)
    report = Report(
        form=form,
        form_version=version,
        period=period.code,
        organisation=organisation,
        province_id=province_id,
        values=prefill(version, organisation),
    )
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError as exc:
        raise ValidationError(_("Đã có báo cáo của đơn vị này cho kỳ %s.") % period.code) from exc
    record(actor, "create", report, None, _audit_fields(report))
    return report


def _require_editable(actor: Any, report: Report) -> None:
    if report.status not in (ReportStatus.DRAFT, ReportStatus.RETURNED):
        raise ValidationError(_("Báo cáo đã nộp hoặc đã duyệt: không sửa được."))
    if actor is not None and not Report.objects.editable_by(actor).filter(pk=report.pk).exists():
        raise PermissionDenied(_("Bạn không có quyền sửa báo cáo này."))


def _require_reviewable(actor: Any, report: Report) -> None:
    if actor is not None and not Report.objects.reviewable_by(actor).filter(pk=report.pk).exists():
        raise PermissionDenied(_("Bạn không có quyền duyệt báo cáo này."))


@transaction.atomic
def save_values(
    actor: Any, report_id: int, raw: dict[str, Any], expected_version: int | None = None
) -> Report:
    """Store typed values (Vietnamese number style accepted); wrong input is refused whole."""
    report = _locked(report_id, expected_version)
    _require_editable(actor, report)
    definition = definition_of(report.form_version)
    values, errors = definition.parse(raw)
    if errors:
        raise ValidationError(errors)
    before = _audit_fields(report)
    merged = {**report.values, **values}
    for key, given in raw.items():  # a field cleared on purpose
        if key in definition.by_key and (given is None or str(given).strip() == ""):
            merged.pop(key, None)
    if merged == report.values:  # nothing changed: no new version, no audit entry
        return report
    report.values = merged
    report.version += 1
    report.save(update_fields=["values", "version", "updated_at"])
    record(actor, "update", report, before, _audit_fields(report))
    return report


def previous_values(report: Report) -> dict[str, Any] | None:
    """The respondent's approved report of the previous period (for outliers and side by side)."""
    found = Report.objects.filter(
        form_id=report.form_id,
        period=Period.parse(report.period).previous().code,
        status=ReportStatus.APPROVED,
    )
    if report.organisation_id is not None:
        found = found.filter(organisation_id=report.organisation_id)
    else:
        found = found.filter(organisation__isnull=True, province_id=report.province_id)
    return found.values_list("values", flat=True).first()


def findings(report: Report) -> list[dict[str, Any]]:
    kind = report.organisation.kind if report.organisation is not None else ""
    definition = definition_of(report.form_version)
    return definition.check(report.values, kind, previous_values(report))


@transaction.atomic
def submit(actor: Any, report_id: int, expected_version: int | None = None) -> Report:
    """Errors block the submission; warnings and outliers go to the reviewer as flags."""
    report = _locked(report_id, expected_version)
    _require_editable(actor, report)
    period = Period.parse(report.period)
    if period.end >= timezone.localdate():
        raise ValidationError(
            {
                "__all__": _("Kỳ báo cáo chưa kết thúc: nộp được từ ngày %(day)s.")
                % {"day": (period.end + dt.timedelta(days=1)).strftime("%d/%m/%Y")}
            }
        )
    found = findings(report)
    errors = [f for f in found if f["severity"] == ERROR]
    if errors:
        by_field: dict[str, list[str]] = {}
        for f in errors:
            by_field.setdefault(f["field"] or "__all__", []).append(f["vi"])
        raise ValidationError(by_field)
    before = _audit_fields(report)
    report.flags = found
    report.status = ReportStatus.SUBMITTED
    report.submitted_at = timezone.now()
    report.submitted_by = actor if getattr(actor, "pk", None) else None
    report.version += 1
    report.save()
    record(actor, "submit", report, before, _audit_fields(report))
    return report


@transaction.atomic
def approve(actor: Any, report_id: int, expected_version: int | None = None) -> Report:
    """Lock the report and add its contribution to the cube (same transaction)."""
    report = _locked(report_id, expected_version)
    _require_reviewable(actor, report)
    if report.status != ReportStatus.SUBMITTED:
        raise ValidationError(_("Chỉ duyệt được báo cáo đã nộp."))
    before = _audit_fields(report)
    area, dims = measures.report_dims(report)
    figures = measures.report_measures(report.form.code, report.values)
    contribution = {"area": area, "dims": dims, "measures": figures}
    cube.apply(cube.rollup(report.period, area, dims, figures))
    report.contribution = contribution
    report.status = ReportStatus.APPROVED
    report.reviewed_at = timezone.now()
    report.reviewed_by = actor if getattr(actor, "pk", None) else None
    report.comment = ""
    report.version += 1
    report.save()
    record(actor, "approve", report, before, _audit_fields(report))
    return report


@transaction.atomic
def return_report(
    actor: Any, report_id: int, comment: str, expected_version: int | None = None
) -> Report:
    """Send a submitted report back (or reopen an approved one), with a required comment."""
    report = _locked(report_id, expected_version)
    _require_reviewable(actor, report)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": _("Cần ghi rõ lý do trả lại.")})
    if report.status not in (ReportStatus.SUBMITTED, ReportStatus.APPROVED):
        raise ValidationError(_("Chỉ trả lại được báo cáo đã nộp hoặc đã duyệt."))
    before = _audit_fields(report)
    action = "return"
    if report.status == ReportStatus.APPROVED:
        c = report.contribution
        added = cube.rollup(report.period, c["area"], c["dims"], c["measures"])
        cube.apply({key: -value for key, value in added.items()})
        report.contribution = {}
        action = "reopen"
    report.status = ReportStatus.RETURNED
    report.comment = comment
    report.reviewed_at = timezone.now()
    report.reviewed_by = actor if getattr(actor, "pk", None) else None
    report.version += 1
    report.save()
    record(actor, action, report, before, _audit_fields(report))
    return report
