from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "partnerhub.accounts"
    label = "accounts"
    verbose_name = _("Users and roles")

    def ready(self):
        from partnerhub.accounts.addresses import record_given_address

        post_save.connect(
            record_given_address, sender=self.get_model("User"), dispatch_uid="accounts.given_address"
        )
