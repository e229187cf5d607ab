from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProfilesConfig(AppConfig):
    name = "partnerhub.profiles"
    label = "profiles"
    verbose_name = _("Cooperation profiles")

    def ready(self) -> None:
        from partnerhub.profiles import history  # noqa: F401  (registers the history sentences)
