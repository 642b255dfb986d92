from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "htxso.reporting"
    verbose_name = _("Báo cáo thống kê")

    def ready(self) -> None:
        from htxso.registry.aggregates import refreshed

        from .import_jobs import register
        from .statistics import on_registry_refresh

        register()

        refreshed.connect(on_registry_refresh, dispatch_uid="reporting-cube")
