"""The home page at `/` per role (`core/home.py` with the panels of the registry and reporting):
each signed-in role lands on its own work; the public keeps the national overview."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser

from htxso.core import home
from htxso.registry.tests.factories import MembershipFactory, OrganisationFactory, PersonFactory
from htxso.reporting import services

from .conftest import LAST_YEAR, good_values, make_user

pytestmark = pytest.mark.django_db


def page(client, user, url="/") -> str:
    if user is not None:
        client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def approved(manager, officer, form, org, period, **values):
    report = services.open_report(manager, form, period, organisation=org)
    services.save_values(manager, report.pk, good_values(**values))
    services.submit(manager, report.pk)
    return services.approve(officer, report.pk)


def test_the_public_keeps_the_national_overview(client, reference, public_user):
    for user in (None, public_user):
        html = page(client, user)
        assert 'id="province-table"' in html and 'id="inbox"' not in html
    assert 'id="province-table"' in page(client, None, "/overview/")


def test_a_signed_in_officer_still_finds_the_national_overview(client, officer_19):
    html = page(client, officer_19, "/overview/")
    assert 'id="province-table"' in html
    assert "Trang của tôi" in html  # and the way back to their own home


def test_the_manager_sees_their_cooperative_its_report_due_and_last_years_figures(
    client, annual, htx, manager, officer_19
):
    previous = str(int(LAST_YEAR) - 1)
    approved(manager, officer_19, annual, htx, previous, revenue="1.000")
    approved(manager, officer_19, annual, htx, LAST_YEAR, revenue="1.250")
    html = page(client, manager)
    assert "Xin chào" in html and 'id="home-role"' in html
    assert htx.name in html and 'id="coop-profile"' in html
    assert "Còn thiếu" in html and "Thư điện tử" in html  # the factory leaves e-mail empty
    assert f'href="/registry/{htx.pk}/edit/"' in html
    # Figures of the latest approved year against the year before: 1.250 vs 1.000 = +25 %.
    assert 'id="figures-table"' in html and "+25,0 %" in html
    assert "Xem báo cáo" in html


def test_a_manager_without_an_approved_report_is_told_so(client, annual, htx, manager):
    html = page(client, manager)
    assert "Chưa có báo cáo năm nào của tổ chức được duyệt" in html
    assert 'data-kind="todo"' in html  # last year's report is due


def test_a_manager_not_linked_to_an_organisation_is_told_what_to_do(client, reference):
    lost = make_user("quan-ly-lac", "cooperative_manager", "19")
    html = page(client, lost)
    assert "chưa được gắn với tổ chức nào" in html


def test_a_member_sees_their_own_memberships_only(client, reference):
    person = PersonFactory(province_id="19")
    htx = OrganisationFactory(province_id="19", name="HTX Chè Thử Nghiệm")
    group = OrganisationFactory(province_id="01", name="HTX Rau Hà Nội")
    joined = dt.date(2019, 4, 2)
    capital = 2_500_000
    MembershipFactory(
        organisation=htx, person=person, joined_on=joined, capital_contributed=capital
    )
    MembershipFactory(organisation=group, person=person, joined_on=dt.date(2021, 1, 5))
    MembershipFactory(organisation=htx, person=PersonFactory(province_id="19"))  # not theirs
    member = make_user("thanh-vien", "member", person=person)
    html = page(client, member)
    assert html.count('class="list-group-item membership"') == 2
    assert "HTX Chè Thử Nghiệm" in html and "HTX Rau Hà Nội" in html
    assert "02/04/2019" in html and "2.500.000" in html
    assert 'id="inbox-empty"' in html


def test_a_member_without_a_person_is_told_so(client, reference):
    html = page(client, make_user("thanh-vien-lac", "member"))
    assert "chưa được gắn với hồ sơ cá nhân" in html


def test_the_provincial_officer_sees_their_queue_and_their_province(
    client, annual, htx, manager, officer_19, officer_01
):
    report = services.open_report(manager, annual, LAST_YEAR, organisation=htx)
    services.save_values(manager, report.pk, good_values())
    services.submit(manager, report.pk)
    html = page(client, officer_19)
    assert "1 báo cáo chờ duyệt" in html and f'href="/reporting/{report.pk}/"' in html
    assert "Số liệu của Thái Nguyên" in html and 'href="/registry/provinces/19/"' in html
    client.logout()
    html_01 = page(client, officer_01)
    assert "chờ duyệt" not in html_01 and 'href="/registry/provinces/01/"' in html_01


def test_the_central_officer_sees_the_national_figures(client, reference, central):
    html = page(client, central)
    assert "Số liệu toàn quốc" in html and 'id="fig-members"' in html


def test_the_adviser_is_told_honestly_what_they_see(client, reference):
    adviser = make_user("tu-van", "alliance_adviser")
    html = page(client, adviser)
    assert "Ngoài các tổ chức được phân công tư vấn" in html and 'id="adviser-search"' in html
    assert "Bạn chưa được phân công tư vấn tổ chức nào" in html  # the assessment's panel
    assert "Số liệu toàn quốc" in html


def test_the_system_admin_sees_the_system(client, reference, admin, officer_19):
    officer_19.locked_at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    officer_19.save(update_fields=["locked_at"])
    html = page(client, admin)
    assert 'id="panel-system"' in html and "Lượt nhập dữ liệu" in html
    assert "Lượt nhập báo cáo" in html
    assert "1 tài khoản bị khóa do đăng nhập sai" in html  # an inbox item


def test_the_home_answers_in_english_too(client, annual, htx, manager):
    client.force_login(manager)
    client.cookies.load({"django_language": "en"})
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Hello" in html and "Waiting for you" in html


def test_panels_follow_their_roles(reference, manager, central):
    assert home.panels_for(AnonymousUser()) == []
    templates = [p.template for p in home.panels_for(manager)]
    assert templates == [
        "registry/_home_cooperative.html",
        "reporting/_home_figures.html",
        "prices/_home.html",  # what to do this month for the crops, and price alerts
    ]
    assert [p.template for p in home.panels_for(central)] == ["registry/_home_figures.html"]


def test_only_get_is_answered(client, manager):
    client.force_login(manager)
    assert client.post("/").status_code == 405


def test_the_home_costs_the_same_queries_whatever_the_queue(client, annual, officer_19, admin):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(user):
        client.force_login(user)
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/").status_code == 200
        return len(captured)

    def submit_one(n):
        org = OrganisationFactory(province_id="19")
        manager = make_user(f"quan-ly-{n}", "cooperative_manager", "19", organisation=org)
        report = services.open_report(manager, annual, LAST_YEAR, organisation=org)
        services.save_values(manager, report.pk, good_values())
        services.submit(manager, report.pk)

    submit_one(0)
    before = {user.pk: queries(user) for user in (officer_19, admin)}
    for n in range(1, 6):
        submit_one(n)
    assert {user.pk: queries(user) for user in (officer_19, admin)} == before
    # Each app's inbox provider and panel costs one or two queries, whatever the queue; ten
    # apps now (the forum, the rounds sent to the centre, price imports joined): 28 and 34.
    assert max(before.values()) <= 36


def test_the_managers_due_report_link_opens_the_form_with_its_period(client, annual, manager):
    from htxso.reporting import inbox as reporting_inbox

    (item,) = [i for i in reporting_inbox.to_fill(manager) if i.detail == "Chưa lập báo cáo"][:1]
    html = page(client, manager, item.url)
    period = item.url.rsplit("period=", 1)[1]
    assert f'id="period-{annual.code}" name="period"' in html
    assert f'value="{period}"' in html
