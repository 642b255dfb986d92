from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TraceabilityConfig(AppConfig):
    name = "htxso.traceability"
    verbose_name = _("Truy xuất nguồn gốc")

    def ready(self) -> None:
        from . import inbox

        inbox.register()  # lots awaiting their QR labels, lots recorded as recalled
