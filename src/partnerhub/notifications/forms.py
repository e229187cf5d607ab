from django import forms
from django.utils.translation import gettext_lazy as _

from partnerhub.notifications.models import Kind


class PreferencesForm(forms.Form):
    """One checkbox per switchable kind of e-mail."""

    kinds = forms.MultipleChoiceField(
        label=_("Send me an e-mail when"),
        choices=Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
