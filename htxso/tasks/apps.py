from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TasksConfig(AppConfig):
    name = "htxso.tasks"
    verbose_name = _("Theo dõi nhiệm vụ Ban Chỉ đạo")

    def ready(self) -> None:
        from . import inbox

        inbox.register()  # focal points: tasks overdue and at risk; secretariat: reports to review
