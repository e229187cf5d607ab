"""Partnerships between an agency's home region and a partner region, and the agreements behind them."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from i18nfield.fields import I18nCharField, I18nTextField

from partnerhub.accounts.visibility import NOTHING, Viewer, VisibleQuerySet, shared_with_q
from partnerhub.core.fields import ChoiceListField
from partnerhub.engines.transliteration import transliterate_full_name


class Area(models.TextChoices):
    BUSINESS = "business", _("business")
    SCIENCE = "science", _("science")
    RESEARCH = "research", _("research")
    TECHNOLOGY = "technology", _("technology exchange")
    CULTURE = "culture", _("culture")
    EDUCATION = "education", _("education")
    TOURISM = "tourism", _("tourism")


class PartnershipQuerySet(VisibleQuerySet):
    def involving(self, region):
        """Partnerships in which the region takes part, as home or as partner region."""
        return self.filter(Q(home_region=region) | Q(partner_region=region))


class Partnership(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", _("proposed")
        ACTIVE = "active", _("active")
        DORMANT = "dormant", _("dormant")
        ENDED = "ended", _("ended")

    slug = models.SlugField(_("short name"), unique=True)
    title = I18nCharField(_("title"), max_length=300)
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("agency"), on_delete=models.PROTECT, related_name="partnerships"
    )
    home_region = models.ForeignKey(
        "regions.Region", verbose_name=_("home region"), on_delete=models.PROTECT, related_name="+"
    )
    partner_region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("partner region"),
        on_delete=models.PROTECT,
        related_name="partnerships_as_partner",
    )
    areas = ChoiceListField(_("fields of cooperation"), choices_enum=Area)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PROPOSED)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_partnerships",
    )
    contact = models.ForeignKey(
        "organisations.Person",
        verbose_name=_("contact person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    since = models.DateField(_("since"), null=True, blank=True)
    description = I18nTextField(_("description"), blank=True)
    is_public = models.BooleanField(_("public"), default=False)
    shared_with = models.ManyToManyField(
        "agencies.Agency", verbose_name=_("shared with"), blank=True, related_name="shared_partnerships"
    )

    objects = PartnershipQuerySet.as_manager()
    editable_through = "agency"  # a new partnership is created for an agency the actor works for
    editable_also = ("home_region",)  # running a partnership from a region makes one keep it (Region)

    class Meta:
        verbose_name = _("partnership")
        verbose_name_plural = _("partnerships")
        ordering = ["slug"]

    def __str__(self) -> str:
        return str(self.title)

    def get_absolute_url(self) -> str:
        return reverse("partnerships:detail", args=[self.slug])

    def version_parts(self) -> list:
        """Sharing belongs to what an editor sees on the form (core/editing.py)."""
        return sorted(self.shared_with.values_list("pk", flat=True))

    def clean(self):
        if self.home_region_id and self.home_region_id == self.partner_region_id:
            raise ValidationError(
                {"partner_region": _("The partner region must differ from the home region.")}
            )

    @classmethod
    def visibility_q(cls, viewer: Viewer) -> Q:
        public = Q(is_public=True)
        if viewer.is_agency_staff:
            return public | Q(agency_id__in=viewer.agency_family) | shared_with_q(cls, viewer)
        return public

    @classmethod
    def editable_q(cls, viewer: Viewer) -> Q:
        return Q(agency_id__in=viewer.agency_family) if viewer.is_agency_staff else NOTHING

    def area_labels(self) -> list[str]:
        return self._meta.get_field("areas").labels(self.areas)


class AgreementQuerySet(VisibleQuerySet):
    def in_force(self, on=None):
        """Agreements signed or active and valid on the given day (today by default)."""
        day = on or timezone.localdate()
        return self.filter(
            Q(status__in=[Agreement.Status.SIGNED, Agreement.Status.ACTIVE]),
            Q(valid_from__isnull=True) | Q(valid_from__lte=day),
            Q(valid_until__isnull=True) | Q(valid_until__gte=day),
        )


class Agreement(models.Model):
    class Kind(models.TextChoices):
        MOU = "mou", _("memorandum of understanding")
        FRAMEWORK = "framework", _("framework agreement")
        LOI = "loi", _("letter of intent")
        CONTRACT = "contract", _("contract")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SIGNED = "signed", _("signed")
        ACTIVE = "active", _("active")
        EXPIRED = "expired", _("expired")
        TERMINATED = "terminated", _("terminated")

    partnership = models.ForeignKey(
        Partnership, verbose_name=_("partnership"), on_delete=models.CASCADE, related_name="agreements"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = I18nCharField(_("title"), max_length=300)
    signed_on = models.DateField(_("date of signing"), null=True, blank=True)
    signed_at_place = I18nCharField(_("place of signing"), max_length=200, blank=True)
    goals = I18nTextField(_("goals"), blank=True)
    areas = ChoiceListField(_("fields of cooperation"), choices_enum=Area)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    is_public = models.BooleanField(_("public"), default=False)
    shared_with = models.ManyToManyField(
        "agencies.Agency", verbose_name=_("shared with"), blank=True, related_name="shared_agreements"
    )

    objects = AgreementQuerySet.as_manager()
    editable_through = "partnership"

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["-signed_on", "pk"]

    def __str__(self) -> str:
        return str(self.title)

    def get_absolute_url(self) -> str:
        return reverse("partnerships:agreement", args=[self.pk])

    def clean(self):
        errors = {}
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            errors["valid_until"] = _("The end of validity cannot be before its start.")
        if self.status in (self.Status.SIGNED, self.Status.ACTIVE) and not self.signed_on:
            errors["signed_on"] = _("A signed agreement needs its date of signing.")
        if errors:
            raise ValidationError(errors)

    @classmethod
    def visibility_q(cls, viewer: Viewer) -> Q:
        public = Q(is_public=True, partnership__is_public=True)
        if viewer.is_agency_staff:
            return public | Q(partnership__agency_id__in=viewer.agency_family) | shared_with_q(cls, viewer)
        return public

    @classmethod
    def editable_q(cls, viewer: Viewer) -> Q:
        return Q(partnership__agency_id__in=viewer.agency_family) if viewer.is_agency_staff else NOTHING

    @property
    def is_expired(self) -> bool:
        """Past its validity: shown as expired even before anyone changes the stored status."""
        return bool(self.valid_until and self.valid_until < timezone.localdate())

    @property
    def effective_status(self) -> str:
        if self.status in (self.Status.SIGNED, self.Status.ACTIVE) and self.is_expired:
            return self.Status.EXPIRED
        return self.status

    def get_effective_status_display(self) -> str:
        return self.Status(self.effective_status).label

    def area_labels(self) -> list[str]:
        return self._meta.get_field("areas").labels(self.areas)

    def version_parts(self) -> list:
        """Parties and signatories are part of the agreement's text (core/editing.py)."""
        parties = list(
            self.parties.order_by("pk").values_list("pk", "name", "region_id", "agency_id", "position")
        )
        signatories = list(
            self.signatories.order_by("pk").values_list(
                "pk", "party_id", "name", "name_latin", "title", "position"
            )
        )
        return [parties, signatories, sorted(self.shared_with.values_list("pk", flat=True))]


class AgreementParty(models.Model):
    """One party to an agreement: a government, an agency, a university…"""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="parties")
    name = I18nCharField(_("name"), max_length=300)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), null=True, blank=True, on_delete=models.PROTECT
    )
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("agency"), null=True, blank=True, on_delete=models.PROTECT
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return str(self.name)


class Signatory(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="signatories")
    party = models.ForeignKey(
        AgreementParty, verbose_name=_("on behalf of"), on_delete=models.CASCADE, related_name="signatories"
    )
    name = models.CharField(_("name"), max_length=200, help_text=_("In the person's own script."))
    name_latin = models.CharField(_("Latin transliteration"), max_length=200, blank=True)
    title = I18nCharField(_("title / office"), max_length=200)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("signatory")
        verbose_name_plural = _("signatories")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if not self.name_latin:
            self.name_latin = transliterate_full_name(self.name)
        super().save(*args, **kwargs)

    def clean(self):
        if self.party_id and self.agreement_id and self.party.agreement_id != self.agreement_id:
            raise ValidationError({"party": _("The party must belong to the same agreement.")})


def agreement_document_path(instance, filename: str) -> str:
    agreement_id = (
        instance.agreement_id if hasattr(instance, "agreement_id") else instance.document.agreement_id
    )
    return f"agreements/{agreement_id}/{filename}"


class DocumentVisibility(models.TextChoices):
    """Who may open a document: never more than may see its agreement (see AgreementDocument.visibility_q)."""

    AGENCY = "agency", _("our agency only")
    SHARED = "shared", _("also the partner agencies the agreement is shared with")
    PUBLIC = "public", _("everyone who may see the agreement")


class AgreementDocumentQuerySet(VisibleQuerySet):
    pass


def _document_q(viewer: Viewer, prefix: str = "") -> Q:
    """Documents the viewer may open: the document's own visibility, capped by its agreement's."""
    a = f"{prefix}agreement__"
    level = f"{prefix}visibility"
    public = Q(
        **{level: DocumentVisibility.PUBLIC, f"{a}is_public": True, f"{a}partnership__is_public": True}
    )
    if not viewer.is_agency_staff:
        return public
    own = Q(**{f"{a}partnership__agency_id__in": viewer.agency_family})
    shared = shared_with_q(Agreement, viewer, prefix=a) & Q(
        **{f"{level}__in": [DocumentVisibility.SHARED, DocumentVisibility.PUBLIC]}
    )
    return public | own | shared


class AgreementDocument(models.Model):
    """A document of an agreement; ``file`` is its current version, older ones are ``older_versions``."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="documents")
    title = I18nCharField(_("title"), max_length=200)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, blank=True)
    visibility = models.CharField(
        _("who may see it"),
        max_length=10,
        choices=DocumentVisibility.choices,
        default=DocumentVisibility.AGENCY,
        help_text=_("Never more than may see the agreement itself."),
    )
    file = models.FileField(_("file"), upload_to=agreement_document_path)
    number = models.PositiveSmallIntegerField(_("version"), default=1, editable=False)
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = AgreementDocumentQuerySet.as_manager()
    editable_through = "agreement"
    # Uploading a new version is its own action; the settings form guards only title, language, visibility.
    VERSION_IGNORES = ("file", "number", "uploaded_at", "uploaded_by")

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["pk"]

    def __str__(self) -> str:
        return str(self.title)

    def get_absolute_url(self) -> str:
        return reverse("partnerships:document", args=[self.pk])

    @property
    def filename(self) -> str:
        return self.file.name.rsplit("/", 1)[-1]

    @property
    def effective_visibility(self) -> str:
        """Who really reads it: the chosen audience, narrowed to the agreement's (what visibility_q applies)."""
        agreement = self.agreement
        level = self.visibility
        if level == DocumentVisibility.PUBLIC and not (
            agreement.is_public and agreement.partnership.is_public
        ):
            level = DocumentVisibility.SHARED
        if level == DocumentVisibility.SHARED and not agreement.shared_with.exists():
            level = DocumentVisibility.AGENCY
        return level

    def get_effective_visibility_display(self) -> str:
        return DocumentVisibility(self.effective_visibility).label

    @classmethod
    def visibility_q(cls, viewer: Viewer) -> Q:
        return _document_q(viewer)

    @classmethod
    def editable_q(cls, viewer: Viewer) -> Q:
        if not viewer.is_agency_staff:
            return NOTHING
        return Q(agreement__partnership__agency_id__in=viewer.agency_family)


class DocumentVersionQuerySet(VisibleQuerySet):
    pass


class DocumentVersion(models.Model):
    """A superseded version of a document, kept when a newer one was uploaded."""

    document = models.ForeignKey(
        AgreementDocument, verbose_name=_("document"), on_delete=models.CASCADE, related_name="older_versions"
    )
    number = models.PositiveSmallIntegerField(_("version"))
    file = models.FileField(_("file"), upload_to=agreement_document_path)
    uploaded_at = models.DateTimeField(_("uploaded"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = DocumentVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="one_row_per_document_version")
        ]

    def __str__(self) -> str:
        return f"{self.document} ({self.number})"

    def get_absolute_url(self) -> str:
        return reverse("partnerships:agreement_document_version", args=[self.pk])

    @property
    def filename(self) -> str:
        return self.file.name.rsplit("/", 1)[-1]

    @classmethod
    def visibility_q(cls, viewer: Viewer) -> Q:
        """An older version is seen by whoever may see its document."""
        return _document_q(viewer, prefix="document__")
