from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "htxso.reporting"
    verbose_name = _("Báo cáo thống kê")

    def ready(self) -> None:
        from htxso.core import facts
        from htxso.registry.aggregates import derive, refreshed

        from . import dashboard_cache, home, inbox
        from .import_jobs import register
        from .indicator_facts import indicator_facts
        from .statistics import RunningRegistryCells, approved_yearly_values, on_registry_refresh

        register()
        dashboard_cache.connect()  # releases, indicators, targets: a new dashboard stamp
        inbox.register()  # reports to fill in, to review, to follow; report imports
        home.register()  # the manager's figures against last year

        refreshed.connect(on_registry_refresh, dispatch_uid="reporting-cube")  # whole provinces
        derive(RunningRegistryCells())  # a few organisations, by deltas
        facts.provide_yearly_report(approved_yearly_values)  # the classification's prefill
        facts.provide_indicators(indicator_facts)  # the steering committee's tasks
