"""Regions: cities, districts, prefecture-level cities, provinces and their location strengths."""

from django.apps import apps
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from i18nfield.fields import I18nCharField, I18nTextField

from partnerhub.accounts.visibility import NOTHING, Viewer, VisibleQuerySet
from partnerhub.engines.transliteration import transliterate

# Country > state > economic region > city > district: the depth below a kept region that its keeper keeps.
KEPT_DEPTH = 4


class Region(models.Model):
    """A territory with its key figures. Regions are public facts: everyone may see them.

    Who keeps a region's figures and strengths is decided in :meth:`editable_q` (decision 0016).
    """

    class Kind(models.TextChoices):
        COUNTRY = "country", _("country")
        STATE = "state", _("state / province")
        MUNICIPALITY = "municipality", _("province-level municipality")
        METROPOLITAN_REGION = "metropolitan_region", _("metropolitan region")
        PREFECTURE_CITY = "prefecture_city", _("prefecture-level city")
        DISTRICT = "district", _("district")
        CITY = "city", _("city")
        COUNTY_CITY = "county_city", _("county-level city")
        ECONOMIC_AREA = "economic_area", _("economic area")

    slug = models.SlugField(_("short name"), unique=True)
    name = I18nCharField(_("name"), max_length=200)
    native_name = models.CharField(
        _("name in its own script"), max_length=200, help_text=_("For example 扬州市 or Kaiserslautern.")
    )
    native_name_latin = models.CharField(_("Latin transliteration"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    country = CountryField(_("country"))
    area_km2 = models.DecimalField(
        _("area (km²)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    population = models.PositiveBigIntegerField(_("population"), null=True, blank=True)
    population_year = models.PositiveSmallIntegerField(
        _("population as of"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1900), MaxValueValidator(2100)],
    )
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    description = I18nTextField(_("description"), blank=True)
    strength_sectors = models.ManyToManyField(
        "organisations.NaceActivity", verbose_name=_("strong sectors"), blank=True, related_name="strong_in"
    )
    strengths = I18nTextField(_("location strengths"), blank=True)

    objects = VisibleQuerySet.as_manager()
    # A new region is created inside one the actor keeps; a new top-level region by operators only.
    editable_through = "parent"

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["slug"]

    def __str__(self) -> str:
        return str(self.name) or self.native_name

    def save(self, *args, **kwargs):
        if not self.native_name_latin:
            self.native_name_latin = transliterate(self.native_name)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("regions:detail", args=[self.slug])

    @classmethod
    def visibility_q(cls, viewer: Viewer) -> Q:
        return Q()

    @classmethod
    def editable_q(cls, viewer: Viewer) -> Q:
        """A region is kept by the agency family seated in it or running a partnership with it as *home*
        region, and so are the regions within it; a partner region is kept by its own authority."""
        if not viewer.is_agency_staff:
            return NOTHING
        seats = (
            apps.get_model("agencies", "Agency")
            .objects.filter(pk__in=viewer.agency_family, region__isnull=False)
            .values("region_id")
        )
        homes = (
            apps.get_model("partnerships", "Partnership")
            .objects.filter(agency_id__in=viewer.agency_family)
            .values("home_region_id")
        )
        rule = NOTHING
        for depth in range(KEPT_DEPTH + 1):
            lookup = "__".join(["parent"] * depth + ["in"]) if depth else "pk__in"
            rule |= Q(**{lookup: seats}) | Q(**{lookup: homes})
        return rule

    @property
    def secondary_name(self) -> str:
        """The name in its own script (and transliteration) when it differs from the name shown."""
        shown = str(self.name)
        parts = [n for n in dict.fromkeys([self.native_name, self.native_name_latin]) if n and n != shown]
        return " · ".join(parts)

    @property
    def density(self) -> float | None:
        """Inhabitants per km², derived so it can never disagree with the figures it comes from."""
        if self.population and self.area_km2:
            return float(self.population) / float(self.area_km2)
        return None

    def version_parts(self) -> list[str]:
        """The strong sectors belong to the text staff edit: a change to them makes an open form stale."""
        return sorted(self.strength_sectors.values_list("code", flat=True))

    def descendant_ids(self) -> set[int]:
        """The regions within this one, at any depth (a region cannot be moved into one of them)."""
        ids: set[int] = set()
        frontier = [self.pk]
        while frontier:
            frontier = [
                pk
                for pk in Region.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)
                if pk not in ids
            ]
            ids.update(frontier)
        return ids

    def ancestors(self) -> list["Region"]:
        chain = []
        region = self.parent
        while region is not None:
            chain.append(region)
            region = region.parent
        return chain
