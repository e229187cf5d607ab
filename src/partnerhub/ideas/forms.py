import uuid

from django import forms
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from partnerhub.core.abuse import HoneypotMixin
from partnerhub.core.fields import https_formfield
from partnerhub.core.uploads import check_attachments
from partnerhub.delegations.models import Delegation
from partnerhub.ideas.models import ProjectIdea
from partnerhub.regions.models import Region


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field, checked together: each by content, how many, how large in total."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            files = [single(d, initial) for d in data]
        else:
            files = [single(data, initial)] if data else []
        check_attachments(files)
        return files


def attachments_help() -> str:
    return gettext(
        "PDF, office documents or images: up to %(count)s files, %(mb)s MB each, %(total)s MB together."
    ) % {
        "count": settings.MAX_FILES_PER_SUBMISSION,
        "mb": f"{settings.MAX_UPLOAD_BYTES / 1024 / 1024:g}",
        "total": f"{settings.MAX_SUBMISSION_BYTES / 1024 / 1024:g}",
    }


class IdeaForm(HoneypotMixin, forms.ModelForm):
    """The public submission form. Lengths are limited by the model; files are checked by content."""

    submission_key = forms.UUIDField(widget=forms.HiddenInput)
    target_regions = forms.ModelMultipleChoiceField(
        label=_("Target regions"),
        queryset=Region.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    delegation = forms.ModelChoiceField(
        label=_("Which delegation trip?"), queryset=Delegation.objects.none(), required=False
    )
    attachments = MultipleFileField(label=_("Attachments"), required=False)
    consent = forms.BooleanField(label=_("I agree to the privacy notice above."), required=True)

    class Meta:
        model = ProjectIdea
        formfield_callback = https_formfield
        fields = [
            "organisation_name", "organisation_kind", "organisation_website", "organisation_city",
            "organisation_country", "contact_name", "contact_role", "contact_email", "contact_phone",
            "title", "area", "description", "partner_sought", "target_regions", "join_delegation", "delegation",
        ]  # fmt: skip
        widgets = {
            "description": forms.Textarea(attrs={"rows": 6, "maxlength": 5000}),
            "partner_sought": forms.Textarea(attrs={"rows": 3, "maxlength": 2000}),
        }

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.agency = agency
        self.fields["attachments"].help_text = attachments_help()
        self.fields["target_regions"].queryset = Region.objects.exclude(kind=Region.Kind.COUNTRY).order_by(
            "slug"
        )
        self.fields["delegation"].queryset = (
            Delegation.objects.visible_to(None)
            .upcoming()
            .filter(partnership__agency_id__in=agency.family_ids())
        )
        if not self.is_bound:
            self.initial.setdefault("submission_key", uuid.uuid4())
        self.fields["consent"].error_messages["required"] = _("Please agree to the privacy notice to submit.")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("delegation") and not cleaned.get("join_delegation"):
            cleaned["join_delegation"] = True
        return cleaned


class ConfirmForm(forms.Form):
    """Confirmation is a button, not the link itself: mail scanners that open links confirm nothing."""


class AddInformationForm(forms.Form):
    text = forms.CharField(
        label=_("Additional information"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    attachments = MultipleFileField(label=_("Attachments"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = attachments_help()


class CreateOrganisationForm(forms.Form):
    region = forms.ModelChoiceField(label=_("Region"), queryset=Region.objects.order_by("slug"))
    use_existing = forms.ModelChoiceField(
        label=_("Link an existing organisation instead"), queryset=None, required=False
    )

    def __init__(self, *args, candidates=(), **kwargs):
        from partnerhub.organisations.models import Organisation

        super().__init__(*args, **kwargs)
        self.fields["use_existing"].queryset = Organisation.objects.filter(
            pk__in=[c.organisation.pk for c in candidates]
        )
