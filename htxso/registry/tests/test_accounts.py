"""Account pages: one's own API tokens, a member's own contact details."""

import re

import pytest
from django.urls import reverse

from htxso.core.models import ApiToken, AuditEntry
from htxso.core.tokens import authenticate

from .conftest import make_user
from .factories import PersonFactory

pytestmark = pytest.mark.django_db


def test_tokens_need_a_login(client):
    response = client.get(reverse("tokens"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_issue_shows_the_token_once_then_revoke(client, officer_19):
    client.force_login(officer_19)
    response = client.post(reverse("tokens"), {"name": "Hệ thống thống kê tỉnh"})
    assert response.status_code == 200
    issued = re.search(
        r'<code class="user-select-all">(htx_[^<]+)</code>', response.content.decode()
    )
    assert issued, "the new token is shown"
    key = issued.group(1)
    assert authenticate(key) == officer_19
    assert key not in client.get(reverse("tokens")).content.decode()  # shown once only
    token = ApiToken.objects.get(user=officer_19)
    assert client.post(reverse("token-revoke", args=[token.pk])).status_code == 302
    assert authenticate(key) is None
    assert AuditEntry.objects.filter(action="revoke_token", object_id=str(token.pk)).exists()


def test_a_token_name_is_required(client, officer_19):
    client.force_login(officer_19)
    response = client.post(reverse("tokens"), {"name": "  "})
    assert response.status_code == 422
    assert not ApiToken.objects.exists()


def test_nobody_revokes_another_users_token(client, officer_19, officer_01):
    from htxso.core.tokens import issue_token

    key = issue_token(None, officer_01, "x")
    token = ApiToken.objects.get(user=officer_01)
    client.force_login(officer_19)
    assert client.post(reverse("token-revoke", args=[token.pk])).status_code == 404
    assert authenticate(key) == officer_01


def test_member_updates_own_contact_with_audit(client):
    person = PersonFactory(province_id="19")
    member = make_user("thanh-vien", "member", person=person)
    client.force_login(member)
    url = reverse("my-contact")
    response = client.post(url, {"phone": "0912345678", "email": "khong-phai-email", "address": ""})
    assert response.status_code == 422  # invalid email: nothing saved
    person.refresh_from_db()
    assert person.phone != "0912345678"
    response = client.post(
        url, {"phone": "0912345678", "email": "tv@example.vn", "address": "Xóm 3"}
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.phone, person.email, person.address) == ("0912345678", "tv@example.vn", "Xóm 3")
    entry = AuditEntry.objects.get(action="update_contact", object_id=str(person.pk))
    assert entry.actor == member and entry.after["phone"] == "0912345678"


def test_contact_page_needs_a_linked_person(client, officer_19):
    client.force_login(officer_19)
    assert client.get(reverse("my-contact")).status_code == 403
