"""Delegation trips in both directions. This is the foundation's part: the trip and its members.

Itinerary, registration, waiting list and B2B meetings come with the delegation issue.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from i18nfield.fields import I18nCharField, I18nTextField

from partnerhub.accounts.visibility import NOTHING, Viewer, VisibleQuerySet, shared_with_q


class DelegationQuerySet(VisibleQuerySet):
    def upcoming(self, today=None):
        return self.filter(end_date__gte=today or timezone.localdate()).exclude(
            status=Delegation.Status.CANCELLED
        )


class Delegation(models.Model):
    class Direction(models.TextChoices):
        INCOMING = "incoming", _("incoming")
        OUTGOING = "outgoing", _("outgoing")

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        CONFIRMED = "confirmed", _("confirmed")
        COMPLETED = "completed", _("completed")
        CANCELLED = "cancelled", _("cancelled")

    slug = models.SlugField(_("short name"), unique=True)
    title = I18nCharField(_("title"), max_length=300)
    partnership = models.ForeignKey(
        "partnerships.Partnership",
        verbose_name=_("partnership"),
        on_delete=models.PROTECT,
        related_name="delegations",
    )
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"))
    destinations = models.ManyToManyField(
        "regions.Region", verbose_name=_("destinations"), blank=True, related_name="delegation_visits"
    )
    description = I18nTextField(_("description"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    is_public = models.BooleanField(_("public"), default=False)
    shared_with = models.ManyToManyField(
        "agencies.Agency", verbose_name=_("shared with"), blank=True, related_name="shared_delegations"
    )

    objects = DelegationQuerySet.as_manager()

    class Meta:
        verbose_name = _("delegation trip")
        verbose_name_plural = _("delegation trips")
        ordering = ["start_date", "pk"]

    def __str__(self) -> str:
        return str(self.title)

    def clean(self):
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The trip cannot end before it starts.")})

    @classmethod
    def visibility_q(cls, viewer: Viewer) -> Q:
        public = Q(is_public=True)
        if viewer.is_agency_staff:
            return public | Q(partnership__agency_id__in=viewer.agency_family) | shared_with_q(cls, viewer)
        return public

    @classmethod
    def editable_q(cls, viewer: Viewer) -> Q:
        return Q(partnership__agency_id__in=viewer.agency_family) if viewer.is_agency_staff else NOTHING


class DelegationMember(models.Model):
    delegation = models.ForeignKey(Delegation, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(
        "organisations.Person", verbose_name=_("person"), on_delete=models.CASCADE, related_name="delegations"
    )
    is_leader = models.BooleanField(_("head of delegation"), default=False)

    class Meta:
        verbose_name = _("delegation member")
        verbose_name_plural = _("delegation members")
        constraints = [
            models.UniqueConstraint(fields=["delegation", "person"], name="unique_delegation_member")
        ]

    def __str__(self) -> str:
        return str(self.person)
