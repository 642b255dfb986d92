"""An audit entry as a person reads it: each field by its label, each value as the pages write
it (Có / Không, the choice's label, dd/mm/yyyy, 1.250.000, a province's name), so a history
page never shows `phone:` or `status: suspended` (#16).

The entry's values are JSON (`core.audit.snapshot`: field names, foreign keys as ids, dates as
ISO text); its `object_type` ("registry.organisation") names the model whose fields label them.
A key that is no field of it (a command's summary: "rows", "period") is shown as stored.
"""

import datetime as dt
from functools import cache
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from .models import AuditEntry, Province
from .units import province_names
from .values import format_date, format_number


@cache
def _model(object_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def _field(model: type[models.Model] | None, key: str) -> Any:
    if model is None:
        return None
    for name in (key, key.removesuffix("_id")):
        try:
            return model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
    return None


def _date(value: Any) -> str | None:
    if isinstance(value, str):
        try:
            return format_date(dt.date.fromisoformat(value[:10]))
        except ValueError:
            return None
    return format_date(value) if isinstance(value, dt.date) else None


def shown(field: Any, value: Any) -> str:
    """One stored value as the pages write it."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Có") if value else _("Không")
    if field is not None and getattr(field, "choices", None):
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.ForeignKey) and field.related_model is Province:
        return dict(province_names()).get(str(value), str(value))
    if isinstance(field, models.DateTimeField) and isinstance(value, str):
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
        return moment.strftime("%d/%m/%Y %H:%M")
    if isinstance(field, models.DateField):
        return _date(value) or str(value)
    if isinstance(value, int | float) and not isinstance(field, models.ForeignKey):
        return format_number(value)
    if isinstance(value, list | dict):
        return ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
    return str(value)


def changes(entry: AuditEntry) -> list[dict[str, str]]:
    """[{label, before, after}] for each key of the entry's before and after, in their order."""
    model = _model(entry.object_type)
    before, after = entry.before or {}, entry.after or {}
    if not isinstance(before, dict) or not isinstance(after, dict):
        return []
    keys = list(dict.fromkeys([*before, *after]))
    rows = []
    for key in keys:
        field = _field(model, key)
        label = capfirst(str(field.verbose_name)) if field is not None else key
        rows.append(
            {
                "label": label,
                "before": shown(field, before[key]) if key in before else "",
                "after": shown(field, after[key]) if key in after else "",
            }
        )
    return rows
