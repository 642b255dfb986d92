"""Schemas of the traceability API (names start with Trace: OpenAPI names are unique)."""

from typing import Any

from ninja import Field, Schema


class TraceCaptureOut(Schema):
    capture_id: int
    events: int
    event_ids: list[str]


class TraceReached(Schema):
    epc: str
    depth: int = Field(description="bước từ mã ban đầu (0: chính nó)")


class TraceRecallOut(Schema):
    epc: str
    downstream: list[TraceReached]
    upstream: list[TraceReached]
    events: list[dict[str, Any]]


class TraceDigitalLinkOut(Schema):
    domain: str
    key_ai: str
    key: str
    qualifiers: dict[str, str]
    attributes: dict[str, str]
    link_type: str | None
    canonical: str
    trace_url: str | None
