from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DelegationsConfig(AppConfig):
    name = "partnerhub.delegations"
    label = "delegations"
    verbose_name = _("Delegation trips")

    def ready(self):
        from allauth.account.signals import email_confirmed

        from partnerhub.delegations import history  # noqa: F401  (registers the history sentences)
        from partnerhub.delegations.registration.services import address_confirmed

        email_confirmed.connect(address_confirmed, dispatch_uid="delegations.address_confirmed")
