"""The staff forms of an agreement: its text, the parties and signatories (formsets), its documents."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from i18nfield.forms import I18nInlineFormSet, I18nModelForm

from partnerhub.agencies.models import Agency
from partnerhub.core.editing import VersionedFormMixin
from partnerhub.partnerships.models import (
    Agreement,
    AgreementDocument,
    AgreementParty,
    Signatory,
)
from partnerhub.partnerships.services import check_document
from partnerhub.regions.models import Region

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
FILE_INPUT = forms.ClearableFileInput(
    attrs={"accept": ".pdf,.docx,.doc,.odt,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg"}
)


class AgreementForm(VersionedFormMixin, I18nModelForm):
    """The agreement itself; parties and signatories come in the formsets below it."""

    class Meta:
        model = Agreement
        fields = [
            "kind",
            "title",
            "status",
            "signed_on",
            "signed_at_place",
            "valid_from",
            "valid_until",
            "areas",
            "goals",
            "is_public",
            "shared_with",
        ]
        widgets = {
            "signed_on": DATE_INPUT,
            "valid_from": DATE_INPUT,
            "valid_until": DATE_INPUT,
            "shared_with": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "is_public": _("Shown to everyone when the partnership is public too."),
            "shared_with": _("Partner agencies whose staff may read the agreement."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        agency_id = self.instance.partnership.agency_id
        own = Agency.objects.get(pk=agency_id).family_ids() if agency_id else []
        self.fields["shared_with"].queryset = Agency.objects.exclude(pk__in=own).order_by("slug")
        self.fields["shared_with"].required = False
        for textarea in self.fields["goals"].widget.widgets:
            textarea.attrs["rows"] = 4


class PartyForm(I18nModelForm):
    class Meta:
        model = AgreementParty
        fields = ["name", "region", "agency", "position"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = Region.objects.order_by("slug")
        self.fields["agency"].queryset = Agency.objects.order_by("slug")


class BasePartyFormSet(I18nInlineFormSet):
    def get_queryset(self):
        return super().get_queryset().order_by("position", "pk")


PartyFormSet = forms.inlineformset_factory(
    Agreement, AgreementParty, form=PartyForm, formset=BasePartyFormSet, extra=2, can_delete=True
)


def party_label(index: int, form) -> str:
    name = form.instance.name if form.instance.pk else ""
    return _("Party in row %(row)s") % {"row": index + 1} + (f": {name}" if name else "")


class SignatoryForm(I18nModelForm):
    """A signatory signs for one party of the same agreement, chosen by its row in the parties above (so a
    party typed in the same submission can be chosen too)."""

    party_row = forms.TypedChoiceField(label=_("on behalf of"), coerce=int, empty_value=None)

    class Meta:
        model = Signatory
        fields = ["party_row", "name", "name_latin", "title", "position"]
        help_texts = {"name_latin": _("Left empty, it is transliterated from the name.")}

    def __init__(self, *args, party_forms=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.party_forms = list(party_forms)
        self.fields["party_row"].choices = [("", "—")] + [
            (str(i), party_label(i, form)) for i, form in enumerate(self.party_forms)
        ]
        if self.instance.pk and not self.is_bound:
            rows = [
                i for i, form in enumerate(self.party_forms) if form.instance.pk == self.instance.party_id
            ]
            if rows:
                self.initial["party_row"] = rows[0]

    def clean_party_row(self):
        row = self.cleaned_data.get("party_row")
        if row is None:
            return row
        if row >= len(self.party_forms):
            raise forms.ValidationError(_("Choose one of the parties above."))
        party_form = self.party_forms[row]
        if party_form.cleaned_data.get("DELETE"):
            raise forms.ValidationError(_("This party is being removed; choose another one."))
        if party_form.instance.pk is None and not party_form.has_changed():
            raise forms.ValidationError(_("The party in this row is empty; fill it in or choose another."))
        return row


class BaseSignatoryFormSet(I18nInlineFormSet):
    def __init__(self, *args, party_forms=(), **kwargs):
        self.party_forms = list(party_forms)
        super().__init__(*args, **kwargs)

    def get_queryset(self):
        return super().get_queryset().order_by("position", "pk")

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "party_forms": self.party_forms}


SignatoryFormSet = forms.inlineformset_factory(
    Agreement,
    Signatory,
    form=SignatoryForm,
    formset=BaseSignatoryFormSet,
    fields=["party_row", "name", "name_latin", "title", "position"],
    extra=2,
    can_delete=True,
)


def _checked(uploaded):
    """The upload rules of every document (core/uploads.py), reported on the file field."""
    if uploaded is not None and hasattr(uploaded, "content_type"):
        check_document(uploaded)
    return uploaded


class DocumentForm(I18nModelForm):
    """A new document: its first version and who may see it."""

    class Meta:
        model = AgreementDocument
        fields = ["title", "language", "visibility", "file"]
        widgets = {"visibility": forms.RadioSelect, "file": FILE_INPUT}
        help_texts = {"file": _("PDF, Word or OpenDocument text, or a PNG/JPEG scan.")}

    def clean_file(self):
        return _checked(self.cleaned_data.get("file"))


class DocumentSettingsForm(VersionedFormMixin, I18nModelForm):
    """A document's title, language and audience; its file changes only by uploading a new version."""

    class Meta:
        model = AgreementDocument
        fields = ["title", "language", "visibility"]
        widgets = {"visibility": forms.RadioSelect}


class DocumentVersionForm(forms.Form):
    file = forms.FileField(
        label=_("New version"),
        widget=forms.FileInput(attrs=FILE_INPUT.attrs),
        help_text=_("The current file is kept as an older version."),
    )

    def clean_file(self):
        return _checked(self.cleaned_data.get("file"))
