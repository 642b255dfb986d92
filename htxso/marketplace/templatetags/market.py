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
from typing import Any

from django import template
from django.forms import BoundField
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from htxso.core.values import format_number

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


@register.simple_tag
def product_card(p: Any) -> SafeString:
    """A product's card: its photo (when it has one), name, retail price and unit, OCOP
    stars while the certificate holds, seller and province. Needs the product with
    `seller.name` and `province.name` (`views.CARD_FIELDS`)."""
    link = reverse("marketplace:product", args=[p.pk])
    photo = (
        format_html(
            '<img src="{}" class="card-img-top" alt="{}" loading="lazy" width="300"'
            ' height="200" style="object-fit:cover;height:160px">',
            reverse("marketplace:photo", args=[p.pk]),
            p.name,
        )
        if p.photo
        else ""
    )
    stars = p.stars(timezone.localdate())
    badge = (
        format_html(
            '<div class="small"><span class="badge bg-warning text-dark">OCOP {}★</span></div>',
            stars,
        )
        if stars
        else ""
    )
    return format_html(
        '<div class="col-6 col-md-4 col-lg-3"><div class="card h-100 product-card">{}'
        '<div class="card-body p-2"><h2 class="h6 card-title mb-1"><a href="{}">{}</a></h2>'
        '<div class="fw-bold text-success">{} đ / {}</div>{}'
        '<div class="small text-muted">{} · {}</div></div></div></div>',
        photo,
        link,
        p.name,
        format_number(p.price),
        p.get_unit_display(),
        badge,
        p.seller.name,
        p.province.name,
    )
