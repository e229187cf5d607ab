"""Which e-mail addresses count for a user: only verified ones (decision 0015).

An address the user types on the e-mail page counts once its confirmation link was followed (allauth's
``EmailAddress.verified``); until then it is only pending and can never become the account's address
(``ACCOUNT_CHANGE_EMAIL``). The address an account is created with — by agency staff in the admin, by
``createsuperuser``, by the demo loader — counts as verified from the start: on this invite-only platform
the agency that creates the account knows the person it invites.

Nothing grants rights by comparing addresses. Other apps link their records to the user once an address
counts (allauth's ``email_confirmed``, also sent for the address an account is created with), and read that
link.
"""

from allauth.account.models import EmailAddress
from allauth.account.signals import email_confirmed
from django.contrib.auth import get_user_model
from django.db.models import Q


def verified_emails(user) -> set[str]:
    """The addresses ``user`` has proven, lower-cased; empty for anonymous users."""
    if not getattr(user, "is_authenticated", False):
        return set()
    return set(EmailAddress.objects.filter(user_id=user.pk, verified=True).values_list("email", flat=True))


def held_by_another(email: str, user) -> bool:
    """Whether another account signs in with ``email`` or has verified it.

    An address only pending on another account does not count: its owner must still be able to claim it.
    """
    email = email.strip()
    others = get_user_model()._default_manager.exclude(pk=user.pk)
    return (
        others.filter(email__iexact=email).exists()
        or EmailAddress.objects.filter(email__iexact=email, verified=True).exclude(user_id=user.pk).exists()
    )


def record_given_address(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    """A new account's own address counts as verified (see above); connected in ``AccountsConfig.ready``.

    Left unverified when another account already verified the same address, so creating the account never
    fails on allauth's uniqueness of verified addresses (the person then cannot sign in until that is sorted).
    """
    if not created or raw or not instance.email:
        return
    email = instance.email.lower()
    taken = EmailAddress.objects.filter(Q(email=email, verified=True) & ~Q(user_id=instance.pk)).exists()
    address, made = EmailAddress.objects.get_or_create(
        user=instance, email=email, defaults={"primary": True, "verified": not taken}
    )
    if made and address.verified:
        # The same news as a followed confirmation link: records waiting for this address become the user's.
        email_confirmed.send(sender=EmailAddress, request=None, email_address=address)
