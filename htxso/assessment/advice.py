"""The DX assessments' write path: advisers assigned to organisations, the questionnaire and its
result, the advice plan generated from the gaps (then edited and agreed), follow-up visits.
Permissions from `Kind.ADVICE` of the table; an audit entry per write; one transaction each."""

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from htxso.core.audit import record, snapshot
from htxso.core.models import User
from htxso.core.roles import Role
from htxso.core.scoping import Action, Kind, Scope, may
from htxso.core.versions import check_version
from htxso.registry.models import Organisation

from . import maturity, rules, stamps
from .models import (
    ActionStatus,
    AdviceAction,
    AdviserAssignment,
    DxAssessment,
    DxTally,
    FollowUpVisit,
    RuleSetKind,
)
from .services import locked, rule_set_for

# Who may work on an organisation's DX assessments: the ADVICE row of the table, on the
# organisation itself (an adviser through their assignments).
ORGANISATION_ADVICE = Scope(
    Kind.ADVICE,
    province="province_id",
    organisation="pk",
    advised="adviser_assignments__adviser_id",
)


def _scoped(model: Any, actor: Any) -> Any:
    """The rows `actor` sees (None: the system, every row)."""
    return model.objects.all() if actor is None else model.objects.visible_to(actor)


def may_advise(actor: Any, organisation_id: int, action: str = Action.EDIT) -> bool:
    if actor is None:
        return True
    rows = Organisation.objects.filter(pk=organisation_id)
    return ORGANISATION_ADVICE.filter(rows, actor, action).exists()


# -- advisers ------------------------------------------------------------------------------------


@transaction.atomic
def assign(
    actor: Any, organisation_id: int, adviser_id: int, since: dt.date | None = None
) -> AdviserAssignment:
    """Assign an alliance adviser to an organisation (the province's officer, in its province).
    Assigning the same adviser again answers the existing assignment."""
    organisation = Organisation.objects.get(pk=organisation_id)
    row = AdviserAssignment(
        organisation=organisation,
        province_id=organisation.province_id,
        adviser_id=adviser_id,
        since=since or timezone.localdate(),
        assigned_by=actor if getattr(actor, "pk", None) else None,
    )
    if not may(actor, Action.CREATE, row):
        raise PermissionDenied(_("Bạn không được phân công tư vấn cho tổ chức này."))
    adviser = User.objects.filter(pk=adviser_id, is_active=True).first()
    if adviser is None or adviser.role != Role.ALLIANCE_ADVISER:
        raise ValidationError(
            {"adviser": _("Người được chọn không phải tư vấn viên Liên minh HTX.")}
        )
    existing = AdviserAssignment.objects.filter(
        organisation_id=organisation_id, adviser_id=adviser_id
    ).first()
    if existing is not None:
        return existing
    row.save()
    stamps.bump([row.province_id])
    record(actor, "create", row, None, snapshot(row))
    return row


@transaction.atomic
def unassign(actor: Any, assignment_id: int) -> None:
    row = locked(AdviserAssignment, actor, assignment_id)
    if not may(actor, Action.CREATE, row):
        raise PermissionDenied(_("Bạn không được thôi phân công tư vấn này."))
    record(actor, "delete", row, snapshot(row), None)
    stamps.bump([row.province_id])
    row.delete()


# -- the questionnaire and the plan --------------------------------------------------------------


def _due(d: Mapping[str, Any], effort: str, start: dt.date) -> dt.date:
    days = d.get("effort_days", {}).get(effort, 90)
    return start + dt.timedelta(days=int(days))


@transaction.atomic
def assess(
    actor: Any,
    organisation_id: int,
    answers: Mapping[str, Any],
    assessed_on: dt.date | None = None,
) -> DxAssessment:
    """A DX assessment of the organisation by its adviser or its manager: every question
    answered (0..5), the levels computed, the advice plan generated from the gaps."""
    if not may_advise(actor, organisation_id):
        raise PermissionDenied(_("Bạn không được đánh giá chuyển đổi số cho tổ chức này."))
    day = assessed_on or timezone.localdate()
    if day > timezone.localdate():
        raise ValidationError({"assessed_on": _("Ngày đánh giá không được ở tương lai.")})
    organisation = Organisation.objects.get(pk=organisation_id)
    rule_set = rule_set_for(RuleSetKind.DX, day.year)
    d = rule_set.definition
    checked = maturity.check_answers(d, answers)
    result = maturity.evaluate(d, checked)
    assessment = DxAssessment.objects.create(
        organisation=organisation,
        province_id=organisation.province_id,
        rule_set=rule_set,
        assessed_on=day,
        answers=checked,
        pillar_levels=result.pillars,
        overall_level=result.overall,
        share=result.share,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    AdviceAction.objects.bulk_create(
        AdviceAction(
            assessment=assessment,
            province_id=organisation.province_id,
            organisation=organisation,
            pillar=a.pillar,
            text=a.text,
            priority=a.priority,
            effort=a.effort,
            due_on=_due(d, a.effort, day),
        )
        for a in maturity.advise(d, result.pillars)
    )
    tally(day.year, organisation.province_id, result.pillars)
    record(actor, "create", assessment, None, snapshot(assessment))
    return assessment


def tally(year: int, province: str, pillars: Mapping[str, int], n: int = 1) -> None:
    """Add `n` assessments with these pillar levels to the DX tallies (keys in order)."""
    for pillar, level in sorted(pillars.items()):
        updated = DxTally.objects.filter(
            year=year, province_id=province, pillar=pillar, level=level
        ).update(count=F("count") + n)
        if not updated:
            DxTally.objects.create(
                year=year, province_id=province, pillar=pillar, level=level, count=n
            )
    stamps.bump([province])


def _action(actor: Any, pk: int, version: int) -> AdviceAction:
    row = locked(AdviceAction, actor, pk)
    if not may(actor, Action.EDIT, row):
        raise PermissionDenied(_("Bạn không được sửa kế hoạch tư vấn này."))
    check_version(row, version)
    return row


@transaction.atomic
def update_action(
    actor: Any,
    pk: int,
    version: int,
    *,
    text: str,
    priority: str,
    due_on: dt.date | None,
    status: str,
) -> AdviceAction:
    row = _action(actor, pk, version)
    errors: dict[str, str] = {}
    if not (text or "").strip():
        errors["text"] = _("Hãy ghi nội dung hành động.")
    if priority not in rules.PRIORITIES:
        errors["priority"] = _("Mức ưu tiên không hợp lệ.")
    if status not in ActionStatus.values:
        errors["status"] = _("Tình trạng không hợp lệ.")
    if errors:
        raise ValidationError(errors)
    before = snapshot(row)
    row.text, row.priority, row.due_on, row.status = text.strip()[:300], priority, due_on, status
    row.version += 1
    row.save()
    record(actor, "update", row, before, snapshot(row))
    stamps.bump([row.province_id])
    return row


@transaction.atomic
def add_action(
    actor: Any, assessment_id: int, pillar: str, text: str, priority: str, effort: str
) -> AdviceAction:
    assessment = _scoped(DxAssessment, actor).get(pk=assessment_id)
    if not may(actor, Action.EDIT, assessment):
        raise PermissionDenied(_("Bạn không được sửa kế hoạch tư vấn này."))
    d = assessment.rule_set.definition
    errors: dict[str, str] = {}
    if pillar not in {p["code"] for p in d["pillars"]}:
        errors["pillar"] = _("Trụ cột không có trong bộ câu hỏi.")
    if not (text or "").strip():
        errors["text"] = _("Hãy ghi nội dung hành động.")
    if priority not in rules.PRIORITIES:
        errors["priority"] = _("Mức ưu tiên không hợp lệ.")
    if effort not in rules.EFFORTS:
        errors["effort"] = _("Mức công sức không hợp lệ.")
    if errors:
        raise ValidationError(errors)
    row = AdviceAction.objects.create(
        assessment=assessment,
        province_id=assessment.province_id,
        organisation_id=assessment.organisation_id,
        pillar=pillar,
        text=text.strip()[:300],
        priority=priority,
        effort=effort,
        due_on=_due(d, effort, timezone.localdate()),
    )
    record(actor, "create", row, None, snapshot(row))
    stamps.bump([row.province_id])
    return row


@transaction.atomic
def agree_plan(actor: Any, assessment_id: int, version: int) -> DxAssessment:
    """The manager agrees the plan the adviser drew up (the date is kept)."""
    assessment = locked(DxAssessment, actor, assessment_id)
    if not may(actor, Action.EDIT, assessment) or getattr(actor, "role", "") not in (
        Role.COOPERATIVE_MANAGER,
        Role.SYSTEM_ADMIN,
    ):
        raise PermissionDenied(_("Chỉ quản lý HTX thống nhất kế hoạch tư vấn."))
    check_version(assessment, version)
    before = snapshot(assessment)
    assessment.plan_agreed_on = timezone.localdate()
    assessment.version += 1
    assessment.save()
    record(actor, "agree", assessment, before, snapshot(assessment))
    return assessment


@transaction.atomic
def record_visit(
    actor: Any,
    assessment_id: int,
    visited_on: dt.date,
    notes: str,
    next_visit_on: dt.date | None = None,
    done: Iterable[int] = (),
) -> FollowUpVisit:
    """A follow-up visit: what was seen, the actions found done, the next visit."""
    assessment = locked(DxAssessment, actor, assessment_id)
    if not may(actor, Action.EDIT, assessment):
        raise PermissionDenied(_("Bạn không được ghi lần thăm cho tổ chức này."))
    errors: dict[str, str] = {}
    if not (notes or "").strip():
        errors["notes"] = _("Hãy ghi nội dung lần thăm.")
    if visited_on > timezone.localdate():
        errors["visited_on"] = _("Ngày thăm không được ở tương lai.")
    if visited_on < assessment.assessed_on:
        errors["visited_on"] = _("Ngày thăm phải sau ngày đánh giá.")
    if next_visit_on is not None and next_visit_on <= visited_on:
        errors["next_visit_on"] = _("Lần thăm tới phải sau lần thăm này.")
    if errors:
        raise ValidationError(errors)
    visit = FollowUpVisit.objects.create(
        assessment=assessment,
        province_id=assessment.province_id,
        organisation_id=assessment.organisation_id,
        visited_on=visited_on,
        notes=notes.strip(),
        next_visit_on=next_visit_on,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    finished = assessment.actions.filter(pk__in=list(done)).exclude(status=ActionStatus.DONE)
    for row in finished.select_for_update():
        before = snapshot(row)
        row.status, row.version = ActionStatus.DONE, row.version + 1
        row.save(update_fields=["status", "version"])
        record(actor, "update", row, before, snapshot(row))
    record(actor, "create", visit, None, snapshot(visit))
    stamps.bump([visit.province_id])
    return visit
