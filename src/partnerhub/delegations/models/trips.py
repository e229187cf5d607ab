"""Delegation trips in both directions, their itinerary (stops, travel legs) and programme.

Every moment is stored as an aware UTC datetime; every programme item and stop carries the IANA time zone
of the place where it happens, in which it is shown (with the viewer's own zone beside it).
"""

import zoneinfo

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
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

    class WaitingList(models.TextChoices):
        AUTOMATIC = "automatic", _("moves up automatically when a seat becomes free")
        BY_STAFF = "staff", _("staff choose who moves up")

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
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default="Europe/Berlin",
        help_text=_("Where the trip mainly takes place."),
    )
    registration_opens = models.DateTimeField(_("registration opens"), null=True, blank=True)
    registration_closes = models.DateTimeField(_("registration closes"), null=True, blank=True)
    capacity = models.PositiveIntegerField(_("seats"), null=True, blank=True, help_text=_("Empty: no limit."))
    needs_approval = models.BooleanField(
        _("registrations need approval"),
        default=True,
        help_text=_("Otherwise a registration that gets a seat is confirmed at once."),
    )
    waiting_list = models.CharField(
        _("waiting list"), max_length=10, choices=WaitingList.choices, default=WaitingList.AUTOMATIC
    )
    waiting_list_limit = models.PositiveIntegerField(
        _("places on the waiting list"),
        null=True,
        blank=True,
        help_text=_("Empty: no limit; 0: no waiting list, registration closes when the seats are taken."),
    )
    leader = models.ForeignKey(
        "organisations.Person",
        verbose_name=_("head of delegation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    meeting_minutes = models.PositiveSmallIntegerField(_("length of a B2B meeting (minutes)"), default=30)
    schedule_published_at = models.DateTimeField(_("meeting schedule published"), null=True, blank=True)
    is_public = models.BooleanField(_("public"), default=False)
    shared_with = models.ManyToManyField(
        "agencies.Agency", verbose_name=_("shared with"), blank=True, related_name="shared_delegations"
    )

    objects = DelegationQuerySet.as_manager()
    editable_through = "partnership"
    # Set by publishing the meeting schedule, not by editing the trip (core/editing.py).
    VERSION_IGNORES = ("schedule_published_at",)

    class Meta:
        verbose_name = _("delegation trip")
        verbose_name_plural = _("delegation trips")
        ordering = ["start_date", "pk"]

    def __str__(self) -> str:
        return str(self.title)

    def get_absolute_url(self) -> str:
        return reverse("delegations:detail", args=[self.slug])

    def clean(self):
        errors = {}
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("The trip cannot end before it starts.")
        if (
            self.registration_opens
            and self.registration_closes
            and self.registration_closes < self.registration_opens
        ):
            errors["registration_closes"] = _("Registration cannot close before it opens.")
        try:
            zoneinfo.ZoneInfo(self.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            errors["time_zone"] = _("Unknown time zone.")
        if errors:
            raise ValidationError(errors)

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def version_parts(self) -> list:
        """The itinerary and programme belong to the trip's text: a change to them makes an open trip form
        stale (core/editing.py), as do the agencies it is shared with."""
        return [
            list(
                self.stops.order_by("pk").values_list(
                    "pk", "region_id", "arrival", "departure", "venue", "time_zone", "position"
                )
            ),
            list(
                self.legs.order_by("pk").values_list(
                    "pk", "origin_id", "destination_id", "mode", "departs_at", "arrives_at", "details"
                )
            ),
            list(
                self.programme.order_by("pk").values_list(
                    "pk",
                    "stop_id",
                    "kind",
                    "title",
                    "description",
                    "venue",
                    "starts_at",
                    "ends_at",
                    "time_zone",
                )
            ),
            sorted(self.shared_with.values_list("pk", flat=True)),
        ]

    def registration_is_open(self, now=None) -> bool:
        now = now or timezone.now()
        if self.status in (self.Status.CANCELLED, self.Status.COMPLETED):
            return False
        if self.registration_opens and now < self.registration_opens:
            return False
        return not (self.registration_closes and now > self.registration_closes)

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


def validate_time_zone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(_("Unknown time zone: %(zone)s"), params={"zone": value}) from exc


class Stop(models.Model):
    """One place of the itinerary: a city, the days spent there and the venue."""

    delegation = models.ForeignKey(Delegation, on_delete=models.CASCADE, related_name="stops")
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("city / region"), on_delete=models.PROTECT, related_name="+"
    )
    arrival = models.DateField(_("arrival"))
    departure = models.DateField(_("departure"))
    venue = I18nCharField(_("venue / hotel"), max_length=300, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, validators=[validate_time_zone])
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("stop")
        verbose_name_plural = _("stops")
        ordering = ["delegation", "position", "arrival", "pk"]

    def __str__(self) -> str:
        return str(self.region)

    def clean(self):
        if self.arrival and self.departure and self.departure < self.arrival:
            raise ValidationError({"departure": _("The departure cannot be before the arrival.")})


class TravelLeg(models.Model):
    """How the group gets from one stop to the next."""

    class Mode(models.TextChoices):
        FLIGHT = "flight", _("flight")
        TRAIN = "train", _("train")
        BUS = "bus", _("bus")
        CAR = "car", _("car")
        OTHER = "other", _("other")

    delegation = models.ForeignKey(Delegation, on_delete=models.CASCADE, related_name="legs")
    origin = models.ForeignKey(Stop, verbose_name=_("from"), on_delete=models.CASCADE, related_name="+")
    destination = models.ForeignKey(Stop, verbose_name=_("to"), on_delete=models.CASCADE, related_name="+")
    mode = models.CharField(_("by"), max_length=10, choices=Mode.choices)
    departs_at = models.DateTimeField(_("departs"))
    arrives_at = models.DateTimeField(_("arrives"))
    details = models.CharField(_("details (e.g. flight number)"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("travel leg")
        verbose_name_plural = _("travel legs")
        ordering = ["departs_at", "pk"]

    def __str__(self) -> str:
        return f"{self.origin} → {self.destination}"

    def clean(self):
        if self.departs_at and self.arrives_at and self.arrives_at < self.departs_at:
            raise ValidationError({"arrives_at": _("The arrival cannot be before the departure.")})


class ProgrammeItem(models.Model):
    """A session of the programme, in the time zone of the place where it happens."""

    class Kind(models.TextChoices):
        COMPANY_VISIT = "company_visit", _("company visit")
        OFFICIAL_MEETING = "official_meeting", _("meeting with officials")
        SIGNING = "signing", _("signing ceremony")
        B2B_BLOCK = "b2b_block", _("B2B meeting block")
        RECEPTION = "reception", _("reception / dinner")
        OTHER = "other", _("other")

    delegation = models.ForeignKey(Delegation, on_delete=models.CASCADE, related_name="programme")
    stop = models.ForeignKey(
        Stop,
        verbose_name=_("stop"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="programme",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = I18nCharField(_("title"), max_length=300)
    description = I18nTextField(_("description"), blank=True)
    venue = I18nCharField(_("venue"), max_length=300, blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    time_zone = models.CharField(_("time zone"), max_length=64, validators=[validate_time_zone])

    class Meta:
        verbose_name = _("programme item")
        verbose_name_plural = _("programme items")
        ordering = ["starts_at", "pk"]

    def __str__(self) -> str:
        return str(self.title)

    def clean(self):
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("The end must be after the start.")})

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)
