"""Numbers and dates in templates the way the forms take them (`core.values`):

{% load vietnamese %}
{{ organisation.charter_capital|vn_number }}     769.000.000 (whatever the page's language)
{{ value|vn_value }}                             a number as above, a yes/no as Có / Không
"""

from typing import Any

from django import template
from django.utils.translation import gettext as _

from htxso.core.values import format_number

register = template.Library()


@register.filter
def vn_number(value: Any) -> str:
    return format_number(value)


@register.filter
def vn_value(value: Any) -> str:
    if isinstance(value, bool):
        return _("Có") if value else _("Không")
    return format_number(value)
