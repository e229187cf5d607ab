"""Forms of the partnership pages (the agreements' forms live in ``partnerships/agreements/``)."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from i18nfield.forms import I18nModelForm

from partnerhub.accounts.permissions import is_platform_operator, writable
from partnerhub.agencies.models import Agency
from partnerhub.core.editing import VersionedFormMixin
from partnerhub.organisations.models import Person
from partnerhub.partnerships.models import Partnership
from partnerhub.regions.models import Region

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
RESERVED_SLUGS = {"new", "agreements", "documents"}  # addresses of other pages under /partnerships/


class PartnershipForm(VersionedFormMixin, I18nModelForm):
    """What a partnership is, who runs it, and with which partner agencies it is shared."""

    shared_with = forms.ModelMultipleChoiceField(
        label=_("Shared with partner agencies"),
        queryset=Agency.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Staff of these agencies see the partnership even when it is not public."),
    )

    class Meta:
        model = Partnership
        fields = [
            "slug",
            "title",
            "agency",
            "home_region",
            "partner_region",
            "areas",
            "status",
            "since",
            "owner",
            "contact",
            "description",
            "is_public",
        ]
        widgets = {"since": DATE_INPUT}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        partnership = self.instance
        operator = is_platform_operator(user)
        agencies = writable(Agency, user)
        self.fields["agency"].queryset = agencies.order_by("slug")
        if partnership.pk is None and not self.is_bound and user.agency_id:
            self.initial["agency"] = user.agency.root.pk
        # Running a partnership from a region makes one keep it: the home region is one the agency keeps.
        homes = writable(Region, user)
        if partnership.home_region_id is not None:
            homes = homes | Region.objects.filter(pk=partnership.home_region_id)
        self.fields["home_region"].queryset = homes.distinct().order_by("country", "slug")
        self.fields["partner_region"].queryset = Region.objects.order_by("country", "slug")
        staff = get_user_model().objects.filter(is_active=True, agency__isnull=False)
        if not operator:
            staff = staff.filter(agency__in=agencies)
        self.fields["owner"].queryset = staff.order_by("email")
        self.fields["owner"].label = _("Project leader")
        people = Person.objects.visible_to(user).select_related("organisation")
        if partnership.contact_id is not None:
            people = people | Person.objects.filter(pk=partnership.contact_id)
        self.fields["contact"].queryset = people.distinct().order_by("family_name", "given_name")
        self.fields["contact"].label_from_instance = lambda person: person.display_name
        partners = Agency.objects.order_by("slug")
        if not operator:
            partners = partners.exclude(pk__in=agencies)
        self.fields["shared_with"].queryset = partners
        if partnership.pk is not None:
            self.fields["slug"].disabled = True  # addresses of the partnership's page stay valid
            self.initial["shared_with"] = list(partnership.shared_with.values_list("pk", flat=True))
        for textarea in self.fields["description"].widget.widgets:
            textarea.attrs["rows"] = 5

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if slug in RESERVED_SLUGS:
            raise forms.ValidationError(_("This short name is reserved for a page; please choose another."))
        return slug
