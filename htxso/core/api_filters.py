"""List filters and pages of the API. The filters are generated from an app's one filter
class (a Django form).

The page and the API read the same form, so they cannot drift: the form holds the fields, the
choices, the validation and the Vietnamese messages; `filter_schema(Form)` turns its fields into
a django-ninja `Schema` that an operation takes as `Query[...]`, so the OpenAPI document lists
every filter (with its code list) and schemathesis exercises them. The handler then gives the
values to the form (`filter_form`): a value the schema cannot judge (a province code that does
not exist, a period that is not one) is refused by the form, 422 in the house error shape.

    OrganisationQuery = filter_schema(OrganisationFilter, "OrganisationQuery")

    @router.get("/organisations")
    def list_organisations(request, filters: Query[OrganisationQuery]):
        form = filter_form(OrganisationFilter, filters)
        queryset = form.filter(Organisation.objects.visible_to(request.user))

Static choices become an enum (the form's "all" choice, the empty value, included, as the page
sends it); choices read from the database (`choices=province_choices`, or set in `__init__`)
stay free text with the form's length limit, and the form refuses what is not listed. A text
field may state its shape for the document as `api_pattern` (a regular expression).
"""

import datetime as dt
import functools
from typing import Any, Literal

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.choices import CallableChoiceIterator
from django.utils.translation import gettext_noop
from ninja import Schema
from pydantic import Field, create_model

from .forms import StyledForm
from .pagination import InvalidCursor, keyset_paginate


def _static_choices(field: forms.ChoiceField) -> list[str] | None:
    """The values of a code list known at import time, or None (read from the database)."""
    choices: Any = field.choices
    if isinstance(choices, CallableChoiceIterator) or not choices:
        return None
    values: list[str] = []
    for value, label in choices:
        if isinstance(label, list | tuple):  # an option group
            values.extend(str(v) for v, _l in label)
        else:
            values.append(str(value))
    return values


def _annotation(field: forms.Field) -> tuple[Any, dict[str, Any]]:
    """The pydantic type of one form field and its constraints (for the OpenAPI document)."""
    constraints: dict[str, Any] = {}
    if isinstance(field, forms.ChoiceField):
        values = _static_choices(field)
        if values:
            return Literal[tuple(values)], constraints  # type: ignore[return-value]
        return str, {"max_length": 40}
    if isinstance(field, forms.IntegerField):
        if field.min_value is not None:
            constraints["ge"] = field.min_value
        if field.max_value is not None:
            constraints["le"] = field.max_value
        return int, constraints
    if isinstance(field, forms.DateField):
        return dt.date, constraints
    if isinstance(field, forms.BooleanField):
        return bool, constraints
    if isinstance(field, forms.CharField):
        if field.max_length is not None:
            constraints["max_length"] = field.max_length
        pattern = getattr(field, "api_pattern", None)
        if pattern is None and isinstance(field, forms.SlugField):
            pattern = r"^[-a-zA-Z0-9_]*$"
        if pattern is not None:
            constraints["pattern"] = pattern
        return str, constraints
    return str, constraints


def filter_schema(form_class: type[forms.Form], name: str) -> type[Schema]:
    """A `Schema` with one optional query parameter per field of the filter form."""
    definitions: dict[str, Any] = {}
    for field_name, field in form_class.base_fields.items():
        annotation, constraints = _annotation(field)
        description = str(field.label) if field.label else None
        definitions[field_name] = (
            annotation | None,
            Field(None, description=description, **constraints),
        )
    schema: type[Schema] = create_model(name, __base__=Schema, **definitions)
    schema.__doc__ = form_class.__doc__
    return schema


def filter_form(form_class: type[forms.Form], filters: Schema, **kwargs: Any) -> Any:
    """The bound, valid filter form; invalid values are a `ValidationError` (422) carrying the
    form's own field names and Vietnamese messages. An unfiltered list (no filter given) of a
    plain form shares one valid empty form per process (`_unfiltered`)."""
    data = {k: v for k, v in filters.dict().items() if v is not None}
    if not data and not kwargs and _plain(form_class):
        return _unfiltered(form_class)
    form = form_class(
        {k: str(v) if not isinstance(v, str) else v for k, v in data.items()}, **kwargs
    )
    if not form.is_valid():
        raise ValidationError(form.errors.as_data())  # keeps message ids and parameters
    return form


def _plain(form_class: type[forms.Form]) -> bool:
    """A form whose empty answer depends on nothing but its fields: no `__init__` of its own
    (choices or querysets set per request), no `clean`/`clean_<field>` (a default computed
    from the date or the database)."""
    own_init = form_class.__init__ not in (forms.Form.__init__, StyledForm.__init__)
    own_clean = form_class.clean is not forms.Form.clean or any(
        hasattr(form_class, f"clean_{name}") for name in form_class.base_fields
    )
    return not own_init and not own_clean


@functools.cache
def _unfiltered(form_class: type[forms.Form]) -> Any:
    """The form bound to no filter, validated once. Building a form deep-copies its fields
    (choice lists of lazy labels): ~2 ms of a 10 ms API read under load (#24 item 4, profiled),
    for a `cleaned_data` of empty values that is the same every time. Shared read-only: the
    API only reads `cleaned_data` and the form's methods that read it."""
    form = form_class({})
    if not form.is_valid():  # a required filter: never shared, answered per request
        raise ValidationError(form.errors.as_data())
    return form


def api_page(
    queryset: QuerySet, field: str, descending: bool, cursor: str | None, limit: int | None
) -> dict[str, Any]:
    """One page of a list, `{"items", "next_cursor"}`, with keyset cursors (`pagination.py`);
    `limit` within the settings' bounds, a cursor the API did not give is a 422."""
    size = max(1, min(limit or settings.API_PAGE_SIZE, settings.API_MAX_PAGE_SIZE))
    try:
        page = keyset_paginate(queryset, field, descending, cursor, size)
    except InvalidCursor:
        raise ValidationError({"cursor": gettext_noop("Con trỏ trang không hợp lệ.")}) from None
    return {"items": page.items, "next_cursor": page.next_cursor}
