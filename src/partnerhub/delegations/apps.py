from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DelegationsConfig(AppConfig):
    name = "partnerhub.delegations"
    label = "delegations"
    verbose_name = _("Delegation trips")

    def ready(self):
        from allauth.account.signals import email_confirmed

        # Modules that register history sentences of their own, so a history shows them before any URL loads.
        from partnerhub.delegations import history  # noqa: F401
        from partnerhub.delegations.meetings import setup  # noqa: F401
        from partnerhub.delegations.registration import questions  # noqa: F401
        from partnerhub.delegations.registration.services import address_confirmed

        email_confirmed.connect(address_confirmed, dispatch_uid="delegations.address_confirmed")
