from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PricesConfig(AppConfig):
    name = "htxso.prices"
    verbose_name = _("Giá nông sản")

    def ready(self) -> None:
        from . import home, inbox

        inbox.register()  # a user's price alerts not yet seen
        home.register()  # "what to do this month" and the watched prices on the member's home
