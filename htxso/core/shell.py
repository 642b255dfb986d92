"""A page's layout rendered once, then filled per request (issue #24 item 1).

For an anonymous visitor a list page's layout — the base template's head, navigation bar,
account menu and footer, the page's heading and its filter form — is the same on every request
but for a few values: the CSRF token, the page's own path (the language form's `next`), the
search words, which options are selected, and the results. Rendering it through the template
engine was most of a small result's time (~100 template nodes, eleven `reverse()`, a gettext
per label). Here the template is rendered **once per template, language, path and flags** with
markers in place of those values; the output is kept split at the markers, and each request
joins the kept text with its own values, escaped as the template escapes them.

Nothing a request sends grows the cache: the key is the view's own template and path, the
active language (one of `LANGUAGES`) and the flags the view passes (booleans). Only anonymous
visitors without pending messages get the kept layout; anyone else is rendered in full, and a
test renders the same pages both ways and compares them (`registry/tests/test_list_shell.py`).
The results are never kept: they are rendered on every request.
"""

from collections.abc import Callable, Mapping
from typing import Any

from django.contrib.messages import get_messages
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf
from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.translation import get_language

START, END = "\x02shell:", "\x03"


def marker(name: str) -> SafeString:
    """The marker of a slot (control characters: no escaping changes them, no page has them)."""
    return SafeString(f"{START}{name}{END}")


class _Path:
    """`request` in the layout's context at build time: its full path is a slot."""

    def get_full_path(self) -> SafeString:
        return marker("path")


# (template, language, urlconf, script prefix, path, flags) → [text, slot, text, slot, …, text]
_kept: dict[tuple[Any, ...], list[str]] = {}


def usable(request: HttpRequest) -> bool:
    """The kept layout fits this request: an anonymous visitor with no message to show."""
    user: Any = getattr(request, "user", None)
    return bool(user is not None and not user.is_authenticated and not get_messages(request))


def _split(html: str) -> list[str]:
    parts: list[str] = []
    rest = html
    while True:
        start = rest.find(START)
        if start < 0:
            parts.append(rest)
            return parts
        end = rest.index(END, start)
        parts += [rest[:start], rest[start + len(START) : end]]
        rest = rest[end + len(END) :]


def render(
    request: HttpRequest,
    template: str,
    layout: Callable[[], Mapping[str, Any]],
    slots: Mapping[str, str],
    flags: tuple[bool, ...] = (),
) -> str:
    """`template` for an anonymous visitor (`usable`): the layout kept, `slots` filled.

    `layout()` gives the context to build the layout with, `marker(name)` standing for each
    slot (built once per key); `slots` maps each name to this request's value, already escaped
    or safe. The CSRF token (`csrf_token`) and the path (`path`) are filled here unless given."""
    key = (
        template,
        get_language(),
        str(get_urlconf() or ""),
        get_script_prefix(),
        request.path,
        flags,
    )
    parts = _kept.get(key)
    if parts is None:
        context = {
            **layout(),
            "csrf_token": marker("csrf_token"),
            "request": _Path(),
            "messages": (),
        }
        parts = _kept[key] = _split(render_to_string(template, context, request))
    values = {"path": escape(request.get_full_path()), **slots}
    if "csrf_token" not in values:  # the view may give the token its results used
        values["csrf_token"] = escape(get_token(request))
    return "".join(part if i % 2 == 0 else values[part] for i, part in enumerate(parts))
