"""Cooperation profiles: what an organisation offers or seeks, in the types business support networks use.

A profile is written by a member of the organisation (or by agency staff for it), reviewed by the agency
that maintains the organisation, published, and expires on its validity date unless renewed. The agency
runs every profile through its pipeline (:class:`~partnerhub.pipeline.models.PipelineItem`).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from i18nfield.fields import I18nCharField, I18nTextField

from partnerhub.accounts.visibility import NOTHING, Viewer, VisibleQuerySet, viewer_for
from partnerhub.core.fields import ChoiceListField, TagListField
from partnerhub.pipeline.models import PipelineItem


class PartnershipKind(models.TextChoices):
    COMMERCIAL_AGREEMENT = "commercial_agreement", _("commercial agreement")
    SUPPLIER = "supplier", _("supplier agreement")
    DISTRIBUTION = "distribution", _("distribution services agreement")
    LICENCE = "licence", _("licence agreement")
    JOINT_VENTURE = "joint_venture", _("joint venture")
    RESEARCH_COOPERATION = "research_cooperation", _("research cooperation agreement")
    TECHNICAL_COOPERATION = "technical_cooperation", _("technical cooperation agreement")
    FINANCIAL_AGREEMENT = "financial_agreement", _("financial agreement")


class CooperationProfileQuerySet(VisibleQuerySet):
    def content_editable_by(self, user) -> "CooperationProfileQuerySet":
        """Profiles whose content the user may change (see :meth:`CooperationProfile.content_editable_q`)."""
        return self._by_rule(user, self.model.content_editable_q)

    def submittable_by(self, user) -> "CooperationProfileQuerySet":
        """Profiles the user may submit, renew or withdraw (see :meth:`CooperationProfile.submitter_q`)."""
        return self._by_rule(user, self.model.submitter_q)

    def in_pipeline_of(self, user) -> "CooperationProfileQuerySet":
        """Profiles the user follows in an agency pipeline: their family's and those shared with them."""
        return self._by_rule(user, self.model.staff_q)

    def _by_rule(self, user, rule) -> "CooperationProfileQuerySet":
        viewer = user if isinstance(user, Viewer) else viewer_for(user)
        if viewer.is_superuser:
            return self.all()
        return self.filter(rule(viewer))


class CooperationProfile(PipelineItem):
    class ProfileType(models.TextChoices):
        BUSINESS_OFFER = "business_offer", _("business offer")
        BUSINESS_REQUEST = "business_request", _("business request")
        TECHNOLOGY_OFFER = "technology_offer", _("technology offer")
        TECHNOLOGY_REQUEST = "technology_request", _("technology request")
        RD_REQUEST = "rd_request", _("research & development cooperation request")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("public")
        PARTNERS = "partners", _("shared with partner agencies")
        AGENCY = "agency", _("agency only")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        IN_REVIEW = "in_review", _("in review")
        PUBLISHED = "published", _("published")
        EXPIRED = "expired", _("expired")
        WITHDRAWN = "withdrawn", _("withdrawn")
        REJECTED = "rejected", _("rejected")

    # Members of the organisation may change the content in these states; while the agency reviews it,
    # and once it is withdrawn, the content is fixed.
    MEMBER_EDITABLE_STATUSES = (Status.DRAFT, Status.REJECTED, Status.PUBLISHED, Status.EXPIRED)
    SUBMITTABLE_STATUSES = (Status.DRAFT, Status.REJECTED, Status.EXPIRED)
    RENEWABLE_STATUSES = (Status.PUBLISHED, Status.EXPIRED)

    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="profiles",
    )
    profile_type = models.CharField(_("type of profile"), max_length=30, choices=ProfileType.choices)
    summary = I18nCharField(
        _("summary"), max_length=300, help_text=_("One sentence: what is offered or sought.")
    )
    description = I18nTextField(_("description"))
    sectors = models.ManyToManyField(
        "organisations.NaceActivity",
        verbose_name=_("sectors (NACE Rev. 2)"),
        blank=True,
        related_name="profiles",
    )
    keywords = TagListField(_("keywords"))
    technologies = TagListField(_("technologies"))
    partnership_kinds = ChoiceListField(
        _("kind of partnership sought"), choices_enum=PartnershipKind, blank=False
    )
    target_regions = models.ManyToManyField(
        "regions.Region",
        verbose_name=_("target regions"),
        blank=True,
        related_name="+",
        help_text=_("Where partners are sought; leave empty for anywhere."),
    )
    valid_until = models.DateField(_("valid until"))
    visibility = models.CharField(
        _("visibility"), max_length=20, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    review_note = models.TextField(_("review note"), blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(_("expiry reminder sent"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    search_document = models.TextField(editable=False, blank=True)

    objects = CooperationProfileQuerySet.as_manager()
    # Created for an organisation the actor may edit; the agency running it follows from the organisation.
    editable_through = "organisation"

    class Meta:
        verbose_name = _("cooperation profile")
        verbose_name_plural = _("cooperation profiles")
        # Newest publications first, then unpublished ones (NULLs sort differently per database).
        ordering = [models.F("published_at").desc(nulls_last=True), "-created_at", "-pk"]

    # What editing does not compare (core/editing.py): bookkeeping and what the pipeline moves on its own.
    VERSION_IGNORES = ("search_document", "reminder_sent_at", "stage", "owner", "review_note", "published_at")

    def version_parts(self) -> list:
        """Sectors and target regions belong to the text an editor sees."""
        return [
            sorted(self.sectors.values_list("code", flat=True)),
            sorted(self.target_regions.values_list("pk", flat=True)),
        ]

    def __str__(self) -> str:
        return str(self.summary)

    def get_absolute_url(self) -> str:
        return reverse("profiles:detail", args=[self.pk])

    @classmethod
    def visibility_q(cls, viewer: Viewer) -> Q:
        # A published profile past its date is hidden even before the nightly task marks it expired.
        live = Q(status=cls.Status.PUBLISHED, valid_until__gte=timezone.localdate())
        public = live & Q(visibility=cls.Visibility.PUBLIC)
        if viewer.is_agency_staff:
            shared = live & Q(visibility__in=[cls.Visibility.PUBLIC, cls.Visibility.PARTNERS])
            return cls.staff_q(viewer) | shared
        if viewer.organisation_id is not None:
            return Q(organisation_id=viewer.organisation_id) | public
        return public

    # editable_q is PipelineItem's: only staff of the agency family manage a profile in the pipeline and
    # review it. Members of the organisation edit the content (content_editable_q) and submit it.

    @classmethod
    def content_editable_q(cls, viewer: Viewer) -> Q:
        """Staff of the agency family always; members of the organisation unless it is in review/withdrawn."""
        if viewer.is_agency_staff:
            return cls.editable_q(viewer)
        if viewer.organisation_id is not None:
            return Q(organisation_id=viewer.organisation_id, status__in=cls.MEMBER_EDITABLE_STATUSES)
        return NOTHING

    @classmethod
    def submitter_q(cls, viewer: Viewer) -> Q:
        """Who acts for the organisation: its members, and staff of the agency that maintains it."""
        if viewer.is_agency_staff:
            return cls.editable_q(viewer)
        if viewer.organisation_id is not None:
            return Q(organisation_id=viewer.organisation_id)
        return NOTHING

    @property
    def introduction_email(self) -> str:
        """Where introductions are requested: the agency's public address (a unit falls back to its parent)."""
        agency = self.agency
        while agency is not None:
            if agency.email:
                return agency.email
            agency = agency.parent
        return ""

    @property
    def is_past_validity(self) -> bool:
        """True once the validity date has passed, whether or not the nightly task has expired it yet."""
        return self.valid_until < timezone.localdate()

    def partnership_kind_labels(self) -> list[str]:
        return self._meta.get_field("partnership_kinds").labels(self.partnership_kinds)
