"""The one write path of reporting: reports through their workflow, form versions, releases.

draft → submitted → approved (locked), or submitted → returned (with a comment) → submitted…;
a reviewer may reopen an approved report (it goes back to returned and leaves the cube).
Every function takes the acting user (None = the system), checks permission, validates with
Vietnamese messages, writes, records an audit entry and updates the cube, in one transaction.
"""

import datetime as dt
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from htxso.core.audit import record, snapshot
from htxso.core.models import Province
from htxso.core.scoping import Action, Kind, may
from htxso.core.versions import StaleEdit
from htxso.registry.choices import CLOSED_STATUSES
from htxso.registry.models import Organisation

from . import cube, measures
from .definitions import ERROR, Definition
from .models import FormVersion, Release, Report, ReportForm, ReportStatus, Respondent
from .periods import Period

_M = TypeVar("_M", bound=Model)


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


_parsed: dict[tuple[int, Any], Definition] = {}


def definition_of(version: FormVersion) -> Definition:
    """A version's parsed definition, once per process (versions are never changed: a change
    is a new version). Keyed by id and creation time, so a rolled-back row is not confused
    with a later one that got the same id."""
    key = (version.pk, version.created_at)
    found = _parsed.get(key)
    if found is None:
        found = _parsed[key] = Definition(version.definition)
    return found


def version_for(form: ReportForm, period: Period) -> FormVersion:
    """The form version in force for a period: the latest that began at or before it."""
    versions = [v for v in form.versions.all() if Period.parse(v.valid_from) <= period]
    if not versions:
        raise ValidationError(
            _("Biểu mẫu %(form)s chưa có phiên bản áp dụng cho kỳ %(period)s.")
            % {"form": form.name, "period": period.code}
        )
    return max(versions, key=lambda v: Period.parse(v.valid_from))


def add_form_version(
    actor: Any, form: ReportForm, valid_from: str, definition: dict, note: str = ""
) -> FormVersion:
    """A new version of a form, from a period on: data, no code change. It begins after the
    latest version (numbers and periods go up together)."""
    if not may_release(actor):  # the same national roles
        raise PermissionDenied(_("Chỉ cán bộ trung ương được ban hành phiên bản biểu mẫu."))
    start = Period.parse(valid_from)
    if start.periodicity != form.periodicity:
        raise ValidationError(_("Kỳ bắt đầu không đúng chu kỳ của biểu mẫu."))
    Definition(definition)  # refuses a malformed definition
    with transaction.atomic():
        ReportForm.objects.select_for_update().filter(pk=form.pk).first()  # one issuer at a time
        latest = form.versions.order_by("-number").first()
        if latest is not None and start <= Period.parse(latest.valid_from):
            raise ValidationError(
                _("Phiên bản mới phải áp dụng từ sau kỳ %(period)s (phiên bản %(number)s).")
                % {"period": latest.valid_from, "number": latest.number}
            )
        number = latest.number if latest is not None else 0
        version = FormVersion(
            form=form,
            number=number + 1,
            valid_from=start.code,
            definition=definition,
            note=note,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        try:
            with transaction.atomic():
                version.save()
        except IntegrityError as exc:
            raise ValidationError(_("Đã có phiên bản bắt đầu từ kỳ này.")) from exc
        record(actor, "create", version, None, {"valid_from": start.code, "number": number + 1})
    return version


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


def may_release(actor: Any) -> bool:
    """Publishing figures and issuing form versions: the national roles (None: the system)."""
    return may(actor, Action.RELEASE, Kind.STATISTICS)


@transaction.atomic
def release(actor: Any, period_code: str, note: str = "") -> Release:
    """Publish a period's figures (a year publishes its half-years too)."""
    if not may_release(actor):
        raise PermissionDenied(_("Chỉ cán bộ trung ương được công bố số liệu."))
    period = Period.parse(period_code)
    if period.end >= timezone.localdate():
        raise ValidationError(_("Chỉ công bố được kỳ đã kết thúc."))
    obj, created = Release.objects.get_or_create(
        period=period.code,
        defaults={"released_by": actor if getattr(actor, "pk", None) else None, "note": note},
    )
    if not created:
        raise ValidationError(_("Kỳ %s đã được công bố.") % period.code)
    record(actor, "release", obj, None, {"period": period.code})
    return obj


def _upsert(model: type[_M], lookup: dict[str, Any], values: dict[str, Any]) -> _M:
    """Create or update one reference row, with an audit entry when something changed (a new
    target or a changed indicator definition leaves a trail; a re-run leaves none)."""
    obj = model._default_manager.filter(**lookup).first()
    if obj is None:
        obj = model._default_manager.create(**lookup, **values)
        record(None, "load_reference", obj, None, snapshot(obj))
        return obj
    before = snapshot(obj)
    for name, value in values.items():
        setattr(obj, name, value)
    after = snapshot(obj)
    if after != before:
        obj.save()
        record(None, "load_reference", obj, before, after)
    return obj


@transaction.atomic
def load_reference(data: dict[str, Any]) -> dict[str, int]:
    """Load forms (and their versions), indicators and targets; idempotent. Existing form
    versions are never changed (reports point at them): a change is a new version."""
    from .models import NATIONAL, Indicator, Target

    counts = {"forms": 0, "versions": 0, "indicators": 0, "targets": 0}
    for item in data.get("forms", []):
        fields = {k: v for k, v in item.items() if k not in ("code", "versions")}
        form = _upsert(ReportForm, {"code": item["code"]}, fields)
        counts["forms"] += 1
        for version in item.get("versions", []):
            Definition(version["definition"])
            if Period.parse(version["valid_from"]).periodicity != form.periodicity:
                raise ValidationError(
                    _("Phiên bản %(number)s của %(form)s: kỳ bắt đầu không đúng chu kỳ.")
                    % {"number": version["number"], "form": form.code}
                )
            _obj, created = FormVersion.objects.get_or_create(
                form=form,
                number=version["number"],
                defaults={
                    "valid_from": version["valid_from"],
                    "definition": version["definition"],
                    "note": version.get("note", ""),
                },
            )
            counts["versions"] += created
    for item in data.get("indicators", []):
        _upsert(Indicator, {"code": item["code"]}, {k: v for k, v in item.items() if k != "code"})
        counts["indicators"] += 1
    for item in data.get("targets", []):
        if item.get("comparison", ">=") not in (">", ">=", "<", "<="):
            raise ValidationError(
                _("Mục tiêu %(label)s: phép so sánh không hợp lệ.") % {"label": item.get("label")}
            )
        indicator = Indicator.objects.get(code=item["indicator"])
        _upsert(
            Target,
            {
                "indicator": indicator,
                "kind": item["kind"],
                "area": item.get("province") or NATIONAL,
                "year": item["year"],
            },
            {k: v for k, v in item.items() if k not in ("indicator", "kind", "province", "year")},
        )
        counts["targets"] += 1
    return counts
