"""The classification round's write path (the DX assessments' is `advice.py`): rule sets, the
manager's self-scoring, the province's review. Each service checks the table's permission,
the version, the round's deadlines, writes, records the audit entry, in one transaction.

An approval writes the grade into the registry (`registry.services.set_classifications`), so
the statistics' "rated Tốt/Khá" moves by the registry's own signal, and adds it to the
`GradeTally` the grade dashboards read.
"""

import datetime as dt
from collections import Counter
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from htxso.core import facts  # the approved yearly report, offered by reporting
from htxso.core.audit import record, record_many, snapshot
from htxso.core.scoping import Action, may
from htxso.core.versions import StaleEdit, check_version
from htxso.registry import services as registry
from htxso.registry.choices import OrganisationKind
from htxso.registry.models import Organisation

from . import rounds, rules, stamps
from .models import (
    EDITABLE,
    Classification,
    ClassificationStatus,
    GradeTally,
    RuleSet,
    RuleSetKind,
)

Status = ClassificationStatus
# Circular 01/2020 classifies cooperatives and their unions (not groups, not households).
CLASSIFIED_KINDS = (OrganisationKind.COOPERATIVE, OrganisationKind.COOPERATIVE_UNION)
__all__ = ["StaleEdit"]


# -- rule sets -----------------------------------------------------------------------------------


@transaction.atomic
def load_rule_set(actor: Any, definition: Mapping[str, Any]) -> RuleSet:
    """A new version of a rule set (central officers keep the national catalogues): validated,
    applying from its year. A loaded version never changes (assessments keep it): the same
    code again with the same definition is a no-op, with another one an error."""
    if not may(actor, Action.EDIT, RuleSet):
        raise PermissionDenied(_("Bạn không được sửa bộ tiêu chí."))
    rules.validate(definition)
    existing = RuleSet.objects.filter(code=definition["code"]).first()
    if existing is not None:
        if existing.definition != definition:
            raise ValidationError(
                _("Phiên bản %(code)s đã có và không được sửa; hãy đặt mã phiên bản mới.")
                % {"code": definition["code"]}
            )
        return existing
    if RuleSet.objects.filter(
        kind=definition["kind"], applies_from=definition["applies_from"]
    ).exists():
        raise ValidationError(
            _("Đã có bộ tiêu chí loại này áp dụng từ năm %(year)s.")
            % {"year": definition["applies_from"]}
        )
    rule_set = RuleSet.objects.create(
        kind=definition["kind"],
        code=definition["code"],
        name=definition["name"],
        applies_from=definition["applies_from"],
        definition=dict(definition),
    )
    stamps.bump([stamps.RULES])
    record(actor, "create", rule_set, None, snapshot(rule_set))
    return rule_set


def rule_set_for(kind: str, year: int) -> RuleSet:
    """The version of `kind` that applies in `year` (the latest starting by then)."""
    found = RuleSet.objects.filter(kind=kind, applies_from__lte=year).order_by("-applies_from")
    rule_set = found.first()
    if rule_set is None:
        raise ValidationError(
            _("Chưa có bộ tiêu chí %(kind)s áp dụng cho năm %(year)s.")
            % {"kind": RuleSetKind(kind).label, "year": year}
        )
    return rule_set


# -- deadlines -----------------------------------------------------------------------------------


def deadline(rule_set: RuleSet, year: int, which: str) -> dt.date:
    """The round's deadline of `year`: "self_scoring" (15/12) or "province" (21/12)."""
    month, day = (int(p) for p in rule_set.definition["deadlines"][which].split("-"))
    return dt.date(year, month, day)


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


# -- the manager's self-scoring ------------------------------------------------------------------


def _exclusion_from_registry(organisation: Organisation, year: int) -> str:
    """An exclusion the registry already proves: founded less than 12 months before the year's
    end (the other exclusions are declared and checked by the province)."""
    year_end = dt.date(year, 12, 31)
    if organisation.established_on > year_end.replace(year=year - 1):
        return "under_12_months"
    return ""


def _compute(c: Classification) -> None:
    d = c.rule_set.definition
    if c.exclusion:
        c.total, c.grade = 0, ""
        return
    c.total = sum(c.final_scores.values())
    c.grade = rules.grade_of(d, c.total)


def _registry_facts(organisation: Organisation) -> dict[str, Any]:
    return {"members_count": organisation.members_count}


@transaction.atomic
def start(actor: Any, organisation_id: int, year: int, today: dt.date | None = None) -> Any:
    """The organisation's classification of `year`, begun with what the data already answers
    (the registry's members; the approved yearly report's revenue, profit, assets, income and
    services to members): the existing one if already begun."""
    organisation = Organisation.objects.get(pk=organisation_id)
    draft = Classification(
        organisation=organisation, province_id=organisation.province_id, year=year
    )
    if not may(actor, Action.EDIT, draft):
        raise PermissionDenied(_("Bạn không được tự chấm điểm cho tổ chức này."))
    if organisation.kind not in CLASSIFIED_KINDS:
        raise ValidationError(_("Chỉ HTX và liên hiệp HTX được phân loại theo bộ tiêu chí này."))
    if year > _today(today).year:
        raise ValidationError(_("Chưa thể phân loại cho năm %(year)s.") % {"year": year})
    existing = Classification.objects.filter(organisation_id=organisation_id, year=year).first()
    if existing is not None:
        return existing
    rule_set = rule_set_for(RuleSetKind.CLASSIFICATION, year)
    filled = rules.prefill(
        rule_set.definition,
        _registry_facts(organisation),
        facts.yearly_report(organisation_id, year),
    )
    draft.rule_set = rule_set
    draft.scores, draft.prefilled = filled.scores, filled.sources
    draft.exclusion = _exclusion_from_registry(organisation, year)
    _compute(draft)
    draft.save()
    record(actor, "create", draft, None, snapshot(draft))
    return draft


def locked(model: Any, actor: Any, pk: int) -> Any:
    """The row `pk` of `model` if `actor` sees it (DoesNotExist otherwise: a 404), locked for
    update. Seen first, then locked by its key: an adviser's view is DISTINCT (through their
    assignments), which PostgreSQL cannot lock."""
    if actor is not None and not model.objects.visible_to(actor).filter(pk=pk).exists():
        raise model.DoesNotExist
    return model.objects.select_for_update().get(pk=pk)


def _locked(actor: Any, pk: int, version: int, action: str) -> Classification:
    c = locked(Classification, actor, pk)
    if not may(actor, action, c):
        if action == Action.EDIT and c.status not in EDITABLE:
            raise PermissionDenied(_("Bản phân loại đã nộp hoặc đã duyệt, không sửa được nữa."))
        raise PermissionDenied(_("Bạn không có quyền thực hiện thao tác này."))
    check_version(c, version)
    return c


def _save(actor: Any, c: Classification, before: dict, action: str = "update") -> Classification:
    _compute(c)
    c.version += 1
    c.save()
    record(actor, action, c, before, snapshot(c))
    return c


@transaction.atomic
def save_scores(
    actor: Any, pk: int, version: int, scores: Mapping[str, Any], exclusion: str = ""
) -> Classification:
    """The manager's scores (a criterion left empty stays unscored), or the reason the
    organisation is not classified this year."""
    c = _locked(actor, pk, version, Action.EDIT)
    codes = {e["code"] for e in c.rule_set.definition.get("exclusions", [])}
    if exclusion and exclusion not in codes:
        raise ValidationError({"exclusion": _("Lý do không xếp loại không có trong bộ tiêu chí.")})
    before = snapshot(c)
    c.scores = rules.check_scores(c.rule_set.definition, scores)
    proven = _exclusion_from_registry(c.organisation, c.year)
    c.exclusion = exclusion or proven
    return _save(actor, c, before)


@transaction.atomic
def submit(actor: Any, pk: int, version: int, today: dt.date | None = None) -> Classification:
    """Send the self-scores to the province: every criterion scored (or an exclusion), by the
    self-scoring deadline (15/12); a round the province returned may be sent again until the
    province's deadline (21/12)."""
    c = _locked(actor, pk, version, Action.EDIT)
    rounds.require_open(c.province_id, c.year)
    day = _today(today)
    last = "province" if c.status == Status.RETURNED else "self_scoring"
    due = deadline(c.rule_set, c.year, last)
    if day > due:
        raise ValidationError(
            _("Đã quá hạn nộp (%(due)s); hãy liên hệ cán bộ tỉnh.")
            % {"due": due.strftime("%d/%m/%Y")}
        )
    missing = [k["code"] for k in c.rule_set.definition["criteria"] if k["code"] not in c.scores]
    if missing and not c.exclusion:
        raise ValidationError(
            {code: _("Chưa chấm điểm tiêu chí này.") for code in missing}  # type: ignore[misc]
        )
    before = snapshot(c)
    c.status, c.submitted_at, c.return_reason = Status.SUBMITTED, timezone.now(), ""
    return _save(actor, c, before, "submit")


# -- the province's review -----------------------------------------------------------------------


def _reviewing(actor: Any, pk: int, version: int) -> Classification:
    c = _locked(actor, pk, version, Action.REVIEW)
    if c.status != Status.SUBMITTED:
        raise ValidationError(_("Chỉ xem xét được bản phân loại đã nộp."))
    rounds.require_open(c.province_id, c.year)
    return c


@transaction.atomic
def adjust(
    actor: Any, pk: int, version: int, criterion: str, points: Any, reason: str
) -> Classification:
    """The province changes one criterion's score; the reason is required and kept."""
    c = _reviewing(actor, pk, version)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Hãy ghi lý do điều chỉnh điểm.")})
    checked = rules.check_scores(c.rule_set.definition, {criterion: points})
    if criterion not in checked:
        raise ValidationError({criterion: _("Hãy nhập điểm điều chỉnh.")})
    before = snapshot(c)
    c.adjustments = {
        **c.adjustments,
        criterion: {
            "points": checked[criterion],
            "was": c.scores.get(criterion),
            "reason": reason.strip(),
            "by": getattr(actor, "pk", None),
        },
    }
    return _save(actor, c, before, "adjust")


@transaction.atomic
def return_to_manager(actor: Any, pk: int, version: int, reason: str) -> Classification:
    c = _reviewing(actor, pk, version)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Hãy ghi lý do trả lại.")})
    before = snapshot(c)
    c.status, c.return_reason = Status.RETURNED, reason.strip()
    return _save(actor, c, before, "return")


def _latest_years(organisation_ids: list[int]) -> dict[int, int]:
    rows = Classification.objects.filter(
        organisation_id__in=organisation_ids,
        status__in=(Status.APPROVED, Status.EXCLUDED),
    ).values_list("organisation_id", "year")
    out: dict[int, int] = {}
    for org, year in rows:
        out[org] = max(out.get(org, 0), year)
    return out


def _decide(actor: Any, decided: list[Classification]) -> None:
    """What approving `decided` (already locked, submitted) writes besides their rows: the
    registry's classification (where no later year is decided) and the grade tallies."""
    later = _latest_years([c.organisation_id for c in decided])
    grades = {
        c.organisation_id: c.grade for c in decided if later.get(c.organisation_id, 0) <= c.year
    }
    registry.set_classifications(actor, grades)
    stamps.bump(c.province_id for c in decided)
    tally = Counter((c.year, c.province_id, c.grade) for c in decided if c.grade)
    for (year, province, grade), n in sorted(tally.items()):
        updated = GradeTally.objects.filter(year=year, province_id=province, grade=grade).update(
            count=F("count") + n
        )
        if not updated:
            GradeTally.objects.create(year=year, province_id=province, grade=grade, count=n)


def _approved(c: Classification, actor: Any, now: dt.datetime) -> None:
    c.status = Status.EXCLUDED if c.exclusion else Status.APPROVED
    c.decided_at, c.decided_by_id = now, getattr(actor, "pk", None)
    c.version += 1


@transaction.atomic
def approve(actor: Any, pk: int, version: int) -> Classification:
    """The province approves: the grade becomes the organisation's classification of the year
    (an excluded one is recorded as not classified)."""
    c = _reviewing(actor, pk, version)
    before = snapshot(c)
    _compute(c)
    _approved(c, actor, timezone.now())
    c.save()
    record(actor, "approve", c, before, snapshot(c))
    _decide(actor, [c])
    return c


@transaction.atomic
def approve_round(actor: Any, province_id: str, year: int) -> int:
    """The province approves every submitted classification of its round at once (set-wise:
    one update per status, one registry write, one audit entry each). Returns how many."""
    probe = Classification(province_id=province_id)
    if not may(actor, Action.REVIEW, probe):
        raise PermissionDenied(_("Bạn không được duyệt phân loại của tỉnh/thành phố này."))
    rounds.require_open(province_id, year)
    # The total and grade were computed at every save and adjustment: the round only decides.
    waiting = Classification.objects.filter(
        province_id=province_id, year=year, status=Status.SUBMITTED
    )
    rows = list(
        waiting.select_for_update()
        .order_by("pk")
        .only("pk", "organisation_id", "province_id", "year", "grade", "exclusion", "status")
    )
    now, by = timezone.now(), getattr(actor, "pk", None)
    ids = [c.pk for c in rows]
    for start in range(0, len(ids), 5000):
        chunk = Classification.objects.filter(pk__in=ids[start : start + 5000])
        common = {"decided_at": now, "decided_by_id": by, "version": F("version") + 1}
        chunk.filter(exclusion="").update(status=Status.APPROVED, **common)
        chunk.exclude(exclusion="").update(status=Status.EXCLUDED, grade="", **common)
    for c in rows:
        c.status = Status.EXCLUDED if c.exclusion else Status.APPROVED
        c.grade = "" if c.exclusion else c.grade
    record_many(
        actor,
        "approve",
        Classification._meta.label_lower,
        (
            (c.pk, str(c), {"status": Status.SUBMITTED}, {"status": c.status, "grade": c.grade})
            for c in rows
        ),
    )
    _decide(actor, rows)
    return len(rows)
