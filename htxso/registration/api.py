"""Registration in the REST API, for other portals: create an application (with its founding
members), submit it, read its status and timeline — through the pages' services (the same
permissions, audit and state machine: 404 outside one's scope, 403 for a step one may not
take, 409 for a stale version, 422 for a dossier that is not complete). The public lookup by
code or name answers everyone."""

from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Query, Router
from ninja import Status as Reply
from ninja.errors import HttpError

from htxso.core.api import READ_AUTH, WRITE_AUTH
from htxso.core.api_rows import Rows
from htxso.core.api_schemas import ERRORS, PK
from htxso.core.personal import masked
from htxso.core.versions import StaleEdit
from htxso.registry.filters import search
from htxso.registry.models import Organisation

from . import changes, decisions, leaving, services
from .models import Application, Certificate
from .schemas import (
    ApplicationIn,
    ApplicationOut,
    ApplicationVersionIn,
    ChangeIn,
    DecisionIn,
    LookupOut,
    WithdrawIn,
)

router = Router(tags=["registration"])


def _out(application: Application) -> dict[str, Any]:
    derived = {"missing", "events", "leaving"}
    out = {
        name: getattr(application, name)
        for name in ApplicationOut.model_fields
        if name not in derived
    }
    out["missing"] = (
        services.missing(application) if application.status in ("draft", "needs_correction") else []
    )
    out["events"] = list(application.events.values("at", "action", "status", "note"))
    out["leaving"] = [
        {
            "full_name": m.full_name,
            "cccd": masked("cccd", m.cccd) or "",
            "left_on": m.left_on,
            "reason": m.reason,
        }
        for m in application.leaving.order_by("id")
    ]
    return out


@router.post("/applications", auth=WRITE_AUTH, response={201: ApplicationOut, **ERRORS})
def create_application(request: HttpRequest, payload: ApplicationIn) -> Reply[dict[str, Any]]:
    """A draft with its facts and founding members, in one transaction (a refused member
    leaves no draft)."""
    data = payload.dict()
    members = data.pop("members")
    kind, province = data.pop("kind"), data.pop("province_id")
    with transaction.atomic():
        application = services.start(request.user, kind, province, **data)
        for member in members:
            services.add_member(request.user, application.pk, application.version, **member)
            application.refresh_from_db()
    return Reply(201, _out(application))


@router.post("/applications/changes", auth=WRITE_AUTH, response={201: ApplicationOut, **ERRORS})
def create_change(request: HttpRequest, payload: ChangeIn) -> Reply[dict[str, Any]]:
    """A draft change (or dissolution) of an organisation the caller registered: its facts as
    they should read, the members it admits and those who leave, in one transaction (a refused
    member, admitted or leaving, leaves no draft)."""
    data = payload.dict()
    members, leaving_members = data.pop("members"), data.pop("leaving")
    organisation_id, purpose = data.pop("organisation_id"), data.pop("purpose")
    facts = {name: value for name, value in data.items() if value is not None}
    user = request.user
    with transaction.atomic():
        application = changes.start_change(user, organisation_id, purpose)
        if facts:
            application = services.save_draft(user, application.pk, application.version, **facts)
        for member in members:
            services.add_member(user, application.pk, application.version, **member)
            application.refresh_from_db()
        for row in leaving_members:
            leaving.add_leaving(user, application.pk, application.version, **row)
            application.refresh_from_db()
    return Reply(201, _out(application))


@router.get("/applications/{int:pk}", auth=WRITE_AUTH, response={200: ApplicationOut, **ERRORS})
def get_application(request: HttpRequest, pk: PK) -> dict[str, Any]:
    """Status, deadline, what is missing and the timeline of one application."""
    return _out(get_object_or_404(Application.objects.visible_to(request.user), pk=pk))


@router.post(
    "/applications/{int:pk}/submit", auth=WRITE_AUTH, response={200: ApplicationOut, **ERRORS}
)
def submit_application(
    request: HttpRequest, pk: PK, payload: ApplicationVersionIn
) -> dict[str, Any]:
    """Submit (or resubmit after corrections); the same request twice submits once."""
    return _step(request, pk, lambda: services.submit(request.user, pk, payload.version))


def _step(request: HttpRequest, pk: int, write: Any) -> dict[str, Any]:
    """A step on an application the caller sees (404 otherwise): 403 for a step the role may
    not take, 409 for a stale version, 422 for a step the state does not allow."""
    get_object_or_404(Application.objects.visible_to(request.user), pk=pk)
    try:
        return _out(write())
    except StaleEdit as exc:
        raise HttpError(409, str(exc)) from None


@router.post(
    "/applications/{int:pk}/decision", auth=WRITE_AUTH, response={200: ApplicationOut, **ERRORS}
)
def decide(request: HttpRequest, pk: PK, payload: DecisionIn) -> dict[str, Any]:
    """The registration office's step on a case: `take`, `ask_corrections` (`note`: what to
    fix; the deadline's clock stops), `approve` (the registry entry and the certificate, in one
    transaction) or `refuse` (`note`: the reason)."""
    user, version, note = request.user, payload.version, payload.note
    steps = {
        "take": lambda: decisions.take(user, pk, version),
        "ask_corrections": lambda: decisions.ask_corrections(user, pk, version, note),
        "approve": lambda: decisions.approve(user, pk, version),
        "refuse": lambda: decisions.refuse(user, pk, version, note),
    }
    return _step(request, pk, steps[payload.action])


@router.post(
    "/applications/{int:pk}/withdraw", auth=WRITE_AUTH, response={200: ApplicationOut, **ERRORS}
)
def withdraw(request: HttpRequest, pk: PK, payload: WithdrawIn) -> dict[str, Any]:
    """The founder withdraws the application before a decision."""
    return _step(
        request, pk, lambda: services.withdraw(request.user, pk, payload.version, payload.reason)
    )


LOOKUP = Rows(LookupOut)


@router.get("/registrations", auth=READ_AUTH, response={200: list[LookupOut], **ERRORS})
def lookup(request: HttpRequest, q: str = Query(..., min_length=2, max_length=100)) -> HttpResponse:
    """Registered organisations by code (tax code or registration code) or name, diacritics-
    insensitive, with their current certificate (at most 20)."""
    organisations = search(Organisation.objects.visible_to(request.user), q)
    by_code = Certificate.objects.filter(code=q.strip()).values("organisation_id")
    # Plain rows of the columns shown (not the organisations' 60-odd columns; #24 item 4).
    rows = list(
        (organisations | Organisation.objects.filter(pk__in=by_code))
        .order_by("name_key", "id")
        .values("id", "name", "kind", "tax_code", "province_id", "status")[:20]
    )
    current = {
        c["organisation_id"]: c
        for c in Certificate.objects.filter(
            organisation__in=[o["id"] for o in rows], superseded_at__isnull=True
        ).values("organisation_id", "code", "serial", "issued_at")
    }
    found = []
    for o in rows:
        certificate = current.get(o["id"])
        found.append(
            {
                "organisation_id": o["id"],
                "name": o["name"],
                "kind": o["kind"],
                "code": o["tax_code"] or (certificate["code"] if certificate else None),
                "province_id": o["province_id"],
                "status": o["status"],
                "certificate": certificate["serial"] if certificate else None,
                "certificate_issued_at": certificate["issued_at"] if certificate else None,
            }
        )
    return LOOKUP.many(request, found)
