"""One definition of a current member (#16): an open membership of an organisation that is not
dissolved or bankrupt (registry/members.py). The home page counted the open memberships of
dissolved HTX (95.968) where the statistics did not (89.059); the province page and the API
followed the home page."""

import datetime as dt

import pytest
from django.urls import reverse

from htxso.registry import services
from htxso.registry.choices import Status
from htxso.registry.members import current_q
from htxso.registry.models import Membership
from htxso.reporting import statistics
from htxso.reporting.models import NATIONAL, TOTAL, IndicatorCell
from htxso.reporting.tests.conftest import reference  # noqa: F401  (the indicator catalogue)

from .factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry(reference):  # noqa: F811
    """An HTX with 3 members, one whose 2 members left, and one dissolved with 4 memberships
    nobody closed, all in Thái Nguyên (19)."""
    active = OrganisationFactory(name="HTX Còn Hoạt Động")
    for _ in range(3):
        MembershipFactory(organisation=active)
    left = OrganisationFactory(name="HTX Có Người Rời")
    for membership in [MembershipFactory(organisation=left) for _ in range(2)]:
        services.end_membership(None, membership.pk, dt.date(2024, 1, 1))
    dissolved = OrganisationFactory(name="HTX Đã Giải Thể")
    for _ in range(4):
        MembershipFactory(organisation=dissolved)
    services.change_status(None, dissolved.pk, Status.DISSOLVED, dt.date(2024, 6, 1))
    statistics.refresh_registry(None)
    for organisation in (active, left, dissolved):
        organisation.refresh_from_db()
    return active, left, dissolved


def figure(html: str, name: str) -> str:
    start = html.index(f'id="fig-{name}">') + len(f'id="fig-{name}">')
    return html[start : html.index("<", start)]


def test_home_province_api_and_statistics_count_the_same_members(client, registry):
    active, _left, dissolved = registry
    assert figure(client.get(reverse("home")).content.decode(), "members") == "3"
    province = client.get(reverse("registry:province", args=["19"])).content.decode()
    assert figure(province, "members") == "3"
    assert "HTX Đã Giải Thể" not in province  # nor among the largest cooperatives
    api = client.get(f"/api/v1/organisations/{dissolved.pk}").json()
    assert api["members_count"] == 0
    assert client.get(f"/api/v1/organisations/{active.pk}").json()["members_count"] == 3
    live = IndicatorCell.objects.get(
        indicator="members",
        period=statistics.running_period().code,
        area=NATIONAL,
        kind=TOTAL,
        sector=TOTAL,
        status=TOTAL,
    )
    assert live.value == 3


def test_the_rule_as_a_membership_filter(registry):
    active, left, dissolved = registry
    current = Membership.objects.filter(current_q())
    assert current.count() == 3
    assert set(current.values_list("organisation_id", flat=True)) == {active.pk}
    assert dissolved.current_members == 0 and active.current_members == 3
    assert left.current_members == 0


def test_a_dissolved_organisation_says_it_has_no_current_members(client, registry):
    _active, _left, dissolved = registry
    page = client.get(reverse("registry:organisation", args=[dissolved.pk])).content.decode()
    assert 'id="closed-members"' in page and "không còn thành viên hiện tại" in page
