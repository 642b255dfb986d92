from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "htxso.registry"
    label = "registry"
    verbose_name = _("Cơ sở dữ liệu HTX")

    def ready(self) -> None:
        from . import home
        from .user_links import ensure_links

        home.register()  # the role homes' panels: my cooperative, my memberships, figures

        post_migrate.connect(ensure_links, sender=self, dispatch_uid="registry.user_links")
