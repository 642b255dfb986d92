from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "htxso.exchange"
    verbose_name = "Trao đổi dữ liệu"
