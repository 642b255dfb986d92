from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "htxso.exchange"
    verbose_name = "Trao đổi dữ liệu"

    def ready(self) -> None:
        from . import inbox
        from .jobs import register

        register()
        inbox.register()  # the user's registry imports that finished or failed lately
