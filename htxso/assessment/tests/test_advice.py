"""Advisers and DX assessments through the services: the assignment gives an adviser their
reach (and only over what is assigned), the questionnaire's result and its plan, editing,
agreeing, visits, and the refusals."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from htxso.assessment import advice, services
from htxso.assessment.models import AdviceAction, AdviserAssignment, Classification, DxAssessment
from htxso.core.models import AuditEntry
from htxso.core.versions import StaleEdit

from .conftest import definition, submitted

DX = definition("dx-htx-2024.json")


def answers(level: int = 0, **pillars: int) -> dict[str, int]:
    return {q["code"]: pillars.get(p["code"], level) for p in DX["pillars"] for q in p["questions"]}


def test_an_adviser_reaches_only_the_organisations_assigned_to_them(
    manager, officer_19, adviser, adviser_2, htx
):
    c = submitted(manager, htx.pk, 70)
    assert not Classification.objects.visible_to(adviser).exists()
    assert not advice.may_advise(adviser, htx.pk)
    advice.assign(officer_19, htx.pk, adviser.pk)
    assert list(Classification.objects.visible_to(adviser)) == [c]
    assert advice.may_advise(adviser, htx.pk)
    assert not Classification.objects.visible_to(adviser_2).exists()
    with pytest.raises(PermissionDenied):  # an adviser sees, never reviews
        services.approve(adviser, c.pk, c.version)


def test_only_the_provinces_officer_assigns_and_only_advisers(
    officer_19, officer_01, manager, adviser, htx
):
    for outsider in (officer_01, manager, adviser):
        with pytest.raises(PermissionDenied):
            advice.assign(outsider, htx.pk, adviser.pk)
    with pytest.raises(ValidationError, match="không phải tư vấn viên"):
        advice.assign(officer_19, htx.pk, manager.pk)
    row = advice.assign(officer_19, htx.pk, adviser.pk)
    assert advice.assign(officer_19, htx.pk, adviser.pk).pk == row.pk  # again: the same
    assert AuditEntry.objects.filter(object_type="assessment.adviserassignment").count() == 1


def test_ending_an_assignment_ends_the_reach(officer_19, adviser, htx):
    row = advice.assign(officer_19, htx.pk, adviser.pk)
    advice.unassign(officer_19, row.pk)
    assert not AdviserAssignment.objects.exists()
    assert not advice.may_advise(adviser, htx.pk)
    assert AuditEntry.objects.filter(action="delete", object_id=str(row.pk)).exists()


def test_the_adviser_assesses_and_a_plan_comes_from_the_gaps(officer_19, adviser, htx):
    advice.assign(officer_19, htx.pk, adviser.pk)
    a = advice.assess(adviser, htx.pk, answers(5, operations=1, data=0))
    assert a.pillar_levels["operations"] == 1 and a.pillar_levels["data"] == 0
    assert a.pillar_levels["customer"] == 5 and a.overall_level == 3  # level 4 needs 5 pillars
    texts = set(a.actions.values_list("text", flat=True))
    assert "Mở sổ bán hàng điện tử" in texts  # operations below 2
    assert "Số hóa danh sách thành viên và vốn góp" in texts  # data below 2
    assert not a.actions.filter(pillar="customer").exists()  # no gap, no action
    first = a.actions.get(text="Mở sổ bán hàng điện tử")
    assert (first.priority, first.due_on) == ("high", a.assessed_on + dt.timedelta(days=30))


def test_the_manager_may_assess_and_others_may_not(manager, officer_19, officer_01, htx):
    assert advice.assess(manager, htx.pk, answers(2)).overall_level == 2
    for outsider in (officer_19, officer_01):  # provinces follow, they do not fill it in
        with pytest.raises(PermissionDenied):
            advice.assess(outsider, htx.pk, answers(2))
    assert DxAssessment.objects.count() == 1


def test_an_incomplete_questionnaire_writes_nothing(manager, htx):
    partial = answers(3)
    partial.pop("strategy-2")
    with pytest.raises(ValidationError):
        advice.assess(manager, htx.pk, partial)
    with pytest.raises(ValidationError):
        advice.assess(
            manager, htx.pk, answers(3), assessed_on=timezone.localdate() + dt.timedelta(1)
        )
    assert not DxAssessment.objects.exists() and not AdviceAction.objects.exists()


def test_editing_agreeing_and_visiting(manager, officer_19, adviser, htx):
    advice.assign(officer_19, htx.pk, adviser.pk)
    a = advice.assess(
        adviser, htx.pk, answers(1), assessed_on=timezone.localdate() - dt.timedelta(20)
    )
    row = a.actions.order_by("id").first()
    with pytest.raises(ValidationError):
        advice.update_action(
            adviser, row.pk, row.version, text="", priority="high", due_on=None, status="planned"
        )
    row = advice.update_action(
        adviser,
        row.pk,
        row.version,
        text="Mở sổ bán hàng trên điện thoại",
        priority="medium",
        due_on=None,
        status="doing",
    )
    with pytest.raises(StaleEdit):
        advice.update_action(
            adviser, row.pk, 1, text="x", priority="low", due_on=None, status="planned"
        )
    added = advice.add_action(adviser, a.pk, "customer", "Chụp ảnh sản phẩm đẹp", "low", "low")
    assert added.due_on == timezone.localdate() + dt.timedelta(days=30)
    with pytest.raises(PermissionDenied, match="Chỉ quản lý HTX"):
        advice.agree_plan(adviser, a.pk, a.version)
    a = advice.agree_plan(manager, a.pk, a.version)
    assert a.plan_agreed_on == timezone.localdate()
    today = timezone.localdate()
    with pytest.raises(ValidationError):
        advice.record_visit(adviser, a.pk, today, "", None)
    with pytest.raises(ValidationError):
        advice.record_visit(adviser, a.pk, a.assessed_on - dt.timedelta(1), "Sớm quá", None)
    with pytest.raises(ValidationError):
        advice.record_visit(adviser, a.pk, today, "Lần tới trước lần này", today)
    visit = advice.record_visit(
        adviser, a.pk, today, "Đã mở sổ bán hàng.", today + dt.timedelta(30), [row.pk]
    )
    row.refresh_from_db()
    assert row.status == "done" and visit.next_visit_on == today + dt.timedelta(30)


def test_another_provinces_officer_and_a_stranger_see_nothing(officer_01, adviser_2, manager, htx):
    advice.assess(manager, htx.pk, answers(2))
    assert not DxAssessment.objects.visible_to(officer_01).exists()
    assert not DxAssessment.objects.visible_to(adviser_2).exists()
    assert not AdviceAction.objects.visible_to(adviser_2).exists()


def test_the_dx_tallies_count_every_assessment_once_per_pillar(manager, officer_19, adviser, htx):
    from collections import Counter

    from htxso.assessment.models import DxTally

    advice.assign(officer_19, htx.pk, adviser.pk)
    advice.assess(manager, htx.pk, answers(1))
    advice.assess(adviser, htx.pk, answers(5, data=2))
    counted: Counter = Counter()
    for levels in DxAssessment.objects.values_list("pillar_levels", flat=True):
        for pillar, level in levels.items():
            counted[(pillar, level)] += 1
    tallied = {(t.pillar, t.level): t.count for t in DxTally.objects.all()}
    assert tallied == dict(counted)
    assert tallied[("data", 2)] == 1 and tallied[("data", 1)] == 1
