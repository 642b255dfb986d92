"""The only writes of the follow-up: directives and tasks (the secretariat), progress reports
(the assignee's focal points), accepting or returning a report (the secretariat). Permission
from `core.scoping.TABLE`, Vietnamese validation errors, the version check, the audit entry,
one transaction each. The derived columns the status reads are set here and only here."""

import datetime as dt
import re
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from htxso.core import facts
from htxso.core.audit import record, snapshot
from htxso.core.scoping import Action, Kind, may
from htxso.core.uploads import store_document
from htxso.core.versions import check_version

from . import schedule, tally
from .models import Agency, Directive, ProgressReport, Recurrence, ReportState, Task

CODES = re.compile(r"^[A-Za-z0-9_.\-]+$")


def today() -> dt.date:
    return timezone.localdate()


def snap(obj: Any) -> dict:
    """The audit snapshot: the stored file by its name (the field is not JSON)."""
    data = snapshot(obj, exclude=("file",))
    if hasattr(obj, "file"):
        data["file"] = obj.file.name or ""
    return data


def _seen(model: Any, actor: Any) -> Any:
    """The rows `actor` sees (the system, None: every row)."""
    return model.objects.all() if actor is None else model.objects.visible_to(actor)


def _require(actor: Any, action: str, what: str) -> None:
    if not may(actor, action, Kind.TASK):
        raise PermissionDenied(what)


def _store(file: Any, filename: str, folder: str) -> tuple[str, str]:
    if file is None:
        return "", ""
    stored = store_document(
        file, filename, upload_to=folder, max_bytes=settings.TASKS_MAX_FILE_BYTES
    )
    return stored.name, stored.filename


@transaction.atomic
def create_directive(
    actor: Any,
    number: str,
    issued_on: dt.date,
    issuer: str,
    subject: str,
    public: bool = True,
    file: Any = None,
    filename: str = "",
) -> Directive:
    _require(actor, Action.CREATE, _("Chỉ Văn phòng Ban Chỉ đạo được nhập văn bản chỉ đạo."))
    number, issuer, subject = number.strip(), issuer.strip(), subject.strip()
    errors = {}
    if not number:
        errors["number"] = _("Hãy nhập số hiệu văn bản.")
    elif Directive.objects.filter(number=number).exists():
        errors["number"] = _("Văn bản số %(n)s đã có.") % {"n": number}
    if not issuer:
        errors["issuer"] = _("Hãy nhập cơ quan ban hành.")
    if not subject:
        errors["subject"] = _("Hãy nhập trích yếu.")
    if errors:
        raise ValidationError(errors)
    name, original = _store(file, filename, "tasks/directives")
    directive = Directive.objects.create(
        number=number,
        issued_on=issued_on,
        issuer=issuer,
        subject=subject,
        public=public,
        file=name,
        filename=original,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    record(actor, "create", directive, None, snap(directive))
    return directive


def _dates(
    recurrence: str, due_on: dt.date | None, starts_on: dt.date | None, ends_on: dt.date | None
) -> dict[str, str]:
    errors = {}
    if recurrence not in Recurrence.values:
        errors["recurrence"] = _("Thời hạn không hợp lệ.")
    elif recurrence == Recurrence.ONCE and due_on is None:
        errors["due_on"] = _("Nhiệm vụ một lần cần có hạn.")
    elif recurrence != Recurrence.ONCE:
        if starts_on is None or ends_on is None:
            errors["starts_on"] = _("Nhiệm vụ định kỳ cần kỳ đầu tiên và kỳ cuối cùng.")
        elif ends_on < starts_on:
            errors["ends_on"] = _("Kỳ cuối cùng phải sau kỳ đầu tiên.")
    return errors


@transaction.atomic
def create_task(
    actor: Any,
    directive_id: int,
    title: str,
    assignee_id: int,
    *,
    lead_id: int | None = None,
    coordinating_ids: list[int] | None = None,
    recurrence: str = Recurrence.ONCE,
    due_on: dt.date | None = None,
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
    report_day: int = 5,
    expected_output: str = "",
    indicator_codes: str = "",
) -> Task:
    _require(actor, Action.CREATE, _("Chỉ Văn phòng Ban Chỉ đạo được giao nhiệm vụ."))
    directive = Directive.objects.get(pk=directive_id)  # 404 when it does not exist
    title = title.strip()
    errors = _dates(recurrence, due_on, starts_on, ends_on)
    if not title:
        errors["title"] = _("Hãy nhập nội dung nhiệm vụ.")
    if not 1 <= report_day <= 28:
        errors["report_day"] = _("Ngày báo cáo phải từ 1 đến 28.")
    codes = [c.strip() for c in indicator_codes.split(",") if c.strip()]
    if any(not CODES.match(c) for c in codes):
        errors["indicator_codes"] = _("Mã chỉ tiêu chỉ gồm chữ, số, dấu chấm, gạch.")
    elif codes and facts.has_indicators():
        unknown = [c for c in codes if c not in facts.indicators(codes)]
        if unknown:
            errors["indicator_codes"] = _(
                "Không có chỉ tiêu mã %(codes)s trong danh mục chỉ tiêu thống kê."
            ) % {"codes": ", ".join(unknown)}
    agencies = {assignee_id, *(coordinating_ids or []), *([lead_id] if lead_id else [])}
    found = Agency.objects.in_bulk(agencies)
    if assignee_id not in found:
        errors["assignee_id"] = _("Không có cơ quan được giao này.")
    if len(found) != len(agencies) and "assignee_id" not in errors:
        errors["coordinating_ids"] = _("Có cơ quan phối hợp hoặc chủ trì không tồn tại.")
    if errors:
        raise ValidationError(errors)
    assignee = found[assignee_id]
    period = schedule.period_of(recurrence, starts_on)[0] if starts_on and ends_on else None
    due = schedule.current(recurrence, due_on, period, report_day)
    task = Task.objects.create(
        directive=directive,
        title=title,
        assignee=assignee,
        lead_id=lead_id,
        recurrence=recurrence,
        due_on=due_on if recurrence == Recurrence.ONCE else None,
        starts_on=starts_on if recurrence != Recurrence.ONCE else None,
        ends_on=ends_on if recurrence != Recurrence.ONCE else None,
        report_day=report_day,
        expected_output=expected_output.strip(),
        indicator_codes=",".join(codes),
        province_id=assignee.province_id,
        period_start=due.period_start,
        effective_due_on=due.effective,
        warn_from=due.warn_from,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    if coordinating_ids:
        task.coordinating.set(coordinating_ids)
    tally.move(None, task)
    record(actor, "create", task, None, snap(task))
    return task


@transaction.atomic
def report_progress(
    actor: Any,
    task_id: int,
    expected_version: int,
    text: str,
    percent: int,
    file: Any = None,
    filename: str = "",
    on: dt.date | None = None,
    author: Any = None,
) -> ProgressReport:
    """A focal point's report on the current period (or the one-off task). The system (actor
    None: imports, the demo) names the `author` it reports for."""
    task = _seen(Task, actor).select_for_update().get(pk=task_id)  # 404 outside
    if not may(actor, Action.EDIT, task):
        raise PermissionDenied(_("Chỉ đầu mối của cơ quan được giao được báo cáo tiến độ."))
    check_version(task, expected_version)
    if task.completed_on is not None:
        raise ValidationError(_("Nhiệm vụ đã hoàn thành; không nhận thêm báo cáo."))
    errors = {}
    if not text.strip():
        errors["text"] = _("Hãy nhập nội dung báo cáo.")
    if not 0 <= percent <= 100:
        errors["percent"] = _("Tỷ lệ hoàn thành phải từ 0 đến 100.")
    if errors:
        raise ValidationError(errors)
    if task.reports.filter(state=ReportState.SUBMITTED).exists():
        raise ValidationError(_("Báo cáo trước đang chờ Văn phòng xem xét."))
    name, original = _store(file, filename, "tasks/reports")
    on = on or today()
    report = ProgressReport.objects.create(
        task=task,
        period_start=task.period_start,
        text=text.strip(),
        percent=percent,
        file=name,
        filename=original,
        author=author or actor,
        submitted_on=on,
    )
    before, counted = snap(task), tally.key(task)
    task.last_reported_on, task.awaiting_review, task.version = on, True, task.version + 1
    task.save(update_fields=["last_reported_on", "awaiting_review", "version", "updated_at"])
    tally.move(counted, task)
    record(actor, "create", report, None, snap(report))
    record(actor, "update", task, before, snap(task))
    return report


def _advance(task: Task, report: ProgressReport) -> None:
    """What an accepted report changes: the percent, the period, completion."""
    task.percent_done = report.percent
    if task.recurrence == Recurrence.ONCE:
        if report.percent >= 100:
            task.completed_on = report.submitted_on
        return
    assert task.period_start is not None and task.ends_on is not None
    following = schedule.next_period(task.recurrence, task.period_start)
    if following > task.ends_on:
        task.completed_on = report.submitted_on
        return
    due = schedule.current(task.recurrence, None, following, task.report_day)
    task.period_start, task.effective_due_on, task.warn_from = (
        following,
        due.effective,
        due.warn_from,
    )


@transaction.atomic
def review_report(
    actor: Any, report_id: int, expected_version: int, accept: bool, note: str = ""
) -> ProgressReport:
    """The secretariat accepts a report (the task moves on) or returns it with a reason."""
    report = _seen(ProgressReport, actor).select_for_update().get(pk=report_id)
    if not may(actor, Action.REVIEW, report):
        raise PermissionDenied(_("Chỉ Văn phòng Ban Chỉ đạo được duyệt báo cáo."))
    check_version(report, expected_version)
    if report.state != ReportState.SUBMITTED:
        raise ValidationError(_("Báo cáo này đã được xem xét."))
    if getattr(actor, "pk", None) == report.author_id:
        raise PermissionDenied(_("Không được tự duyệt báo cáo của mình."))
    if not accept and not note.strip():
        raise ValidationError({"note": _("Hãy ghi lý do trả lại báo cáo.")})
    task = Task.objects.select_for_update().get(pk=report.task_id)
    before_report, before_task, counted = snap(report), snap(task), tally.key(task)
    report.state = ReportState.ACCEPTED if accept else ReportState.RETURNED
    report.reviewer = actor if getattr(actor, "pk", None) else None
    report.reviewed_at, report.review_note = timezone.now(), note.strip()
    report.version += 1
    report.save()
    if accept:
        _advance(task, report)
    task.awaiting_review = False
    task.version += 1
    task.save()
    tally.move(counted, task)
    record(actor, "update", report, before_report, snap(report))
    record(actor, "update", task, before_task, snap(task))
    return report
