from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TraceabilityConfig(AppConfig):
    name = "htxso.traceability"
    verbose_name = _("Truy xuất nguồn gốc")

    def ready(self) -> None:
        from htxso.core import facts

        from . import crop_facts

        facts.provide_diary_crops(crop_facts.diary_crops)  # the crop calendar's "this month"
