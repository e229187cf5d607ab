"""The public inquiry form and the staff answer form."""

import uuid

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from partnerhub.core.abuse import HoneypotMixin
from partnerhub.inquiries.models import MAX_MESSAGE_LENGTH


def parse_key(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError):
        return None


class SubmissionKeyMixin(forms.Form):
    """A hidden key generated when the form is first shown; posting the same form twice reuses it."""

    submission_key = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("submission_key", str(uuid.uuid4()))

    def clean_submission_key(self) -> uuid.UUID:
        # A missing or mangled key (an old page, a script) costs only the double-post protection.
        return parse_key(self.cleaned_data.get("submission_key")) or uuid.uuid4()


class InquiryForm(SubmissionKeyMixin, HoneypotMixin, forms.Form):
    sender_name = forms.CharField(label=_("Your name"), max_length=200)
    sender_email = forms.EmailField(label=_("Your e-mail address"), max_length=254)
    sender_organisation = forms.CharField(label=_("Your organisation"), max_length=200, required=False)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    message = forms.CharField(
        label=_("Message"),
        max_length=MAX_MESSAGE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=format_lazy(_("At most {count} characters."), count=MAX_MESSAGE_LENGTH),
    )

    field_order = ["sender_name", "sender_email", "sender_organisation", "subject", "message"]


class AnswerForm(SubmissionKeyMixin, forms.Form):
    body = forms.CharField(
        label=_("Your answer"),
        max_length=MAX_MESSAGE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("Sent by e-mail to the sender; their reply comes to your e-mail address."),
    )
