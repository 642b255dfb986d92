"""The purchase-request board: a buyer posts a need, cooperatives offer; who sees which offer;
refusals (past date, not a seller, a second offer, a suspended seller)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from htxso.core.models import AuditEntry
from htxso.marketplace import b2b
from htxso.marketplace.models import Offer, PurchaseRequest
from htxso.registry import services as registry_services

NEED = {
    "product": "Chè búp khô loại 1",
    "category": "tea",
    "quantity": 500,
    "unit": "kg",
    "province": "01",
    "note": "",
}


def need(days: int = 30) -> dict:
    return {**NEED, "needed_by": dt.date.today() + dt.timedelta(days=days)}


def test_a_buyer_posts_and_cooperatives_offer(buyer, buyer_2, manager, rice_manager, officer_19):
    wanted = b2b.post_request(buyer, need())
    b2b.make_offer(manager, wanted.pk, {"price": 200_000, "quantity": 300})
    b2b.make_offer(rice_manager, wanted.pk, {"price": 210_000, "quantity": 500})
    assert Offer.objects.visible_to(buyer).filter(request=wanted).count() == 2
    assert Offer.objects.visible_to(manager).filter(request=wanted).count() == 1  # its own
    assert Offer.objects.visible_to(buyer_2).count() == 0
    assert Offer.objects.visible_to(officer_19).count() == 1  # its province's seller
    assert AuditEntry.objects.filter(object_type="marketplace.offer").count() == 2


def test_refusals(buyer, manager, officer_19, tea_coop):
    with pytest.raises(ValidationError, match="đã qua"):
        b2b.post_request(buyer, need(days=-1))
    with pytest.raises(PermissionDenied):
        b2b.post_request(officer_19, need())
    wanted = b2b.post_request(buyer, need())
    with pytest.raises(PermissionDenied):
        b2b.make_offer(buyer, wanted.pk, {"price": 1, "quantity": 1})
    b2b.make_offer(manager, wanted.pk, {"price": 200_000, "quantity": 300})
    with pytest.raises(ValidationError, match="đã chào hàng"):
        b2b.make_offer(manager, wanted.pk, {"price": 190_000, "quantity": 300})
    registry_services.change_status(None, tea_coop.pk, "suspended", dt.date.today())
    other = b2b.post_request(buyer, need())
    with pytest.raises(ValidationError, match="đang hoạt động"):
        b2b.make_offer(manager, other.pk, {"price": 1, "quantity": 1})
    assert Offer.objects.count() == 1


def test_the_board_pages(client, buyer, manager):
    url = reverse("marketplace:requests")
    client.force_login(buyer)
    bad = client.post(url, {**NEED, "quantity": "nhiều", "needed_by": "31/02/2026"})
    assert bad.status_code == 422 and not PurchaseRequest.objects.exists()
    posted = client.post(url, {**NEED, "needed_by": "31/12/2030"})
    wanted = PurchaseRequest.objects.get()
    assert posted.status_code == 302
    client.force_login(manager)
    client.post(
        reverse("marketplace:offer", args=[wanted.pk]), {"price": "200.000", "quantity": "300"}
    )
    page = client.get(reverse("marketplace:request", args=[wanted.pk])).content.decode()
    assert "200.000 đ" in page
    assert "Chè búp khô loại 1" in client.get(url).content.decode()
