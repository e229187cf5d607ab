"""Project ideas submitted by companies and institutions, and run through the agency's pipeline."""

import secrets
import uuid

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from partnerhub.accounts.visibility import Viewer, VisibleQuerySet
from partnerhub.organisations.models import Organisation
from partnerhub.partnerships.models import Area
from partnerhub.pipeline.models import PipelineItem


def new_token() -> str:
    return secrets.token_urlsafe(32)


class ProjectIdeaQuerySet(VisibleQuerySet):
    def confirmed(self):
        return self.filter(email_confirmed_at__isnull=False)


class ProjectIdea(PipelineItem):
    """An idea as the submitter wrote it, plus the agency's pipeline state.

    Until the submitter confirms their e-mail address (double opt-in) an idea is invisible to staff and
    is deleted after ``UNCONFIRMED_SUBMISSION_DAYS``.
    """

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=5000)
    language = models.CharField(_("language"), max_length=10, default="en")
    area = models.CharField(_("field of cooperation"), max_length=20, choices=Area.choices)
    partner_sought = models.TextField(_("partner sought"), max_length=2000, blank=True)
    target_regions = models.ManyToManyField(
        "regions.Region", verbose_name=_("target regions"), blank=True, related_name="+"
    )
    join_delegation = models.BooleanField(_("wants to join a delegation trip"), default=False)
    delegation = models.ForeignKey(
        "delegations.Delegation",
        verbose_name=_("delegation trip"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ideas",
    )
    # Who submitted it, as they typed it; `organisation` links the directory entry once staff made one.
    organisation_name = models.CharField(_("organisation"), max_length=300)
    organisation_kind = models.CharField(
        _("kind of organisation"), max_length=30, choices=Organisation.Kind.choices
    )
    organisation_website = models.URLField(_("website"), blank=True)
    organisation_city = models.CharField(_("city"), max_length=100, blank=True)
    organisation_country = CountryField(_("country"))
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation in the directory"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ideas",
    )
    contact_name = models.CharField(_("contact person"), max_length=200)
    contact_role = models.CharField(_("position"), max_length=200, blank=True)
    contact_email = models.EmailField(_("e-mail"))
    contact_phone = models.CharField(_("phone"), max_length=50, blank=True)
    privacy_notice = models.ForeignKey("privacy.PrivacyNotice", on_delete=models.PROTECT, related_name="+")
    consent_given_at = models.DateTimeField(_("consent given"))
    email_confirmed_at = models.DateTimeField(_("e-mail confirmed"), null=True, blank=True)
    confirmation_token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    access_token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    submission_key = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)

    objects = ProjectIdeaQuerySet.as_manager()

    class Meta:
        verbose_name = _("project idea")
        verbose_name_plural = _("project ideas")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("ideas:detail", args=[self.pk])

    @classmethod
    def visibility_q(cls, viewer: Viewer) -> Q:
        confirmed = Q(email_confirmed_at__isnull=False)
        if viewer.is_agency_staff:
            return confirmed & cls.staff_q(viewer)
        if viewer.organisation_id is not None:
            return confirmed & Q(organisation_id=viewer.organisation_id)
        return Q(pk__in=[])

    @property
    def is_confirmed(self) -> bool:
        return self.email_confirmed_at is not None

    @property
    def reference(self) -> str:
        """A short reference the submitter can quote on the phone."""
        return f"PI-{self.pk:05d}"


def attachment_path(instance, filename: str) -> str:
    return f"ideas/{instance.idea_id}/{secrets.token_hex(8)}-{filename[-80:]}"


class IdeaAttachment(models.Model):
    idea = models.ForeignKey(ProjectIdea, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("ideas:attachment", args=[self.pk])
