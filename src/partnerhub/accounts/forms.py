"""Our variants of allauth's account forms (``ACCOUNT_FORMS`` in the settings)."""

from allauth.account.forms import AddEmailForm as AllauthAddEmailForm
from django import forms
from django.utils.translation import gettext_lazy as _

from partnerhub.accounts.addresses import held_by_another


class AddEmailForm(AllauthAddEmailForm):
    """Adding an address another account holds is refused with a message, not accepted silently.

    allauth accepts it quietly to hide which addresses have accounts (``ACCOUNT_PREVENT_ENUMERATION``), and
    the address could later collide with the other account's. Only signed-in users of this invite-only
    platform see this form, and they may know who else is on it (decision 0015).
    """

    def clean_email(self) -> str:
        email = self.cleaned_data.get("email", "")
        if email and held_by_another(email, self.user):
            raise forms.ValidationError(
                _(
                    "This e-mail address belongs to another account. Enter an address of your own; if it is"
                    " yours, ask the agency that set up your account."
                ),
                code="email_taken",
            )
        return super().clean_email()
