"""Agencies: business-development agencies at home and partner authorities abroad."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from i18nfield.fields import I18nCharField, I18nTextField

from partnerhub.accounts.visibility import NOTHING, Viewer, VisibleQuerySet


class Agency(models.Model):
    """An agency that runs or takes part in a cooperation programme.

    A unit such as a China competence centre is an agency whose ``parent`` is the agency it belongs to;
    staff of any agency in the same family share access to the family's records.
    """

    class Kind(models.TextChoices):
        DEVELOPMENT_AGENCY = "development_agency", _("business-development agency")
        COMPETENCE_CENTRE = "competence_centre", _("competence centre")
        GOVERNMENT_BUREAU = "government_bureau", _("government bureau")
        CHAMBER = "chamber", _("chamber")
        OTHER = "other", _("other")

    slug = models.SlugField(_("short name"), unique=True)
    name = I18nCharField(_("name"), max_length=300)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices, default=Kind.DEVELOPMENT_AGENCY)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="units",
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), null=True, blank=True, on_delete=models.PROTECT
    )
    organisation = models.OneToOneField(
        "organisations.Organisation",
        verbose_name=_("organisation record"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="agency",
        help_text=_("The organisation entry that holds the agency's address and contact persons."),
    )
    contact = models.ForeignKey(
        "organisations.Person",
        verbose_name=_("contact person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    description = I18nTextField(_("description"), blank=True)
    website = models.URLField(_("website"), blank=True)
    email = models.EmailField(_("public e-mail address"), blank=True)
    language = models.CharField(
        _("working language"),
        max_length=10,
        choices=settings.LANGUAGES,
        default="en",
        help_text=_("The language of e-mails sent to the agency's address."),
    )

    objects = VisibleQuerySet.as_manager()
    # A new unit is created inside an agency family the actor works for; a new top-level agency (a new
    # partner authority) by the platform's operators only.
    editable_through = "parent"
    editable_also = ("region",)  # the seat makes the agency keep the region's figures (Region.editable_q)

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["slug"]

    def __str__(self) -> str:
        return str(self.name)

    def get_absolute_url(self) -> str:
        return reverse("agencies:detail", args=[self.slug])

    @classmethod
    def visibility_q(cls, viewer: Viewer) -> Q:
        """Agencies are named on public pages (who runs a partnership): everyone may see them."""
        return Q()

    @classmethod
    def editable_q(cls, viewer: Viewer) -> Q:
        """An agency's own record is kept by the staff of its family."""
        return Q(pk__in=viewer.agency_family) if viewer.is_agency_staff else NOTHING

    @property
    def root(self) -> "Agency":
        agency = self
        while agency.parent_id is not None:
            agency = agency.parent
        return agency

    def family_ids(self) -> set[int]:
        """This agency, the agency it belongs to, and all units of that agency (two levels are the norm)."""
        root = self.root
        ids = {root.pk}
        frontier = [root.pk]
        while frontier:
            children = list(Agency.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
            frontier = [c for c in children if c not in ids]
            ids.update(frontier)
        return ids
