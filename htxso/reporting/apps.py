from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "htxso.reporting"
    verbose_name = "Báo cáo thống kê"

    def ready(self) -> None:
        from htxso.registry.stats import refreshed

        from .statistics import on_registry_refresh

        refreshed.connect(on_registry_refresh, dispatch_uid="reporting-cube")
