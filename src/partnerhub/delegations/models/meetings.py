"""B2B meetings during a trip's meeting blocks: requests, availability, tables, the schedule."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Table(models.Model):
    """A table or room where meetings take place during a B2B block."""

    delegation = models.ForeignKey("delegations.Delegation", on_delete=models.CASCADE, related_name="tables")
    name = models.CharField(_("table / room"), max_length=100)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    # Reordering is not an edit of the text: it must not make an open edit form stale (core/editing.py).
    VERSION_IGNORES = ("position",)

    class Meta:
        verbose_name = _("table")
        verbose_name_plural = _("tables")
        ordering = ["delegation", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["delegation", "name"], name="unique_table_name")]

    def __str__(self) -> str:
        return self.name


class Unavailability(models.Model):
    """A time in which a participant cannot meet."""

    registration = models.ForeignKey(
        "delegations.Registration", on_delete=models.CASCADE, related_name="unavailabilities"
    )
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))

    class Meta:
        verbose_name = _("not available")
        verbose_name_plural = _("not available")
        ordering = ["starts_at"]

    def __str__(self) -> str:
        return f"{self.registration}: {self.starts_at:%Y-%m-%d %H:%M}–{self.ends_at:%H:%M} UTC"

    def clean(self):
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("The end must be after the start.")})


class MeetingRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for an answer")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")
        WITHDRAWN = "withdrawn", _("withdrawn")

    delegation = models.ForeignKey(
        "delegations.Delegation", on_delete=models.CASCADE, related_name="meeting_requests"
    )
    requester = models.ForeignKey(
        "delegations.Registration",
        verbose_name=_("from"),
        on_delete=models.CASCADE,
        related_name="sent_requests",
    )
    recipient = models.ForeignKey(
        "delegations.Registration",
        verbose_name=_("to"),
        on_delete=models.CASCADE,
        related_name="received_requests",
    )
    message = models.TextField(_("message"), max_length=2000, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    suggested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("suggested by staff"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    priority = models.PositiveSmallIntegerField(_("priority"), default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("meeting request")
        verbose_name_plural = _("meeting requests")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["requester", "recipient"], name="one_request_per_pair_direction"),
            models.CheckConstraint(
                condition=~models.Q(requester=models.F("recipient")), name="no_self_meeting"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.requester} → {self.recipient}"


class Meeting(models.Model):
    """A scheduled meeting: two participants, a table, a slot. Fixed meetings are kept by the scheduler."""

    delegation = models.ForeignKey(
        "delegations.Delegation", on_delete=models.CASCADE, related_name="meetings"
    )
    request = models.OneToOneField(
        MeetingRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="meeting"
    )
    first = models.ForeignKey("delegations.Registration", on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey("delegations.Registration", on_delete=models.CASCADE, related_name="+")
    table = models.ForeignKey(
        Table, verbose_name=_("table"), null=True, blank=True, on_delete=models.SET_NULL
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    fixed = models.BooleanField(_("fixed by hand"), default=False)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["starts_at", "table__position", "pk"]

    def __str__(self) -> str:
        return f"{self.first} – {self.second}"


class ScheduleRun(models.Model):
    """One run of the scheduler for a trip, with its progress, for the page that shows it."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    delegation = models.ForeignKey(
        "delegations.Delegation", on_delete=models.CASCADE, related_name="schedule_runs"
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    engine = models.CharField(max_length=100, blank=True)
    summary = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("scheduler run")
        verbose_name_plural = _("scheduler runs")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.delegation} {self.created_at:%Y-%m-%d %H:%M} {self.status}"
