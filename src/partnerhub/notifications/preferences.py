"""Who wants which e-mail: the preferences page, the signed unsubscribe link, and the check before sending."""

from django.core import signing
from django.db import transaction
from django.db.models import Q

from partnerhub.core import audit
from partnerhub.notifications.models import Kind, Unsubscription
from partnerhub.notifications.services import url_in

SALT = "partnerhub.notifications.unsubscribe"


def wants(kind: str, *, user=None, email: str = "") -> bool:
    """False once the user (or anyone at this address) switched ``kind`` off."""
    address = (email or getattr(user, "email", "") or "").strip().lower()
    condition = Q(email=address) if address else Q(pk__in=[])
    if user is not None and getattr(user, "pk", None):
        condition |= Q(user=user)
    return not Unsubscription.objects.filter(condition, kind=kind).exists()


def switched_on(user) -> set[str]:
    off = set(Unsubscription.objects.filter(user=user).values_list("kind", flat=True))
    return {kind for kind in Kind.values if kind not in off}


@transaction.atomic
def set_preferences(user, kinds_on, *, actor) -> None:
    """Switch every kind in ``kinds_on`` on and every other kind off, for this user only."""
    kinds_on = set(kinds_on)
    Unsubscription.objects.filter(user=user, kind__in=kinds_on).delete()
    for kind in set(Kind.values) - kinds_on:
        Unsubscription.objects.get_or_create(user=user, kind=kind)
    audit.record(actor, "notifications.preferences_changed", user, on=sorted(kinds_on))


def unsubscribe_token(email: str, kind: str) -> str:
    return signing.dumps({"e": email.strip().lower(), "k": kind}, salt=SALT, compress=True)


def read_token(token: str) -> tuple[str, str] | None:
    """The address and kind a link switches off, or None for a forged or garbled link."""
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("k") not in Kind.values or not data.get("e"):
        return None
    return data["e"], data["k"]


def unsubscribe_url(language: str, email: str, kind: str) -> str:
    return url_in(language, "notifications:unsubscribe", unsubscribe_token(email, kind))


@transaction.atomic
def unsubscribe(email: str, kind: str) -> None:
    """Switch one kind off for an address; following the link twice changes nothing."""
    entry, created = Unsubscription.objects.get_or_create(email=email.strip().lower(), kind=kind)
    if created:
        audit.record(None, "notifications.unsubscribed", entry, kind=kind)
