"""The navigation bar (core/nav.py): what each role is offered, and where."""

import pytest
from django.test import RequestFactory

from htxso.core.nav import TABLE, nav
from htxso.core.roles import Role
from htxso.registry.tests.conftest import make_user
from htxso.registry.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def offered(user) -> dict[str, list[str]]:
    request = RequestFactory().get("/registry/")
    request.user = user
    return {
        place: [str(link["label"]) for link in links]
        for place, links in nav(request)["nav"].items()
    }


def test_the_public_gets_the_bar_and_the_services_but_no_work():
    from django.contrib.auth.models import AnonymousUser

    links = offered(AnonymousUser())
    assert links["bar"] == ["Tổng quan", "Sổ đăng ký", "Thống kê"]
    assert links["services"] == [
        "Chợ HTX",
        "Giá nông sản",
        "Tra cứu đăng ký",
        "Văn bản chỉ đạo",
        "Diễn đàn HTX",
    ]
    assert links["work"] == []


@pytest.mark.parametrize(
    ("role", "work"),
    [
        (
            Role.CENTRAL_OFFICER,
            [
                "Báo cáo",
                "Phân loại, đánh giá",
                "Nhiệm vụ",
                "Truy xuất thu hồi",
                "Từ đồng nghĩa khi nhập",
            ],
        ),
        (
            Role.PROVINCIAL_OFFICER,
            ["Báo cáo", "Nhập dữ liệu", "Phân loại, đánh giá", "Nhiệm vụ", "Truy xuất thu hồi"],
        ),
        (Role.ALLIANCE_ADVISER, ["Phân loại, đánh giá"]),
        (Role.COMMUNE_OFFICER, ["Hồ sơ chờ giải quyết"]),
        (Role.APPLICANT, ["Hồ sơ đăng ký của tôi"]),
        (Role.MEMBER, []),
        (Role.BUYER, []),
    ],
)
def test_each_role_is_offered_its_own_tools(role, work):
    province = "19" if role in (Role.PROVINCIAL_OFFICER, Role.COMMUNE_OFFICER) else None
    user = make_user(f"nav-{role}", role, province)
    links = offered(user)
    assert links["work"] == work
    assert links["bar"][0] == "Trang của tôi"
    # Officers follow the tasks on their dashboard, not on the public page of directives.
    following = role in (Role.CENTRAL_OFFICER, Role.PROVINCIAL_OFFICER)
    assert ("Văn bản chỉ đạo" in links["services"]) is not following
    assert links["services"][-1] == "Diễn đàn HTX"  # the forum is everyone's


def test_a_manager_sells_only_with_an_organisation():
    organisation = OrganisationFactory()
    manager = make_user("nav-manager", Role.COOPERATIVE_MANAGER, organisation=organisation)
    assert offered(manager)["work"] == [
        "Bán hàng",
        "Nhật ký sản xuất",
        "Báo cáo",
        "Nhập dữ liệu",
        "Phân loại, đánh giá",
    ]
    alone = make_user("nav-manager-alone", Role.COOPERATIVE_MANAGER)
    assert offered(alone)["work"] == [
        "Nhật ký sản xuất",
        "Báo cáo",
        "Nhập dữ liệu",
        "Phân loại, đánh giá",
    ]


def test_the_current_page_is_marked():
    user = make_user("nav-central", Role.CENTRAL_OFFICER)
    request = RequestFactory().get("/registry/123/")
    request.user = user
    bar = nav(request)["nav"]["bar"]
    assert [link["current"] for link in bar] == [False, False, True, False]


def test_only_the_closest_link_is_marked():
    """On the forum (/tasks/forum/) the forum is current, not the tasks (/tasks/) as well."""
    user = make_user("nav-province-forum", Role.PROVINCIAL_OFFICER, "19")
    request = RequestFactory().get("/tasks/forum/2026/")
    request.user = user
    places = nav(request)["nav"]
    current = [link["label"] for links in places.values() for link in links if link["current"]]
    assert [str(label) for label in current] == ["Diễn đàn HTX"]
    request = RequestFactory().get("/tasks/12/")
    request.user = user
    places = nav(request)["nav"]
    current = [link["label"] for links in places.values() for link in links if link["current"]]
    assert [str(label) for label in current] == ["Nhiệm vụ"]


def test_the_bar_stays_short_for_every_role():
    """The apps' links go in the menus: the bar itself holds at most four links."""
    assert sum(1 for entry in TABLE if entry.place == "bar") <= 4


def test_the_page_renders_the_menus(client):
    user = make_user("nav-province", Role.PROVINCIAL_OFFICER, "19")
    client.force_login(user)
    html = client.get("/overview/").content.decode()
    assert 'id="nav-services"' in html and 'id="nav-work"' in html
    assert 'href="/tasks/"' in html
    client.logout()
    html = client.get("/overview/").content.decode()
    assert 'id="nav-work"' not in html and 'id="signup-menu"' in html


def test_the_remembered_urls_keep_nothing_of_one_user_for_another():
    """The URLs are kept per language (and URLconf); who is offered what, and which link is
    current, is still decided per request: an officer's tools never reach the next visitor."""
    from django.contrib.auth.models import AnonymousUser
    from django.utils import translation

    officer = make_user("nav-cache-officer", Role.PROVINCIAL_OFFICER)
    seen_by_officer = offered(officer)
    assert "Nhập dữ liệu" in seen_by_officer["work"]
    public = offered(AnonymousUser())
    assert public["work"] == [] and "Trang của tôi" not in public["bar"]
    assert offered(officer) == seen_by_officer
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    with translation.override("en"):
        english = {str(link["url"]) for link in nav(request)["nav"]["services"]}
    with translation.override("vi"):
        vietnamese = {str(link["url"]) for link in nav(request)["nav"]["services"]}
    assert english == vietnamese  # URLs are not translated here; kept apart all the same
    from htxso.core import nav as module

    assert {key[2] for key in module._urls} >= {"en", "vi"}
    assert all(isinstance(value, str) for value in module._urls.values())
    request = RequestFactory().get("/registry/")
    request.user = officer
    assert [link["current"] for link in nav(request)["nav"]["bar"]][2] is True
    request = RequestFactory().get("/statistics/")
    request.user = officer
    assert [link["current"] for link in nav(request)["nav"]["bar"]][2] is False
