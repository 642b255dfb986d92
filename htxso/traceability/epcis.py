"""EPCIS 2.0 in JSON/JSON-LD: validation against the official schema (draft-07, shipped in
`gs1/`, checked by jsonschema-rs), the query keys and identifiers of an event, and the query
document the query interface answers with.

jsonschema-rs (already a dependency) implements draft-07 with formats; the schema's `@context`
rules, `if/then` per event type and `date-time` formats all apply. JSON-LD is read in its
compacted form, as the schema defines it (no remote context is ever fetched)."""

import datetime as dt
import functools
import hashlib
import json
from dataclasses import dataclass
from typing import Any

import jsonschema_rs

from htxso.core.gs1 import canonical_epc

from .gs1 import DATA
from .models import Role

CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
EVENT_TYPES = (
    "ObjectEvent",
    "AggregationEvent",
    "TransactionEvent",
    "TransformationEvent",
    "AssociationEvent",
)
# CBV 2.0 business steps and dispositions the pages offer (the schema accepts any URI too).
# CBV 2.0 has no "recalling" step: a recall is the disposition "recalled", recorded with the
# step being done (typically "holding", goods held back, or "removing").
BIZ_STEPS = (
    "commissioning", "packing", "shipping", "receiving", "storing", "creating_class_instance",
    "inspecting", "retail_selling", "accepting", "loading", "unloading", "destroying",
    "sensor_reporting", "assembling", "disassembling", "holding", "removing",
)  # fmt: skip
DISPOSITIONS = (
    "active", "in_progress", "in_transit", "sellable_accessible", "sellable_not_accessible",
    "recalled", "destroyed", "expired", "damaged", "conformant", "non_conformant", "available",
)  # fmt: skip


@functools.cache
def schema() -> dict[str, Any]:
    return json.loads((DATA / "EPCIS-JSON-Schema.json").read_text(encoding="utf-8"))


@functools.cache
def _validator() -> Any:
    return jsonschema_rs.Draft7Validator(schema(), validate_formats=True)


@dataclass(frozen=True)
class Problem:
    where: str  # "epcisBody.eventList[3].eventTime", or "" for the document
    event: int | None  # the event's index in the list
    detail: str  # the schema's words (English: they name JSON fields)


def _where(path: list[Any]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def problems(document: Any) -> list[Problem]:
    """Every place `document` breaks the schema, at most one per event and place."""
    found: dict[str, Problem] = {}
    for error in _validator().iter_errors(document):
        path = list(error.instance_path)
        index = (
            path[2]
            if len(path) > 2 and path[:2] == ["epcisBody", "eventList"] and isinstance(path[2], int)
            else None
        )
        where = _where(path)
        found.setdefault(where, Problem(where, index, error.message[:300]))
    # A place whose error is explained deeper down ("not valid under any of the schemas" of an
    # event whose eventTime is wrong) gives way to the deeper one.
    return [
        p
        for p in found.values()
        if not any(
            o.where.startswith(p.where + ".") or o.where.startswith(p.where + "[")
            for o in found.values()
            if o is not p and p.where
        )
    ]


def is_valid(document: Any) -> bool:
    return bool(_validator().is_valid(document))


def _short(value: str) -> str:
    """CBV values keep their bare form ("shipping"); URIs are kept whole."""
    for prefix in ("https://ref.gs1.org/cbv/BizStep-", "https://ref.gs1.org/cbv/Disp-"):
        if value.startswith(prefix):
            return value[len(prefix) :]
    return value


def parse_time(value: str) -> dt.datetime:
    """An RFC 3339 time (ValueError for the few Python cannot hold: a leap second)."""
    return dt.datetime.fromisoformat(value.upper().replace("Z", "+00:00"))


def event_id(event: dict[str, Any]) -> str:
    """The event's eventID, or one derived from its content (the same event → the same id)."""
    given = event.get("eventID")
    if isinstance(given, str) and given:
        return given
    digest = hashlib.sha256(json.dumps(event, sort_keys=True).encode()).hexdigest()
    return f"ni:///sha-256;{digest}?ver=CBV2.0"


def keys(event: dict[str, Any]) -> dict[str, Any]:
    """The indexed columns of an event."""
    return {
        "type": event["type"],
        "action": event.get("action", ""),
        "event_time": parse_time(event["eventTime"]),
        "biz_step": _short(event.get("bizStep", "")),
        "disposition": _short(event.get("disposition", "")),
        "read_point": canonical_epc((event.get("readPoint") or {}).get("id", "")),
        "biz_location": canonical_epc((event.get("bizLocation") or {}).get("id", "")),
    }


_LISTS = (
    ("epcList", Role.EPC, None),
    ("quantityList", Role.EPC, "epcClass"),
    ("childEPCs", Role.CHILD, None),
    ("childQuantityList", Role.CHILD, "epcClass"),
    ("inputEPCList", Role.INPUT, None),
    ("inputQuantityList", Role.INPUT, "epcClass"),
    ("outputEPCList", Role.OUTPUT, None),
    ("outputQuantityList", Role.OUTPUT, "epcClass"),
)


def identifiers(event: dict[str, Any]) -> list[tuple[str, str]]:
    """(canonical EPC, role) of every identifier the event names, once each."""
    out: dict[tuple[str, str], None] = {}
    if isinstance(event.get("parentID"), str):
        out[(canonical_epc(event["parentID"]), Role.PARENT)] = None
    for name, role, field in _LISTS:
        for item in event.get(name) or ():
            value = item.get(field) if field and isinstance(item, dict) else item
            if isinstance(value, str):
                out[(canonical_epc(value), role)] = None
    return list(out)


def context_of(contexts: list[Any]) -> list[Any]:
    """The @context of a query document: the EPCIS context first, then every other entry the
    captured documents declared (their extension prefixes), once each."""
    merged: list[Any] = [CONTEXT]
    for context in contexts:
        for entry in context if isinstance(context, list) else [context]:
            if entry not in merged:
                merged.append(entry)
    return merged


def query_document(
    events: list[dict[str, Any]], contexts: list[Any], query_name: str = "SimpleEventQuery"
) -> dict[str, Any]:
    """An EPCISQueryDocument holding `events` (valid against the schema)."""
    return {
        "@context": context_of(contexts),
        "type": "EPCISQueryDocument",
        "schemaVersion": "2.0",
        "creationDate": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
        "epcisBody": {
            "queryResults": {"queryName": query_name, "resultsBody": {"eventList": events}}
        },
    }


def document(events: list[dict[str, Any]]) -> dict[str, Any]:
    """An EPCISDocument holding `events` (what the pages' events are checked as)."""
    return {
        "@context": [CONTEXT],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
        "epcisBody": {"eventList": events},
    }
