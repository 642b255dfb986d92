"""Personal data in templates, through the one presenter (`core.personal`):

{% load personal %}
{{ membership.person.cccd|masked:"cccd" }}          always masked (lists)
{% personal person "birth_date" revealed %}         as stored after a reveal, else masked
"""

import datetime as dt
from typing import Any

from django import template
from django.utils.formats import date_format

from htxso.core import personal as presenter

register = template.Library()


@register.filter
def masked(value: Any, field: str) -> Any:
    return presenter.masked(field, value)


@register.simple_tag
def personal(obj: Any, field: str, revealed: bool = False) -> Any:
    """One personal field of `obj`, shown as the presenter says; "—" when there is none."""
    value = presenter.shown(obj, revealed, (field,))[field]
    if isinstance(value, dt.date):
        value = date_format(value, "d/m/Y")
    return "—" if value in (None, "") else value
