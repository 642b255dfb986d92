"""Traceability in the REST API: the EPCIS 2.0 capture interface (`POST /epcis/capture`: an
EPCISDocument in JSON/JSON-LD, all or nothing, 422 with one error per invalid event), the query
interface (`GET /epcis/events`: the EPCIS query parameters, keyset pages, an
EPCISQueryDocument), the recall walk for inspectors, and Digital Link parsing (public)."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_noop
from ninja import Body, Query, Router
from ninja import Status as Reply

from htxso.core.api import READ_AUTH, WRITE_AUTH
from htxso.core.api_filters import filter_form, filter_schema
from htxso.core.api_schemas import ERRORS
from htxso.core.pagination import InvalidCursor, keyset_paginate
from htxso.core.scoping import Action, may

from . import digital_link, epcis, query, services
from .filters import EventFilter
from .models import Event
from .schemas import TraceCaptureOut, TraceDigitalLinkOut, TraceRecallOut

router = Router(tags=["traceability"])
TraceEventQuery = filter_schema(EventFilter, "TraceEventQuery")


@router.post("/epcis/capture", auth=WRITE_AUTH, response={201: TraceCaptureOut, **ERRORS})
def capture(
    request: HttpRequest,
    organisation_id: int = Query(..., ge=1, le=2**63 - 1),
    public: bool = False,
    document: dict[str, Any] = Body(...),  # noqa: B008 (ninja's way of naming a raw body)
) -> Reply[dict[str, Any]]:
    """Capture an EPCISDocument for an organisation one records for; `public=true` shows its
    events on the public trace pages."""
    stored, events = services.capture(request.user, organisation_id, document, public=public)
    return Reply(
        201,
        {
            "capture_id": stored.pk,
            "events": len(events),
            "event_ids": [event.event_id for event in events],
        },
    )


@router.get("/epcis/events", auth=READ_AUTH, response={200: dict[str, Any], **ERRORS})
def events(
    request: HttpRequest,
    response: HttpResponse,
    filters: Query[TraceEventQuery],  # type: ignore[valid-type]
    perPage: int = Query(100, ge=1, le=1000),
    nextPageToken: str | None = Query(None, max_length=200),
) -> dict[str, Any]:
    """Events one may see (the public: those marked public), oldest first, as an EPCIS query
    document; the next page's token is in the `Link` header (rel="next")."""
    form = filter_form(EventFilter, filters)
    rows = form.filter(Event.objects.visible_to(request.user))
    try:
        page = keyset_paginate(rows, "event_time", False, nextPageToken, perPage)
    except InvalidCursor:
        raise ValidationError(
            {"nextPageToken": gettext_noop("Con trỏ trang không hợp lệ.")}
        ) from None
    if page.next_cursor:
        params = request.GET.copy()
        params["nextPageToken"] = page.next_cursor
        response["Link"] = f'<{request.path}?{params.urlencode()}>; rel="next"'
    found = page.items
    return epcis.query_document([query.body(e) for e in found], query.contexts(found))


@router.get("/epcis/recall", auth=WRITE_AUTH, response={200: TraceRecallOut, **ERRORS})
def recall(
    request: HttpRequest, epc: str = Query(..., min_length=3, max_length=512)
) -> dict[str, Any]:
    """From one identifier (EPC URN or Digital Link), everything downstream and upstream
    through transformations and aggregations, and the events naming them (for inspectors)."""
    if not may(request.user, Action.EXPORT, Event):
        raise PermissionDenied(gettext_noop("Truy xuất thu hồi dành cho cơ quan quản lý."))
    found = query.recall(services.canonical(epc), Event.objects.scoped(request.user, Action.EXPORT))
    return {
        "epc": found.epc,
        "downstream": [{"epc": k, "depth": v} for k, v in sorted(found.downstream.items())],
        "upstream": [{"epc": k, "depth": v} for k, v in sorted(found.upstream.items())],
        "events": [query.body(e) for e in found.events],
    }


@router.get("/digital-link", auth=READ_AUTH, response={200: TraceDigitalLinkOut, **ERRORS})
def parse_digital_link(
    request: HttpRequest, uri: str = Query(..., min_length=8, max_length=2000)
) -> dict[str, Any]:
    """A GS1 Digital Link URI read: its key, qualifiers and attributes, its canonical form,
    and this site's trace page for it (422 with the reason when it is not one)."""
    try:
        link = digital_link.parse(uri)
    except digital_link.DigitalLinkError as error:
        raise ValidationError({"uri": str(error)}) from None
    trace = None
    if link.key_ai == "01" and "10" in link.qualifiers:
        trace = reverse("traceability:resolve-lot", args=[link.gtin14, link.qualifiers["10"]])
    return {
        "domain": link.domain,
        "key_ai": link.key_ai,
        "key": link.key,
        "qualifiers": link.qualifiers,
        "attributes": link.attributes,
        "link_type": link.link_type,
        "canonical": link.canonical(),
        "trace_url": trace,
    }
