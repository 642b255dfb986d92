"""The report workflow through the services: open (prefilled), save, submit, review, reopen;
permissions, optimistic locking, audit in the same transaction; form versions; releases."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from htxso.core.models import AuditEntry
from htxso.core.roles import Role
from htxso.registry import services as registry
from htxso.registry.choices import MemberKind, Status
from htxso.registry.tests.factories import (
    CooperativeGroupFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    UnionFactory,
)
from htxso.reporting import services
from htxso.reporting.models import FormVersion, Release, Report
from htxso.reporting.services import StaleReport

from .conftest import (
    LAST_YEAR,
    NEXT_YEAR,
    THIS_YEAR,
    annual_definition,
    cells,
    good_values,
    make_user,
)

pytestmark = pytest.mark.django_db
BEFORE = str(int(LAST_YEAR) - 1)


def audits(report, action: str) -> int:
    return AuditEntry.objects.filter(
        object_type="reporting.report", object_id=str(report.pk), action=action
    ).count()


def fresh(report) -> Report:
    return Report.objects.get(pk=report.pk)


def submitted(actor, form, org, period=LAST_YEAR, **values) -> Report:
    report = services.open_report(actor, form, period, organisation=org)
    services.save_values(actor, report.pk, good_values(**values))
    return services.submit(actor, report.pk)


# -- open, fill in, submit ----------------------------------------------------------------------


def test_manager_opens_fills_in_and_submits(annual, htx, manager):
    for _ in range(3):
        MembershipFactory(organisation=htx, kind=MemberKind.OFFICIAL)
    htx.refresh_from_db()
    report = services.open_report(manager, annual, LAST_YEAR, organisation=htx)
    assert (report.status, report.version, report.province_id) == ("draft", 1, "19")
    assert report.form_version.number == 1
    assert report.values == {"members": 3, "member_cooperatives": 0}  # what the registry knows
    assert audits(report, "create") == 1

    report = services.save_values(manager, report.pk, good_values(), expected_version=1)
    assert fresh(report).values["revenue"] == 1250 and fresh(report).values["high_tech"] is True
    assert fresh(report).values["members"] == 12 and report.version == 2
    assert audits(report, "update") == 1

    report = services.submit(manager, report.pk, expected_version=2)
    report = fresh(report)
    assert (report.status, report.version, report.flags) == ("submitted", 3, [])
    assert report.submitted_by == manager and report.submitted_at is not None
    assert audits(report, "submit") == 1


def test_a_union_is_prefilled_with_its_member_cooperatives(annual, htx):
    union = UnionFactory(province_id="19")
    registry.add_membership(None, union.pk, MemberKind.OFFICIAL, dt.date(2020, 1, 1),
                            member_organisation=htx)  # fmt: skip
    report = services.open_report(None, annual, LAST_YEAR, organisation=union)
    assert report.values == {"members": 1, "member_cooperatives": 1}


def test_wrong_input_is_refused_whole(annual, htx, manager):
    report = services.open_report(manager, annual, LAST_YEAR, organisation=htx)
    services.save_values(manager, report.pk, {"revenue": "1.250", "workers": "8"})
    with pytest.raises(ValidationError) as info:
        services.save_values(manager, report.pk, {"revenue": "2.000", "workers": "1,5"})
    assert set(info.value.message_dict) == {"workers"}
    report = fresh(report)
    assert (report.values["revenue"], report.values["workers"], report.version) == (1250, 8, 2)
    assert audits(report, "update") == 1
    services.save_values(manager, report.pk, {"workers": "  "})  # cleared on purpose
    assert "workers" not in fresh(report).values


def test_errors_block_submission_and_change_nothing(annual, htx, manager):
    report = services.open_report(manager, annual, LAST_YEAR, organisation=htx)
    services.save_values(manager, report.pk, good_values(profit="1.300", costs="0"))
    with pytest.raises(ValidationError) as info:
        services.submit(manager, report.pk)
    assert "profit" in info.value.message_dict
    assert (fresh(report).status, fresh(report).version, fresh(report).flags) == ("draft", 2, [])
    assert audits(report, "submit") == 0
    services.save_values(manager, report.pk, {"workers": ""})  # a required field missing
    with pytest.raises(ValidationError) as info:
        services.submit(manager, report.pk)
    assert "workers" in info.value.message_dict


def test_warnings_and_outliers_become_flags(annual, htx, manager, officer_19):
    last = submitted(manager, annual, htx, BEFORE, revenue="100", costs="90", profit="10",
                     member_service_revenue="50")  # fmt: skip
    services.approve(officer_19, last.pk)
    report = submitted(manager, annual, htx, avg_income="0")
    flags = {(f["code"], f["severity"]) for f in fresh(report).flags}
    assert flags == {("income_when_workers", "warning"), ("outlier", "outlier")}
    assert next(f for f in fresh(report).flags if f["code"] == "outlier")["previous"] == 100


# -- review -------------------------------------------------------------------------------------


def test_who_may_approve(annual, htx, manager, officer_19, officer_01, central, public_user):
    report = submitted(manager, annual, htx)
    for actor in (manager, officer_01, central, public_user):
        with pytest.raises(PermissionDenied):
            services.approve(actor, report.pk)
    assert fresh(report).status == "submitted" and audits(report, "approve") == 0
    services.approve(officer_19, report.pk, expected_version=report.version)
    report = fresh(report)
    assert (report.status, report.reviewed_by) == ("approved", officer_19)
    assert (
        report.contribution["area"] == "19" and report.contribution["measures"]["revenue"] == 1250
    )
    assert audits(report, "approve") == 1


def test_approval_locks_the_report(annual, htx, manager, officer_19, admin):
    report = services.approve(officer_19, submitted(manager, annual, htx).pk)
    for actor in (manager, officer_19, admin):
        with pytest.raises(ValidationError):
            services.save_values(actor, report.pk, {"revenue": "1"})
        with pytest.raises(ValidationError):
            services.submit(actor, report.pk)
    with pytest.raises(ValidationError):
        services.approve(officer_19, report.pk)
    assert fresh(report).values["revenue"] == 1250


def test_only_a_submitted_report_is_approved(annual, htx, manager, officer_19):
    report = services.open_report(manager, annual, LAST_YEAR, organisation=htx)
    with pytest.raises(ValidationError):
        services.approve(officer_19, report.pk)
    with pytest.raises(ValidationError):
        services.return_report(officer_19, report.pk, "Sai")


def test_return_needs_a_comment_then_edit_and_resubmit(annual, htx, manager, officer_19):
    report = submitted(manager, annual, htx)
    for comment in ("", "   ", None):
        with pytest.raises(ValidationError) as info:
            services.return_report(officer_19, report.pk, comment)
        assert "comment" in info.value.message_dict
    assert fresh(report).status == "submitted" and audits(report, "return") == 0
    with pytest.raises(PermissionDenied):
        services.return_report(manager, report.pk, "Tự trả lại")
    services.return_report(officer_19, report.pk, "  Doanh thu chưa khớp sổ sách  ")
    report = fresh(report)
    assert (report.status, report.comment) == ("returned", "Doanh thu chưa khớp sổ sách")
    assert audits(report, "return") == 1 and cells(indicator="revenue") == {}
    services.save_values(manager, report.pk, {"revenue": "1.300"})
    services.submit(manager, report.pk)
    services.approve(officer_19, report.pk)
    report = fresh(report)
    assert (report.status, report.comment, report.values["revenue"]) == ("approved", "", 1300)


def test_reopen_takes_the_report_out_of_the_cube(annual, htx, manager, officer_19):
    report = services.approve(officer_19, submitted(manager, annual, htx).pk)
    key = ("revenue", LAST_YEAR, "VN", "_T", "_T", "_T")
    assert cells()[key] == 1250 and cells()[("revenue", LAST_YEAR, "19", "cooperative", "_T",
                                              "_T")] == 1250  # fmt: skip
    services.return_report(officer_19, report.pk, "Mở lại để sửa vốn điều lệ")
    report = fresh(report)
    assert (report.status, report.contribution) == ("returned", {})
    assert audits(report, "reopen") == 1 and audits(report, "return") == 0
    assert cells(period=LAST_YEAR) == {}  # nothing left, not even zero cells
    services.save_values(manager, report.pk, {"charter_capital": "600"})
    services.submit(manager, report.pk)
    services.approve(officer_19, report.pk)
    assert cells()[key] == 1250 and cells()[("charter_capital", *key[1:])] == 600


def test_stale_versions_are_refused_and_write_nothing(annual, htx, manager, officer_19):
    report = services.open_report(manager, annual, LAST_YEAR, organisation=htx)
    services.save_values(manager, report.pk, good_values(), expected_version=1)
    with pytest.raises(StaleReport) as info:
        services.save_values(manager, report.pk, {"revenue": "1"}, expected_version=1)
    assert info.value.current_version == 2
    with pytest.raises(StaleReport):
        services.submit(manager, report.pk, expected_version=1)
    assert (fresh(report).status, fresh(report).values["revenue"]) == ("draft", 1250)
    services.submit(manager, report.pk, expected_version=2)
    with pytest.raises(StaleReport):
        services.approve(officer_19, report.pk, expected_version=2)
    with pytest.raises(StaleReport):
        services.return_report(officer_19, report.pk, "Sai", expected_version=2)
    assert fresh(report).status == "submitted" and cells(period=LAST_YEAR) == {}
    assert audits(report, "approve") + audits(report, "return") == 0


def test_the_audit_entry_is_in_the_transaction(annual, htx, manager, officer_19, monkeypatch):
    report = submitted(manager, annual, htx)

    def broken(*args, **kwargs):
        raise RuntimeError("audit log unavailable")

    draft = services.open_report(None, annual, LAST_YEAR, organisation=OrganisationFactory())
    services.save_values(None, draft.pk, good_values())
    monkeypatch.setattr(services, "record", broken)
    for transition in (
        lambda: services.approve(officer_19, report.pk),
        lambda: services.return_report(officer_19, report.pk, "Sai"),
        lambda: services.submit(None, draft.pk),
        lambda: services.save_values(None, draft.pk, {"revenue": "1"}),
    ):
        with pytest.raises(RuntimeError):
            transition()
    assert (fresh(report).status, fresh(report).version, fresh(report).contribution) == (
        "submitted",
        3,
        {},
    )
    assert (fresh(draft).status, fresh(draft).version, fresh(draft).values["revenue"]) == (
        "draft",
        2,
        1250,
    )
    assert cells(period=LAST_YEAR) == {}  # the cube's deltas rolled back with it


# -- open_report refusals and permissions --------------------------------------------------------


def test_open_report_refusals(annual, htx, manager):
    cases = [
        (NEXT_YEAR, htx, "Chưa đến kỳ"),
        (f"{LAST_YEAR}S1", htx, "chu kỳ"),
        ("2015", OrganisationFactory(established_on=dt.date(2010, 1, 1)), "phiên bản"),
        (LAST_YEAR, CooperativeGroupFactory(), "không báo cáo"),
        (LAST_YEAR, OrganisationFactory(established_on=dt.date(int(THIS_YEAR), 1, 1)),
         "chưa thành lập"),
        ("2k25", htx, "không hợp lệ"),
    ]  # fmt: skip
    for period, org, says in cases:
        with pytest.raises(ValidationError) as info:
            services.open_report(None, annual, period, organisation=org)
        assert says in " ".join(info.value.messages), period
    with pytest.raises(ValidationError, match="Chưa đến kỳ"):
        services.open_report(manager, annual, LAST_YEAR, organisation=htx,
                             today=dt.date(int(LAST_YEAR) - 1, 12, 31))  # fmt: skip
    services.open_report(manager, annual, LAST_YEAR, organisation=htx)
    with pytest.raises(ValidationError, match="Đã có báo cáo"):
        services.open_report(manager, annual, LAST_YEAR, organisation=htx)
    with pytest.raises(ValidationError):
        services.open_report(None, annual, LAST_YEAR)  # an organisation's form, no organisation
    assert Report.objects.count() == 1


def test_an_organisation_closed_before_the_period_does_not_report(annual):
    org = OrganisationFactory(established_on=dt.date(2015, 1, 1))
    registry.change_status(None, org.pk, Status.DISSOLVED, dt.date(int(LAST_YEAR) - 1, 5, 1))
    with pytest.raises(ValidationError, match="chấm dứt"):
        services.open_report(None, annual, LAST_YEAR, organisation=org)
    assert services.open_report(None, annual, BEFORE, organisation=org).status == "draft"


def test_an_inactive_form_is_not_opened(annual, htx):
    annual.is_active = False
    annual.save()
    with pytest.raises(ValidationError, match="không còn áp dụng"):
        services.open_report(None, annual, LAST_YEAR, organisation=htx)


def test_who_may_open_and_edit(annual, htx, manager, officer_19, officer_01, central,
                               public_user):  # fmt: skip
    other = make_user("quan-ly-khac", Role.COOPERATIVE_MANAGER, "19",
                      organisation=OrganisationFactory())  # fmt: skip
    member = make_user("thanh-vien", Role.MEMBER, "19", person=PersonFactory())
    gone = make_user("quan-ly-nghi", Role.COOPERATIVE_MANAGER, "19", organisation=htx,
                     is_active=False)  # fmt: skip
    for actor in (other, member, officer_01, central, public_user, gone):
        with pytest.raises(PermissionDenied):
            services.open_report(actor, annual, LAST_YEAR, organisation=htx)
    report = services.open_report(officer_19, annual, LAST_YEAR, organisation=htx)
    for actor in (other, member, officer_01, central, public_user, gone):
        with pytest.raises(PermissionDenied):
            services.save_values(actor, report.pk, {"revenue": "1"})
        with pytest.raises(PermissionDenied):
            services.submit(actor, report.pk)
    services.save_values(manager, report.pk, good_values())
    assert set(Report.objects.visible_to(manager)) == {report} == set(
        Report.objects.visible_to(officer_19)
    ) == set(Report.objects.visible_to(central))  # fmt: skip
    for actor in (other, member, officer_01, public_user, gone):
        assert not Report.objects.visible_to(actor).exists()


def test_province_summary(semiannual, officer_19, officer_01, central, admin):
    period = f"{LAST_YEAR}S2"
    for actor, province in ((officer_01, "19"), (central, "19")):
        with pytest.raises(PermissionDenied):
            services.open_report(actor, semiannual, period, province_id=province)
    for kwargs in ({}, {"province_id": "99"}, {"organisation": OrganisationFactory()}):
        with pytest.raises(ValidationError):
            services.open_report(admin, semiannual, period, **kwargs)
    report = services.open_report(officer_19, semiannual, period, province_id="19")
    assert (report.organisation, report.values) == (None, {})
    services.save_values(officer_19, report.pk, {"new_cooperatives": "12",
                                                 "dissolved_cooperatives": "3"})  # fmt: skip
    services.submit(officer_19, report.pk)
    for actor in (officer_19, officer_01):  # a province does not approve its own summary
        with pytest.raises(PermissionDenied):
            services.approve(actor, report.pk)
    services.approve(central, report.pk)
    assert cells(indicator="province_new_cooperatives") == {
        ("province_new_cooperatives", period, area, "_T", "_T", "_T"): 12 for area in ("19", "VN")
    }


# -- form versions, releases, reference data ----------------------------------------------------


def test_add_form_version(annual, htx, manager, central, admin, officer_19):
    old = services.open_report(manager, annual, LAST_YEAR, organisation=htx)
    definition = annual_definition()
    definition["fields"].append({"key": "digital", "label": {"vi": "Chuyển đổi số"},
                                 "type": "boolean"})  # fmt: skip
    retired = make_user("can-bo-tw-nghi", Role.CENTRAL_OFFICER, is_active=False)
    for actor in (officer_19, manager, retired):
        with pytest.raises(PermissionDenied):
            services.add_form_version(actor, annual, THIS_YEAR, definition)
    for period, data in ((THIS_YEAR, {"fields": [{"key": "x"}]}), (f"{THIS_YEAR}S1", definition),
                         ("2016", definition), ("2010", definition)):  # fmt: skip
        with pytest.raises(ValidationError):
            services.add_form_version(central, annual, period, data)
    assert annual.versions.count() == 1
    v2 = services.add_form_version(central, annual, THIS_YEAR, definition, "Thêm chuyển đổi số")
    assert (v2.number, v2.valid_from, v2.created_by) == (2, THIS_YEAR, central)
    assert AuditEntry.objects.filter(
        object_type="reporting.formversion", object_id=str(v2.pk), action="create", actor=central
    ).exists()
    with pytest.raises(ValidationError):
        services.add_form_version(admin, annual, THIS_YEAR, definition)
    assert fresh(old).form_version.number == 1
    later = services.open_report(manager, annual, THIS_YEAR, organisation=htx)
    assert later.form_version == v2
    services.save_values(manager, later.pk, {"digital": "có"})
    services.save_values(manager, old.pk, {"digital": "có"})  # v1 has no such field: ignored
    assert "digital" not in fresh(old).values and fresh(later).values["digital"] is True
    other = OrganisationFactory()
    assert (
        services.open_report(None, annual, LAST_YEAR, organisation=other).form_version.number == 1
    )
    assert services.add_form_version(admin, annual, NEXT_YEAR, definition).number == 3


def test_release(central, admin, officer_19, public_user):
    for actor in (officer_19, public_user):
        with pytest.raises(PermissionDenied):
            services.release(actor, LAST_YEAR)
    for period in (THIS_YEAR, NEXT_YEAR, f"{THIS_YEAR}S2", "20x5"):
        with pytest.raises(ValidationError):
            services.release(central, period)
    release = services.release(central, LAST_YEAR, "Số liệu chính thức")
    assert (release.period, release.released_by, release.note) == (
        LAST_YEAR,
        central,
        "Số liệu chính thức",
    )
    with pytest.raises(ValidationError, match="đã được công bố"):
        services.release(admin, LAST_YEAR)
    services.release(admin, f"{LAST_YEAR}S1")
    assert set(Release.objects.values_list("period", flat=True)) == {LAST_YEAR, f"{LAST_YEAR}S1"}
    assert AuditEntry.objects.filter(action="release").count() == 2


def test_load_reference_is_idempotent_and_never_changes_a_version(reference, annual):
    from .conftest import reference_data

    assert reference == {
        "forms": 2,
        "versions": 2,
        "indicators": 31,
        "targets": 24,
    }  # 26 + the marketplace's 5
    data = reference_data()
    data["forms"][0]["versions"][0]["definition"]["fields"][0]["max"] = 5
    again = services.load_reference(data)
    assert again == {**reference, "versions": 0}
    assert FormVersion.objects.get(form=annual, number=1).definition == annual_definition()
    data["forms"][0]["versions"].append({"number": 2, "valid_from": "2026S1",
                                         "definition": annual_definition()})  # fmt: skip
    with pytest.raises(ValidationError):
        services.load_reference(data)
    assert annual.versions.count() == 1
