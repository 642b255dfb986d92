"""What the applicant's and the office's services share: reading an application under a lock
through the one query path, the state machine's step (status, timeline, audit, e-mail), the
deadline clock in working days."""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from htxso.core.audit import record, snapshot
from htxso.core.scoping import Action, may
from htxso.core.versions import check_version

from . import rules
from .models import TRANSITIONS, Application, Event, Status


def today() -> dt.date:
    return timezone.localdate()


def locked(actor: Any, application_id: int, expected_version: int | None) -> Application:
    """The application under a row lock, if `actor` sees it (Application.DoesNotExist: 404);
    `actor` None is the system (commands, demo data)."""
    rows = Application.objects.all() if actor is None else Application.objects.visible_to(actor)
    application = rows.select_for_update().get(pk=application_id)
    if expected_version is not None:
        check_version(application, expected_version)
    return application


def require_applicant(actor: Any, application: Application) -> None:
    if actor is not None and application.applicant_id != getattr(actor, "pk", None):
        raise PermissionDenied(_("Chỉ người nộp hồ sơ mới được làm việc này."))


def require_editable(actor: Any, application: Application) -> None:
    require_applicant(actor, application)
    if not may(actor, Action.EDIT, application) or application.status not in (
        Status.DRAFT,
        Status.NEEDS_CORRECTION,
    ):
        raise PermissionDenied(_("Hồ sơ đã nộp, không sửa được nữa."))


def require_office(actor: Any, application: Application) -> None:
    if not may(actor, Action.REVIEW, application):
        raise PermissionDenied(_("Bạn không có thẩm quyền giải quyết hồ sơ này."))


def check_step(application: Application, action: str) -> str:
    """The status `action` leads to from the application's; a clear refusal otherwise."""
    sources, target = TRANSITIONS[action]
    if application.status not in sources:
        raise ValidationError(
            _("Không thể thực hiện khi hồ sơ đang ở trạng thái “%(status)s”.")
            % {"status": application.get_status_display()}
        )
    return target


def step(
    actor: Any, application: Application, action: str, note: str = "", **changes: Any
) -> Application:
    """Move `application` along the state machine: its new status and fields, one version up,
    an event on its timeline, an audit entry, an e-mail to the applicant once committed."""
    target = check_step(application, action)
    before = snapshot(application)
    application.status = target
    for name, value in changes.items():
        setattr(application, name, value)
    application.version += 1
    application.save()
    actor_id = getattr(actor, "pk", None)
    Event.objects.create(
        application=application, actor_id=actor_id, action=action, status=target, note=note
    )
    record(actor, action, application, before, snapshot(application))
    transaction.on_commit(lambda: notify(application, note))
    return application


def touch(actor: Any, application: Application, action: str, part: Any) -> None:
    """A change of a part (member, file, leaving member): the application's version moves on,
    audited."""
    application.version += 1
    application.save(update_fields=["version", "updated_at"])
    record(actor, action, part, None, snapshot(part, exclude=("file",)))


def remove_part(
    actor: Any, application_id: int, expected_version: int, related: str, part_id: int, action: str
) -> Application:
    """Take one row off a draft's list (`related`: founding members, members leaving), audited.
    The caller holds the transaction."""
    application = locked(actor, application_id, expected_version)
    require_editable(actor, application)
    part = getattr(application, related).get(pk=part_id)
    touch(actor, application, action, part)
    part.delete()
    return application


def start_clock(application: Application, on: dt.date) -> dict[str, Any]:
    """The deadline fields of a dossier received on `on` (a first submission, or a corrected
    one: the rules say whether the clock restarts or resumes)."""
    rule = rules.load().for_kind(application.kind, application.purpose)
    days = rule.deadline_working_days
    if application.received_on and rule.clock_after_correction == "resume":
        days = max(days - application.working_days_used, 0)
        return {"due_on": rules.add_working_days(on, days), "clock_since": on}
    return {
        "received_on": on,
        "clock_since": on,
        "due_on": rules.add_working_days(on, days),
        "working_days_used": 0,
    }


def stop_clock(application: Application, on: dt.date) -> dict[str, Any]:
    """The clock stops while the applicant corrects the dossier: the working days used so far
    are kept, the deadline is cleared."""
    rule = rules.load().for_kind(application.kind, application.purpose)
    used = rules.working_days_between(application.clock_since or on, on)
    used = min(application.working_days_used + used, rule.deadline_working_days)
    return {"due_on": None, "working_days_used": used}


SUBJECTS = {
    Status.SUBMITTED: gettext_noop("Hồ sơ %(number)s đã được tiếp nhận"),
    Status.RESUBMITTED: gettext_noop("Hồ sơ %(number)s đã được nộp lại"),
    Status.IN_REVIEW: gettext_noop("Hồ sơ %(number)s đang được xem xét"),
    Status.NEEDS_CORRECTION: gettext_noop("Hồ sơ %(number)s cần sửa đổi, bổ sung"),
    Status.APPROVED: gettext_noop("Hồ sơ %(number)s đã được cấp đăng ký"),
    Status.REFUSED: gettext_noop("Hồ sơ %(number)s bị từ chối"),
    Status.WITHDRAWN: gettext_noop("Hồ sơ %(number)s đã được rút"),
}


def notify(application: Application, note: str) -> None:
    """An e-mail to the applicant about the application's new status (Django's mail backend)."""
    to = application.email or getattr(application.applicant, "email", "")
    subject = SUBJECTS.get(Status(application.status))
    if not to or subject is None:
        return
    number = application.number or f"#{application.pk}"
    lines = [
        _("Hồ sơ: %(number)s — %(name)s") % {"number": number, "name": application.name},
        _("Trạng thái: %(status)s") % {"status": application.get_status_display()},
    ]
    if application.due_on:
        lines.append(
            _("Hạn giải quyết: %(date)s") % {"date": application.due_on.strftime("%d/%m/%Y")}
        )
    if note:
        lines.append(note)
    send_mail(_(subject) % {"number": number}, "\n".join(lines), None, [to], fail_silently=True)
