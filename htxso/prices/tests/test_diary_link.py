"""'What to do this month' for a member's own crops: the production diary's crops (traceability,
read through `core.facts.diary_crops`), each naming its commodity, with the crop calendar's
windows of that commodity in the plot's province — on the home panel and the calendar page."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from htxso.core import facts
from htxso.core.models import Commune
from htxso.core.roles import Role
from htxso.prices.crop_calendar import my_crops
from htxso.prices.models import CropWindow
from htxso.registry.tests.conftest import make_user
from htxso.registry.tests.factories import MembershipFactory, OrganisationFactory, PersonFactory
from htxso.traceability import services as diary


@pytest.fixture
def farm(catalogue):
    coop = OrganisationFactory(province_id="66", name="HTX Cà phê Ea Tu")
    other = OrganisationFactory(province_id="66", name="HTX Cà phê Cư M'gar")
    manager = make_user("quan-ly-ea-tu", Role.COOPERATIVE_MANAGER, "66", organisation=coop)
    other_manager = make_user("quan-ly-khac", Role.COOPERATIVE_MANAGER, "66", organisation=other)
    person = PersonFactory(province_id="66")
    MembershipFactory(organisation=coop, person=person)
    member = make_user("xa-vien-ea-tu", Role.MEMBER, "66", person=person)
    commune = Commune.objects.filter(province_id="66").order_by("code")[0]
    plot = diary.create_plot(manager, coop.pk, commune.pk, "Rẫy cà phê số 2", 10_000)
    hidden = diary.create_plot(manager, coop.pk, commune.pk, "Vườn ươm", 500, public=False)
    coffee = diary.add_crop(
        manager, plot.pk, "Cà phê vối TR4", "crop", dt.date(2019, 5, 20), "ca-phe-robusta"
    )
    diary.add_treatment(manager, coffee.pk, "Phân NPK 16-16-8", "300 kg/ha", dt.date(2026, 9, 1), 0)
    diary.add_crop(manager, plot.pk, "Sầu riêng Ri6", "crop", dt.date(2021, 6, 1))  # no calendar
    diary.add_crop(manager, plot.pk, "Chè xen", "crop", dt.date(2022, 1, 1), "che")  # not here
    diary.add_crop(
        manager, hidden.pk, "Cà phê giống", "crop", dt.date(2025, 1, 1), "ca-phe-robusta"
    )
    other_plot = diary.create_plot(other_manager, other.pk, commune.pk, "Rẫy khác", 900)
    diary.add_crop(
        other_manager, other_plot.pk, "Cà phê khác", "crop", dt.date(2020, 1, 1), "ca-phe-robusta"
    )
    return manager, member, coffee


def month() -> int:
    return timezone.localdate().month


def robusta_now() -> list[str]:
    windows = CropWindow.objects.filter(commodity__code="ca-phe-robusta", provinces="66")
    return [w.advice for w in windows.order_by("start_month", "id") if w.covers(month())]


def test_the_manager_sees_each_crop_with_its_calendar_this_month(farm):
    manager, _member, _coffee = farm
    found = {m.crop.name: m for m in my_crops(manager, month())}
    assert set(found) == {"Cà phê vối TR4", "Sầu riêng Ri6", "Chè xen", "Cà phê giống"}
    coffee = found["Cà phê vối TR4"]
    assert coffee.has_calendar and [w.advice for w in coffee.windows] == robusta_now()
    assert coffee.crop.last_input == "01/09/2026: Phân NPK 16-16-8"
    assert not found["Sầu riêng Ri6"].has_calendar and found["Sầu riêng Ri6"].crop.commodity == ""
    assert not found["Chè xen"].has_calendar  # tea's calendar is the northern midlands'


def test_a_member_sees_their_cooperatives_public_plots_only(farm):
    _manager, member, _coffee = farm
    names = {c.name for c in facts.diary_crops(member)}
    assert names == {"Cà phê vối TR4", "Sầu riêng Ri6", "Chè xen"}  # not the private nursery
    outsider = make_user("xa-vien-khac", Role.MEMBER, "66")
    assert facts.diary_crops(outsider) == []


def test_the_home_panel_and_the_calendar_say_what_to_do(farm, client):
    _manager, member, _coffee = farm
    client.force_login(member)
    home = client.get("/").content.decode()
    assert "Theo nhật ký sản xuất" in home and "Cà phê vối TR4" in home
    for advice in robusta_now():
        assert advice in home
    assert "chưa gắn với lịch thời vụ." in home  # the durian names no commodity
    assert "lịch thời vụ chưa có cho vùng này." in home  # tea in Đắk Lắk
    page = client.get(reverse("prices:calendar")).content.decode()
    assert 'id="my-crops"' in page and "Cà phê vối TR4" in page


def test_the_public_calendar_has_no_diary(farm, client):
    page = client.get(reverse("prices:calendar"), {"province": "66"}).content.decode()
    assert 'id="my-crops"' not in page


def test_the_diary_refuses_a_commodity_not_in_the_catalogue(farm):
    manager, _member, coffee = farm
    with pytest.raises(ValidationError) as refused:
        diary.add_crop(manager, coffee.plot_id, "Ca cao", "crop", dt.date(2024, 1, 1), "ca-cao")
    assert refused.value.message_dict == {
        "commodity": ["Không có mặt hàng này trong lịch thời vụ."]
    }


def test_the_diary_page_offers_the_calendar_and_keeps_the_choice(farm, client):
    manager, _member, coffee = farm
    client.force_login(manager)
    page = client.get(reverse("traceability:diary")).content.decode()
    assert "Theo lịch thời vụ của" in page and "Cà phê Robusta (nhân xô)" in page
    response = client.post(
        reverse("traceability:diary-write", args=["crop"]),
        {
            "crop-plot": coffee.plot_id,
            "crop-name": "Hồ tiêu Vĩnh Linh",
            "crop-kind": "crop",
            "crop-started_on": "01/05/2024",
            "crop-commodity": "ho-tieu",
        },
    )
    assert response.status_code == 302
    assert {c.commodity for c in facts.diary_crops(manager) if c.name == "Hồ tiêu Vĩnh Linh"} == {
        "ho-tieu"
    }
