"""What people asked not to be told: one row per switched-off kind of e-mail."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


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


class OutgoingEmail(models.Model):
    """One e-mail on its way out: the durable record a delivery task only triggers (decisions/0022).

    Created in the transaction of the change it tells of, so it exists exactly when that change committed.
    The Message-ID is made here once, so a copy sent twice (a worker dying between the server's acceptance
    and our commit) carries the same ID and receivers can drop it.
    """

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("e-mail status", "waiting")
        SENDING = "sending", pgettext_lazy("e-mail status", "being sent")
        SENT = "sent", pgettext_lazy("e-mail status", "sent")
        FAILED = "failed", pgettext_lazy("e-mail status", "failed")

    to = models.JSONField(_("recipients"), default=list)
    subject = models.CharField(_("subject"), max_length=998)
    body = models.TextField(_("text"))
    html_body = models.TextField(blank=True)
    from_email = models.CharField(_("sender"), max_length=320)
    reply_to = models.JSONField(default=list, blank=True)
    headers = models.JSONField(default=dict, blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=255, unique=True)
    kind = models.CharField(_("kind"), max_length=100, blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outgoing_email_due")]

    def __str__(self) -> str:
        return f"{', '.join(self.to)}: {self.subject}"

    @property
    def error_text(self) -> str:
        """The last error for the reader: the SMTP server's own words, or ours in the reader's language."""
        if self.last_error == STUCK_ERROR:
            return str(_("The worker stopped while sending; the e-mail is tried again."))
        return self.last_error


# Stored (not translated) when deliver_outbox takes an e-mail back from a worker that died.
STUCK_ERROR = "The worker stopped while sending (no result after EMAIL_SENDING_TIMEOUT)."
