from django import forms
from django.utils.translation import gettext_lazy as _
from i18nfield.forms import I18nModelForm

from partnerhub.accounts.permissions import is_platform_operator, writable
from partnerhub.agencies.models import Agency
from partnerhub.core.editing import VersionedFormMixin
from partnerhub.organisations.models import Person
from partnerhub.regions.models import Region

RESERVED_SLUGS = {"new"}  # the address of the add page


class HttpsURLField(forms.URLField):
    """A website typed without a scheme means https (Django 6's default; the admin does the same)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("assume_scheme", "https")
        super().__init__(**kwargs)


class AgencyForm(VersionedFormMixin, I18nModelForm):
    """An agency or partner authority, or a unit of one (a competence centre, a bureau)."""

    class Meta:
        model = Agency
        fields = [
            "slug",
            "name",
            "kind",
            "parent",
            "region",
            "contact",
            "description",
            "website",
            "email",
            "language",
        ]
        field_classes = {"website": HttpsURLField}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        agency = self.instance
        operator = is_platform_operator(user)
        parents = writable(Agency, user)
        if agency.parent_id is not None:
            parents = parents | Agency.objects.filter(pk=agency.parent_id)
        if agency.pk is not None:
            parents = parents.exclude(pk__in={agency.pk, *_descendants(agency)})
        field = self.fields["parent"]
        field.queryset = parents.distinct().order_by("slug")
        field.required = not operator
        if agency.pk is not None and agency.parent_id is None and not operator:
            field.required = False
            field.disabled = True  # a partner authority stays one; only operators change the tree's top
        field.help_text = _(
            "A new unit belongs to an agency of your own family. A new partner authority (an agency that is "
            "part of no other) is added by the platform's operators."
        )
        # The seat makes the agency keep the region's figures: a region it keeps already (or stays there).
        seats = writable(Region, user)
        if agency.region_id is not None:
            seats = seats | Region.objects.filter(pk=agency.region_id)
        self.fields["region"].queryset = seats.distinct().order_by("country", "slug")
        self.fields["region"].label = _("Seat (region)")
        people = Person.objects.visible_to(user)
        if agency.contact_id is not None:
            people = people | Person.objects.filter(pk=agency.contact_id)
        self.fields["contact"].queryset = people.distinct().order_by("family_name", "given_name")
        self.fields["contact"].label_from_instance = lambda person: person.display_name
        if agency.pk is not None:
            self.fields["slug"].disabled = True
        for textarea in self.fields["description"].widget.widgets:
            textarea.attrs["rows"] = 4

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if slug in RESERVED_SLUGS:
            raise forms.ValidationError(_("This short name is reserved for a page; please choose another."))
        return slug


def _descendants(agency: Agency) -> set[int]:
    """The units within the agency, at any depth: it cannot become part of one of them."""
    ids: set[int] = set()
    frontier = [agency.pk]
    while frontier:
        frontier = [pk for pk in Agency.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)]
        frontier = [pk for pk in frontier if pk not in ids]
        ids.update(frontier)
    return ids
