"""Organisations (companies, institutes, public bodies…), their contact persons and NACE sectors."""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from i18nfield.fields import I18nCharField, I18nTextField

from partnerhub.accounts.visibility import NOTHING, Viewer, VisibleQuerySet, shared_with_q
from partnerhub.core.fields import TagListField
from partnerhub.engines.scripts import has_han
from partnerhub.engines.smesize import SizeClass
from partnerhub.engines.transliteration import format_person_name


class NaceActivity(models.Model):
    """One entry of the NACE Rev. 2 classification (section, division, group or class)."""

    class Level(models.IntegerChoices):
        SECTION = 1, _("section")
        DIVISION = 2, _("division")
        GROUP = 3, _("group")
        CLASS = 4, _("class")

    code = models.CharField(_("code"), max_length=5, primary_key=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    section = models.CharField(_("section"), max_length=1, db_index=True)
    name_en = models.CharField(max_length=300)
    name_de = models.CharField(max_length=300)
    name_zh = models.CharField(max_length=300)

    class Meta:
        verbose_name = _("NACE activity")
        verbose_name_plural = _("NACE activities")
        ordering = ["section", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def name(self) -> str:
        """The label in the reader's language."""
        language = translation.get_language() or "en"
        if language.startswith("de"):
            return self.name_de
        if language.startswith("zh"):
            return self.name_zh
        return self.name_en


class OrganisationQuerySet(VisibleQuerySet):
    pass


class Organisation(models.Model):
    class Kind(models.TextChoices):
        STARTUP = "startup", _("start-up")
        SME = "sme", _("SME")
        LARGE_COMPANY = "large_company", _("large company")
        RESEARCH_INSTITUTE = "research_institute", _("research institute")
        UNIVERSITY = "university", _("university")
        PUBLIC_BODY = "public_body", _("public body")
        CHAMBER = "chamber", _("chamber")
        ASSOCIATION = "association", _("association")

    class SizeClassChoices(models.TextChoices):
        """The EU SME size classes; values are those of :class:`partnerhub.engines.smesize.SizeClass`."""

        MICRO = SizeClass.MICRO.value, _("micro enterprise")
        SMALL = SizeClass.SMALL.value, _("small enterprise")
        MEDIUM = SizeClass.MEDIUM.value, _("medium-sized enterprise")
        LARGE = SizeClass.LARGE.value, _("large enterprise")

    slug = models.SlugField(_("short name"), unique=True, max_length=80)
    name = models.CharField(_("name"), max_length=300, help_text=_("In the organisation's own script."))
    name_latin = models.CharField(
        _("Latin transliteration"),
        max_length=300,
        blank=True,
        help_text=_("Generated as pinyin for Chinese names; you may correct it."),
    )
    name_translations = I18nCharField(
        _("name in other languages"),
        max_length=300,
        blank=True,
        help_text=_("E.g. the English company name."),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="organisations"
    )
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = CountryField(_("country"))
    website = models.URLField(_("website"), blank=True)
    description = I18nTextField(_("description"), blank=True)
    sectors = models.ManyToManyField(
        NaceActivity, verbose_name=_("sectors (NACE Rev. 2)"), blank=True, related_name="organisations"
    )
    founded = models.PositiveSmallIntegerField(_("founded"), null=True, blank=True)
    headcount = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    turnover_eur = models.PositiveBigIntegerField(_("annual turnover (EUR)"), null=True, blank=True)
    balance_sheet_eur = models.PositiveBigIntegerField(_("balance-sheet total (EUR)"), null=True, blank=True)
    size_class_computed = models.CharField(
        _("size class (computed)"),
        max_length=10,
        choices=SizeClassChoices.choices,
        blank=True,
        editable=False,
    )
    size_class_override = models.CharField(
        _("size class (override)"),
        max_length=10,
        choices=SizeClassChoices.choices,
        blank=True,
        help_text=_("Set only when the computed EU size class is wrong, e.g. for a company within a group."),
    )
    keywords = TagListField(_("keywords"))
    technologies = TagListField(_("technologies"))
    owner_agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("maintained by"),
        on_delete=models.PROTECT,
        related_name="organisations",
    )
    is_public = models.BooleanField(
        _("listed publicly"),
        default=False,
        help_text=_("Shown in the public directory (never its contacts)."),
    )
    shared_with = models.ManyToManyField(
        "agencies.Agency", verbose_name=_("shared with"), blank=True, related_name="shared_organisations"
    )
    search_document = models.TextField(editable=False, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = OrganisationQuerySet.as_manager()
    editable_through = "owner_agency"  # a new organisation is maintained by an agency the actor works for
    # Derived from the name and figures on every save; an editor never types them.
    VERSION_IGNORES = ("search_document", "size_class_computed")

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name_latin", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("organisations:detail", args=[self.slug])

    def version_parts(self) -> list:
        """Sectors and sharing are edited on the organisation's form, so they belong to its version."""
        return [
            sorted(self.sectors.values_list("code", flat=True)),
            sorted(self.shared_with.values_list("pk", flat=True)),
        ]

    @classmethod
    def visibility_q(cls, viewer: Viewer) -> Q:
        public = Q(is_public=True)
        if viewer.is_agency_staff:
            return public | Q(owner_agency_id__in=viewer.agency_family) | shared_with_q(cls, viewer)
        if viewer.organisation_id is not None:
            return public | Q(pk=viewer.organisation_id)
        return public

    @classmethod
    def editable_q(cls, viewer: Viewer) -> Q:
        if viewer.is_agency_staff:
            return Q(owner_agency_id__in=viewer.agency_family)
        if viewer.organisation_id is not None:
            return Q(pk=viewer.organisation_id)
        return NOTHING

    @property
    def size_class(self) -> str:
        """The override when staff set one, otherwise the class computed from the EU SME thresholds."""
        return self.size_class_override or self.size_class_computed

    def get_size_class_display(self) -> str:
        return dict(self.SizeClassChoices.choices).get(self.size_class, "")

    @property
    def display_name(self) -> str:
        """The name a reader of the active language recognises: a translation if there is one."""
        language = translation.get_language() or "en"
        data = self.name_translations.data if self.name_translations else None
        if not isinstance(data, dict):
            return self.name
        if data.get(language):
            return data[language]
        # A reader who does not read the name's script is better served by the English name.
        if has_han(self.name) and not language.startswith("zh") and data.get("en"):
            return data["en"]
        return self.name

    @property
    def secondary_name(self) -> str:
        """The Latin transliteration, shown beside a name in Chinese characters for other readers."""
        if self.display_name != self.name:
            return self.name
        if has_han(self.name) and not (translation.get_language() or "").startswith("zh"):
            return self.name_latin
        return ""


def compose_person_name(family_name: str, given_name: str) -> str:
    """A personal name for display, in the order of the name's own culture (see ``Person.full_name``)."""
    return format_person_name(family_name, given_name)


class PersonQuerySet(VisibleQuerySet):
    pass


class Person(models.Model):
    class Consent(models.TextChoices):
        UNKNOWN = "unknown", _("not asked yet")
        GRANTED = "granted", _("agreed to be contacted")
        WITHDRAWN = "withdrawn", _("withdrew consent")

    family_name = models.CharField(_("family name"), max_length=100)
    given_name = models.CharField(_("given name"), max_length=100, blank=True)
    name_latin = models.CharField(
        _("Latin transliteration"),
        max_length=200,
        blank=True,
        help_text=_("Generated as pinyin (family name first) for Chinese names; you may correct it."),
    )
    title = models.CharField(_("academic title"), max_length=50, blank=True)
    role = I18nCharField(_("position"), max_length=200, blank=True)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="people"
    )
    languages = TagListField(_("languages spoken"), help_text=_("Language codes, e.g. de, en, zh."))
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    consent = models.CharField(
        _("consent to be contacted"), max_length=20, choices=Consent.choices, default=Consent.UNKNOWN
    )
    consent_changed_at = models.DateTimeField(_("consent changed"), null=True, blank=True)
    consent_notice = models.ForeignKey(
        "privacy.PrivacyNotice",
        verbose_name=_("privacy notice of the consent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The version of the privacy notice the person agreed to."),
    )

    objects = PersonQuerySet.as_manager()
    editable_through = "organisation"

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        ordering = ["name_latin", "family_name"]

    def __str__(self) -> str:
        return self.full_name

    @classmethod
    def visibility_q(cls, viewer: Viewer) -> Q:
        if viewer.is_agency_staff:
            own = Q(organisation__owner_agency_id__in=viewer.agency_family)
            # Partner agencies see contacts of shared organisations only where the person agreed to it.
            shared = shared_with_q(Organisation, viewer, prefix="organisation__") & Q(
                consent=cls.Consent.GRANTED
            )
            return own | shared
        if viewer.organisation_id is not None:
            return Q(organisation_id=viewer.organisation_id)
        return NOTHING

    @classmethod
    def editable_q(cls, viewer: Viewer) -> Q:
        if viewer.is_agency_staff:
            return Q(organisation__owner_agency_id__in=viewer.agency_family)
        if viewer.organisation_id is not None:
            return Q(organisation_id=viewer.organisation_id)
        return NOTHING

    @property
    def full_name(self) -> str:
        """The name in the person's own script and order: Chinese family name first without a space (陈静,
        never 静 陈, pretix#4727), also when a part carries stray spaces or only one part is in Han
        characters; other names given name first ("Julia Becker")."""
        return compose_person_name(self.family_name, self.given_name)

    @property
    def display_name(self) -> str:
        """Own-script name, with the transliteration for readers who may not read that script."""
        name = self.full_name
        if (
            self.name_latin
            and self.name_latin != name
            and not (translation.get_language() or "").startswith("zh")
        ):
            return f"{name} ({self.name_latin})"
        return name

    @property
    def may_be_contacted(self) -> bool:
        return self.consent == self.Consent.GRANTED
