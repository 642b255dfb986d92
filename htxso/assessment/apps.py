from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "htxso.assessment"
    verbose_name = _("Phân loại và đánh giá chuyển đổi số")

    def ready(self) -> None:
        from . import home, inbox

        inbox.register()  # self-scoring to do, classifications to review, overdue follow-ups
        home.register()  # the adviser's organisations, the province's round
