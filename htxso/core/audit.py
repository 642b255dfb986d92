"""The audit log's one write function, and the request id that ties entries to a request.

Services call `record()` inside their transaction, so an entry exists exactly when the change does.
"""

import contextvars
import json
import uuid
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from itertools import islice
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from .bulk import write_rows
from .models import AuditEntry

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")


@cache
def _snapshot_fields(model: type[models.Model]) -> tuple[Any, ...]:
    """What `model_to_dict(obj, fields=concrete names)` reads: the editable concrete fields."""
    return tuple(f for f in model._meta.concrete_fields if getattr(f, "editable", False))


def snapshot(obj: models.Model, exclude: tuple[str, ...] = ("search_key", "name_key")) -> dict:
    """The object's concrete field values, JSON-ready (foreign keys as ids): `model_to_dict`'s
    answer, with the field list worked out once per model (imports snapshot thousands)."""
    return {
        f.name: f.value_from_object(obj)
        for f in _snapshot_fields(type(obj))
        if f.name not in exclude
    }


def changed(before: dict | None, after: dict | None) -> tuple[dict | None, dict | None]:
    """Only the fields that differ, on both sides."""
    if before is None or after is None:
        return before, after
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def record(
    actor: Any,
    action: str,
    obj: models.Model | None,
    before: dict | None = None,
    after: dict | None = None,
    *,
    about: tuple[str, str] | None = None,
    about_id: str = "",
) -> AuditEntry:
    """Write one entry. `obj` is the object acted on; when there is none (a login attempt for a
    username that does not exist, a command's run over many rows), `about` gives its type and a
    description instead, and `about_id` what it is about ("*": everything of that type)."""
    before, after = changed(before, after)
    if obj is not None:
        object_type, object_id, object_repr = obj._meta.label_lower, str(obj.pk), str(obj)
    elif about is not None:
        (object_type, object_repr), object_id = about, about_id
    else:
        raise ValueError("record() needs an object or `about`")
    return AuditEntry.objects.create(
        actor=_actor(actor),
        request_id=request_id_var.get(),
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:255],
        before=before,
        after=after,
    )


def _actor(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


# One entry of `record_many`: the object's id, its description, before and after.
Change = tuple[Any, str, dict | None, dict | None]


def record_many(
    actor: Any, action: str, object_type: str, changes: Iterable[Change], batch_size: int = 2000
) -> int:
    """Write one entry per change (a bulk write's before/after, streamed): `record` for rows
    written set-wise, in batches. Changes with nothing before or after are skipped. Returns
    the number written."""
    actor, request_id = _actor(actor), request_id_var.get()
    if connection.vendor == "postgresql":  # COPY: an import writes hundreds of thousands
        at, actor_id = timezone.now(), getattr(actor, "pk", None)

        def as_json(value: dict | None) -> str | None:
            return None if value is None else json.dumps(value, cls=DjangoJSONEncoder)

        rows = (
            (
                *(at, actor_id, request_id, action, object_type, str(object_id), str(label)[:255]),
                *(as_json(before), as_json(after)),
            )
            for object_id, label, before, after in changes
            if before or after
        )
        return write_rows(AuditEntry._meta.db_table, _COPIED, rows)
    entries: Iterator[AuditEntry] = (
        AuditEntry(
            actor=actor,
            request_id=request_id,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            object_repr=str(label)[:255],
            before=before,
            after=after,
        )
        for object_id, label, before, after in changes
        if before or after
    )
    written = 0
    while batch := list(islice(entries, batch_size)):
        AuditEntry.objects.bulk_create(batch, batch_size=batch_size)
        written += len(batch)
    return written


_COPIED = (
    "at",
    "actor_id",
    "request_id",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "before",
    "after",
)


class RequestIdMiddleware:
    """Give every request an id (or keep a sane incoming X-Request-ID) and echo it back."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        rid = incoming if 8 <= len(incoming) <= 64 and incoming.isascii() else uuid.uuid4().hex
        token = request_id_var.set(rid)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = rid
        return response
