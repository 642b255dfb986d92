from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PricesConfig(AppConfig):
    name = "htxso.prices"
    verbose_name = _("Giá nông sản")

    def ready(self) -> None:
        from htxso.core import facts

        from . import home, import_jobs, inbox

        inbox.register()  # a user's price alerts not yet seen
        home.register()  # "what to do this month" and the watched prices on the member's home
        import_jobs.register()  # price files: the jobs of `core.jobs`
        facts.provide_commodities(commodity_choices)  # the marketplace's and the diary's forms


def commodity_choices() -> list[tuple[str, str]]:
    from .models import Commodity

    return list(Commodity.objects.order_by("name").values_list("code", "name"))
