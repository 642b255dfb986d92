"""The classification round through its services: versioning, prefill, exclusions, the
deadlines, the province's review paths (adjust with a reason, return, approve), who may do
what, stale versions, the registry's classification, the grade tallies and the cube."""

import datetime as dt
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from htxso.assessment import services
from htxso.assessment.models import Classification, GradeTally, RuleSet
from htxso.core.models import AuditEntry
from htxso.core.versions import StaleEdit
from htxso.registry.models import Organisation
from htxso.registry.tests.factories import OrganisationFactory
from htxso.reporting import services as reporting
from htxso.reporting.models import IndicatorCell, ReportForm
from htxso.reporting.statistics import running_period
from htxso.reporting.tests.conftest import good_values, make_user, reference_data

from .conftest import ROUND_DAY, definition, full_scores, submitted


def test_a_classification_keeps_the_version_it_was_made_with(manager, htx, central):
    first = services.start(manager, htx.pk, 2025, today=ROUND_DAY)
    new = definition()
    new.update(code="TT-2026", applies_from=2026, name="Bộ tiêu chí mới")
    new["grades"][0]["min"] = 85
    services.load_rule_set(central, new)
    first.refresh_from_db()
    assert first.rule_set.code == "TT01-2020"
    assert services.rule_set_for("classification", 2025).code == "TT01-2020"
    assert services.rule_set_for("classification", 2027).code == "TT-2026"
    later = services.start(manager, htx.pk, 2026, today=dt.date(2026, 12, 1))
    assert later.rule_set.code == "TT-2026"


def test_a_loaded_version_cannot_be_changed_and_only_central_officers_load(central, manager):
    changed = definition()
    changed["criteria"][0]["name"] = "Đã sửa"
    with pytest.raises(ValidationError, match="không được sửa"):
        services.load_rule_set(central, changed)
    assert services.load_rule_set(central, definition()).code == "TT01-2020"  # the same: no-op
    other = definition()
    other.update(code="X", applies_from=2030)
    with pytest.raises(PermissionDenied):
        services.load_rule_set(manager, other)
    broken = definition()
    broken.update(code="Y", applies_from=2031)
    broken["criteria"][0]["max"] = 50
    with pytest.raises(ValidationError, match="Bộ tiêu chí không hợp lệ"):
        services.load_rule_set(central, broken)
    assert not RuleSet.objects.filter(code__in=["X", "Y"]).exists()


def test_no_rule_set_before_the_first_version(manager, htx):
    with pytest.raises(ValidationError, match="Chưa có bộ tiêu chí"):
        services.start(manager, htx.pk, 2019, today=ROUND_DAY)


def _approved_report(htx, year: int) -> None:
    reporting.load_reference(reference_data())
    annual = ReportForm.objects.get(code="htx-annual")
    report = reporting.open_report(None, annual, str(year), htx)
    report = reporting.save_values(None, report.pk, good_values(), report.version)
    report = reporting.submit(None, report.pk, report.version)
    reporting.approve(None, report.pk, report.version)


def test_prefill_from_the_registry_and_the_approved_yearly_report(manager, htx):
    _approved_report(htx, 2025)  # revenue 1.250, profit 150, assets 2.000, income 4.500,
    # services to members 600 (48 % of revenue), members 0 in the registry
    c = services.start(manager, htx.pk, 2025, today=ROUND_DAY)
    assert c.scores == {
        "c01": 4,  # revenue ≥ 500
        "c02": 6,  # profit ≥ 100
        "c03": 4,  # assets ≥ 2.000
        "c04": 2,  # average income 4.500 thousand đồng a month ≥ 3.000
        "c05": 7,  # 48 % ≥ 40 %
        "c06": 0,  # no members in the registry
        "c10": 5,  # the yearly report was approved
    }
    assert c.prefilled["c06"] == "sổ đăng ký" and c.prefilled["c01"] == "báo cáo năm đã duyệt"
    assert c.total == sum(c.scores.values()) and c.status == "draft"


def test_without_a_report_only_the_registry_prefills(manager, htx):
    c = services.start(manager, htx.pk, 2025, today=ROUND_DAY)
    assert set(c.scores) == {"c06"}


def test_starting_twice_answers_the_same_classification(manager, htx):
    a = services.start(manager, htx.pk, 2025, today=ROUND_DAY)
    assert services.start(manager, htx.pk, 2025, today=ROUND_DAY).pk == a.pk


def test_the_total_and_grade_follow_the_scores(manager, htx):
    c = services.start(manager, htx.pk, 2025, today=ROUND_DAY)
    c = services.save_scores(manager, c.pk, c.version, full_scores(c, 79))
    assert (c.total, c.grade) == (79, "fair")
    c = services.save_scores(manager, c.pk, c.version, full_scores(c, 80))
    assert (c.total, c.grade) == (80, "good")


def test_bad_scores_write_nothing(manager, htx):
    c = services.start(manager, htx.pk, 2025, today=ROUND_DAY)
    with pytest.raises(ValidationError) as caught:
        services.save_scores(manager, c.pk, c.version, {"c01": 11, "c02": 3})
    assert "Điểm phải từ 0 đến 10." in caught.value.error_dict["c01"][0].messages
    c.refresh_from_db()
    assert c.version == 1 and "c02" not in c.scores


def test_an_incomplete_self_scoring_cannot_be_submitted(manager, htx):
    c = services.start(manager, htx.pk, 2025, today=ROUND_DAY)
    with pytest.raises(ValidationError) as caught:
        services.submit(manager, c.pk, c.version, today=ROUND_DAY)
    assert len(caught.value.error_dict) == 14  # all but the prefilled members' criterion


def test_the_self_scoring_deadline(manager, htx):
    c = services.start(manager, htx.pk, 2025, today=ROUND_DAY)
    c = services.save_scores(manager, c.pk, c.version, full_scores(c, 70))
    with pytest.raises(ValidationError, match="Đã quá hạn nộp \\(15/12/2025\\)"):
        services.submit(manager, c.pk, c.version, today=dt.date(2025, 12, 16))
    c = services.submit(manager, c.pk, c.version, today=dt.date(2025, 12, 15))  # the last day
    assert c.status == "submitted"


def test_a_returned_one_may_be_sent_again_until_the_provinces_deadline(manager, officer_19, htx):
    c = submitted(manager, htx.pk, 70)
    with pytest.raises(ValidationError, match="lý do trả lại"):
        services.return_to_manager(officer_19, c.pk, c.version, "  ")
    c = services.return_to_manager(officer_19, c.pk, c.version, "Tiêu chí 7 thiếu minh chứng.")
    assert c.status == "returned" and c.return_reason == "Tiêu chí 7 thiếu minh chứng."
    c = services.save_scores(manager, c.pk, c.version, full_scores(c, 66))
    with pytest.raises(ValidationError, match="21/12/2025"):
        services.submit(manager, c.pk, c.version, today=dt.date(2025, 12, 22))
    c = services.submit(manager, c.pk, c.version, today=dt.date(2025, 12, 20))
    assert c.status == "submitted" and c.return_reason == ""


def test_a_submitted_one_is_no_longer_the_managers_to_edit(manager, htx):
    c = submitted(manager, htx.pk, 70)
    with pytest.raises(PermissionDenied, match="không sửa được nữa"):
        services.save_scores(manager, c.pk, c.version, {"c01": 1})


def test_the_province_adjusts_with_a_reason_and_the_grade_follows(manager, officer_19, htx):
    c = submitted(manager, htx.pk, 81)
    with pytest.raises(ValidationError, match="lý do điều chỉnh"):
        services.adjust(officer_19, c.pk, c.version, "c01", 5, "")
    with pytest.raises(ValidationError):
        services.adjust(officer_19, c.pk, c.version, "c01", 12, "Quá điểm tối đa")
    c = services.adjust(officer_19, c.pk, c.version, "c01", 5, "Doanh thu chưa đạt mức tối đa")
    assert c.scores["c01"] == 10 and c.adjustments["c01"]["was"] == 10
    assert (c.total, c.grade) == (76, "fair")
    entry = AuditEntry.objects.filter(action="adjust", object_id=str(c.pk)).get()
    assert entry.actor == officer_19


def test_who_may_review(manager, officer_19, officer_01, central, adviser, htx):
    c = submitted(manager, htx.pk, 70)
    for outsider in (officer_01, adviser):  # not visible to them: 404
        with pytest.raises(Classification.DoesNotExist):
            services.approve(outsider, c.pk, c.version)
    for seeing in (manager, central):  # visible, not theirs to review: 403
        with pytest.raises(PermissionDenied):
            services.approve(seeing, c.pk, c.version)
    with pytest.raises(StaleEdit):
        services.approve(officer_19, c.pk, c.version - 1)
    c.refresh_from_db()
    assert c.status == "submitted"


def test_a_draft_cannot_be_approved(manager, officer_19, htx):
    c = services.start(manager, htx.pk, 2025, today=ROUND_DAY)
    with pytest.raises(ValidationError, match="đã nộp"):
        services.approve(officer_19, c.pk, c.version)


def test_approval_sets_the_registry_and_the_tallies(manager, officer_19, htx):
    c = submitted(manager, htx.pk, 85)
    c = services.approve(officer_19, c.pk, c.version)
    assert (c.status, c.grade, c.decided_by) == ("approved", "good", officer_19)
    htx.refresh_from_db()
    assert htx.classification == "good"
    assert GradeTally.objects.get(year=2025, province_id="19", grade="good").count == 1
    assert AuditEntry.objects.filter(
        object_type="registry.organisation", object_id=str(htx.pk), action="update"
    ).exists()


def test_an_older_year_approved_later_does_not_overwrite_a_newer_grade(officer_19, db):
    htx = OrganisationFactory(province_id="19", established_on=dt.date(2015, 3, 1))
    boss = make_user("ql-2", "cooperative_manager", "19", organisation=htx)
    newer = submitted(boss, htx.pk, 90, year=2025)
    services.approve(officer_19, newer.pk, newer.version)
    older = submitted(boss, htx.pk, 40, year=2024)
    services.approve(officer_19, older.pk, older.version)
    htx.refresh_from_db()
    assert htx.classification == "good"  # the 2025 grade stays the current one


def test_an_organisation_younger_than_12_months_is_not_classified(officer_19, db):
    young = OrganisationFactory(province_id="19", established_on=dt.date(2025, 6, 1))
    boss = make_user("ql-tre", "cooperative_manager", "19", organisation=young)
    c = services.start(boss, young.pk, 2025, today=ROUND_DAY)
    assert c.exclusion == "under_12_months" and c.grade == ""
    c = services.save_scores(boss, c.pk, c.version, {})  # the registry's proof stays
    assert c.exclusion == "under_12_months"
    c = services.submit(boss, c.pk, c.version, today=ROUND_DAY)  # no scores needed
    c = services.approve(officer_19, c.pk, c.version)
    assert c.status == "excluded" and c.total == 0
    young.refresh_from_db()
    assert young.classification == ""
    assert not GradeTally.objects.exists()


def test_a_declared_exclusion_must_be_one_of_the_rule_set(manager, htx):
    c = services.start(manager, htx.pk, 2025, today=ROUND_DAY)
    with pytest.raises(ValidationError):
        services.save_scores(manager, c.pk, c.version, {}, exclusion="bankrupt")
    c = services.save_scores(manager, c.pk, c.version, {}, exclusion="stopped_over_3_months")
    assert c.grade == "" and c.total == 0


def test_only_cooperatives_and_unions_are_classified(db):
    union = OrganisationFactory(kind="cooperative_union", province_id="19")
    assert services.start(None, union.pk, 2025, today=ROUND_DAY).rule_set.code == "TT01-2020"
    group = OrganisationFactory(kind="cooperative_group", tax_code=None, province_id="19")
    boss = make_user("ql-tht", "cooperative_manager", "19", organisation=group)
    with pytest.raises(ValidationError, match="Chỉ HTX"):
        services.start(boss, group.pk, 2025, today=ROUND_DAY)


def test_a_manager_scores_only_their_own_organisation(manager, htx_01):
    with pytest.raises(PermissionDenied):
        services.start(manager, htx_01.pk, 2025, today=ROUND_DAY)
    assert not Classification.objects.exists()


def test_approving_a_whole_round(officer_19, officer_01, db):
    orgs = [OrganisationFactory(province_id="19") for _ in range(5)]
    for i, org in enumerate(orgs):
        boss = make_user(f"ql-{i}", "cooperative_manager", "19", organisation=org)
        submitted(boss, org.pk, [90, 70, 55, 30, 66][i])
    with pytest.raises(PermissionDenied):
        services.approve_round(officer_01, "19", 2025)
    assert services.approve_round(officer_19, "19", 2025) == 5
    assert dict(GradeTally.objects.filter(year=2025).values_list("grade", "count")) == {
        "good": 1,
        "fair": 2,
        "average": 1,
        "weak": 1,
    }
    grades = dict(
        Organisation.objects.filter(pk__in=[o.pk for o in orgs]).values_list("pk", "classification")
    )
    assert sorted(grades.values()) == ["average", "fair", "fair", "good", "weak"]
    assert (
        AuditEntry.objects.filter(action="approve", object_type="assessment.classification").count()
        == 5
    )
    assert services.approve_round(officer_19, "19", 2025) == 0  # nothing left to approve


def test_an_approval_moves_the_rated_good_or_fair_figure(manager, officer_19, htx):
    reporting.load_reference(reference_data())  # the indicators, among them good_fair
    period = running_period().code

    def good_fair(area: str) -> int:
        return sum(
            IndicatorCell.objects.filter(
                indicator="good_fair", period=period, area=area, kind="_T", sector="_T", status="_T"
            ).values_list("value", flat=True)
        )

    from htxso.reporting.statistics import refresh_registry

    refresh_registry(None)  # the running half-year counted whole once, as a deployment has it
    before = (good_fair("19"), good_fair("VN"))
    c = submitted(manager, htx.pk, 70, year=ROUND_DAY.year)
    services.approve(officer_19, c.pk, c.version)
    assert (good_fair("19"), good_fair("VN")) == (before[0] + 1, before[1] + 1)


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locking")
def test_two_simultaneous_approvals_count_once(transactional_db):
    """Two officers approve the same classification at once: one wins, the other is told the
    record moved on; the grade is tallied once."""
    from django.db import connections

    from htxso.core.tests.units_snapshot import restore_units

    from .conftest import definition

    restore_units()  # transactional tests start from flushed tables
    for name in ("classification-tt01-2020.json", "dx-htx-2024.json"):
        if not RuleSet.objects.filter(code=definition(name)["code"]).exists():
            services.load_rule_set(None, definition(name))
    htx = OrganisationFactory(province_id="19")
    boss = make_user("ql-cung-luc", "cooperative_manager", "19", organisation=htx)
    officers = [make_user(f"cb-cung-luc-{i}", "provincial_officer", "19") for i in range(2)]
    c = submitted(boss, htx.pk, 82)
    barrier = threading.Barrier(2, timeout=30)
    outcomes: dict[str, object] = {}

    def approve(officer) -> None:
        try:
            barrier.wait()
            services.approve(officer, c.pk, c.version)
            outcomes[officer.username] = "ok"
        except Exception as exc:  # collected and asserted below
            outcomes[officer.username] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve, args=(o,)) for o in officers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    results = list(outcomes.values())
    assert results.count("ok") == 1, outcomes
    assert any(isinstance(r, (StaleEdit, ValidationError)) for r in results), outcomes
    assert GradeTally.objects.get(year=2025, province_id="19", grade="good").count == 1
