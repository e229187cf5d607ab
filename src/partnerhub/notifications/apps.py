from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "partnerhub.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from partnerhub.notifications import history  # noqa: F401  (registers the history sentences)
        from partnerhub.notifications.receivers import connect

        connect()
