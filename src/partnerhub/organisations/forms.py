from django import forms
from django.utils.translation import gettext_lazy as _

from partnerhub.organisations.models import NaceActivity, Organisation
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
