import datetime
from itertools import groupby

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from i18nfield.forms import I18nModelForm

from partnerhub.core.editing import VersionedFormMixin
from partnerhub.organisations.models import NaceActivity, Organisation
from partnerhub.profiles.models import CooperationProfile
from partnerhub.regions.models import Region

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def nace_class_choices() -> list:
    """NACE classes (level 4), grouped by section, labelled in the reader's language."""
    activities = NaceActivity.objects.filter(level__in=[NaceActivity.Level.SECTION, NaceActivity.Level.CLASS])
    sections = {a.section: a for a in activities if a.level == NaceActivity.Level.SECTION}
    classes = sorted((a for a in activities if a.level == NaceActivity.Level.CLASS), key=lambda a: a.code)
    grouped = []
    for letter, members in groupby(
        sorted(classes, key=lambda a: (a.section, a.code)), key=lambda a: a.section
    ):
        section = sections.get(letter)
        label = f"{letter} – {section.name}" if section else letter
        grouped.append((label, [(a.code, f"{a.code} {a.name}") for a in members]))
    return grouped


def region_choices() -> list[tuple[int, str]]:
    return sorted(((r.pk, str(r)) for r in Region.objects.all()), key=lambda choice: choice[1])


class ProfileForm(VersionedFormMixin, I18nModelForm):
    """The content of a profile; status, review and pipeline are changed only through their actions."""

    sectors = forms.MultipleChoiceField(
        label=_("Sectors (NACE Rev. 2)"),
        help_text=_("Choose one or more classes; hold Ctrl (⌘ on a Mac) to select several."),
        widget=forms.SelectMultiple(attrs={"size": 10}),
    )
    target_regions = forms.TypedMultipleChoiceField(
        label=_("Target regions"),
        required=False,
        coerce=int,
        help_text=_("Where partners are sought; leave empty for anywhere."),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    class Meta:
        model = CooperationProfile
        fields = [
            "organisation",
            "profile_type",
            "summary",
            "description",
            "keywords",
            "technologies",
            "partnership_kinds",
            "valid_until",
            "visibility",
        ]
        widgets = {"valid_until": DATE_INPUT, "visibility": forms.RadioSelect}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        organisations = Organisation.objects.editable_by(user).order_by("name_latin", "name")
        field = self.fields["organisation"]
        field.queryset = organisations
        field.label_from_instance = lambda org: org.display_name
        if self.instance.pk is not None:
            # A profile stays with its organisation; a new one is written instead.
            field.disabled = True
        elif len(organisations[:2]) == 1:
            self.initial["organisation"] = organisations[0].pk
            field.disabled = True
        for textarea in self.fields["description"].widget.widgets:
            textarea.attrs["rows"] = 5
        self.fields["sectors"].choices = nace_class_choices()
        self.fields["target_regions"].choices = region_choices()
        if self.instance.pk is not None:
            self.initial["sectors"] = list(self.instance.sectors.values_list("code", flat=True))
            self.initial["target_regions"] = list(self.instance.target_regions.values_list("pk", flat=True))
        else:
            self.initial.setdefault("valid_until", timezone.localdate() + datetime.timedelta(days=365))


class ProfileFilterForm(forms.Form):
    """Search and filters of the profile list; invalid values are reported, never silently dropped."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    profile_type = forms.ChoiceField(
        label=_("Type"),
        required=False,
        choices=[("", _("all types")), *CooperationProfile.ProfileType.choices],
    )
    sector = forms.ChoiceField(label=_("Sector"), required=False)
    region = forms.ChoiceField(label=_("Region"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        sectors = NaceActivity.objects.filter(level__lte=2).order_by("section", "code")
        self.fields["sector"].choices = [("", _("all sectors"))] + [
            (s.code, f"{s.code} – {s.name}" if s.level == 2 else f"{s.code} · {s.name}") for s in sectors
        ]
        self.fields["region"].choices = [("", _("all regions"))] + sorted(
            ((r.slug, str(r)) for r in Region.objects.all()), key=lambda choice: choice[1]
        )


class RejectForm(forms.Form):
    note = forms.CharField(
        label=_("What should be changed?"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RenewForm(forms.Form):
    valid_until = forms.DateField(label=_("New validity date"), widget=DATE_INPUT)
