"""Inquiries the public sends to a partnership, and the answers staff send back from their inbox."""

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from partnerhub.accounts.visibility import NOTHING, Viewer, VisibleQuerySet

MAX_MESSAGE_LENGTH = 5000


class InquiryQuerySet(VisibleQuerySet):
    pass


class Inquiry(models.Model):
    """A message from anyone to a partnership's contact; it lands in the inbox of the agency running it.

    Inquiries hold personal data of people without an account, so only staff of the partnership's agency
    family see them — not partner agencies, with whom the partnership itself may be shared.
    """

    class Status(models.TextChoices):
        NEW = "new", _("new")
        ANSWERED = "answered", _("answered")
        CLOSED = "closed", _("closed")

    partnership = models.ForeignKey(
        "partnerships.Partnership",
        verbose_name=_("partnership"),
        on_delete=models.CASCADE,
        related_name="inquiries",
    )
    sender_name = models.CharField(_("name"), max_length=200)
    sender_email = models.EmailField(_("e-mail address"))
    sender_organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    subject = models.CharField(_("subject"), max_length=200)
    message = models.TextField(
        _("message"), max_length=MAX_MESSAGE_LENGTH, validators=[MaxLengthValidator(MAX_MESSAGE_LENGTH)]
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        help_text=_("The language the sender wrote in; answers are sent in it."),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NEW)
    # Generated when the form is first shown; a double click or a re-posted form carries the same key
    # and finds the inquiry the first request created instead of creating a second one.
    submission_key = models.UUIDField(unique=True, editable=False)
    created_at = models.DateTimeField(_("received"), auto_now_add=True, db_index=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = InquiryQuerySet.as_manager()
    editable_through = "partnership"

    class Meta:
        verbose_name = _("inquiry")
        verbose_name_plural = _("inquiries")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.subject

    def get_absolute_url(self) -> str:
        return reverse("inquiries:detail", args=[self.pk])

    @classmethod
    def visibility_q(cls, viewer: Viewer) -> Q:
        if viewer.is_agency_staff:
            return Q(partnership__agency_id__in=viewer.agency_family)
        return NOTHING

    @classmethod
    def editable_q(cls, viewer: Viewer) -> Q:
        return cls.visibility_q(viewer)

    @property
    def is_open(self) -> bool:
        """Closed inquiries are done with; they can no longer be answered from the inbox."""
        return self.status != self.Status.CLOSED


class InquiryReply(models.Model):
    """One answer a staff member sent to the sender by e-mail."""

    inquiry = models.ForeignKey(
        Inquiry, verbose_name=_("inquiry"), on_delete=models.CASCADE, related_name="replies"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    body = models.TextField(
        _("answer"), max_length=MAX_MESSAGE_LENGTH, validators=[MaxLengthValidator(MAX_MESSAGE_LENGTH)]
    )
    # Same idea as Inquiry.submission_key: a double-clicked "Send" sends one answer, not two.
    submission_key = models.UUIDField(unique=True, null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["sent_at", "pk"]

    def __str__(self) -> str:
        return f"{self.inquiry} · {self.sent_at:%Y-%m-%d %H:%M}"
