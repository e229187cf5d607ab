from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdeasConfig(AppConfig):
    name = "partnerhub.ideas"
    label = "ideas"
    verbose_name = _("Project ideas")

    def ready(self) -> None:
        from partnerhub.ideas import history  # noqa: F401  (registers the history sentences)
