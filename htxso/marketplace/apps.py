from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketplaceConfig(AppConfig):
    name = "htxso.marketplace"
    verbose_name = _("Sàn giao dịch")

    def ready(self) -> None:
        from . import inbox

        inbox.register()  # the seller's orders to confirm and ship
