"""The purchase-request board (B2B) in the REST API, as the pages do it: the open requests
(public, newest needs first, keyset), one request, posting one (a signed-in buyer), the offers
the caller may see on a request (its buyer, the offering seller, oversight) and making one (a
seller's manager or invited staff). Writes through `b2b.post_request` and `b2b.make_offer`:
403 for who may not, 422 for what the board does not allow."""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router
from ninja import Status as Reply

from htxso.core.api import READ_AUTH, WRITE_AUTH
from htxso.core.api_filters import api_page
from htxso.core.api_schemas import ERRORS, PK, Page

from . import b2b
from .models import Offer, PurchaseRequest
from .schemas import MarketOfferIn, MarketOfferOut, MarketRequestIn, MarketRequestOut

router = Router(tags=["marketplace"])


def _valid(form_class: Any, data: dict[str, Any]) -> dict[str, Any]:
    """The page's form over the body: its checks and Vietnamese messages (422 naming the field)."""
    form = form_class({k: "" if v is None else str(v) for k, v in data.items()})
    if not form.is_valid():
        raise ValidationError(form.errors.as_data())
    return dict(form.cleaned_data)


def _offer(o: Offer) -> dict[str, Any]:
    return {
        **{n: getattr(o, n) for n in MarketOfferOut.model_fields if hasattr(o, n)},
        "seller_name": o.seller.name,
    }


@router.get("/market/requests", auth=READ_AUTH, response={200: Page[MarketRequestOut], **ERRORS})
def list_requests(
    request: HttpRequest, cursor: str | None = None, limit: int | None = None
) -> dict[str, Any]:
    """Open purchase requests (needed from today on), newest first."""
    rows = PurchaseRequest.objects.visible_to(request.user).filter(
        needed_by__gte=timezone.localdate()
    )
    return api_page(rows, "id", True, cursor, limit)


@router.get("/market/requests/{int:pk}", auth=READ_AUTH, response={200: MarketRequestOut, **ERRORS})
def get_request(request: HttpRequest, pk: PK) -> PurchaseRequest:
    return get_object_or_404(PurchaseRequest.objects.visible_to(request.user), pk=pk)


@router.post("/market/requests", auth=WRITE_AUTH, response={201: MarketRequestOut, **ERRORS})
def post_request(request: HttpRequest, payload: MarketRequestIn) -> Reply[PurchaseRequest]:
    """Post a need (a signed-in buyer): the page's form checks the values."""
    data = payload.dict()
    data["needed_by"] = payload.needed_by.strftime("%d/%m/%Y")  # the form reads dd/mm/yyyy
    return Reply(201, b2b.post_request(request.user, _valid(b2b.RequestForm, data)))


@router.get(
    "/market/requests/{int:pk}/offers",
    auth=WRITE_AUTH,
    response={200: list[MarketOfferOut], **ERRORS},
)
def list_offers(request: HttpRequest, pk: PK) -> list[dict[str, Any]]:
    """The offers on a request the caller may see (the buyer all, a seller its own)."""
    wanted = get_object_or_404(PurchaseRequest.objects.visible_to(request.user), pk=pk)
    offers = Offer.objects.visible_to(request.user).filter(request=wanted)
    return [_offer(o) for o in offers.select_related("seller").order_by("id")[:500]]


@router.post(
    "/market/requests/{int:pk}/offers",
    auth=WRITE_AUTH,
    response={201: MarketOfferOut, **ERRORS},
)
def make_offer(request: HttpRequest, pk: PK, payload: MarketOfferIn) -> Reply[dict[str, Any]]:
    """Answer a request with an offer for the caller's organisation (or `seller`)."""
    get_object_or_404(PurchaseRequest.objects.visible_to(request.user), pk=pk)
    values = {**_valid(b2b.OfferForm, payload.dict()), "seller": payload.seller}
    return Reply(201, _offer(b2b.make_offer(request.user, pk, values)))
