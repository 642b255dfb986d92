from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TasksConfig(AppConfig):
    name = "htxso.tasks"
    verbose_name = _("Theo dõi nhiệm vụ Ban Chỉ đạo")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from htxso.core.scoping import provide_designations

        from . import inbox
        from .designations.models import held
        from .models import Agency
        from .reference import forget_agencies

        provide_designations(held)  # core.scoping reads who is secretariat, committee, focal
        inbox.register()  # focal points: tasks overdue and at risk; secretariat: reports to review
        post_save.connect(forget_agencies, sender=Agency)  # the filters' cached choice list
        post_delete.connect(forget_agencies, sender=Agency)
