from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TraceabilityConfig(AppConfig):
    name = "htxso.traceability"
    verbose_name = _("Truy xuất nguồn gốc")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from htxso.core import facts
        from htxso.registry.models import Organisation, StatusChange

        from . import crop_facts, inbox, public_views

        facts.provide_diary_crops(crop_facts.diary_crops)  # the crop calendar's "this month"
        facts.provide_trace_page(public_views.trace_page)  # the marketplace's product page
        inbox.register()  # lots awaiting their QR labels, lots recorded as recalled

        def forget(sender: Any, instance: Any, **kwargs: Any) -> None:
            public_views.forget_organisation(instance.pk)  # the trace page's cached facts

        post_save.connect(forget, sender=Organisation, dispatch_uid="trace-organisation-saved")
        post_delete.connect(forget, sender=Organisation, dispatch_uid="trace-organisation-gone")

        def status_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
            # A status changes by UPDATE (no post_save of the organisation): its record does.
            public_views.forget_organisation(instance.organisation_id)

        post_save.connect(status_changed, sender=StatusChange, dispatch_uid="trace-status")
