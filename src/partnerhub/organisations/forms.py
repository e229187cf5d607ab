from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from i18nfield.forms import I18nModelForm

from partnerhub.core.editing import VersionedFormMixin
from partnerhub.organisations.models import NaceActivity, Organisation, Person
from partnerhub.regions.models import Region


class DirectoryFilterForm(forms.Form):
    """The directory's search and filters; invalid values are reported, never silently dropped."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    sector = forms.ChoiceField(label=_("Sector"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("all kinds")), *Organisation.Kind.choices]
    )
    region = forms.ChoiceField(label=_("Region"), required=False)
    size = forms.ChoiceField(
        label=_("Size"),
        required=False,
        choices=[("", _("all sizes")), *Organisation.SizeClassChoices.choices],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        sectors = NaceActivity.objects.filter(level__lte=2).order_by("section", "code")
        self.fields["sector"].choices = [("", _("all sectors"))] + [
            (s.code, f"{s.code} – {s.name}" if s.level == 2 else f"{s.code} · {s.name}") for s in sectors
        ]
        regions = Region.objects.filter(organisations__isnull=False).distinct()
        self.fields["region"].choices = [("", _("all regions"))] + sorted(
            ((r.slug, str(r)) for r in regions), key=lambda choice: choice[1]
        )


# --- the staff workspace: organisations, contact persons, merging duplicates -------------------------


# Words of the directory's own pages (organisations/urls.py), which an organisation's address must not hide.
RESERVED_SLUGS = {"new", "duplicates", "people"}


def _agency_label(agency) -> str:
    return str(agency.name) or agency.slug


class OrganisationForm(VersionedFormMixin, I18nModelForm):
    """An organisation's record as staff edit it; the transliteration and size class are derived by the
    service (a transliteration corrected by hand is kept)."""

    sectors = forms.MultipleChoiceField(
        label=_("Sectors (NACE Rev. 2)"),
        required=False,
        help_text=_("Choose one or more classes; hold Ctrl (⌘ on a Mac) to select several."),
        widget=forms.SelectMultiple(attrs={"size": 10}),
    )
    shared_with = forms.TypedMultipleChoiceField(
        label=_("Shared with"),
        required=False,
        coerce=int,
        help_text=_("Partner agencies that see this organisation and the contacts who agreed to it."),
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Organisation
        fields = [
            "name",
            "name_latin",
            "name_translations",
            "slug",
            "kind",
            "owner_agency",
            "region",
            "street",
            "postal_code",
            "city",
            "country",
            "website",
            "description",
            "keywords",
            "technologies",
            "founded",
            "headcount",
            "turnover_eur",
            "balance_sheet_eur",
            "size_class_override",
            "is_public",
        ]

    def __init__(self, *args, user, **kwargs):
        from partnerhub.accounts.permissions import writable
        from partnerhub.agencies.models import Agency
        from partnerhub.profiles.forms import nace_class_choices, region_choices

        super().__init__(*args, **kwargs)
        agencies = writable(Agency, user)
        owner = self.fields["owner_agency"]
        if self.instance.pk is not None:
            agencies = agencies | Agency.objects.filter(pk=self.instance.owner_agency_id)
        owner.queryset = agencies.distinct().order_by("slug")
        owner.label_from_instance = _agency_label
        may_share = writable(Agency, user).exists()
        if self.instance.pk is None:  # a new organisation is the user's own agency's, if they may write it
            own = getattr(user, "agency_id", None)
            if own is not None and owner.queryset.filter(pk=own).exists():
                self.initial["owner_agency"] = own
            elif len(owner.queryset[:2]) == 1:
                self.initial["owner_agency"] = owner.queryset[0].pk
        if not may_share:  # a member editing their own organisation keeps its agency and sharing
            owner.disabled = True
        self.fields["region"].choices = [("", "---------"), *region_choices()]
        self.fields["sectors"].choices = nace_class_choices()
        others = Agency.objects.exclude(pk=self.instance.owner_agency_id).order_by("slug")
        self.fields["shared_with"].choices = [(a.pk, _agency_label(a)) for a in others]
        self.fields["shared_with"].disabled = not may_share
        for textarea in self.fields["description"].widget.widgets:
            textarea.attrs["rows"] = 4
        if self.instance.pk is not None:
            self.initial["sectors"] = list(self.instance.sectors.values_list("code", flat=True))
            self.initial["shared_with"] = list(self.instance.shared_with.values_list("pk", flat=True))
        self.fields["slug"].required = False
        self.fields["slug"].help_text = _("Part of the page address; made from the name when left empty.")

    def clean_slug(self):
        from django.utils.text import slugify

        from partnerhub.engines.transliteration import transliterate

        slug = self.cleaned_data.get("slug") or slugify(transliterate(self.cleaned_data.get("name") or ""))
        if not slug:
            raise forms.ValidationError(_("Please give a short name of Latin letters, digits and hyphens."))
        if slug in RESERVED_SLUGS:
            raise forms.ValidationError(_("This short name is reserved for a page of the directory."))
        taken = Organisation.objects.filter(slug=slug).exclude(pk=self.instance.pk)
        if taken.exists():
            if self.data.get(self.add_prefix("slug")):
                raise forms.ValidationError(_("Another organisation already has this short name."))
            base, n = slug[:70], 2
            while Organisation.objects.filter(slug=f"{base}-{n}").exclude(pk=self.instance.pk).exists():
                n += 1
            slug = f"{base}-{n}"
        return slug

    def clean_founded(self):
        founded = self.cleaned_data.get("founded")
        if founded is not None and not 1000 <= founded <= timezone.localdate().year:
            raise forms.ValidationError(_("Please give the year the organisation was founded, e.g. 1998."))
        return founded


class PersonForm(VersionedFormMixin, I18nModelForm):
    """A contact person of an organisation, with their consent to be contacted."""

    class Meta:
        model = Person
        fields = [
            "family_name",
            "given_name",
            "name_latin",
            "title",
            "role",
            "email",
            "phone",
            "languages",
            "consent",
        ]
        widgets = {"consent": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consent"].help_text = _(
            "Record an agreement only when the person agreed to the current privacy notice. Partner agencies "
            "see and exports contain only contacts who agreed."
        )


class MergeForm(VersionedFormMixin, forms.Form):
    """Per field, which of the two records' values the merged record keeps; both records' versions."""

    drop_version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, keep, drop, fields, **kwargs):
        from partnerhub.core.editing import version_of

        super().__init__(*args, **kwargs)
        self.keep, self.drop, self.rows = keep, drop, []
        if not self.is_bound:
            self.initial["version"] = version_of(keep)
            self.initial["drop_version"] = version_of(drop)
        for name in fields:
            field = keep._meta.get_field(name)
            mine, theirs = _shown(keep, field), _shown(drop, field)
            if mine == theirs:
                continue
            self.fields[name] = forms.ChoiceField(
                label=field.verbose_name,
                choices=[("keep", mine or "–"), ("drop", theirs or "–")],
                initial="keep" if mine or not theirs else "drop",  # a blank is filled from the duplicate
                required=False,  # not sent (a field that differs only since the page opened): keep's value
                widget=forms.RadioSelect,
            )
            self.rows.append(self[name])

    @property
    def choices(self) -> dict[str, str]:
        return {
            name: value for name, value in self.cleaned_data.items() if name in {r.name for r in self.rows}
        }

    @property
    def versions(self) -> tuple[str | None, str | None]:
        if not self.is_bound:
            return None, None
        return self.seen_version, self.data.get(self.add_prefix("drop_version"), "")


def _shown(obj, field) -> str:
    """A field's value as the merge page shows it (every language of a multilingual text)."""
    from partnerhub.core.editing import _display

    value = getattr(obj, field.name)
    if field.choices and not field.many_to_one:
        value = getattr(obj, f"get_{field.name}_display")()
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return _display(value)
