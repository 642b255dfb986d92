from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistrationConfig(AppConfig):
    name = "htxso.registration"
    verbose_name = _("Đăng ký tổ chức")

    def ready(self) -> None:
        from . import home, inbox

        inbox.register()  # the office's queue with deadlines; the applicant's own applications
        home.register()  # the office's panel (its queue), the founder's (their applications)
