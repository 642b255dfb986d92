"""The audit log's one write function, and the request id that ties entries to a request.

Services call `record()` inside their transaction, so an entry exists exactly when the change does.
"""

import contextvars
import uuid
from typing import Any

from django.db import models
from django.forms.models import model_to_dict

from .models import AuditEntry

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")


def snapshot(obj: models.Model, exclude: tuple[str, ...] = ("search_key", "name_key")) -> dict:
    """The object's concrete field values, JSON-ready (foreign keys as ids)."""
    data = model_to_dict(obj, fields=[f.name for f in obj._meta.concrete_fields])
    return {k: v for k, v in data.items() if k not in exclude}


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
) -> AuditEntry:
    """Write one entry. `obj` is the object acted on; when there is none (a login attempt for a
    username that does not exist), `about` gives its type and a description instead."""
    before, after = changed(before, after)
    if obj is not None:
        object_type, object_id, object_repr = obj._meta.label_lower, str(obj.pk), str(obj)
    elif about is not None:
        (object_type, object_repr), object_id = about, ""
    else:
        raise ValueError("record() needs an object or `about`")
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        request_id=request_id_var.get(),
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:255],
        before=before,
        after=after,
    )


class RequestIdMiddleware:
    """Give every request an id (or keep a sane incoming X-Request-ID) and echo it back."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        rid = incoming if 8 <= len(incoming) <= 64 and incoming.isascii() else uuid.uuid4().hex
        token = request_id_var.set(rid)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = rid
        return response
