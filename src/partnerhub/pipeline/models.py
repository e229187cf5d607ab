"""The pipeline every project idea and cooperation profile runs through: stages, owner, comments."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from i18nfield.fields import I18nCharField

from partnerhub.accounts.visibility import NOTHING, Viewer, VisibleQuerySet


class Stage(models.Model):
    """One column of an agency's board. Agencies rename, reorder and add stages; keys stay stable.

    Stages belong to one agency (there are no platform-wide stages): its family's staff manage them.
    """

    class Outcome(models.TextChoices):
        OPEN = "open", _("open")
        WON = "won", _("successful")
        LOST = "lost", _("not pursued")

    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="stages")
    key = models.SlugField(_("key"))
    name = I18nCharField(_("name"), max_length=100)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.OPEN)

    objects = VisibleQuerySet.as_manager()
    editable_through = "agency"

    class Meta:
        verbose_name = _("pipeline stage")
        verbose_name_plural = _("pipeline stages")
        ordering = ["agency", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["agency", "key"], name="unique_stage_key_per_agency")]

    def __str__(self) -> str:
        return str(self.name)

    @classmethod
    def visibility_q(cls, viewer: Viewer) -> Q:
        return cls.editable_q(viewer)

    @classmethod
    def editable_q(cls, viewer: Viewer) -> Q:
        return Q(agency_id__in=viewer.agency_family) if viewer.is_agency_staff else NOTHING


class PipelineItem(models.Model):
    """What ideas and profiles share: the agency that runs them, stage, owner, due date, sharing, links."""

    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("agency"), on_delete=models.PROTECT, related_name="%(class)s_items"
    )
    stage = models.ForeignKey(
        Stage,
        verbose_name=_("stage"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="%(class)s_items",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("project leader"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_%(class)s_items",
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    not_pursued_reason = models.TextField(_("reason for not pursuing"), blank=True)
    shared_with = models.ManyToManyField(
        "agencies.Agency", verbose_name=_("shared with"), blank=True, related_name="shared_%(class)s_items"
    )
    linked_organisations = models.ManyToManyField(
        "organisations.Organisation", verbose_name=_("organisations"), blank=True, related_name="+"
    )
    linked_partnerships = models.ManyToManyField(
        "partnerships.Partnership", verbose_name=_("partnerships"), blank=True, related_name="+"
    )
    linked_delegations = models.ManyToManyField(
        "delegations.Delegation", verbose_name=_("delegation trips"), blank=True, related_name="+"
    )
    linked_agreements = models.ManyToManyField(
        "partnerships.Agreement", verbose_name=_("agreements"), blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    editable_through = "agency"  # see accounts/permissions.py: what a new item is created under

    class Meta:
        abstract = True

    @classmethod
    def staff_q(cls, viewer: Viewer) -> Q:
        """What agency staff see of pipeline items: their family's, and what was shared with them."""
        if not viewer.is_agency_staff:
            return Q(pk__in=[])
        through = cls.shared_with.through
        source = f"{cls._meta.model_name}_id"
        shared = through.objects.filter(agency_id=viewer.agency_id).values(source)
        return Q(agency_id__in=viewer.agency_family) | Q(pk__in=shared)

    @classmethod
    def editable_q(cls, viewer: Viewer) -> Q:
        return Q(agency_id__in=viewer.agency_family) if viewer.is_agency_staff else Q(pk__in=[])

    @property
    def is_closed(self) -> bool:
        return self.stage is not None and self.stage.outcome != Stage.Outcome.OPEN


class Comment(models.Model):
    """A comment on a pipeline item: internal to the agency, or shared with the partner agencies."""

    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    target_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("target_type", "target_id")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), null=True, blank=True, on_delete=models.SET_NULL
    )
    author_agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("agency"), null=True, blank=True, on_delete=models.SET_NULL
    )
    from_submitter = models.BooleanField(_("from the submitter"), default=False)
    body = models.TextField(_("comment"), max_length=5000)
    shared = models.BooleanField(
        _("shared with partner agencies"),
        default=False,
        help_text=_("Partner agencies see shared comments only."),
    )
    created_at = models.DateTimeField(_("written"), auto_now_add=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return self.body[:60]


class CounterpartProposal(models.Model):
    """A partner agency proposes an organisation from its side as counterpart for an idea or profile."""

    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    target_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("target_type", "target_id")
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    note = models.TextField(_("note"), max_length=2000, blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    proposed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("counterpart proposal")
        verbose_name_plural = _("counterpart proposals")
        ordering = ["proposed_at"]

    def __str__(self) -> str:
        return str(self.organisation)
