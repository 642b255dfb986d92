"""The marketplace in the REST API: the catalogue (public, the page's filter), orders (a cart
placed as one order per seller; the buyer's and the seller's steps through the pages'
services: 404 outside one's scope, 403 for a step one may not take, 409 for a stale version,
422 for what the state or the stock does not allow), and reading a VietQR."""

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop
from ninja import Query, Router
from ninja import Status as Reply
from ninja.errors import HttpError

from htxso.core.api import READ_AUTH, WRITE_AUTH
from htxso.core.api_filters import api_page, filter_form, filter_schema
from htxso.core.api_rows import Rows, Values
from htxso.core.api_schemas import ERRORS, PK, Page
from htxso.core.pagination import InvalidCursor
from htxso.core.versions import StaleEdit

from . import browse, services, vietqr
from .filters import CatalogueFilter, OrderFilter
from .models import Order, Payment, Product
from .schemas import (
    MarketOrderIn,
    MarketOrderOut,
    MarketProductOut,
    MarketStepIn,
    MarketVersionIn,
    VietQROut,
)

router = Router(tags=["marketplace"])
CatalogueQuery = filter_schema(CatalogueFilter, "MarketCatalogueQuery")
OrderQuery = filter_schema(OrderFilter, "MarketOrderQuery")


# The product's columns the answer shows (`values()`: plain rows, one query with the seller's
# name; model instances and per-item validation cost more than the query, #24 item 4), plus
# what `ocop_stars` and `photo_url` are computed from.
PRODUCT_COLUMNS = (
    *(f for f in MarketProductOut.model_fields if f in {c.attname for c in Product._meta.fields}),
    "photo",
)
PRODUCTS = Rows(MarketProductOut)
_PK = 987654321  # stands for the product's id in the one reverse() of a page


PRODUCT_ROWS = Values(Product, *PRODUCT_COLUMNS, seller_name=F("seller__name"))


def _products(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The answer's fields of `rows` (`PRODUCT_ROWS`): the stars shown today (`Product.stars`)
    and the photo's URL (one `reverse()` for the page)."""
    before, _pk, after = reverse("marketplace:photo", args=[_PK]).partition(str(_PK))
    today = timezone.localdate()
    for row in rows:
        expires = row["ocop_expires_on"]
        shown = row["ocop_stars"] and row["ocop_certificate"] and expires and expires >= today
        row["ocop_stars"] = row["ocop_stars"] if shown else 0
        row["photo_url"] = f"{before}{row['id']}{after}" if row.pop("photo") else None
    return rows


def _order(o: Order) -> dict[str, Any]:
    out = {name: getattr(o, name) for name in MarketOrderOut.model_fields if hasattr(o, name)}
    out["lines"] = list(o.lines.values("product_id", "name", "quantity", "unit_price"))
    out["vietqr"] = None
    shop = getattr(o.seller, "shop", None)
    if o.payment == Payment.VIETQR and shop is not None and shop.bank_bin:
        out["vietqr"] = vietqr.build(shop.bank_bin, shop.account_number, o.total, o.reference)
    return out


@router.get("/market/products", auth=READ_AUTH, response={200: Page[MarketProductOut], **ERRORS})
def list_products(
    request: HttpRequest,
    filters: Query[CatalogueQuery],  # type: ignore[valid-type]
    cursor: str | None = None,
    limit: int | None = None,
) -> HttpResponse:
    """Products on sale (active sellers only): newest first, or by `sort`; with `q`, the best
    matches (diacritics ignored, at most 480) ranked. Keyset cursors either way."""
    form = filter_form(CatalogueFilter, filters)
    size = max(1, min(limit or settings.API_PAGE_SIZE, settings.API_MAX_PAGE_SIZE))
    products = PRODUCT_ROWS().visible_to(request.user)
    try:
        found = browse.page(form, products, cursor, size)
    except InvalidCursor:
        raise ValidationError({"cursor": gettext_noop("Con trỏ trang không hợp lệ.")}) from None
    return PRODUCTS.page(request, _products(found.items), found.next_cursor)


@router.get("/market/products/{int:pk}", auth=READ_AUTH, response={200: MarketProductOut, **ERRORS})
def get_product(request: HttpRequest, pk: PK) -> HttpResponse:
    row = get_object_or_404(PRODUCT_ROWS().visible_to(request.user), pk=pk)
    return PRODUCTS.one(request, _products([row])[0])


@router.post("/market/orders", auth=WRITE_AUTH, response={201: list[MarketOrderOut], **ERRORS})
def place_orders(request: HttpRequest, payload: MarketOrderIn) -> Reply[list[dict[str, Any]]]:
    """Place the cart: one order per seller, stock reserved (never oversold)."""
    cart: dict[int, int] = {}
    for item in payload.items:
        cart[item.product_id] = cart.get(item.product_id, 0) + item.quantity
    orders = services.place_orders(
        request.user,
        cart,
        payment=payload.payment,
        recipient=payload.recipient,
        phone=payload.phone,
        commune_id=payload.commune_id,
        street=payload.street,
    )
    return Reply(201, [_order(o) for o in orders])


@router.get("/market/orders", auth=WRITE_AUTH, response={200: Page[MarketOrderOut], **ERRORS})
def list_orders(
    request: HttpRequest,
    filters: Query[OrderQuery],  # type: ignore[valid-type]
    cursor: str | None = None,
    limit: int | None = None,
) -> dict[str, Any]:
    """The orders the caller sees: their own purchases, their organisation's sales, their
    province's (officers, read-only); newest first."""
    orders = filter_form(OrderFilter, filters).filter(
        Order.objects.visible_to(request.user).select_related("seller__shop")
    )
    page = api_page(orders, "id", True, cursor, limit)
    page["items"] = [_order(o) for o in page["items"]]
    return page


@router.get("/market/orders/{int:pk}", auth=WRITE_AUTH, response={200: MarketOrderOut, **ERRORS})
def get_order(request: HttpRequest, pk: PK) -> dict[str, Any]:
    return _order(get_object_or_404(Order.objects.visible_to(request.user), pk=pk))


def _write(request: HttpRequest, pk: int, write: Any) -> dict[str, Any]:
    get_object_or_404(Order.objects.visible_to(request.user), pk=pk)
    try:
        return _order(write())
    except StaleEdit as exc:
        raise HttpError(409, str(exc)) from None


@router.post(
    "/market/orders/{int:pk}/step", auth=WRITE_AUTH, response={200: MarketOrderOut, **ERRORS}
)
def order_step(request: HttpRequest, pk: PK, payload: MarketStepIn) -> dict[str, Any]:
    """The seller's `confirm`, `ship`, `deliver`, `refund`; `cancel` (the buyer before the
    seller confirms, the seller before shipping: the stock goes back)."""
    return _write(
        request, pk, lambda: services.step(request.user, pk, payload.version, payload.action)
    )


@router.post(
    "/market/orders/{int:pk}/paid", auth=WRITE_AUTH, response={200: MarketOrderOut, **ERRORS}
)
def order_paid(request: HttpRequest, pk: PK, payload: MarketVersionIn) -> dict[str, Any]:
    """The seller confirms the payment reached them."""
    return _write(request, pk, lambda: services.confirm_paid(request.user, pk, payload.version))


@router.get("/market/vietqr", auth=READ_AUTH, response={200: VietQROut, **ERRORS})
def read_vietqr(
    request: HttpRequest, payload: str = Query(..., min_length=1, max_length=600)
) -> dict[str, Any]:
    """Read and check a VietQR payload (422 with the reason: a bad CRC, a bad length…)."""
    try:
        found = vietqr.parse(payload)
    except vietqr.VietQRError as exc:
        raise ValidationError({"payload": str(exc)}) from None
    return found.__dict__
