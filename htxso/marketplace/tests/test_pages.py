"""Pages and the bank's webhook: search ignoring diacritics (ranked), the photo checked and
re-drawn, the cart to orders, the seller's steps, the XLSX report, sign-up, the signed notice."""

import io
import json
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook
from PIL import Image

from htxso.core.models import User
from htxso.marketplace import services, webhooks
from htxso.marketplace.models import Order, Product

from .conftest import address, commune, make_product


def _png(width: int = 3000, height: int = 2000) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (30, 120, 40)).save(out, "PNG")
    return out.getvalue()


def names(response) -> list[str]:
    return [p.name for p in response.context["products"]]


def test_search_ignores_diacritics_and_ranks_exact_names_first(client, manager, tea_coop, tea):
    make_product(manager, tea_coop, name="Trà xanh Tân Cương túi lọc")
    make_product(manager, tea_coop, name="Bánh chè lam")
    make_product(manager, tea_coop, name="Chẽ")  # same letters, another accent
    exact = make_product(manager, tea_coop, name="Chè")
    assert names(client.get(reverse("marketplace:catalogue"), {"q": "Chè"}))[0] == "Chè"
    assert names(client.get(reverse("marketplace:catalogue"), {"q": "Chẽ"}))[0] == "Chẽ"
    assert names(client.get(reverse("marketplace:catalogue"), {"q": "che"}))[:2] in (
        ["Chè", "Chẽ"],
        ["Chẽ", "Chè"],
    )
    found = names(client.get(reverse("marketplace:catalogue"), {"q": "CHE TAN CUONG"}))
    assert found == ["Chè Tân Cương đặc biệt"]
    assert "Trà xanh Tân Cương túi lọc" in names(
        client.get(reverse("marketplace:catalogue"), {"q": "tân cương"})
    )
    assert exact.pk


def test_catalogue_filters_and_bad_values_never_500(client, tea, rice):
    url = reverse("marketplace:catalogue")
    assert names(client.get(url, {"province": "01"})) == ["Gạo tám thơm"]
    assert names(client.get(url, {"stars": "4"})) == ["Chè Tân Cương đặc biệt"]
    assert names(client.get(url, {"max_price": "50.000"})) == ["Gạo tám thơm"]
    response = client.get(url, {"max_price": "nhiều", "page": "x", "stars": "9", "sort": "?"})
    assert response.status_code == 200
    assert "Nhập số tiền" in response.content.decode()


def test_the_photo_is_checked_resized_and_served_by_a_view(client, manager, tea_coop):
    client.force_login(manager)
    url = reverse("marketplace:product-new")
    form = {"name": "Chè móc câu", "category": "tea", "unit": "goi", "price": "180.000"}
    fake = SimpleUploadedFile("anh.png", b"<?php echo 1; ?>")
    response = client.post(url, {**form, "photo": fake})
    assert response.status_code == 422 and "JPEG hoặc PNG" in response.content.decode()
    assert not Product.objects.exists()
    response = client.post(url, {**form, "photo": SimpleUploadedFile("anh.png", _png())})
    assert response.status_code == 302
    product = Product.objects.get()
    photo = client.get(reverse("marketplace:photo", args=[product.pk]))
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"
    with Image.open(io.BytesIO(b"".join(photo.streaming_content))) as image:
        assert max(image.size) == 1200
    assert not product.photo.name.startswith("static")


def test_cart_to_orders_to_vietqr_page(client, buyer, tea, rice):
    client.force_login(buyer)
    client.post(reverse("marketplace:cart"), {"product": tea.pk, "quantity": "2"})
    client.post(reverse("marketplace:cart"), {"product": rice.pk, "quantity": "5"})
    cart = client.get(reverse("marketplace:cart"))
    assert len(cart.context["groups"]) == 2
    checkout = reverse("marketplace:checkout")
    assert client.get(checkout, {"province": "01"}).status_code == 200
    body = {**address(), "province": "01", "commune": commune("01").pk, "payment": "vietqr"}
    refused = client.post(checkout, body)  # the rice cooperative has no bank account
    assert refused.status_code == 422 and "chưa nhận chuyển khoản" in refused.content.decode()
    assert not Order.objects.exists()
    response = client.post(checkout, {**body, "payment": "cod"})
    assert response.status_code == 302 and Order.objects.count() == 2
    assert client.session["marketplace_cart"] == {}


def test_the_order_page_shows_the_vietqr_and_the_seller_confirms(client, buyer, manager, tea):
    (order,) = services.place_orders(buyer, {tea.pk: 1}, payment="vietqr", **address())
    client.force_login(buyer)
    page = client.get(reverse("marketplace:order", args=[order.pk])).content.decode()
    assert "<svg" in page and "0010A000000727" in page and order.reference in page
    assert (
        client.post(reverse("marketplace:paid", args=[order.pk]), {"version": 1}).status_code == 403
    )
    client.force_login(manager)
    client.post(reverse("marketplace:paid", args=[order.pk]), {"version": 1})
    client.post(reverse("marketplace:step", args=[order.pk, "confirm"]), {"version": 2})
    order.refresh_from_db()
    assert order.paid_via == "seller" and order.status == "confirmed"
    stale = client.post(reverse("marketplace:step", args=[order.pk, "ship"]), {"version": 1})
    assert stale.status_code == 302
    order.refresh_from_db()
    assert order.status == "confirmed"


def test_the_sales_report_is_a_workbook(client, buyer, manager, tea):
    services.place_orders(buyer, {tea.pk: 3}, payment="cod", **address())
    client.force_login(manager)
    response = client.get(reverse("marketplace:report"))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[1] == ("Chè Tân Cương đặc biệt", 3, 750_000, 1)
    assert client.get(reverse("marketplace:report"), {"from": "31/02/2026"}).status_code == 422


def test_a_buyer_signs_up(client, db):
    url = reverse("marketplace:signup")
    weak = client.post(url, {"username": "chi-lan", "email": "lan@example.vn", "password": "123"})
    assert weak.status_code == 422
    ok = client.post(
        url, {"username": "chi-lan", "email": "lan@example.vn", "password": "Tra-xanh-ngon-2026"}
    )
    assert ok.status_code == 302 and User.objects.get(username="chi-lan").role == "buyer"


def _notice(client, body: dict, secret: str = "bi-mat-thu-nghiem", at: int | None = None):
    raw = json.dumps(body).encode()
    stamp = str(at or int(time.time()))
    return client.post(
        reverse("marketplace:bank-webhook"),
        raw,
        content_type="application/json",
        HTTP_X_HTXSO_TIMESTAMP=stamp,
        HTTP_X_HTXSO_SIGNATURE=webhooks.sign(secret, stamp, raw),
    )


def test_the_signed_bank_webhook_marks_paid(client, buyer, tea):
    (order,) = services.place_orders(buyer, {tea.pk: 2}, payment="vietqr", **address())
    body = {"reference": order.reference, "amount": order.total}
    assert _notice(client, body, secret="sai").status_code == 401
    assert _notice(client, body, at=int(time.time()) - 3600).status_code == 401
    assert _notice(client, {**body, "amount": 1}).status_code == 422
    assert _notice(client, {**body, "reference": "DH0"}).status_code == 404
    assert _notice(client, {"reference": order.reference}).status_code == 400
    order.refresh_from_db()
    assert order.paid_at is None
    assert _notice(client, body).status_code == 200
    assert _notice(client, body).status_code == 200  # the same notice again
    order.refresh_from_db()
    assert order.paid_via == "bank" and order.version == 2


def test_the_webhook_is_off_without_a_secret(client, settings):
    settings.MARKETPLACE_BANK_WEBHOOK_SECRET = ""
    assert _notice(client, {"reference": "x", "amount": 1}).status_code == 503


@pytest.mark.parametrize("payload, status", [("000201", 422), ("abc" * 300, 200)])
def test_the_vietqr_reader_page(client, db, payload, status):
    response = client.post(reverse("marketplace:vietqr"), {"payload": payload})
    assert response.status_code in (status, 422)
    assert "500" not in str(response.status_code)


def test_the_catalogue_costs_the_same_queries_for_1_or_30_products(
    client, manager, tea_coop, tea, django_assert_max_num_queries
):
    for i in range(30):
        make_product(manager, tea_coop, name=f"Chè số {i}")
    with django_assert_max_num_queries(4):
        response = client.get(reverse("marketplace:catalogue"), {"q": "che"})
    assert len(response.context["products"]) == 24


def test_the_inbox_counts_the_sellers_orders_only(buyer, manager, rice_manager, tea):
    from htxso.marketplace import inbox

    services.place_orders(buyer, {tea.pk: 1}, payment="cod", **address())
    assert [item.count for item in inbox.provide(manager)] == [1, 0]
    assert [item.count for item in inbox.provide(rice_manager)] == [0, 0]
    assert inbox.provide(buyer) == []
