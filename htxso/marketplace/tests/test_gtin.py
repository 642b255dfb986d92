"""A product of the market may carry its GTIN (issue #21, item 2): checked as GS1 says, kept
in its 14-digit form, unique within a shop (the same item sold by two shops keeps its GTIN),
on the seller's form and in the API; the product page links to the trace page when the
production diary made that GTIN public (through core.facts, never importing traceability)."""

import pytest
from django.core.exceptions import ValidationError

from htxso.core.models import AuditEntry
from htxso.marketplace import products as writes
from htxso.marketplace.models import Product
from htxso.traceability import services as trace

from .conftest import make_product

GTIN = "8930000000019"  # a GTIN-13 of GS1 Vietnam (893)


def test_a_gtin_is_checked_normalised_and_unique_within_a_shop(
    manager, tea_coop, rice_manager, rice_coop
):
    tea = make_product(manager, tea_coop, gtin=f" {GTIN} ")
    assert tea.gtin == "0" + GTIN
    assert AuditEntry.objects.filter(action="create", object_id=str(tea.pk)).exists()
    for wrong, message in [
        ("893000000001", "Số kiểm tra của GTIN sai"),
        ("89300000000191", "Số kiểm tra của GTIN sai"),
        ("893-000", "GTIN chỉ gồm chữ số"),
        ("12345", "GTIN có 8, 12, 13 hoặc 14 chữ số"),
    ]:
        with pytest.raises(ValidationError) as exc:
            make_product(manager, tea_coop, gtin=wrong)
        assert message in exc.value.message_dict["gtin"][0], wrong
    with pytest.raises(ValidationError) as exc:  # the same item twice in one shop
        make_product(manager, tea_coop, name="Chè khác", gtin="0" + GTIN)
    assert exc.value.message_dict["gtin"] == [
        "Cửa hàng đã có sản phẩm khác mang GTIN 08930000000019."
    ]
    other = make_product(manager, tea_coop, name="Chè móc câu")
    with pytest.raises(ValidationError, match="đã có sản phẩm khác"):
        writes.update_product(manager, other.pk, other.version, {"gtin": GTIN})
    other.refresh_from_db()
    assert other.gtin == "" and other.version == 1
    resold = make_product(rice_manager, rice_coop, gtin=GTIN)  # another shop resells it
    assert resold.gtin == tea.gtin
    writes.update_product(manager, tea.pk, tea.version, {"gtin": ""})  # and it can be removed
    tea.refresh_from_db()
    assert tea.gtin == "" and Product.objects.filter(gtin="0" + GTIN).count() == 1


def test_the_seller_form_says_why_and_the_page_links_to_the_trace_page(
    client, manager, tea_coop, shop
):
    client.force_login(manager)
    form = {"seller": tea_coop.pk, "name": "Chè búp", "category": "tea", "unit": "goi",
            "price": "250.000", "stock": "5", "listed": "on"}  # fmt: skip
    reply = client.post("/market/seller/products/new/", {**form, "gtin": "8930000000018"})
    assert reply.status_code == 422
    assert "Số kiểm tra của GTIN sai (phải là 9)." in reply.content.decode()
    assert not Product.objects.exists()
    reply = client.post("/market/seller/products/new/", {**form, "gtin": GTIN})
    assert reply.status_code == 302, reply.content.decode()[-600:]
    item = Product.objects.get()
    page = client.get(f"/market/p/{item.pk}/").content.decode()
    assert "GTIN 08930000000019" in page and 'id="trace-link"' not in page
    # The diary's product with the same GTIN, private: still no link; public: the link.
    diary = trace.create_product(manager, tea_coop.pk, "Chè búp", GTIN, public=False)
    assert 'id="trace-link"' not in client.get(f"/market/p/{item.pk}/").content.decode()
    diary.public = True
    diary.save(update_fields=["public"])
    page = client.get(f"/market/p/{item.pk}/").content.decode()
    assert 'href="/01/08930000000019" id="trace-link"' in page
    assert client.get("/01/08930000000019").status_code == 200
    api = client.get(f"/api/v1/market/products/{item.pk}").json()
    assert api["gtin"] == "08930000000019"
