"""The UI kit list's markup built in Python (`core/lists.py`, `core/_list.html`): the table's
cells and headers and the column chooser, rendered exactly as the template loops rendered them.
Those loops were most of a list page's rendering time (issue #24)."""

import html
from typing import TYPE_CHECKING, Any

from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, SafeString
from django.utils.timezone import template_localtime  # type: ignore[attr-defined]
from django.utils.translation import get_language

if TYPE_CHECKING:
    from .lists import Column, Header


def cell(value: Any) -> str:
    """`{{ value }}` in a template: local time, localised, escaped unless already safe."""
    if isinstance(value, str):  # most cells: text needs neither localising nor a time zone
        # html.escape is what Django's escape() runs, without its lazy-argument wrapper (a
        # third of a cell's time; the row is marked safe as a whole).
        return value if isinstance(value, SafeData) else html.escape(value)
    value = localize(template_localtime(value))
    return conditional_escape(value if isinstance(value, str) else str(value))


def header(h: "Header") -> str:
    label: str = conditional_escape(h.column.label)
    if h.href:
        arrow = {"ascending": "▲", "descending": "▼"}.get(h.aria_sort, "")
        arrow = f' <span aria-hidden="true">{arrow}</span>' if arrow else ""
        label = (
            f'<a class="sort-link" href="{conditional_escape(h.href)}" '
            f'aria-label="{conditional_escape(h.action)}">{label}{arrow}</a>'
        )
    sort = f' aria-sort="{h.aria_sort}"' if h.aria_sort else ""
    numeric = ' class="text-end"' if h.column.numeric else ""
    return f'<th scope="col"{sort}{numeric}>{label}</th>'


# (list, shown flags, language) → the chooser's markup: bounded by the lists and their columns.
_choices: dict[tuple[str, tuple[bool, ...], str], SafeString] = {}


def choices(list_name: str, columns: "list[tuple[Column, bool]]") -> SafeString:
    """The column chooser's checkboxes, kept per list, shown columns and language."""
    key = (list_name, tuple(shown for _c, shown in columns), get_language() or "")
    html = _choices.get(key)
    if html is None:
        name = conditional_escape(list_name)
        html = _choices[key] = SafeString(
            "".join(
                f'<div class="form-check">\n        <input class="form-check-input" '
                f'type="checkbox" name="columns" value="{conditional_escape(c.key)}" '
                f'id="col-{name}-{conditional_escape(c.key)}"'
                f"{' checked' if shown else ''}{' disabled' if c.fixed else ''}>\n"
                f'        <label class="form-check-label" for="col-{name}-'
                f'{conditional_escape(c.key)}">{conditional_escape(c.label)}</label>\n'
                f"      </div>"
                for c, shown in columns
            )
        )
    return html
