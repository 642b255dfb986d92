"""The Django admin, for system administrators only.

Only an active staff user who is a superuser or has the system_admin role may use it. Central
and provincial officers, advisers and cooperative managers work in the application, whose
pages scope, mask and audit personal data; the admin is a maintenance tool, so even `is_staff`
does not open it to them.

Signing in goes through the application's login (throttling, lock-out, second factor, audit):
the admin's own login page is that view.
"""

from typing import Any, cast

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models.constants import LOOKUP_SEP
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

from .scoping import Action, Kind, Reach, reach


def may_use_admin(user: Any) -> bool:
    """Staff whose role manages every account (`core.scoping.TABLE`): system administrators."""
    return bool(
        getattr(user, "is_staff", False) and Reach.ALL in reach(user, Action.EDIT, Kind.ACCOUNTS)
    )


class HtxAdminSite(admin.AdminSite):
    site_header = _("HTX Số — quản trị hệ thống")
    site_title = _("HTX Số — quản trị")
    index_title = _("Quản trị hệ thống")

    def has_permission(self, request: HttpRequest) -> bool:
        return may_use_admin(request.user)

    def login(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        from .account_views import LoginView, safe_next

        if may_use_admin(request.user):
            return redirect(safe_next(request) or "admin:index")
        if request.user.is_authenticated:
            # Signed in, but not a system administrator: refused, not asked to sign in again.
            raise PermissionDenied
        # The login view answers a page or a redirect: an HttpResponse (as_view() says Base).
        return cast(HttpResponse, LoginView.as_view()(request))


class ListedLookupsOnly:
    """A model admin whose list can be filtered only by what its filters offer (and the primary
    key). Django's admin otherwise accepts any lookup on the model's fields in the address —
    `?cccd__startswith=0190`, `?key__startswith=ab` — which finds masked values (a CCCD, a
    second-factor key) a digit at a time, unlogged. Anything else answers 400."""

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest | None = None) -> bool:
        allowed = {"pk", "id"}
        for entry in getattr(self, "list_filter", ()):
            allowed.add(entry if isinstance(entry, str) else entry[0])
        hierarchy: Any = getattr(self, "date_hierarchy", None)
        if hierarchy:
            allowed.add(hierarchy)
        if lookup.split(LOOKUP_SEP, 1)[0] not in allowed:
            return False
        return super().lookup_allowed(lookup, value, request)  # type: ignore[misc]
