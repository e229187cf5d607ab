from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnershipsConfig(AppConfig):
    name = "partnerhub.partnerships"
    label = "partnerships"
    verbose_name = _("Partnerships and agreements")

    def ready(self) -> None:
        from partnerhub.partnerships import history  # noqa: F401  (registers the history sentences)
