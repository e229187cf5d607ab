"""Who comes on a trip: the organiser's questions and the registrations, with seats and a waiting list."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from i18nfield.fields import I18nCharField

from partnerhub.accounts.visibility import Viewer, VisibleQuerySet


class RegistrationQuestion(models.Model):
    """A question the organiser asks, optionally only for outgoing trips or depending on another answer."""

    class Kind(models.TextChoices):
        TEXT = "text", _("text")
        LONG_TEXT = "long_text", _("long text")
        YES_NO = "yes_no", _("yes / no")
        CHOICE = "choice", _("one of several")
        DATE = "date", _("date")

    delegation = models.ForeignKey(
        "delegations.Delegation", on_delete=models.CASCADE, related_name="questions"
    )
    key = models.SlugField(_("key"), help_text=_("Stable name of the answer, e.g. passport_number."))
    label = I18nCharField(_("question"), max_length=300)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.TEXT)
    choices = models.JSONField(
        _("choices"),
        default=list,
        blank=True,
        help_text=_('For "one of several": a list of {"value", "label"}.'),
    )
    required = models.BooleanField(_("required"), default=False)
    only_outgoing = models.BooleanField(_("only for outgoing trips"), default=False)
    depends_on = models.ForeignKey(
        "self",
        verbose_name=_("asked only if"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    depends_value = models.CharField(_("has the answer"), max_length=100, blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    # Reordering is not an edit of the text: it must not make an open edit form stale (core/editing.py).
    VERSION_IGNORES = ("position",)

    class Meta:
        verbose_name = _("registration question")
        verbose_name_plural = _("registration questions")
        ordering = ["delegation", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["delegation", "key"], name="unique_question_key")]

    def __str__(self) -> str:
        return str(self.label)


def new_token() -> str:
    return secrets.token_urlsafe(32)


class RegistrationQuerySet(VisibleQuerySet):
    def seated(self):
        return self.filter(status__in=[Registration.Status.PENDING, Registration.Status.CONFIRMED])


class Registration(models.Model):
    """One person on one trip. A seat is held while pending or confirmed; otherwise they wait or are out."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for approval")
        CONFIRMED = "confirmed", _("confirmed")
        WAITING = "waiting", _("on the waiting list")
        DECLINED = "declined", _("declined")
        CANCELLED = "cancelled", _("cancelled")

    delegation = models.ForeignKey(
        "delegations.Delegation", on_delete=models.CASCADE, related_name="registrations"
    )
    person = models.ForeignKey(
        "organisations.Person",
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="registrations",
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="registrations",
    )
    family_name = models.CharField(_("family name"), max_length=100)
    given_name = models.CharField(_("given name"), max_length=100, blank=True)
    name_latin = models.CharField(_("name in Latin letters"), max_length=200, blank=True)
    organisation_name = models.CharField(_("organisation"), max_length=300)
    email = models.EmailField(_("e-mail"))
    language = models.CharField(_("language"), max_length=10, default="en")
    time_zone = models.CharField(_("your time zone"), max_length=64, default="Europe/Berlin")
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The account of the person registered, set only once that account proved the registration's address
    # (decision 0015): never derived from comparing addresses when rights are checked.
    participant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("participant's account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="participations",
        help_text=_("Linked when this person confirmed the registration's e-mail address on their account."),
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PENDING)
    waiting_since = models.DateTimeField(null=True, blank=True)
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    privacy_notice = models.ForeignKey("privacy.PrivacyNotice", on_delete=models.PROTECT, related_name="+")
    consent_given_at = models.DateTimeField(_("consent given"))
    access_token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    calendar_token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    submission_key = models.UUIDField(unique=True, null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RegistrationQuerySet.as_manager()
    editable_through = "delegation"

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["delegation", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["delegation", "email"],
                condition=~Q(status__in=["cancelled", "declined"]),
                name="one_active_registration_per_email",
            )
        ]

    def __str__(self) -> str:
        from partnerhub.engines.transliteration import format_person_name

        return format_person_name(self.family_name, self.given_name)

    @classmethod
    def visibility_q(cls, viewer: Viewer) -> Q:
        """Staff of the organising agency see all; organisation members their organisation's registrations;
        everyone the registrations they made and their own (``participant``)."""
        if viewer.is_agency_staff:
            return Q(delegation__partnership__agency_id__in=viewer.agency_family) | Q(
                delegation__shared_with=viewer.agency_id
            )
        if viewer.user_id is None:
            return Q(pk__in=[])
        own = Q(registered_by_id=viewer.user_id) | Q(participant_id=viewer.user_id)
        if viewer.organisation_id is not None:
            return Q(organisation_id=viewer.organisation_id) | own
        return own

    @classmethod
    def editable_q(cls, viewer: Viewer) -> Q:
        if viewer.is_agency_staff:
            return Q(delegation__partnership__agency_id__in=viewer.agency_family)
        return Q(pk__in=[])

    @property
    def holds_seat(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.CONFIRMED)
