"""The EPCIS capture path: a document (or the pages' events) checked against the official
schema and written all or nothing — events, their identifiers, one audit entry per capture."""

import json
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from htxso.core.audit import record
from htxso.core.bulk import write_rows
from htxso.core.scoping import Action, may
from htxso.registry.models import Organisation

from . import epcis
from .models import Capture, Event, EventEpc


def _organisation(actor: Any, organisation_id: int) -> Organisation:
    organisation = Organisation.objects.visible_to(actor).get(pk=organisation_id)  # 404 outside
    probe = Capture(organisation_id=organisation.pk, province_id=organisation.province_id)
    if not may(actor, Action.CREATE, probe):
        raise PermissionDenied(_("Bạn không được ghi sự kiện truy xuất cho tổ chức này."))
    return organisation


def _refusal(problems: list[epcis.Problem]) -> ValidationError:
    errors: dict[str, list[ValidationError]] = {}
    for problem in problems:
        if problem.event is None:
            message = ValidationError(
                _("Tài liệu EPCIS không hợp lệ (%(where)s): %(detail)s"),
                params={"where": problem.where or "/", "detail": problem.detail},
            )
        else:
            message = ValidationError(
                _("Sự kiện thứ %(n)s không hợp lệ (%(where)s): %(detail)s"),
                params={"n": problem.event + 1, "where": problem.where, "detail": problem.detail},
            )
        field = problem.where if problem.where.startswith("epcisBody") else "document"
        errors.setdefault(field, []).append(message)
    return ValidationError(errors)


def capture(
    actor: Any, organisation_id: int, document: Any, *, public: bool = False
) -> tuple[Capture, list[Event]]:
    """Store every event of an EPCIS document, or none: a document that breaks the schema, an
    event already captured or named twice is refused with one error per event."""
    organisation = _organisation(actor, organisation_id)
    if not isinstance(document, dict):
        raise ValidationError(_("Tài liệu EPCIS phải là một đối tượng JSON."))
    found = epcis.problems(document)
    if found:
        raise _refusal(found)
    if document.get("type") != "EPCISDocument":
        raise ValidationError(_("Chỉ nhận tài liệu loại EPCISDocument."))
    events = document["epcisBody"]["eventList"]
    if len(events) > settings.TRACE_CAPTURE_MAX_EVENTS:
        raise ValidationError(
            _("Một tài liệu có tối đa %(n)s sự kiện."),
            params={"n": settings.TRACE_CAPTURE_MAX_EVENTS},
        )
    return _write(actor, organisation, document.get("@context", []), events, public)


def _duplicates(ids: list[str]) -> list[epcis.Problem]:
    problems, seen = [], set()
    stored = set(Event.objects.filter(event_id__in=ids).values_list("event_id", flat=True))
    for i, event_id in enumerate(ids):
        if event_id in seen or event_id in stored:
            where = f"epcisBody.eventList[{i}].eventID"
            problems.append(epcis.Problem(where, i, f"eventID {event_id} already captured"))
        seen.add(event_id)
    return problems


@transaction.atomic
def _write(
    actor: Any,
    organisation: Organisation,
    context: Any,
    events: list[dict[str, Any]],
    public: bool,
) -> tuple[Capture, list[Event]]:
    ids = [epcis.event_id(event) for event in events]
    keys, unreadable = [], []
    for i, event in enumerate(events):
        try:
            keys.append(epcis.keys(event))
        except ValueError as error:  # valid RFC 3339 Python cannot hold (a leap second…)
            where = f"epcisBody.eventList[{i}].eventTime"
            unreadable.append(epcis.Problem(where, i, str(error)))
    problems = unreadable + _duplicates(ids)
    if problems:
        raise _refusal(problems)
    now = timezone.now()
    capture = Capture.objects.create(
        organisation=organisation,
        province_id=organisation.province_id,
        created_by=actor if getattr(actor, "pk", None) else None,
        context=context if isinstance(context, list) else [context],
        events_count=len(events),
    )
    rows = [
        Event(
            capture=capture,
            organisation=organisation,
            province_id=organisation.province_id,
            event_id=event_id,
            record_time=now,
            public=public,
            body=event,
            **key,
        )
        for event_id, event, key in zip(ids, events, keys, strict=True)
    ]
    epcs = [
        (row, epc, role)
        for row, event in zip(rows, events, strict=True)
        for epc, role in epcis.identifiers(event)
    ]
    if connection.vendor == "postgresql":
        _copy(rows, epcs)
    else:
        Event.objects.bulk_create(rows, batch_size=1000)
        EventEpc.objects.bulk_create(
            (EventEpc(event_id=row.pk, epc=epc, role=role) for row, epc, role in epcs),
            batch_size=2000,
        )
    record(actor, "epcis_capture", capture, None, {"events": len(events), "public": public})
    return capture, rows


EVENT_COLUMNS = (
    "id", "capture_id", "organisation_id", "province_id", "event_id", "type", "action",
    "event_time", "record_time", "biz_step", "disposition", "read_point", "biz_location",
    "public", "body",
)  # fmt: skip


def _copy(rows: list[Event], epcs: list[tuple[Event, str, str]]) -> None:
    """PostgreSQL: the events and their identifiers written by COPY, ids drawn from the
    table's own sequence first (what bulk_create's INSERT … RETURNING costs twice over)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence('traceability_event', 'id')) "
            "FROM generate_series(1, %s)",
            [len(rows)],
        )
        for row, (pk,) in zip(rows, cursor.fetchall(), strict=True):
            row.pk = pk
            row._state.adding, row._state.db = False, "default"
    write_rows(
        "traceability_event",
        EVENT_COLUMNS,
        (
            (
                r.pk, r.capture_id, r.organisation_id, r.province_id, r.event_id, r.type,
                r.action, r.event_time, r.record_time, r.biz_step, r.disposition,
                r.read_point, r.biz_location, r.public, json.dumps(r.body),
            )
            for r in rows
        ),
    )  # fmt: skip
    write_rows(
        "traceability_eventepc", ("event_id", "epc", "role"), ((r.pk, e, o) for r, e, o in epcs)
    )


def emit(
    actor: Any, organisation_id: int, events: list[dict[str, Any]], *, public: bool
) -> list[Event]:
    """Events made by the pages and the diary, through the same capture (the same schema
    check: every event we emit validates, or nothing is written)."""
    return capture(actor, organisation_id, epcis.document(events), public=public)[1]
