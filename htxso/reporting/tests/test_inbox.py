"""Reporting's inbox items (`reporting/inbox.py`): what each role is asked to fill in, review or
follow, scoped like the reports themselves, in a bounded number of queries."""

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from htxso.core import inbox
from htxso.core.inbox import ItemKind, Severity
from htxso.core.jobs import JobStatus
from htxso.registry.tests.factories import OrganisationFactory
from htxso.reporting import inbox as reporting_inbox
from htxso.reporting import services
from htxso.reporting.models import ReportImportJob
from htxso.reporting.periods import Period

from .conftest import LAST_YEAR, good_values, make_user

pytestmark = pytest.mark.django_db

TODAY = dt.date.today()


def submitted(actor, form, org, period=LAST_YEAR):
    report = services.open_report(actor, form, period, organisation=org)
    services.save_values(actor, report.pk, good_values())
    return services.submit(actor, report.pk)


def kinds(items) -> list[tuple[str, int]]:
    return [(str(i.kind), i.count) for i in items]


# -- to fill in ------------------------------------------------------------------------------


def test_a_manager_is_asked_for_the_last_ended_year_with_its_deadline(annual, htx, manager):
    items = reporting_inbox.to_fill(manager, today=dt.date(TODAY.year, 3, 1))
    assert len(items) == 1
    (item,) = items
    assert item.kind == ItemKind.TODO and item.count == 1
    assert item.deadline == dt.date(TODAY.year, 1, 15)  # 15 days after 31/12
    assert item.severity == Severity.DANGER  # overdue on 1 March
    assert f"Năm {TODAY.year - 1}" in item.title and item.detail == "Chưa lập báo cáo"
    assert item.url.startswith("/reporting/?") and f"period={TODAY.year - 1}" in item.url


def test_the_running_year_shows_once_its_deadline_is_near(annual, htx, manager):
    submitted(manager, annual, htx, str(TODAY.year - 1))
    assert reporting_inbox.to_fill(manager, today=dt.date(TODAY.year, 6, 1)) == []
    items = reporting_inbox.to_fill(manager, today=dt.date(TODAY.year, 12, 1))
    assert [i.deadline for i in items] == [dt.date(TODAY.year + 1, 1, 15)]
    assert items[0].severity == Severity.WARNING


def test_a_draft_links_to_itself_and_a_submitted_report_leaves_the_inbox(annual, htx, manager):
    report = services.open_report(manager, annual, LAST_YEAR, organisation=htx)
    (item,) = reporting_inbox.to_fill(manager, today=dt.date(TODAY.year, 3, 1))
    assert item.url == f"/reporting/{report.pk}/" and item.detail == "Đang soạn, chưa nộp"
    services.save_values(manager, report.pk, good_values())
    services.submit(manager, report.pk)
    assert reporting_inbox.to_fill(manager, today=dt.date(TODAY.year, 3, 1)) == []


def test_a_returned_report_is_one_urgent_item(annual, htx, manager, officer_19):
    report = submitted(manager, annual, htx)
    services.return_report(officer_19, report.pk, "Doanh thu chưa khớp")
    items = reporting_inbox.to_fill(manager, today=dt.date(TODAY.year, 3, 1))
    assert kinds(items) == [("returned", 1)]
    assert items[0].severity == Severity.DANGER and items[0].url == f"/reporting/{report.pk}/"


def test_a_closed_or_unfounded_organisation_is_asked_nothing(annual, reference):
    young = OrganisationFactory(province_id="19", established_on=dt.date(TODAY.year, 2, 1))
    manager = make_user("quan-ly-moi", "cooperative_manager", "19", organisation=young)
    # Founded this year: last year's report is not asked for (the running one, near its end).
    items = reporting_inbox.to_fill(manager, today=dt.date(TODAY.year, 3, 1))
    assert items == []


def test_a_group_manager_has_no_form_to_fill(reference):
    group = OrganisationFactory(kind="cooperative_group", tax_code=None, province_id="19")
    manager = make_user("to-truong", "cooperative_manager", "19", organisation=group)
    assert reporting_inbox.to_fill(manager) == []


def test_a_provincial_officer_is_asked_for_the_province_summary(semiannual, officer_19):
    today = dt.date(TODAY.year, 8, 1)
    items = reporting_inbox.to_fill(officer_19, today=today)
    period = Period(TODAY.year, 1)
    assert [(i.deadline, i.severity) for i in items] == [
        (period.deadline(semiannual.deadline_days), Severity.DANGER)
    ]
    assert "6 tháng đầu năm" in items[0].title


def test_national_roles_and_the_public_answer_for_nothing(annual, central, admin, public_user):
    for user in (central, admin, public_user):
        assert reporting_inbox.to_fill(user) == []


# -- to review -------------------------------------------------------------------------------


def test_an_officer_reviews_their_province_only(annual, manager, htx, officer_19, officer_01):
    submitted(manager, annual, htx)
    other = OrganisationFactory(province_id="01")
    manager_01 = make_user("quan-ly-01", "cooperative_manager", "01", organisation=other)
    submitted(manager_01, annual, other)
    third = OrganisationFactory(province_id="19")
    manager_3 = make_user("quan-ly-3", "cooperative_manager", "19", organisation=third)
    submitted(manager_3, annual, third)

    (item,) = reporting_inbox.to_review(officer_19)
    assert (item.kind, item.count) == (ItemKind.REVIEW, 2)
    assert "status=submitted" in item.url and f"period={LAST_YEAR}" in item.url
    (item_01,) = reporting_inbox.to_review(officer_01)
    assert item_01.count == 1 and item_01.url.startswith("/reporting/")  # the one report


def test_central_officers_review_the_provinces_summaries_not_the_cooperatives(
    annual, semiannual, manager, htx, officer_19, central, admin
):
    submitted(manager, annual, htx)
    period = Period.last_ended("half").code
    summary = services.open_report(officer_19, semiannual, period, province_id="19")
    services.save_values(
        officer_19, summary.pk, {"new_cooperatives": "3", "dissolved_cooperatives": "1"}
    )
    services.submit(officer_19, summary.pk)
    (item,) = reporting_inbox.to_review(central)
    assert item.count == 1 and item.url == f"/reporting/{summary.pk}/"
    assert sorted(i.count for i in reporting_inbox.to_review(admin)) == [1, 1]


def test_managers_and_members_review_nothing(annual, manager, htx):
    submitted(manager, annual, htx)
    assert reporting_inbox.to_review(manager) == []


# -- to follow -------------------------------------------------------------------------------


def test_an_officer_follows_who_has_not_reported_in_their_province(
    annual, htx, manager, officer_19, officer_01
):
    from htxso.reporting.statistics import rebuild_registry_period

    OrganisationFactory(province_id="19")
    OrganisationFactory(province_id="01")
    period = Period.last_ended("year")
    rebuild_registry_period(Period(period.year, 2), TODAY)  # expected organisations
    submitted(manager, annual, htx, period.code)
    (item,) = reporting_inbox.to_follow(officer_19)
    assert (item.kind, item.count) == (ItemKind.FOLLOW, 1)  # 2 expected, 1 received
    assert item.deadline == period.deadline(annual.deadline_days)
    assert "tổ chức chưa nộp" in item.title and "1 / 2" in item.detail
    (item_01,) = reporting_inbox.to_follow(officer_01)
    assert item_01.count == 1 and "0 / 1" in item_01.detail


# -- imports ---------------------------------------------------------------------------------


def job(user, annual, status, days_ago=0):
    job = ReportImportJob.objects.create(
        form=annual,
        period=LAST_YEAR,
        filename="bao-cao.xlsx",
        sha256="0" * 64,
        created_by=user,
        status=status,
        finished_at=timezone.now() - dt.timedelta(days=days_ago),
    )
    job.file.save("bao-cao.xlsx", ContentFile(b"x"), save=True)
    return job


def test_recent_imports_of_the_user_only(annual, officer_19, officer_01, admin):
    failed = job(officer_19, annual, JobStatus.FAILED)
    job(officer_19, annual, JobStatus.DONE)
    job(officer_19, annual, JobStatus.DONE)
    job(officer_19, annual, JobStatus.DONE, days_ago=30)  # too old to be news
    job(officer_01, annual, JobStatus.INVALID)
    items = [i for i in reporting_inbox.imports(officer_19) if i.count]
    assert kinds(items) == [("failed", 1), ("done", 2)]
    assert items[0].url == f"/reporting/import/jobs/{failed.pk}/"
    assert items[1].url == "/reporting/import/" and items[1].title.startswith("2 ")
    # The administrator sees everyone's jobs elsewhere; the inbox holds their own.
    assert [i for i in reporting_inbox.imports(admin) if i.count] == []


# -- the whole inbox -------------------------------------------------------------------------


def test_the_inbox_sorts_urgent_first_in_a_bounded_number_of_queries(
    annual, htx, manager, officer_19, django_assert_max_num_queries
):
    report = submitted(manager, annual, htx)
    services.return_report(officer_19, report.pk, "Thiếu số liệu")
    for n in range(5):
        org = OrganisationFactory(province_id="19")
        user = make_user(f"quan-ly-{n}", "cooperative_manager", "19", organisation=org)
        submitted(user, annual, org)
    # One or two queries per provider, whatever the queue (21 with the forum's, the rounds'
    # and the price imports' providers).
    with django_assert_max_num_queries(24):
        items = inbox.items_for(officer_19)
    severities = [i.severity for i in items]
    assert severities == sorted(severities, key=list(Severity).index)
    review = next(i for i in items if i.kind == ItemKind.REVIEW)
    assert review.count == 5 and review.title.startswith("5 báo cáo chờ duyệt")
    assert inbox.items_for(public_user_of()) == []


def public_user_of():
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()


def test_a_province_summary_sent_back_by_central_officers_is_the_officers(
    semiannual, officer_19, officer_01, central
):
    period = Period.last_ended("half").code
    summary = services.open_report(officer_19, semiannual, period, province_id="19")
    values = {"new_cooperatives": "3", "dissolved_cooperatives": "1"}
    services.save_values(officer_19, summary.pk, values)
    services.submit(officer_19, summary.pk)
    services.return_report(central, summary.pk, "Thiếu số HTX giải thể")
    returned = [i for i in reporting_inbox.to_fill(officer_19) if i.kind == ItemKind.RETURNED]
    assert [(i.count, i.url) for i in returned] == [(1, f"/reporting/{summary.pk}/")]
    assert not [i for i in reporting_inbox.to_fill(officer_01) if i.kind == ItemKind.RETURNED]
