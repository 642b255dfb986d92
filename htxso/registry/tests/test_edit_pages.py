"""The editing pages: forms validate in Vietnamese, services write with audit, nothing is lost."""

import re

import pytest
from django.urls import reverse

from htxso.core.models import AuditEntry
from htxso.registry.models import Membership, Organisation, Person, StatusChange

from .conftest import make_user
from .factories import OrganisationFactory, UnionFactory, valid_cccd, valid_tax_code

pytestmark = pytest.mark.django_db


def field_errors(response) -> dict[str, list[str]]:
    html = response.content.decode()
    errors: dict[str, list[str]] = {}
    for field, message in re.findall(r'data-field="(\w+)">([^<]*)<', html):
        errors.setdefault(field, []).append(message)
    return errors


def form_errors(response) -> list[str]:
    block = re.search(r'id="form-errors">(.*?)</div>\s*\n', response.content.decode(), re.S)
    return re.findall(r"<div>([^<]*)</div>", block.group(1)) if block else []


def new_org_data(**overrides) -> dict:
    data = {
        "kind": "cooperative",
        "name": "HTX Trang Thử",
        "sector": "A",
        "province": "19",
        "established_on": "2020-01-01",
        "tax_code": valid_tax_code(),
    }
    return {**data, **overrides}


@pytest.fixture
def officer(officer_19, client):
    client.force_login(officer_19)
    return officer_19


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("registry:create"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_public_role_cannot_create(client, public_user):
    client.force_login(public_user)
    assert client.get(reverse("registry:create")).status_code == 403


def test_create_with_audit(client, officer):
    response = client.post(reverse("registry:create"), new_org_data())
    assert response.status_code == 302
    organisation = Organisation.objects.get(name="HTX Trang Thử")
    assert response["Location"] == organisation.get_absolute_url()
    entry = AuditEntry.objects.get(
        object_type="registry.organisation", object_id=str(organisation.pk)
    )
    assert (entry.actor, entry.action) == (officer, "create")
    assert entry.request_id  # the request's id, from the middleware


def test_bad_tax_code_is_reported_on_its_field_and_nothing_written(client, officer):
    response = client.post(reverse("registry:create"), new_org_data(tax_code="0100233480"))
    assert response.status_code == 422
    assert "chữ số kiểm tra" in field_errors(response)["tax_code"][0]
    assert 'value="HTX Trang Thử"' in response.content.decode()  # what was typed is kept
    assert not Organisation.objects.filter(name="HTX Trang Thử").exists()


def test_missing_fields_get_vietnamese_messages(client, officer):
    response = client.post(reverse("registry:create"), {"kind": "cooperative"})
    assert response.status_code == 422
    errors = field_errors(response)
    assert {"name", "sector", "province", "established_on"} <= set(errors)
    assert errors["name"] == ["Trường này là bắt buộc."]


def test_officer_cannot_create_in_another_province(client, officer):
    response = client.post(reverse("registry:create"), new_org_data(province="01"))
    assert response.status_code == 403
    assert not Organisation.objects.filter(name="HTX Trang Thử").exists()


def test_commune_of_another_province_is_refused(client, officer):
    response = client.post(reverse("registry:create"), new_org_data(commune="00004"))
    assert response.status_code == 422
    assert "commune" in field_errors(response)


def edit_data(organisation: Organisation, **overrides) -> dict:
    data = new_org_data(
        name=organisation.name,
        tax_code=organisation.tax_code or "",
        kind=organisation.kind,
        sector=organisation.sector,
        established_on=organisation.established_on.isoformat(),
        version=organisation.version,
    )
    return {**data, **overrides}


def test_edit_and_stale_edit(client, officer):
    organisation = OrganisationFactory(province_id="19")
    response = client.post(
        reverse("registry:edit", args=[organisation.pk]),
        edit_data(organisation, name="HTX Tên Mới"),
    )
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert (organisation.name, organisation.version) == ("HTX Tên Mới", 2)
    # A second form still carrying version 1: refused, nothing overwritten, input kept.
    stale = edit_data(organisation, name="HTX Ghi Đè", version=1)
    response = client.post(reverse("registry:edit", args=[organisation.pk]), stale)
    assert response.status_code == 409
    assert "đã được người khác cập nhật" in form_errors(response)[0]
    assert 'value="HTX Ghi Đè"' in response.content.decode()
    organisation.refresh_from_db()
    assert organisation.name == "HTX Tên Mới"


def test_other_province_cannot_edit(client, officer):
    organisation = OrganisationFactory(province_id="01")
    assert client.get(reverse("registry:edit", args=[organisation.pk])).status_code == 403
    assert (
        client.post(
            reverse("registry:status", args=[organisation.pk]),
            {"status": "suspended", "effective_on": "2024-01-01"},
        ).status_code
        == 403
    )


def test_status_change_and_its_errors(client, officer):
    organisation = OrganisationFactory(province_id="19")
    url = reverse("registry:status", args=[organisation.pk])
    response = client.post(url, {"status": "suspended", "effective_on": "1990-01-01"})
    assert response.status_code == 422
    assert "trước ngày thành lập" in field_errors(response)["effective_on"][0]
    response = client.post(
        url,
        {
            "status": "suspended",
            "effective_on": "2024-03-01",
            "reason": "Theo đề nghị",
            "document_no": "12/QĐ",
        },
    )
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.status == "suspended"
    assert StatusChange.objects.filter(organisation=organisation, document_no="12/QĐ").exists()


def test_add_member_by_cccd_then_end(client, officer):
    organisation = OrganisationFactory(province_id="19")
    url = reverse("registry:members", args=[organisation.pk])
    cccd = valid_cccd(birth_year=1980)
    response = client.post(url, {"cccd": cccd, "kind": "official", "joined_on": "2021-01-01"})
    assert response.status_code == 422
    errors = field_errors(response)  # the facts on the card are needed, known person or not
    assert "full_name" in errors and "birth_date" in errors
    response = client.post(
        url,
        {
            "cccd": cccd,
            "full_name": "Lò Văn Thử",
            "birth_date": "1980-05-02",
            "kind": "official",
            "joined_on": "2021-01-01",
            "capital_contributed": "2000000",
        },
    )
    assert response.status_code == 302
    person = Person.objects.get(cccd=cccd)
    membership = Membership.objects.get(organisation=organisation, person=person)
    page = client.get(url).content.decode()
    assert "Lò Văn Thử" in page and cccd not in page  # the CCCD is masked on the page
    # The same person again: refused with the constraint's Vietnamese message.
    again = {"cccd": cccd, "full_name": "LÒ  văn thử", "birth_date": "1980-05-02"}
    response = client.post(url, {**again, "kind": "official", "joined_on": "2021-02-01"})
    assert response.status_code == 422
    assert "đang là thành viên" in " ".join(form_errors(response))
    response = client.post(
        reverse("registry:membership-end", args=[membership.pk]), {"left_on": "2024-01-01"}
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.left_on.isoformat() == "2024-01-01"


def test_union_takes_an_htx_by_tax_code(client, officer):
    union = UnionFactory(province_id="19")
    member = OrganisationFactory(province_id="19")
    response = client.post(
        reverse("registry:members", args=[union.pk]),
        {"member_tax_code": member.tax_code, "kind": "official", "joined_on": "2024-01-01"},
    )
    assert response.status_code == 302
    assert Membership.objects.filter(organisation=union, member_organisation=member).exists()


def test_history_lists_the_changes_with_request_ids(client, officer):
    response = client.post(reverse("registry:create"), new_org_data())
    organisation = Organisation.objects.get(name="HTX Trang Thử")
    client.post(
        reverse("registry:status", args=[organisation.pk]),
        {"status": "suspended", "effective_on": "2024-03-01"},
    )
    page = client.get(reverse("registry:history", args=[organisation.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Tạo mới" in html and "Đổi tình trạng" in html  # the actions in words
    for entry in AuditEntry.objects.filter(object_id=str(organisation.pk)):
        assert entry.request_id in html
    assert response.status_code == 302


def test_history_is_not_for_everyone(client, db):
    organisation = OrganisationFactory(province_id="19")
    client.force_login(make_user("tu-van", "alliance_adviser"))
    assert client.get(reverse("registry:history", args=[organisation.pk])).status_code == 403


def test_person_page_masks_until_an_explicit_logged_reveal(client, officer):
    from .factories import MembershipFactory, PersonFactory

    person = PersonFactory(province_id="19", phone="0987654321")
    MembershipFactory(organisation=OrganisationFactory(province_id="19"), person=person)
    url = reverse("registry:person", args=[person.pk])
    page = client.get(url).content.decode()
    assert person.cccd not in page and "0987654321" not in page
    assert person.cccd[:3] + "*" in page
    assert not AuditEntry.objects.filter(action="reveal").exists()
    page = client.post(url, {"reveal": "1"}).content.decode()
    assert person.cccd in page and "0987654321" in page
    entry = AuditEntry.objects.get(action="reveal", object_id=str(person.pk))
    assert entry.actor == officer


def test_central_officer_sees_masked_person_but_cannot_reveal(client, db):
    from .factories import MembershipFactory, PersonFactory

    person = PersonFactory(province_id="19")
    MembershipFactory(organisation=OrganisationFactory(province_id="19"), person=person)
    client.force_login(make_user("trung-uong", "central_officer"))
    url = reverse("registry:person", args=[person.pk])
    assert person.cccd not in client.get(url).content.decode()
    assert client.post(url, {"reveal": "1"}).status_code == 403
    assert not AuditEntry.objects.filter(action="reveal").exists()
