"""One presenter of personal data (core/personal.py): the same person, unrevealed, shows the
same masked fields in the API, on the pages (template tag and filter) and in the exports."""

import csv
import datetime as dt
import io

from django.core.cache import cache
from django.urls import reverse

from htxso.core.personal import masked
from htxso.core.roles import Role
from htxso.core.tokens import issue_token

from .conftest import make_user
from .factories import MembershipFactory, OrganisationFactory, PersonFactory

BORN = dt.date(1985, 4, 2)


def _person():
    person = PersonFactory(
        province_id="19",
        born=1985,
        birth_date=BORN,
        phone="0912345678",
        address="Xóm Đồi, thôn 3",
    )
    MembershipFactory(organisation=OrganisationFactory(province_id="19"), person=person)
    return person


def test_the_same_person_is_masked_the_same_in_every_channel(client, db):
    cache.clear()
    person = _person()
    expected = {f: masked(f, getattr(person, f)) for f in ("cccd", "phone", "address")}
    expected["birth_date"] = "**/**/1985"
    officer = make_user("trung-uong-che", Role.CENTRAL_OFFICER)

    token = issue_token(None, officer, "x")
    api = client.get(f"/api/v1/people/{person.pk}", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert api["masked"] is True
    assert {f: api[f] for f in ("cccd", "phone", "address")} == {
        f: expected[f] for f in ("cccd", "phone", "address")
    }
    assert api["birth_date"] is None  # a typed date: masked means absent

    client.force_login(officer)
    page = client.get(reverse("registry:person", args=[person.pk])).content.decode()
    for value in expected.values():
        assert value in page
    for value in (person.cccd, person.phone, person.address, "02/04/1985"):
        assert value not in page

    export = client.get(reverse("exchange:export-members", args=["csv"]))
    data = b"".join(export.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(data)))
    [row] = [r for r in rows if r["Điện thoại"] == expected["phone"]]
    assert row["Số CCCD"] == expected["cccd"]
    assert row["Ngày sinh"] == expected["birth_date"]
    assert row["Số nhà, đường, thôn"] == expected["address"]


def test_the_members_list_masks_through_the_template_filter(client, db):
    person = _person()
    organisation = person.memberships.get().organisation
    client.force_login(make_user("trung-uong-ds", Role.CENTRAL_OFFICER))
    page = client.get(reverse("registry:members", args=[organisation.pk])).content.decode()
    assert masked("cccd", person.cccd) in page and person.cccd not in page
