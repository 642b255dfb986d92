"""The registry's editing forms take and show numbers and dates the Vietnamese way (#16):
capital "5.000.000" was refused ("Nhập một số tổng thể."), a stored 769000000 was shown raw, and
an English browser showed its date inputs as mm/dd/yyyy."""

import datetime as dt
import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from htxso.registry.models import Membership, Organisation

from .factories import HouseholdFactory, MembershipFactory, OrganisationFactory, valid_cccd
from .test_edit_pages import edit_data, field_errors

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _restore_language():
    """The English page activates English in the test's thread: don't leak it."""
    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture
def officer(officer_19, client):
    client.force_login(officer_19)
    return officer_19


def value_of(html: str, name: str) -> str:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    assert tag, name
    found = re.search(r'value="([^"]*)"', tag.group(0))
    return found.group(1) if found else ""


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_edit_form_shows_capital_and_dates_the_vietnamese_way(client, officer, language):
    organisation = OrganisationFactory(
        charter_capital=769_000_000, established_on=dt.date(2015, 3, 4)
    )
    client.cookies["django_language"] = language
    html = client.get(reverse("registry:edit", args=[organisation.pk])).content.decode()
    assert value_of(html, "charter_capital") == "769.000.000"
    assert value_of(html, "established_on") == "04/03/2015"
    assert 'type="date"' not in html


def test_capital_and_dates_typed_the_vietnamese_way_are_saved(client, officer):
    organisation = OrganisationFactory()
    data = edit_data(
        organisation,
        charter_capital="5.000.000",
        established_on="04/03/2015",  # the 4th of March, never the 3rd of April
        registered_on="05/04/2016",
    )
    response = client.post(reverse("registry:edit", args=[organisation.pk]), data)
    assert response.status_code == 302, field_errors(response)
    organisation.refresh_from_db()
    assert organisation.charter_capital == 5_000_000
    assert organisation.established_on == dt.date(2015, 3, 4)
    assert organisation.registered_on == dt.date(2016, 4, 5)


def test_a_wrong_capital_or_date_is_refused_in_vietnamese_and_nothing_written(client, officer):
    organisation = OrganisationFactory(charter_capital=1_000)
    data = edit_data(organisation, charter_capital="5 triệu", established_on="2015/31/12")
    response = client.post(reverse("registry:edit", args=[organisation.pk]), data)
    assert response.status_code == 422
    errors = field_errors(response)
    assert errors["charter_capital"] == ["Nhập số tiền bằng đồng, ví dụ 5.000.000."]
    assert errors["established_on"] == ["Nhập ngày theo dạng dd/mm/yyyy, ví dụ 05/04/2025."]
    assert value_of(response.content.decode(), "charter_capital") == "5 triệu"  # kept as typed
    organisation.refresh_from_db()
    assert (organisation.charter_capital, organisation.version) == (1_000, 1)


def test_a_member_is_added_with_vietnamese_capital_and_dates(client, officer):
    organisation = OrganisationFactory()
    cccd = valid_cccd(birth_year=1980)
    response = client.post(
        reverse("registry:members", args=[organisation.pk]),
        {
            "cccd": cccd,
            "full_name": "Lò Văn Thử",
            "birth_date": "02/05/1980",
            "kind": "official",
            "joined_on": "01/02/2021",
            "capital_contributed": "2.500.000 đ",
        },
    )
    assert response.status_code == 302, field_errors(response)
    membership = Membership.objects.get(organisation=organisation, person__cccd=cccd)
    assert membership.capital_contributed == 2_500_000
    assert membership.joined_on == dt.date(2021, 2, 1)
    assert membership.person.birth_date == dt.date(1980, 5, 2)


def test_an_email_saved_on_the_edit_form_is_shown(client, officer):
    organisation = OrganisationFactory()
    data = edit_data(organisation, email="htx@example.vn", website="https://htx.example.vn")
    response = client.post(reverse("registry:edit", args=[organisation.pk]), data)
    assert response.status_code == 302, field_errors(response)
    assert Organisation.objects.get(pk=organisation.pk).email == "htx@example.vn"
    client.logout()  # the organisation's contacts are published registry fields (as in the API)
    page = client.get(reverse("registry:organisation", args=[organisation.pk])).content.decode()
    assert 'href="mailto:htx@example.vn"' in page
    assert 'href="https://htx.example.vn"' in page


def test_a_membership_is_ended_with_a_day_month_year_date(client, officer):
    organisation = OrganisationFactory()
    membership = MembershipFactory(organisation=organisation)
    page = client.get(reverse("registry:members", args=[organisation.pk])).content.decode()
    assert 'type="date"' not in page and 'placeholder="dd/mm/yyyy"' in page
    response = client.post(
        reverse("registry:membership-end", args=[membership.pk]), {"left_on": "03/02/2024"}
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.left_on == dt.date(2024, 2, 3)


def test_a_household_business_shows_no_member_table(client, officer):
    """Household businesses have no members (services.rules); their pages showed a
    cooperative's member table, its link and the form to add one (#16)."""
    household = HouseholdFactory()
    page = client.get(reverse("registry:organisation", args=[household.pk])).content.decode()
    assert 'id="member-counts"' not in page and 'id="no-members"' in page
    assert reverse("registry:members", args=[household.pk]) not in page
    members = client.get(reverse("registry:members", args=[household.pk])).content.decode()
    assert "Thêm thành viên" not in members and 'id="no-members"' in members
    cooperative = OrganisationFactory()
    page = client.get(reverse("registry:organisation", args=[cooperative.pk])).content.decode()
    assert 'id="member-counts"' in page and 'id="no-members"' not in page
