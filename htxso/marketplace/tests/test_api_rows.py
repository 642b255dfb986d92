"""The catalogue's API answers from plain rows (#24 item 4) as it answered from products: the
old builder (model instances, `Product.stars`, a `reverse()` per photo) through the schema is
the reference, field for field and in order."""

import datetime as dt
import json
from typing import Any

from django.urls import reverse

from htxso.core.api import api
from htxso.marketplace.models import Product
from htxso.marketplace.schemas import MarketProductOut

from .conftest import make_product


def _old(p: Product) -> dict[str, Any]:
    """The answer before #24 item 4 (marketplace/api.py `_product`), through the schema."""
    built = {
        **{name: getattr(p, name) for name in MarketProductOut.model_fields if hasattr(p, name)},
        "ocop_stars": p.stars(),
        "seller_name": p.seller.name,
        "photo_url": reverse("marketplace:photo", args=[p.pk]) if p.photo else None,
    }
    dumped = MarketProductOut.model_validate(built).model_dump()
    return json.loads(api.renderer.render(None, dumped, response_status=200))  # type: ignore[arg-type]


def test_products_are_answered_as_before(client, manager, tea_coop, tea, rice):
    expired = make_product(
        manager,
        tea_coop,
        name="Chè móc câu",
        ocop_stars=3,
        ocop_certificate="OCOP-TN-2020-0001",
        ocop_expires_on=dt.date.today() - dt.timedelta(days=1),
    )
    Product.objects.filter(pk=tea.pk).update(photo="market/photos/tea.jpg")
    products = {p.pk: p for p in Product.objects.select_related("seller")}
    listed = client.get("/api/v1/market/products").json()
    assert listed["items"] == [_old(products[i]) for i in sorted(products, reverse=True)]
    assert [list(item) for item in listed["items"]] == [list(MarketProductOut.model_fields)] * 3
    by_id = {item["id"]: item for item in listed["items"]}
    assert by_id[tea.pk]["photo_url"] == reverse("marketplace:photo", args=[tea.pk])
    assert by_id[tea.pk]["ocop_stars"] == 4 and by_id[expired.pk]["ocop_stars"] == 0
    assert by_id[rice.pk]["photo_url"] is None and by_id[rice.pk]["seller_name"]
    for pk, product in products.items():
        assert client.get(f"/api/v1/market/products/{pk}").json() == _old(product)
    searched = client.get("/api/v1/market/products", {"q": "che", "limit": 1}).json()
    assert searched["items"] == [_old(products[searched["items"][0]["id"]])]
    after = client.get("/api/v1/market/products", {"q": "che", "cursor": searched["next_cursor"]})
    assert [i["id"] for i in after.json()["items"]] != [searched["items"][0]["id"]]
    by_price = client.get("/api/v1/market/products", {"sort": "price", "limit": 2}).json()
    assert [i["id"] for i in by_price["items"]] == [rice.pk, tea.pk]  # a tie on price: by id
    assert client.get("/api/v1/market/products/999999").status_code == 404
