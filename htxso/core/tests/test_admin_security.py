"""The admin: system administrators only, and personal data masked as on the pages."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from htxso.core.audit import record
from htxso.core.models import AuditEntry
from htxso.core.roles import Role
from htxso.registry.models import Membership
from htxso.registry.tests.conftest import make_user
from htxso.registry.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

PHONE = "0912345678"


@pytest.fixture
def admin_client(client):
    client.force_login(make_user("admin-thu", Role.SYSTEM_ADMIN, is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def person():
    return PersonFactory(
        phone=PHONE,
        email="thu@example.vn",
        address="Xóm Đồi, thôn 3",
        birth_date=dt.date(1980, 5, 6),
    )


def test_person_change_page_masks_everything(admin_client, person):
    page = admin_client.get(f"/admin/registry/person/{person.pk}/change/").content.decode()
    assert person.full_name in page
    assert person.cccd not in page and person.cccd[:3] + "*******" + person.cccd[-2:] in page
    assert PHONE not in page and "09******78" in page
    assert "thu@example.vn" not in page
    assert "Xóm Đồi" not in page
    assert "06/05/1980" not in page and "1980-05-06" not in page and "**/**/1980" in page
    assert reverse("registry:person", args=[person.pk]) in page  # the logged reveal is there
    assert 'name="cccd"' not in page and 'name="phone"' not in page  # no form fields


def test_person_search_by_exact_cccd_finds_without_showing_it(admin_client, person):
    PersonFactory()  # another person, not found
    page = admin_client.get("/admin/registry/person/", {"q": person.cccd}).content.decode()
    assert person.full_name in page
    start = page.index('id="result_list"')
    results = page[start : page.index("</table>", start)]
    visible = re.sub(r"<[^>]+>", " ", results)  # the rows' text (links carry the query as typed)
    assert person.full_name in visible and person.cccd not in visible
    page = admin_client.get("/admin/registry/person/", {"q": person.cccd[:6]}).content.decode()
    assert person.full_name not in page  # exact match only: no prefix enumeration
    searches = AuditEntry.objects.filter(action="search", object_type="registry.person")
    assert searches.count() == 2  # each lookup on record, the number masked
    assert all(person.cccd not in str(e.after) + e.object_repr for e in searches)


@pytest.mark.parametrize(
    ("path", "lookup"),
    [
        ("/admin/registry/person/", "cccd__startswith"),
        ("/admin/registry/person/", "phone__startswith"),
        ("/admin/registry/person/", "birth_date"),
        ("/admin/registry/membership/", "person__cccd__startswith"),
        ("/admin/core/auditentry/", "after__cccd__startswith"),
        ("/admin/core/user/", "person__cccd__startswith"),
        ("/admin/otp_totp/totpdevice/", "key__startswith"),
    ],
)
def test_list_lookups_in_the_address_cannot_probe_masked_values(admin_client, person, path, lookup):
    # Django's admin took any field lookup from the address: a CCCD, a phone number or a
    # second-factor key could be found a character at a time, unlogged.
    response = admin_client.get(path, {lookup: person.cccd[:4]})
    assert response.status_code == 400
    assert admin_client.get(path, {"pk": person.pk}).status_code == 200  # the list still works


def test_membership_page_shows_no_personal_data(admin_client, person):
    from htxso.registry.tests.factories import OrganisationFactory

    organisation = OrganisationFactory(province_id="19")
    membership = Membership.objects.create(
        organisation=organisation,
        person=person,
        kind="official",
        joined_on=dt.date(2020, 1, 1),
        province_id="19",
    )
    page = admin_client.get(f"/admin/registry/membership/{membership.pk}/change/")
    assert page.status_code == 200
    text = page.content.decode()
    assert person.full_name in text
    assert person.cccd not in text and PHONE not in text
    assert reverse("registry:person", args=[person.pk]) in text


def test_audit_entry_admin_masks_personal_values(admin_client, person):
    entry = record(
        None,
        "update_contact",
        person,
        {"phone": "0987654321", "address": "Thôn Cũ", "email": "cu@example.vn"},
        {"phone": PHONE, "address": "Xóm Đồi, thôn 3", "email": "thu@example.vn"},
    )
    extra = record(
        None,
        "import",
        person,
        None,
        {"rows": [{"cccd": person.cccd, "birth_date": "1980-05-06", "legacy_address": "Xã Cũ"}]},
    )
    for audit in (entry, extra):
        page = admin_client.get(f"/admin/core/auditentry/{audit.pk}/change/").content.decode()
        for secret in (PHONE, "0987654321", "Xóm Đồi", "Thôn Cũ", "thu@example.vn", person.cccd):
            assert secret not in page, secret
        assert "1980-05-06" not in page and "Xã Cũ" not in page
    page = admin_client.get(f"/admin/core/auditentry/{entry.pk}/change/").content.decode()
    assert "09******78" in page and "09******21" in page
    page = admin_client.get(f"/admin/core/auditentry/{extra.pk}/change/").content.decode()
    assert "**/**/1980" in page
    assert AuditEntry.objects.get(pk=entry.pk).after["phone"] == PHONE  # stored as written


@pytest.mark.parametrize(
    ("role", "province"),
    [
        (Role.PROVINCIAL_OFFICER, "19"),
        (Role.COOPERATIVE_MANAGER, "19"),
        (Role.CENTRAL_OFFICER, None),
        (Role.ALLIANCE_ADVISER, None),
    ],
)
def test_staff_of_other_roles_get_no_admin(client, role, province, person):
    user = make_user("nhan-vien", role, province, is_staff=True)
    client.force_login(user)
    for url in (
        "/admin/",
        "/admin/registry/person/",
        f"/admin/registry/person/{person.pk}/change/",
    ):
        response = client.get(url, follow=True)
        assert response.status_code == 403, url
        assert person.cccd not in response.content.decode()


def test_system_admin_role_with_staff_gets_in(client):
    client.force_login(make_user("quan-tri", Role.SYSTEM_ADMIN, is_staff=True))
    assert client.get("/admin/").status_code == 200


def test_system_admin_without_staff_or_inactive_gets_no_admin(client):
    user = make_user("quan-tri", Role.SYSTEM_ADMIN)
    client.force_login(user)
    assert client.get("/admin/", follow=True).status_code == 403


def test_anonymous_gets_the_login_page(client):
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    page = client.get(response["Location"]).content.decode()
    assert 'id="id_username"' in page and 'id="id_password"' in page


def test_admin_login_goes_through_the_throttle(client, settings):
    settings.LOGIN_FAILURES_PER_ACCOUNT = 2
    user = make_user("admin-thu", Role.SYSTEM_ADMIN, is_staff=True, is_superuser=True)
    for _ in range(2):
        client.post("/admin/login/?next=/admin/", {"username": user.username, "password": "sai"})
    user.refresh_from_db()
    assert user.locked_at is not None
    assert AuditEntry.objects.filter(action="lock", object_id=str(user.pk)).exists()


def test_navbar_offers_the_admin_only_to_those_it_admits(client):
    client.force_login(make_user("trung-uong", Role.CENTRAL_OFFICER, is_staff=True))
    assert 'href="/admin/"' not in client.get("/").content.decode()


def test_account_changes_in_the_admin_are_audited(admin_client):
    user = make_user("can-bo", Role.PUBLIC)
    url = f"/admin/core/user/{user.pk}/change/"
    page = admin_client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "password"}
    data.update(
        role=Role.PROVINCIAL_OFFICER,
        province="19",
        is_active="on",
        date_joined_0=user.date_joined.strftime("%d/%m/%Y"),
        date_joined_1=user.date_joined.strftime("%H:%M:%S"),
    )
    data = {k: v for k, v in data.items() if k not in ("groups", "user_permissions", "date_joined")}
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    user.refresh_from_db()
    assert user.role == Role.PROVINCIAL_OFFICER
    entry = AuditEntry.objects.get(action="update", object_id=str(user.pk))
    assert (entry.before["role"], entry.before["province"]) == (Role.PUBLIC, None)
    assert (entry.after["role"], entry.after["province"]) == (Role.PROVINCIAL_OFFICER, "19")
    assert "password" not in entry.after  # unchanged
    assert entry.actor.username == "admin-thu"


def test_setting_a_password_in_the_admin_is_audited_without_the_hash(admin_client):
    user = make_user("can-bo", Role.PUBLIC)
    new = "Tra-xanh-Tan-Cuong-2026"
    response = admin_client.post(
        f"/admin/core/user/{user.pk}/password/",
        {"password1": new, "password2": new, "usable_password": "true"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new)
    entry = AuditEntry.objects.get(action="password_set", object_id=str(user.pk))
    assert user.password not in str(entry.after) and new not in str(entry.after)
    weak = admin_client.post(
        f"/admin/core/user/{user.pk}/password/",
        {"password1": "12345678", "password2": "12345678", "usable_password": "true"},
    )
    assert weak.status_code == 200 and "Mật khẩu quá ngắn" in weak.content.decode()
