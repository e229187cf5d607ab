from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "partnerhub.matching"
    label = "matching"
    verbose_name = _("Matching")

    def ready(self) -> None:
        from partnerhub.matching import (
            checks,  # noqa: F401  (registers system checks)
            history,  # noqa: F401  (registers the history sentences)
        )
