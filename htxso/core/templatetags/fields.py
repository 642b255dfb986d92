"""A form field's input tied to its error messages, for screen readers (`core/_form_fields.html`):

{% load fields %}
{{ field|described }}     the widget, with aria-invalid and aria-describedby naming the
                          ids of its error messages (`<id>-error-<n>`) when it has errors
"""

from typing import Any

from django import template
from django.utils.safestring import SafeString

register = template.Library()


def error_ids(field: Any) -> list[str]:
    return [f"{field.auto_id}-error-{n}" for n in range(1, len(field.errors) + 1)]


@register.filter
def described(field: Any) -> SafeString:
    if not field.errors or not field.auto_id:
        return field.as_widget()  # type: ignore[no-any-return]
    own = field.field.widget.attrs.get("aria-describedby", "")
    attrs = {"aria-invalid": "true", "aria-describedby": " ".join([own, *error_ids(field)]).strip()}
    return field.as_widget(attrs=attrs)  # type: ignore[no-any-return]


@register.filter
def error_id(field: Any, n: int) -> str:
    """The id of the field's n-th error message (1-based: `forloop.counter`)."""
    return f"{field.auto_id}-error-{n}"
