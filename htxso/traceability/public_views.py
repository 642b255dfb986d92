"""Public pages: the GS1 Digital Link resolver (`/01/<gtin>/10/<lot>` and the other keys the
grammar allows) and the trace page a shopper lands on after scanning a QR label — only what
the cooperative marked public."""

from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import is_valid_path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from htxso.registry.models import Organisation

from . import compression, digital_link, journey_map, labels, query
from .models import Product
from .steps import step_label


def _link(request: HttpRequest) -> digital_link.DigitalLink:
    """The Digital Link the request names. The raw path (gunicorn's RAW_URI, REQUEST_URI)
    keeps %2F inside values; without it (Django decodes the path), a qualifier's value runs
    to the next qualifier the key allows."""
    raw = request.META.get("RAW_URI") or request.META.get("REQUEST_URI")
    if raw and raw.startswith("/"):
        uri = f"{request.scheme}://{request.get_host()}{raw}"
        return digital_link.parse(uri, sort_qualifiers=True)
    uri = request.build_absolute_uri()
    try:
        return digital_link.parse(uri, sort_qualifiers=True)
    except digital_link.DigitalLinkError:
        return digital_link.parse(uri, sort_qualifiers=True, slash_in_values=True)


# What the page shows of a cooperative (its registry page is a link away).
ORGANISATION_FIELDS = ("id", "name", "tax_code", "status", "province_id", "commune_id")


ORGANISATION_CACHE = "trace:organisation:{}"
ORGANISATION_TTL = 300  # seconds; a save of the cooperative drops its entry (apps.py)


def registry_facts(ids: set[int]) -> dict[int, Organisation]:
    """The cooperatives' registry facts the page shows, from the cache (read once, then kept
    until the organisation is saved or for ORGANISATION_TTL): a round trip fewer a scan."""
    keys = {ORGANISATION_CACHE.format(pk): pk for pk in ids}
    found: dict[int, Organisation] = {
        keys[key]: value for key, value in cache.get_many(list(keys)).items()
    }
    missing = ids - found.keys()
    if missing:
        read = {
            o.pk: o for o in Organisation.objects.filter(pk__in=missing).only(*ORGANISATION_FIELDS)
        }
        cache.set_many(
            {ORGANISATION_CACHE.format(pk): o for pk, o in read.items()}, ORGANISATION_TTL
        )
        found.update(read)
    return found


def forget_organisation(pk: int) -> None:
    cache.delete(ORGANISATION_CACHE.format(pk))


def trace_page(gtin: str) -> str | None:
    """The public trace page of a GTIN-14 a cooperative made public (`core.facts.trace_page`:
    the marketplace's product page links to it)."""
    if not Product.objects.filter(gtin=gtin, public=True).exists():
        return None
    return reverse("traceability:resolve", kwargs={"path": f"01/{gtin}"})


@require_GET
def resolve(request: HttpRequest, path: str) -> HttpResponse:
    """Any Digital Link path of this site: the trace page of what it names, or a page saying
    why it is not a valid link (400)."""
    try:
        link = _link(request)
    except digital_link.DigitalLinkError as error:
        return render(request, "traceability/invalid.html", {"reason": str(error)}, status=400)
    return _trace(request, link)


@require_GET
def resolve_compressed(request: HttpRequest, path: str) -> HttpResponse:
    """/<one base64 segment>: a compressed Digital Link, or (not one) the page the path with a
    slash would be (APPEND_SLASH, which this catch-all would otherwise shadow), or a 404."""
    try:
        plain = compression.decompress(request.build_absolute_uri())
        link = digital_link.parse(plain, sort_qualifiers=True, allow_compressed=False)
    except (digital_link.DigitalLinkError, ValueError):
        if settings.APPEND_SLASH and is_valid_path(f"/{path}/", getattr(request, "urlconf", None)):
            return HttpResponsePermanentRedirect(f"/{path}/")
        raise Http404(path) from None
    return _trace(request, link)


@require_GET
def resolve_lot(request: HttpRequest, gtin: str, lot: str) -> HttpResponse:
    """/01/<gtin>/10/<lot>: the label's own address (a named route, for `reverse`)."""
    return resolve(request, f"01/{gtin}/10/{lot}")


def _trace(request: HttpRequest, link: digital_link.DigitalLink) -> HttpResponse:
    product = None
    if link.key_ai == "01":
        product = Product.objects.filter(gtin=link.gtin14, public=True).first()
    epc = link.canonical()
    journey = query.journey(epc)
    if product is None and not journey.events:
        return render(
            request,
            "traceability/invalid.html",
            {"reason": _("Chưa có thông tin truy xuất công khai cho mã này."), "link": link},
            status=404,
        )
    organisation_ids = {e.organisation_id for e in journey.events}
    if product is not None:
        organisation_ids.add(product.organisation_id)
    organisations = registry_facts(organisation_ids)
    journey_places = journey_map.places(journey.events, organisations)
    timeline: list[dict[str, Any]] = [
        {
            "time": event.event_time,
            "step": step_label(event.biz_step),
            "organisation": organisations.get(event.organisation_id),
            "location": event.biz_location or event.read_point,
            "type": event.type,
        }
        for event in journey.events
    ]
    context = {
        "link": link,
        "product": product,
        "organisation": organisations.get(product.organisation_id) if product else None,
        "lot": link.qualifiers.get("10"),
        "timeline": timeline,
        "harvests": journey.harvests,
        "places": journey_places,
        "polyline": " ".join(f"{p.x:g},{p.y:g}" for p in journey_places),
        "map_size": (journey_map.WIDTH, journey_map.HEIGHT),
    }
    return render(request, "traceability/trace.html", context)


@require_GET
def label_sheet(request: HttpRequest, gtin: str, lot: str) -> HttpResponse:
    """The printable sheet of QR labels of a lot (whoever sees the product). Reading it
    writes nothing: the cooperative says the labels are printed with a POST (labels_printed)."""
    product = get_object_or_404(Product.objects.visible_to(request.user), gtin=gtin)
    pdf = labels.sheet(product, lot, settings.TRACE_RESOLVER_DOMAIN)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="tem-{gtin}-{lot}.pdf"'
    return response


@require_GET
@cache_control(public=True, max_age=86400)
def vietnam_svg(request: HttpRequest) -> HttpResponse:
    """The map's background: Vietnam drawn from its communes' centres (see journey_map)."""
    return HttpResponse(journey_map.background_svg(), content_type="image/svg+xml")
