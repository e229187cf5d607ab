"""What people asked not to be told: one row per switched-off kind of e-mail."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    """The switchable e-mails. Transactional ones (confirmations, replies) are always sent."""

    SHARED = "shared", _("Something is shared with my agency")
    PARTNER_ACTIVITY = "partner_activity", _("A partner agency comments or proposes a counterpart")
    IDEA_STAGE = "idea_stage", _("My project idea moves to another stage")


class Unsubscription(models.Model):
    """A kind of e-mail switched off, for a user (preferences page) or for an address (unsubscribe link).

    Opt-out rows: without one, the e-mail is sent. A submitter without an account is known only by address.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    email = models.EmailField(_("e-mail address"), blank=True)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("switched-off notification")
        verbose_name_plural = _("switched-off notifications")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="unique_unsubscription_per_user"),
            models.UniqueConstraint(
                fields=["email", "kind"],
                condition=~models.Q(email=""),
                name="unique_unsubscription_per_address",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user or self.email}: {self.kind}"
