"""Reading events back: the query interface's pages, the recall's walk through
transformations and aggregations (a recursive CTE over the identifiers' index), and a lot's
journey for the public trace page."""

from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import QuerySet

from .models import Capture, Event, EventEpc, Harvest, Role

# Downstream: what an identifier went into (a transformation's outputs, the unit it was packed
# in); upstream: what it came from. Aggregations are followed whatever their action (ADD or
# DELETE): a recall errs on the side of including.
DOWN = ((Role.INPUT, Role.CHILD), (Role.OUTPUT, Role.PARENT))
UP = ((Role.OUTPUT, Role.PARENT), (Role.INPUT, Role.CHILD))
MAX_DEPTH = 64


def walk(epc: str, direction: str = "down", max_depth: int = MAX_DEPTH) -> dict[str, int]:
    """Every identifier reached from `epc` downstream ("down") or upstream ("up"), with the
    number of steps to it (0: `epc` itself). One query on both databases."""
    sources, targets = DOWN if direction == "down" else UP
    table = EventEpc._meta.db_table
    sql = f"""
        WITH RECURSIVE walk(epc, depth) AS (
            SELECT CAST(%s AS VARCHAR(512)), 0
            UNION
            SELECT o.epc, w.depth + 1
            FROM walk w
            JOIN {table} i ON i.epc = w.epc AND i.role IN (%s, %s)
            JOIN {table} o ON o.event_id = i.event_id AND o.role IN (%s, %s)
            WHERE w.depth < %s
        )
        SELECT epc, MIN(depth) FROM walk GROUP BY epc
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [epc, *sources, *targets, max_depth])
        return dict(cursor.fetchall())


def reached(epc: str, max_depth: int = MAX_DEPTH) -> set[str]:
    """Every identifier upstream or downstream of `epc` (itself included): both walks in one
    query (the public page's round trips are its cost)."""
    table = EventEpc._meta.db_table
    step = f"""
            SELECT o.epc, w.depth + 1
            FROM {{name}} w
            JOIN {table} i ON i.epc = w.epc AND i.role IN (%s, %s)
            JOIN {table} o ON o.event_id = i.event_id AND o.role IN (%s, %s)
            WHERE w.depth < %s"""
    sql = f"""
        WITH RECURSIVE
        down(epc, depth) AS (SELECT CAST(%s AS VARCHAR(512)), 0 UNION {step.format(name="down")}),
        up(epc, depth) AS (SELECT CAST(%s AS VARCHAR(512)), 0 UNION {step.format(name="up")})
        SELECT epc FROM down UNION SELECT epc FROM up
    """
    params: list[str | int] = [epc, *DOWN[0], *DOWN[1], max_depth, epc, *UP[0], *UP[1], max_depth]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0] for row in cursor.fetchall()}


def events_of(epcs: Any, queryset: QuerySet[Event]) -> QuerySet[Event]:
    """The events of `queryset` naming any of `epcs`, in time order. The ids are read first
    (the (epc, event) index): as a subquery under ORDER BY event_time … LIMIT, PostgreSQL
    would walk the time index of every event instead."""
    ids = set(EventEpc.objects.filter(epc__in=list(epcs)).values_list("event_id", flat=True))
    return queryset.filter(pk__in=ids).order_by("event_time", "pk")


def contexts(events: list[Event]) -> list[Any]:
    """The @context of the captures the events came from (one query)."""
    ids = {event.capture_id for event in events}
    return list(Capture.objects.filter(pk__in=ids).values_list("context", flat=True))


def body(event: Event) -> dict[str, Any]:
    """The event as captured, with the repository's recordTime when it came without one."""
    out = dict(event.body)
    out.setdefault("recordTime", event.record_time.isoformat(timespec="milliseconds"))
    return out


@dataclass
class Recall:
    epc: str
    downstream: dict[str, int]
    upstream: dict[str, int]
    events: list[Event]


def recall(epc: str, queryset: QuerySet[Event], limit: int = 5000) -> Recall:
    """From one identifier: everything downstream and upstream, and the events naming them."""
    down, up = walk(epc, "down"), walk(epc, "up")
    found = events_of(set(down) | set(up), queryset).select_related("organisation")
    return Recall(epc, down, up, list(found[:limit]))


# What the public page shows of an event (not its body: the page reads no JSON).
TIMELINE_FIELDS = (
    "id", "organisation_id", "event_time", "type", "biz_step", "biz_location", "read_point",
)  # fmt: skip
_COLUMNS = {field.attname: field.column for field in Event._meta.concrete_fields}
TIMELINE_COLUMNS = tuple(_COLUMNS[name] for name in TIMELINE_FIELDS)


@dataclass
class Journey:
    events: list[Event]
    harvests: list[Harvest]


def journey(epc: str, limit: int = 200) -> Journey:
    """A lot's public story: where it came from (upstream, to the harvests) and where it went
    (the units it travelled in), only what the cooperatives marked public. One query for the
    walk and the events (the public page's cost is its round trips); the harvests only when
    the journey holds a commissioning event (a harvest's)."""
    table, events_table = EventEpc._meta.db_table, Event._meta.db_table
    step = f"""
            SELECT o.epc, w.depth + 1
            FROM {{name}} w
            JOIN {table} i ON i.epc = w.epc AND i.role IN (%s, %s)
            JOIN {table} o ON o.event_id = i.event_id AND o.role IN (%s, %s)
            WHERE w.depth < %s"""
    columns = ", ".join(f"e.{name}" for name in TIMELINE_COLUMNS)
    # The ids are gathered first (the (epc, event) index) and joined: under ORDER BY
    # event_time … LIMIT, a plain IN (subquery) lets PostgreSQL walk the time index instead.
    sql = f"""
        WITH RECURSIVE
        down(epc, depth) AS (SELECT CAST(%s AS VARCHAR(512)), 0 UNION {step.format(name="down")}),
        up(epc, depth) AS (SELECT CAST(%s AS VARCHAR(512)), 0 UNION {step.format(name="up")}),
        ids(id) AS (
            SELECT DISTINCT x.event_id FROM {table} x
            WHERE x.epc IN (SELECT epc FROM down UNION SELECT epc FROM up)
        )
        SELECT {columns} FROM ids JOIN {events_table} e ON e.id = ids.id
        WHERE e.public
        ORDER BY e.event_time, e.id
        LIMIT %s
    """
    params: list[str | int] = [
        epc, *DOWN[0], *DOWN[1], MAX_DEPTH, epc, *UP[0], *UP[1], MAX_DEPTH, limit,
    ]  # fmt: skip
    events = list(Event.objects.raw(sql, params))
    harvested = [e.pk for e in events if e.biz_step == "commissioning"]
    harvests = (
        list(
            Harvest.objects.filter(event__in=harvested, crop__plot__public=True)
            .select_related("crop__plot__commune", "product")
            .prefetch_related("crop__treatments")
        )
        if harvested
        else []
    )
    return Journey(events, harvests)


def identifiers_of(event: Event) -> list[tuple[str, str]]:
    from .epcis import identifiers

    return identifiers(event.body)
