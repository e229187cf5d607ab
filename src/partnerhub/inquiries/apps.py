from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InquiriesConfig(AppConfig):
    name = "partnerhub.inquiries"
    label = "inquiries"
    verbose_name = _("Inquiries")

    def ready(self) -> None:
        from partnerhub.inquiries import history  # noqa: F401  (registers the history sentences)
