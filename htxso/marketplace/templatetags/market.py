"""The catalogue's page pieces, cheaper than Django's widget templates and an include per
product (with the search, the page's largest costs: a select of 35 provinces alone is ~80
template nodes per request).

{% load market %}
{% widget field %}     the field's input exactly as `field.as_widget()` draws it, drawn once
                       per process for the same language, form, field, value and error state
{% product_card p %}   a product's card in the catalogue and on a seller's page
"""

import threading
from collections import OrderedDict
from functools import lru_cache
from html import escape
from typing import Any

from django import template
from django.forms import BoundField
from django.template import Context
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from htxso.core.values import format_number

from ..models import Unit

register = template.Library()

WIDGETS = 1024  # drawings kept (a search box holds what was typed: bounded, least recent out)
_widgets: OrderedDict[tuple[Any, ...], SafeString] = OrderedDict()
_lock = threading.Lock()  # a threaded server shares the drawings


@register.simple_tag
def widget(field: BoundField) -> SafeString:
    """`field.as_widget()`, remembered for (language, form class, field, value, has errors):
    the drawing depends on nothing else — the choices are fixed or translated per language,
    the provinces change only by decree (`core.units.province_names` is read once too)."""
    key = (
        get_language(),
        type(field.form),
        field.html_name,
        repr(field.value()),
        bool(field.errors),
    )
    with _lock:
        html = _widgets.get(key)
        if html is not None:
            _widgets.move_to_end(key)
            return html
    html = field.as_widget()
    with _lock:
        _widgets[key] = html
        if len(_widgets) > WIDGETS:
            _widgets.popitem(last=False)
    return html


@lru_cache(maxsize=16)
def _unit_labels(language: str | None) -> dict[str, str]:
    """The units' names in `language` (Django's `get_unit_display` rebuilds and hashes the
    translated choices for every product)."""
    del language  # the key: the labels are translated in the active language
    return {value: str(label) for value, label in Unit.choices}


@lru_cache(maxsize=16)
def _links(urlconf: str | None, prefix: str) -> tuple[tuple[str, str], tuple[str, str]]:
    """(before, after) the product's id in its page's and its photo's URL."""
    del urlconf, prefix  # the key: what `reverse` depends on
    marker = "987654321"
    page = reverse("marketplace:product", args=[int(marker)]).split(marker)
    photo = reverse("marketplace:photo", args=[int(marker)]).split(marker)
    return (page[0], page[1]), (photo[0], photo[1])


@register.simple_tag(takes_context=True)
def product_card(context: Context, p: Any) -> SafeString:
    """A product's card: its photo (when it has one), name, retail price and unit, OCOP
    stars while the certificate holds, seller and province. Needs the product with
    `seller.name` and `province.name` (`views.CARD_FIELDS`)."""
    memo = context.render_context
    if "market_cards" not in memo:  # once per page, not per product
        memo["market_cards"] = (
            timezone.localdate(),
            _unit_labels(get_language()),
            _links(get_urlconf(), get_script_prefix()),
        )
    today, units, ((page_a, page_b), (photo_a, photo_b)) = memo["market_cards"]
    name = escape(p.name)
    photo = (
        f'<img src="{photo_a}{p.pk}{photo_b}" class="card-img-top" alt="{name}" loading="lazy"'
        ' width="300" height="200" style="object-fit:cover;height:160px">'
        if p.photo
        else ""
    )
    stars = p.stars(today)
    badge = (
        f'<div class="small"><span class="badge bg-warning text-dark">OCOP {stars}★</span></div>'
        if stars
        else ""
    )
    # every value from the row is escaped above or below
    return mark_safe(
        f'<div class="col-6 col-md-4 col-lg-3"><div class="card h-100 product-card">{photo}'
        f'<div class="card-body p-2"><h2 class="h6 card-title mb-1"><a href="{page_a}{p.pk}'
        f'{page_b}">{name}</a></h2><div class="fw-bold text-success">'
        f"{format_number(p.price)} đ / {escape(units.get(p.unit, p.unit))}</div>{badge}"
        f'<div class="small text-muted">{escape(p.seller.name)} · {escape(p.province.name)}'
        "</div></div></div></div>"
    )
