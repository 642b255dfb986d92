from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketplaceConfig(AppConfig):
    name = "htxso.marketplace"
    verbose_name = _("Sàn giao dịch")

    def ready(self) -> None:
        from htxso.core import facts

        from . import figures, inbox, sales

        inbox.register()  # the seller's orders to confirm and ship
        facts.provide_sale_prices(sales.sale_prices)  # read by prices, through core
        facts.provide_cube_figures("marketplace", figures.cube_figures)  # e-commerce figures
