"""Seller staff: the manager invites by e-mail (signed, single-use link), the invited person
keeps the organisation's products and orders — and nothing else —, the manager revokes them."""

import pytest
from django.core import mail, signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from htxso.core.models import AuditEntry
from htxso.core.roles import Role
from htxso.marketplace import products as writes
from htxso.marketplace import services, staff
from htxso.marketplace.models import Order, Product, SellerStaff, StaffInvitation
from htxso.registry.tests.conftest import make_user

from .conftest import address, make_product

LINK = "http://testserver/market/staff/accept/{}/".format


@pytest.fixture
def helper(db):
    return make_user("nguoi-ban", Role.BUYER, email="ban.hang@example.vn")


def _invite(manager, coop, email="ban.hang@example.vn"):
    with_link: list[str] = []
    invitation = staff.invite(manager, coop.pk, email, lambda t: with_link.append(t) or LINK(t))
    return invitation, with_link[0]


def test_an_invited_person_sells_for_the_organisation_until_revoked(
    manager, tea_coop, tea, helper, buyer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation, token = _invite(manager, tea_coop)
    assert mail.outbox[-1].to == ["ban.hang@example.vn"]
    assert LINK(token) in mail.outbox[-1].body
    assert not Product.objects.editable_by(helper).exists()
    person = staff.accept(helper, token)
    # Products: edit, create, stock; orders: see and confirm.
    assert list(Product.objects.editable_by(helper)) == [tea]
    made = make_product(helper, tea_coop, name="Chè búp khô")
    writes.adjust_stock(helper, made.pk, 5)
    (order,) = services.place_orders(buyer, {tea.pk: 1}, payment="cod", **address())
    assert list(Order.objects.reviewable_by(helper)) == [order]
    from htxso.marketplace.inbox import provide

    assert [item.count for item in provide(helper)] == [1, 0]  # the new order waits for them
    services.step(helper, order.pk, order.version, "confirm")
    # Never the bank account, never the staff.
    with pytest.raises(PermissionDenied):
        writes.save_shop(helper, tea_coop.pk, {"bank_bin": "970415", "account_number": "1"})
    with pytest.raises(PermissionDenied):
        staff.invite(helper, tea_coop.pk, "khac@example.vn", LINK)
    with pytest.raises(SellerStaff.DoesNotExist):
        staff.revoke(helper, person.pk)
    staff.revoke(manager, person.pk)
    assert not Product.objects.editable_by(helper).exists()
    assert not Order.objects.reviewable_by(helper).exists()
    with pytest.raises(PermissionDenied):
        make_product(helper, tea_coop, name="Chè sau khi bị thu hồi")
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"invite", "accept", "revoke"} <= actions
    assert invitation.pk


def test_the_link_is_single_use_and_for_the_invited_address_only(manager, tea_coop, helper):
    _invitation, token = _invite(manager, tea_coop)
    other = make_user("nguoi-khac", Role.BUYER, email="khac@example.vn")
    with pytest.raises(ValidationError, match=r"ban\.hang@example\.vn"):
        staff.accept(other, token)
    staff.accept(helper, token)
    with pytest.raises(ValidationError, match="đã được dùng"):
        staff.accept(helper, token)
    with pytest.raises(ValidationError, match="không hợp lệ"):
        staff.accept(helper, token[:-2] + "xx")
    assert SellerStaff.objects.count() == 1


def test_an_expired_or_cancelled_invitation_is_refused(manager, tea_coop, helper, settings):
    invitation, token = _invite(manager, tea_coop)
    staff.cancel_invitation(manager, invitation.pk, invitation.version)
    with pytest.raises(ValidationError, match="thu hồi"):
        staff.accept(helper, token)
    old = signing.dumps({"i": invitation.pk, "e": invitation.email}, salt=staff.SALT)
    settings_max = staff.VALID_SECONDS
    staff.VALID_SECONDS = -1
    try:
        with pytest.raises(ValidationError, match="hết hạn"):
            staff.read_token(old)
    finally:
        staff.VALID_SECONDS = settings_max
    assert not SellerStaff.objects.exists()


def test_only_the_manager_invites_and_bad_input_is_refused(
    manager, tea_coop, rice_manager, officer_19, helper
):
    with pytest.raises(PermissionDenied):
        staff.invite(rice_manager, tea_coop.pk, "a@example.vn", LINK)
    with pytest.raises(PermissionDenied):
        staff.invite(officer_19, tea_coop.pk, "a@example.vn", LINK)
    with pytest.raises(ValidationError, match="không hợp lệ"):
        staff.invite(manager, tea_coop.pk, "không-phải-thư", LINK)
    _invite(manager, tea_coop)
    with pytest.raises(ValidationError, match="chưa dùng"):
        _invite(manager, tea_coop, "BAN.HANG@example.vn")
    assert StaffInvitation.objects.count() == 1


def test_an_officer_cannot_become_staff(manager, tea_coop, officer_19):
    officer_19.email = "can.bo@example.vn"
    officer_19.save()
    _invitation, token = _invite(manager, tea_coop, "can.bo@example.vn")
    with pytest.raises(PermissionDenied):
        staff.accept(officer_19, token)
    assert not SellerStaff.objects.exists()


def test_the_pages_invite_accept_and_revoke(
    client, manager, tea_coop, helper, tea, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    page = client.get(reverse("marketplace:staff"))
    assert page.status_code == 200
    bad = client.post(reverse("marketplace:staff"), {"email": "sai", "seller": tea_coop.pk})
    assert bad.status_code == 422
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(
            reverse("marketplace:staff"), {"email": "ban.hang@example.vn", "seller": tea_coop.pk}
        )
    assert sent.status_code == 302
    link = next(w for w in mail.outbox[-1].body.split() if "/staff/accept/" in w)
    client.force_login(helper)
    assert client.get(link).status_code == 200
    assert client.post(link).status_code == 302
    assert 'href="/market/seller/"' in client.get(reverse("marketplace:catalogue")).content.decode()
    board = client.get(reverse("marketplace:board"))
    assert board.status_code == 200 and tea.name in board.content.decode()
    assert client.get(reverse("marketplace:shop")).status_code == 403
    assert client.get(reverse("marketplace:staff")).status_code == 403
    assert client.post(link).status_code == 422  # used
    person = SellerStaff.objects.get()
    client.force_login(manager)
    assert client.post(reverse("marketplace:staff-revoke", args=[person.pk])).status_code == 302
    client.force_login(helper)
    assert client.get(reverse("marketplace:board")).status_code in (403, 404)
