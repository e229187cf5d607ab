from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationsConfig(AppConfig):
    name = "partnerhub.organisations"
    label = "organisations"
    verbose_name = _("Organisations and contacts")

    def ready(self) -> None:
        from partnerhub.organisations import history  # noqa: F401  (registers the history sentences)
