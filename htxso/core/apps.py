from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    default = True
    name = "htxso.core"
    label = "core"
    verbose_name = _("Hệ thống")

    def ready(self) -> None:
        from . import checks, signals  # noqa: F401  (the deploy checks; the sign-in audit)
        from .system import register

        register()  # locked accounts in the inbox, the system administrator's panel


class HtxAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with the officers' admin site (`core/admin_site.py`)."""

    default = False
    default_site = "htxso.core.admin_site.HtxAdminSite"
