from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "htxso.exchange"
    verbose_name = "Trao đổi dữ liệu"

    def ready(self) -> None:
        from .jobs import register

        register()
