from django import forms
from django.utils.translation import gettext_lazy as _
from i18nfield.forms import I18nModelForm

from partnerhub.accounts.permissions import is_platform_operator, writable
from partnerhub.core.editing import VersionedFormMixin
from partnerhub.profiles.forms import nace_class_choices
from partnerhub.regions.models import Region

RESERVED_SLUGS = {"new"}  # the address of the add page


class RegionForm(VersionedFormMixin, I18nModelForm):
    """A region's names, place in the hierarchy, figures and location strengths."""

    strength_sectors = forms.MultipleChoiceField(
        label=_("Strong sectors (NACE Rev. 2)"),
        required=False,
        help_text=_("Hold Ctrl (⌘ on a Mac) to select several."),
        widget=forms.SelectMultiple(attrs={"size": 10}),
    )

    class Meta:
        model = Region
        fields = [
            "slug",
            "name",
            "native_name",
            "native_name_latin",
            "kind",
            "parent",
            "country",
            "area_km2",
            "population",
            "population_year",
            "latitude",
            "longitude",
            "description",
            "strengths",
        ]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        region = self.instance
        # A region hangs on one its editor keeps (or stays where it is); operators may also create countries.
        parents = writable(Region, user)
        if region.parent_id is not None:
            parents = parents | Region.objects.filter(pk=region.parent_id)
        if region.pk is not None:
            parents = parents.exclude(pk__in={region.pk, *region.descendant_ids()})
        field = self.fields["parent"]
        field.queryset = parents.distinct().order_by("country", "slug")
        field.required = not is_platform_operator(user)
        if not is_platform_operator(user) and region.pk is not None and region.parent_id is None:
            field.required = False
            field.disabled = True  # a top-level region stays one unless an operator moves it
        if region.pk is not None:
            self.fields["slug"].disabled = True  # addresses of the region's page stay valid
        for name in ("description", "strengths"):
            for textarea in self.fields[name].widget.widgets:
                textarea.attrs["rows"] = 4
        self.fields["strength_sectors"].choices = nace_class_choices()
        if region.pk is not None:
            self.initial["strength_sectors"] = list(region.strength_sectors.values_list("code", flat=True))

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if slug in RESERVED_SLUGS:
            raise forms.ValidationError(_("This short name is reserved for a page; please choose another."))
        return slug
