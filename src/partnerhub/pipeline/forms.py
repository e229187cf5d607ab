from django import forms
from django.utils.translation import gettext_lazy as _

from partnerhub.accounts.models import User
from partnerhub.agencies.models import Agency
from partnerhub.pipeline.stages import stages_for


class MoveForm(forms.Form):
    stage = forms.ChoiceField(label=_("Stage"))
    reason = forms.CharField(
        label=_("Reason (for “not pursued”)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.stages = {str(s.pk): s for s in stages_for(agency)}
        self.fields["stage"].choices = [(pk, str(s.name)) for pk, s in self.stages.items()]

    def clean_stage(self):
        return self.stages[self.cleaned_data["stage"]]


class OwnerForm(forms.Form):
    owner = forms.ModelChoiceField(label=_("Project leader"), queryset=User.objects.none(), required=False)

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = User.objects.filter(agency_id__in=agency.family_ids(), is_active=True)


class DueDateForm(forms.Form):
    due_date = forms.DateField(
        label=_("Due date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Comment"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    shared = forms.BooleanField(label=_("Share with partner agencies"), required=False)


class ShareForm(forms.Form):
    agency = forms.ModelChoiceField(label=_("Share with"), queryset=Agency.objects.none())

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.exclude(pk__in=agency.family_ids())


class ProposeForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=None)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, user, **kwargs):
        from partnerhub.organisations.models import Organisation

        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.visible_to(user).order_by("name_latin")


class LinkForm(forms.Form):
    """Link records to an item: any of the four kinds, each optional."""

    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=None, required=False)
    partnership = forms.ModelChoiceField(label=_("Partnership"), queryset=None, required=False)
    delegation = forms.ModelChoiceField(label=_("Delegation trip"), queryset=None, required=False)
    agreement = forms.ModelChoiceField(label=_("Agreement"), queryset=None, required=False)

    def __init__(self, *args, user, **kwargs):
        from partnerhub.delegations.models import Delegation
        from partnerhub.organisations.models import Organisation
        from partnerhub.partnerships.models import Agreement, Partnership

        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.visible_to(user).order_by("name_latin")
        self.fields["partnership"].queryset = Partnership.objects.visible_to(user)
        self.fields["delegation"].queryset = Delegation.objects.visible_to(user)
        self.fields["agreement"].queryset = Agreement.objects.visible_to(user)

    def targets(self):
        return [value for value in self.cleaned_data.values() if value is not None]
