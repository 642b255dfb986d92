"""Each user's own home page at `/`: the inbox (`core/inbox.py`) and the panels of their role.

A panel is a small template and its context, contributed by the app that owns the data (the
registry's "my cooperative", reporting's "figures against last year") through `register`,
called from the app's `AppConfig.ready`. Core knows no domain app: it only orders the panels
a role has and renders them. Whoever has no work of their own — not signed in, or the public
role — gets the public home the project wires in (`view(public=…)` in `htxso/urls.py`: the
national overview).
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import inbox
from .roles import Role
from .scoping import role_of


@dataclass(frozen=True)
class Panel:
    """A part of a home page: `template` rendered with `context` as `p`."""

    template: str
    context: Mapping[str, Any] = field(default_factory=dict)
    wide: bool = False  # the whole width on a desktop (otherwise half)


PanelProvider = Callable[[Any], Panel | None]


@dataclass(frozen=True)
class _Registered:
    name: str
    provider: PanelProvider
    roles: frozenset[Role]
    order: int


_PANELS: dict[str, _Registered] = {}


def register(provider: PanelProvider, roles: Iterable[Role], order: int = 100) -> None:
    """Show `provider`'s panel on the homes of `roles` (lower `order` first). The provider
    returns None when it has nothing to show for that user."""
    name = f"{provider.__module__}.{provider.__qualname__}"
    _PANELS[name] = _Registered(name, provider, frozenset(roles), order)


def panels_for(user: Any) -> list[Panel]:
    role = role_of(user)
    mine = [r for r in _PANELS.values() if role in r.roles]
    chosen = sorted(mine, key=lambda r: (r.order, r.name))
    return [panel for r in chosen if (panel := r.provider(user)) is not None]


def has_home(user: Any) -> bool:
    """Whether `user` has a home of their own (everyone signed in but the public role)."""
    return role_of(user) != Role.PUBLIC


def view(public: Callable[[HttpRequest], HttpResponse]) -> Callable[[HttpRequest], HttpResponse]:
    """The view of `/`: the role's home for those who have one, `public` for everyone else."""

    @require_GET
    def home(request: HttpRequest) -> HttpResponse:
        user = request.user
        if not has_home(user):
            return public(request)
        items = inbox.items_for(user)
        context = {
            "role_label": role_of(user).label,
            "items": [{"item": item, "note": item.deadline_note()} for item in items],
            "panels": panels_for(user),
        }
        return render(request, "core/home.html", context)

    return home
