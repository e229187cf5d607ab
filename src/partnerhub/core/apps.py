from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "partnerhub.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from partnerhub.core import checks  # noqa: F401  (registers system checks)
        from partnerhub.core.collation import install_country_order

        install_country_order()

        from partnerhub.core.cache import connect_signals

        connect_signals()  # saved rows make the cached page fragments that show them stale (decisions/0024)
