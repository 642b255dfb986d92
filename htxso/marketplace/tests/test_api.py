"""The API: the public catalogue, placing a cart, the steps with 403/404/409/422, VietQR."""

from htxso.core.api import api  # noqa: F401  (mounts the routers)
from htxso.core.tokens import issue_token
from htxso.marketplace import vietqr

from .conftest import address


def bearer(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {issue_token(None, user, 't')}"}


def test_the_catalogue_is_public_and_searchable(client, tea, rice):
    body = client.get("/api/v1/market/products", {"q": "gao tam"}).json()
    assert [p["name"] for p in body["items"]] == ["Gạo tám thơm"]
    listed = client.get("/api/v1/market/products").json()["items"]
    assert {p["name"] for p in listed} == {"Gạo tám thơm", "Chè Tân Cương đặc biệt"}
    assert client.get("/api/v1/market/products", {"max_price": "abc"}).status_code == 422


def test_orders_through_the_api(client, buyer, manager, buyer_2, tea):
    created = client.post(
        "/api/v1/market/orders",
        {"items": [{"product_id": tea.pk, "quantity": 2}], "payment": "vietqr", **address()},
        content_type="application/json",
        **bearer(buyer),
    )
    assert created.status_code == 201, created.content
    [order] = created.json()
    assert vietqr.parse(order["vietqr"]).amount == 500_000
    url = f"/api/v1/market/orders/{order['id']}"
    assert client.get(url, **bearer(buyer_2)).status_code == 404
    step = url + "/step"
    assert (
        client.post(
            step,
            {"version": 1, "action": "confirm"},
            content_type="application/json",
            **bearer(buyer),
        ).status_code
        == 403
    )
    assert (
        client.post(
            step,
            {"version": 9, "action": "confirm"},
            content_type="application/json",
            **bearer(manager),
        ).status_code
        == 409
    )
    assert (
        client.post(
            step,
            {"version": 1, "action": "deliver"},
            content_type="application/json",
            **bearer(manager),
        ).status_code
        == 422
    )
    paid = client.post(
        url + "/paid", {"version": 1}, content_type="application/json", **bearer(manager)
    )
    assert paid.status_code == 200 and paid.json()["paid_at"]
    mine = client.get("/api/v1/market/orders", **bearer(buyer)).json()
    assert [o["reference"] for o in mine["items"]] == [order["reference"]]


def test_an_oversized_order_is_422_and_writes_nothing(client, buyer, tea):
    response = client.post(
        "/api/v1/market/orders",
        {"items": [{"product_id": tea.pk, "quantity": 11}], "payment": "cod", **address()},
        content_type="application/json",
        **bearer(buyer),
    )
    assert response.status_code == 422 and "Không đủ hàng" in response.content.decode()


def test_reading_a_vietqr(client):
    payload = vietqr.build("970436", "0011001234567", 99_000, "DH1")
    assert client.get("/api/v1/market/vietqr", {"payload": payload}).json()["amount"] == 99_000
    bad = client.get("/api/v1/market/vietqr", {"payload": payload[:-1] + "0"})
    assert bad.status_code == 422 and "CRC" in bad.content.decode()
