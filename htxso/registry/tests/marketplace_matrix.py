"""Rows of the authorization matrix for the marketplace (`htxso/marketplace`), merged into
`API_MATRIX`/`API_CALLS` and `PAGE_MATRIX`/`PAGE_CALLS` of test_authorization.py.

The target is a product (or an order of a fresh buyer) of the own (19) or the other (01)
organisation as seller. None of the matrix's roles is a buyer: what a buyer may do to their
own orders, and never to another's, is held by `marketplace/tests/`. Here: the catalogue, the
cart and the VietQR reader are public; anyone signed in except officers and the administrator
may buy (a manager not from their own organisation); an order is seen by its seller's staff,
the province's officer (read-only), national roles; moved on by its seller's staff and the
system admin; the seller's pages are the manager's (and the admin's, naming the seller)."""

import datetime as dt
import io
import itertools
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from htxso.core.models import Commune
from htxso.core.roles import Role
from htxso.marketplace import b2b, services, staff
from htxso.marketplace import products as writes
from htxso.marketplace.models import Order, Product, SellerStaff

from .authorization_matrix import EVERYONE, OK, SIGNED_IN, Builder, Call, F, L, N, Row, U, V, page
from .conftest import make_user

_serial = itertools.count(1)
ADDRESS = {"recipient": "Người Mua", "phone": "0912345678", "street": "1 Phố Huế"}

SELLER: Row = [(L, L), (F, F), (OK, OK), (F, F), (F, F), (F, F), (OK, F), (F, F)]
SELLER_OBJECT: Row = [(L, L), (N, N), (OK, OK), (N, N), (N, N), (N, N), (OK, N), (N, N)]
ORDER_SEEN: Row = [(L, L), (N, N), (OK, OK), (OK, OK), (OK, N), (N, N), (OK, N), (N, N)]
ORDER_MOVED: Row = [(L, L), (N, N), (OK, OK), (F, F), (F, N), (N, N), (OK, N), (N, N)]
BUY: Row = [(L, L), (V, V), (F, F), (F, F), (F, F), (V, V), (V, V), (V, V)]
NOT_SIGNED_IN: Row = [(OK, OK), *[(F, F)] * 7]
WEBHOOK_OFF: Row = [("503", "503")] * 8  # no secret configured in the matrix's world

MARKETPLACE_PAGE_MATRIX: dict[str, dict[str, Row]] = {
    "marketplace:catalogue": {"GET": EVERYONE},
    "marketplace:product": {"GET": EVERYONE},
    "marketplace:photo": {"GET": EVERYONE},
    "marketplace:seller": {"GET": EVERYONE},
    "marketplace:cart": {"GET": EVERYONE, "POST": EVERYONE},
    "marketplace:checkout": {"GET": SIGNED_IN, "POST": BUY},  # an empty cart: 422
    "marketplace:orders": {"GET": SIGNED_IN},
    "marketplace:order": {"GET": ORDER_SEEN},
    "marketplace:step": {"POST": ORDER_MOVED},
    "marketplace:paid": {"POST": ORDER_MOVED},
    "marketplace:vietqr": {"GET": EVERYONE, "POST": EVERYONE},
    "marketplace:signup": {"GET": NOT_SIGNED_IN, "POST": NOT_SIGNED_IN},
    "marketplace:bank-webhook": {"POST": WEBHOOK_OFF},
    "marketplace:board": {"GET": SELLER},
    "marketplace:product-new": {"GET": SELLER, "POST": SELLER},
    "marketplace:product-edit": {"GET": SELLER_OBJECT, "POST": SELLER_OBJECT},
    "marketplace:stock": {"POST": SELLER_OBJECT},
    "marketplace:shop": {"GET": SELLER, "POST": SELLER},
    "marketplace:report": {"GET": SELLER},
    # Seller staff: the manager (and the admin) invite, revoke, cancel; the invited accept a
    # link (here: a valid link opened by accounts of another e-mail address: 422).
    "marketplace:staff": {"GET": SELLER, "POST": SELLER},
    "marketplace:staff-revoke": {"POST": SELLER_OBJECT},
    "marketplace:invitation-cancel": {"POST": SELLER_OBJECT},
    "marketplace:staff-accept": {"GET": SIGNED_IN, "POST": [(L, L), *[(V, V)] * 7]},
}

MARKETPLACE_API_MATRIX: dict[str, Row] = {
    "GET /api/v1/market/products": EVERYONE,
    "GET /api/v1/market/products/{pk}": EVERYONE,
    "POST /api/v1/market/orders": [
        (U, U),
        (OK, OK),
        (F, F),
        (F, F),
        (F, F),
        (OK, OK),
        (V, OK),
        (OK, OK),
    ],
    "GET /api/v1/market/orders": [(U, U), *SIGNED_IN[1:]],
    "GET /api/v1/market/orders/{pk}": [(U, U), *ORDER_SEEN[1:]],
    "POST /api/v1/market/orders/{pk}/step": [(U, U), *ORDER_MOVED[1:]],
    "POST /api/v1/market/orders/{pk}/paid": [(U, U), *ORDER_MOVED[1:]],
    "GET /api/v1/market/vietqr": EVERYONE,
    # The purchase-request board: public reads; posting a need is buying; offers are the
    # sellers' (a manager for their own organisation, named by `seller` here).
    "GET /api/v1/market/requests": EVERYONE,
    "GET /api/v1/market/requests/{pk}": EVERYONE,
    "POST /api/v1/market/requests": [
        (U, U),
        (OK, OK),
        (F, F),
        (F, F),
        (F, F),
        (OK, OK),
        (OK, OK),
        (OK, OK),
    ],
    "GET /api/v1/market/requests/{pk}/offers": [(U, U), *SIGNED_IN[1:]],
    "POST /api/v1/market/requests/{pk}/offers": [
        (U, U),
        (F, F),
        (OK, OK),
        *[(F, F)] * 3,
        (OK, F),
        (F, F),
    ],
}


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (20, 120, 40)).save(out, "PNG")
    return out.getvalue()


def _product(w: Any, t: str, photo: bool = False) -> Product:
    seller = w.organisation[t]
    picture = SimpleUploadedFile("a.png", _png()) if photo else None
    return writes.create_product(
        None,
        seller.pk,
        {
            "name": f"Chè ma trận {next(_serial)}",
            "category": "tea",
            "unit": "goi",
            "price": 1000,
            "stock": 50,
        },
        picture,
    )


def _commune(province: str = "01") -> str:
    return (
        Commune.objects.filter(province_id=province)
        .order_by("code")
        .values_list("code", flat=True)[0]
    )


def _order(w: Any, t: str) -> Order:
    buyer = make_user(f"mx-mua-{next(_serial)}", Role.BUYER)
    product = _product(w, t)
    (order,) = services.place_orders(
        buyer, {product.pk: 1}, payment="cod", commune_id=_commune(), **ADDRESS
    )
    return order


def _seller_page(name: str, w: Any, t: str, body: dict | None = None) -> Call:
    seller = w.organisation[t].pk
    if body is None:
        return Call(reverse(name), {"seller": seller})
    return Call(reverse(name), {"seller": seller}, body={**body, "seller": seller}, form=True)


PRODUCT_FORM = {"name": "Chè mới", "category": "tea", "unit": "goi", "price": "90.000"}


def _product_edit(w: Any, t: str) -> Call:
    product = _product(w, t)
    return page(
        "marketplace:product-edit",
        product.pk,
        body={**PRODUCT_FORM, "version": product.version},
    )


def _signup(w: Any, t: str) -> Call:
    return page(
        "marketplace:signup",
        body={
            "username": f"mx-dang-ky-{next(_serial)}",
            "email": "dk@example.vn",
            "password": "Tra-xanh-ngon-2026",
        },
    )


def _staff(w: Any, t: str) -> SellerStaff:
    person = make_user(f"mx-ban-{next(_serial)}", Role.BUYER)
    return SellerStaff.objects.create(organisation=w.organisation[t], user=person)


def _invitation(w: Any, t: str) -> Any:
    return staff.invite(None, w.organisation[t].pk, f"mx-{next(_serial)}@example.vn", str)


REQUEST_BODY = {
    "product": "Gạo ST25",
    "category": "rice",
    "quantity": 500,
    "unit": "kg",
    "province": "01",
    "needed_by": (dt.date.today() + dt.timedelta(days=20)).isoformat(),
}


MARKETPLACE_PAGE_CALLS: dict[tuple[str, str], Builder] = {
    ("marketplace:catalogue", "GET"): lambda w, t: Call(
        reverse("marketplace:catalogue"), {"q": "che ma tran", "province": w.province[t]}
    ),
    ("marketplace:product", "GET"): lambda w, t: page("marketplace:product", _product(w, t).pk),
    ("marketplace:photo", "GET"): lambda w, t: page(
        "marketplace:photo", _product(w, t, photo=True).pk
    ),
    ("marketplace:seller", "GET"): lambda w, t: page("marketplace:seller", w.organisation[t].pk),
    ("marketplace:cart", "GET"): lambda w, t: page("marketplace:cart"),
    ("marketplace:cart", "POST"): lambda w, t: page(
        "marketplace:cart", body={"product": _product(w, t).pk, "quantity": "2"}, audited=False
    ),
    ("marketplace:checkout", "GET"): lambda w, t: Call(
        reverse("marketplace:checkout"), {"province": "01"}
    ),
    ("marketplace:checkout", "POST"): lambda w, t: page(
        "marketplace:checkout",
        body={**ADDRESS, "province": "01", "commune": _commune(), "payment": "cod"},
    ),
    ("marketplace:orders", "GET"): lambda w, t: page("marketplace:orders"),
    ("marketplace:order", "GET"): lambda w, t: page("marketplace:order", _order(w, t).pk),
    ("marketplace:step", "POST"): lambda w, t: page(
        "marketplace:step", _order(w, t).pk, "confirm", body={"version": 1}
    ),
    ("marketplace:paid", "POST"): lambda w, t: page(
        "marketplace:paid", _order(w, t).pk, body={"version": 1}
    ),
    ("marketplace:vietqr", "GET"): lambda w, t: page("marketplace:vietqr"),
    ("marketplace:vietqr", "POST"): lambda w, t: page(
        "marketplace:vietqr",
        body={
            "payload": "00020101021138540010A00000072701240006970422011099999991480208QRIBFTTA"
            "53037045802VN63047b49"
        },
        audited=False,
    ),
    ("marketplace:signup", "GET"): lambda w, t: page("marketplace:signup"),
    ("marketplace:signup", "POST"): _signup,
    ("marketplace:bank-webhook", "POST"): lambda w, t: Call(
        reverse("marketplace:bank-webhook"), body={"reference": "DH1", "amount": 1}
    ),
    ("marketplace:board", "GET"): lambda w, t: _seller_page("marketplace:board", w, t),
    ("marketplace:product-new", "GET"): lambda w, t: _seller_page("marketplace:product-new", w, t),
    ("marketplace:product-new", "POST"): lambda w, t: _seller_page(
        "marketplace:product-new", w, t, PRODUCT_FORM
    ),
    ("marketplace:product-edit", "GET"): lambda w, t: page(
        "marketplace:product-edit", _product(w, t).pk
    ),
    ("marketplace:product-edit", "POST"): _product_edit,
    ("marketplace:stock", "POST"): lambda w, t: page(
        "marketplace:stock", _product(w, t).pk, body={"change": "5"}
    ),
    ("marketplace:shop", "GET"): lambda w, t: _seller_page("marketplace:shop", w, t),
    ("marketplace:shop", "POST"): lambda w, t: _seller_page(
        "marketplace:shop", w, t, {"bank_bin": "970436", "account_number": "0011001234567"}
    ),
    ("marketplace:report", "GET"): lambda w, t: _seller_page("marketplace:report", w, t),
    ("marketplace:staff", "GET"): lambda w, t: _seller_page("marketplace:staff", w, t),
    ("marketplace:staff", "POST"): lambda w, t: _seller_page(
        "marketplace:staff", w, t, {"email": f"mx-moi-{next(_serial)}@example.vn"}
    ),
    ("marketplace:staff-revoke", "POST"): lambda w, t: page(
        "marketplace:staff-revoke", _staff(w, t).pk, body={}
    ),
    ("marketplace:invitation-cancel", "POST"): lambda w, t: page(
        "marketplace:invitation-cancel", _invitation(w, t).pk, body={"version": 1}
    ),
    ("marketplace:staff-accept", "GET"): lambda w, t: page(
        "marketplace:staff-accept", staff.token_for(_invitation(w, t))
    ),
    ("marketplace:staff-accept", "POST"): lambda w, t: page(
        "marketplace:staff-accept", staff.token_for(_invitation(w, t)), body={}
    ),
}


def _order_call(w: Any, t: str, suffix: str = "", body: dict | None = None) -> Call:
    return Call(f"/api/v1/market/orders/{_order(w, t).pk}{suffix}", body=body)


MARKETPLACE_API_CALLS: dict[str, Builder] = {
    "GET /api/v1/market/products": lambda w, t: Call(
        "/api/v1/market/products", {"province": w.province[t]}
    ),
    "GET /api/v1/market/products/{pk}": lambda w, t: Call(
        f"/api/v1/market/products/{_product(w, t).pk}"
    ),
    "POST /api/v1/market/orders": lambda w, t: Call(
        "/api/v1/market/orders",
        body={
            "items": [{"product_id": _product(w, t).pk, "quantity": 1}],
            "payment": "cod",
            "commune_id": _commune(),
            **ADDRESS,
        },
    ),
    "GET /api/v1/market/orders": lambda w, t: Call("/api/v1/market/orders"),
    "GET /api/v1/market/orders/{pk}": lambda w, t: _order_call(w, t),
    "POST /api/v1/market/orders/{pk}/step": lambda w, t: _order_call(
        w, t, "/step", {"version": 1, "action": "confirm"}
    ),
    "POST /api/v1/market/orders/{pk}/paid": lambda w, t: _order_call(w, t, "/paid", {"version": 1}),
    "GET /api/v1/market/requests": lambda w, t: Call(
        "/api/v1/market/requests", listed=("id", str(_request(w, t).pk))
    ),
    "GET /api/v1/market/requests/{pk}": lambda w, t: Call(
        f"/api/v1/market/requests/{_request(w, t).pk}"
    ),
    "POST /api/v1/market/requests": lambda w, t: Call(
        "/api/v1/market/requests", body={**REQUEST_BODY, "province": w.province[t]}
    ),
    "GET /api/v1/market/requests/{pk}/offers": lambda w, t: Call(
        f"/api/v1/market/requests/{_request(w, t).pk}/offers"
    ),
    "POST /api/v1/market/requests/{pk}/offers": lambda w, t: Call(
        f"/api/v1/market/requests/{_request(w, t).pk}/offers",
        body={"price": 30000, "quantity": 100, "seller": w.organisation[t].pk},
    ),
    "GET /api/v1/market/vietqr": lambda w, t: Call(
        "/api/v1/market/vietqr",
        {
            "payload": "00020101021138540010A00000072701240006970422011099999991480208QRIBFTTA"
            "53037045802VN63047b49"
        },
    ),
}


# -- the purchase-request board (marketplace/b2b.py) ----------------------------------------------

BOARD_POST: Row = [(L, L), (OK, OK), (F, F), (F, F), (F, F), (OK, OK), (OK, OK), (OK, OK)]
OFFER: Row = [(L, L), (F, F), (F, F), (F, F), (F, F), (F, F), (OK, OK), (F, F)]
NEED = {
    "product": "Chè búp khô",
    "category": "tea",
    "quantity": "500",
    "unit": "kg",
    "needed_by": "31/12/2030",
}


def _request(w: Any, t: str) -> Any:
    from datetime import date

    buyer = make_user(f"mx-can-mua-{next(_serial)}", Role.BUYER)
    return b2b.post_request(
        buyer,
        {**NEED, "quantity": 500, "province": w.province[t], "needed_by": date(2030, 12, 31)},
    )


MARKETPLACE_PAGE_MATRIX.update(
    {
        "marketplace:requests": {"GET": EVERYONE, "POST": BOARD_POST},
        "marketplace:request": {"GET": EVERYONE},
        "marketplace:offer": {"POST": OFFER},
    }
)
MARKETPLACE_PAGE_CALLS.update(
    {
        ("marketplace:requests", "GET"): lambda w, t: page("marketplace:requests"),
        ("marketplace:requests", "POST"): lambda w, t: page(
            "marketplace:requests", body={**NEED, "province": w.province[t]}
        ),
        ("marketplace:request", "GET"): lambda w, t: page("marketplace:request", _request(w, t).pk),
        ("marketplace:offer", "POST"): lambda w, t: page(
            "marketplace:offer", _request(w, t).pk, body={"price": "200.000", "quantity": "300"}
        ),
    }
)
