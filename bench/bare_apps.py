"""Bare views of the new apps' public API reads (issue #24, item 4), for bench/api.py.

Each answers the same rows as its API operation, in the same order, with plain Django: the
same visible rows (the model's own `visible_to` for an anonymous visitor, so the SQL is the
API's), `values()` of the schema's columns and `JsonResponse`; no django-ninja, no
authentication, no throttling, no pydantic. Lists stop at the API's default page size.
The server loads this module only through bench/bare_urls.py (ROOT_URLCONF=bare_urls).
"""

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import F, Model, QuerySet
from django.http import HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils import timezone

from htxso.marketplace.models import Product, PurchaseRequest
from htxso.marketplace.schemas import MarketProductOut, MarketRequestOut
from htxso.prices.models import Commodity, Observation, Series
from htxso.prices.schemas import PriceCommodityOut, PriceObservationOut, PriceSeriesOut
from htxso.registration.models import Certificate
from htxso.registry.filters import search
from htxso.registry.models import Organisation
from htxso.tasks import dashboards, services
from htxso.tasks.forum.models import ConnectionPoint, Edition, Recommendation
from htxso.tasks.forum.schemas import RecommendationOut

ANONYMOUS = AnonymousUser()


def _columns(model: type[Model], schema: Any) -> list[str]:
    """The schema's fields that are columns of `model` (the rest are computed)."""
    names = {f.attname for f in model._meta.concrete_fields}
    return [name for name in schema.model_fields if name in names]


def _page(queryset: QuerySet, order: tuple[str, ...], columns: list[str], **extra: Any) -> dict:
    size = settings.API_PAGE_SIZE
    rows = list(queryset.order_by(*order).values(*columns, **extra)[: size + 1])
    return {"items": rows[:size], "more": len(rows) > size}


def _json(data: Any) -> JsonResponse:
    return JsonResponse(data, safe=False)


PRODUCT = _columns(Product, MarketProductOut)


def market_products(request: HttpRequest) -> JsonResponse:
    products = Product.objects.visible_to(ANONYMOUS)
    return _json(_page(products, ("-id",), PRODUCT, seller_name=F("seller__name")))


def market_product(request: HttpRequest, pk: int) -> JsonResponse:
    products = Product.objects.visible_to(ANONYMOUS)
    row = get_object_or_404(products.values(*PRODUCT, seller_name=F("seller__name")), pk=pk)
    return _json(row)


def market_requests(request: HttpRequest) -> JsonResponse:
    rows = PurchaseRequest.objects.visible_to(ANONYMOUS).filter(needed_by__gte=timezone.localdate())
    return _json(_page(rows, ("-id",), _columns(PurchaseRequest, MarketRequestOut)))


def price_commodities(request: HttpRequest) -> JsonResponse:
    rows = Commodity.objects.visible_to(ANONYMOUS).order_by("name")
    return _json(list(rows.values(*_columns(Commodity, PriceCommodityOut))[:500]))


def price_series(request: HttpRequest) -> JsonResponse:
    columns = [c for c in _columns(Series, PriceSeriesOut) if c != "commodity"]
    rows = Series.objects.visible_to(ANONYMOUS)
    return _json(_page(rows, ("id",), columns, commodity_code=F("commodity__code")))


def price_observations(request: HttpRequest, pk: int) -> JsonResponse:
    series = get_object_or_404(Series.objects.visible_to(ANONYMOUS).values("pk"), pk=pk)
    rows = Observation.objects.filter(series_id=series["pk"])
    columns = _columns(Observation, PriceObservationOut)
    return _json(_page(rows, ("-period", "-id"), columns))


def public_directives(request: HttpRequest) -> JsonResponse:
    """The same aggregate query as the API (`dashboards.public`), rows as they come."""
    return _json(
        [
            {
                "number": r["directive"].number,
                "subject": r["directive"].subject,
                "tasks": r["total"],
                "done": r["done"],
                "overdue": r["overdue"],
                "mean_percent": r["mean"],
            }
            for r in dashboards.public(services.today())
        ]
    )


def forum_editions(request: HttpRequest) -> JsonResponse:
    editions = list(
        Edition.objects.visible_to(ANONYMOUS).values(
            "id", "year", "theme", "held_on", "venue", "programme"
        )[:20]
    )
    points: dict[int, list] = {e["id"]: [] for e in editions}
    for point in (
        ConnectionPoint.objects.filter(edition_id__in=points)
        .order_by("edition", "province_id")
        .values("id", "edition_id", "province_id", "host", "place", "attendance")
    ):
        points[point.pop("edition_id")].append(point)
    return _json([{**e, "points": points[e["id"]]} for e in editions])


def forum_recommendations(request: HttpRequest) -> JsonResponse:
    rows = Recommendation.objects.visible_to(ANONYMOUS)
    columns = _columns(Recommendation, RecommendationOut)
    return _json(
        _page(
            rows,
            ("-raised_on", "-id"),
            columns,
            year=F("edition__year"),
            agency_name=F("agency__name"),
            task_percent=F("task__percent_done"),
        )
    )


def registrations(request: HttpRequest) -> JsonResponse:
    """The lookup's rows: the same search, the organisations' current certificates."""
    q = request.GET.get("q", "")
    found = search(Organisation.objects.visible_to(ANONYMOUS), q)
    by_code = Certificate.objects.filter(code=q.strip()).values("organisation_id")
    rows = list(
        (found | Organisation.objects.filter(pk__in=by_code))
        .order_by("name_key", "id")
        .values("id", "name", "kind", "tax_code", "province_id", "status")[:20]
    )
    current = {
        c["organisation_id"]: c
        for c in Certificate.objects.filter(
            organisation__in=[r["id"] for r in rows], superseded_at__isnull=True
        ).values("organisation_id", "code", "serial", "issued_at")
    }
    out = []
    for r in rows:
        cert = current.get(r["id"])
        out.append(
            {
                "organisation_id": r["id"],
                "name": r["name"],
                "kind": r["kind"],
                "code": r["tax_code"] or (cert["code"] if cert else None),
                "province_id": r["province_id"],
                "status": r["status"],
                "certificate": cert["serial"] if cert else None,
                "certificate_issued_at": cert["issued_at"] if cert else None,
            }
        )
    return _json(out)


urlpatterns = [
    path("bench/bare/market/products", market_products),
    path("bench/bare/market/products/<int:pk>", market_product),
    path("bench/bare/market/requests", market_requests),
    path("bench/bare/prices/commodities", price_commodities),
    path("bench/bare/prices/series", price_series),
    path("bench/bare/prices/series/<int:pk>/observations", price_observations),
    path("bench/bare/public/directives", public_directives),
    path("bench/bare/forum/editions", forum_editions),
    path("bench/bare/forum/recommendations", forum_recommendations),
    path("bench/bare/registrations", registrations),
]
