from django import forms
from django.utils.translation import gettext_lazy as _

from partnerhub.matching.models import Suggestion


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("accept", _("Accept")), ("dismiss", _("Dismiss"))]
    )
    reason = forms.CharField(
        label=_("Reason for dismissing"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class FeedbackForm(forms.Form):
    useful = forms.ChoiceField(
        label=_("Was this suggestion useful?"),
        choices=[("yes", _("useful")), ("no", _("not useful")), ("", _("no answer"))],
        required=False,
    )

    def value(self) -> bool | None:
        return {"yes": True, "no": False}.get(self.cleaned_data["useful"])


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("all")), *Suggestion.Status.choices]
    )
    source = forms.ChoiceField(
        label=_("For"),
        required=False,
        choices=[("", _("all")), ("cooperationprofile", _("profiles")), ("projectidea", _("ideas"))],
    )
    min_score = forms.FloatField(label=_("Minimum score"), required=False, min_value=-1, max_value=1)


class ReembedForm(forms.Form):
    model_name = forms.ChoiceField(label=_("Model"))

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["model_name"].choices = [(c, c) for c in choices]
