"""Protection of public forms: a honeypot field, the client's address, and rate limits every server
process shares (CSRF is Django's). Why these choices: docs/decisions/0007 and 0017."""

import datetime
import hashlib
import ipaddress
import time

from django import forms
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class HoneypotMixin(forms.Form):
    """A field people never see and bots fill in. A filled honeypot rejects the form."""

    website_url = forms.CharField(
        required=False,
        label=_("Leave this field empty"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def clean_website_url(self):
        if self.cleaned_data.get("website_url"):
            raise forms.ValidationError(_("This form was filled in automatically and was not accepted."))
        return ""


def _address(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip().strip("[]")))
    except ValueError:
        return None


def client_ip(request) -> str:
    """The address of the client, for rate limits (ours and allauth's login limits, accounts/adapter.py).

    REMOTE_ADDR is what the WSGI server saw, which a client cannot forge. Behind a reverse proxy
    (``BEHIND_PROXY``) that is the proxy, so the address comes from ``PROXY_CLIENT_IP_HEADER``: the
    entry ``TRUSTED_PROXY_COUNT`` places from the right, the one our own outermost proxy added; anything
    further left was written by the client and may be invented. Without ``BEHIND_PROXY`` the header is
    never read.
    """
    remote = _address(request.META.get("REMOTE_ADDR", "")) or "unknown"
    if not settings.BEHIND_PROXY:
        return remote
    hops = [hop for hop in request.headers.get(settings.PROXY_CLIENT_IP_HEADER, "").split(",") if hop.strip()]
    count = max(1, settings.TRUSTED_PROXY_COUNT)
    if len(hops) < count:
        return remote  # the proxy did not say: every such request shares the proxy's own bucket
    return _address(hops[-count]) or remote


def _client_bucket(request) -> str:
    # One IPv6 subscriber usually holds a whole /64: count it as one client, as allauth does.
    ip = client_ip(request)
    try:
        parsed = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False).network_address)
    return ip


def count_hit(key: str, window_seconds: int) -> int:
    """Add one to the counter ``key`` for a window of ``window_seconds`` and return the new count.

    Atomic across processes: the increment is one UPDATE in the database; of two processes creating the
    same counter at once, one inserts and the other, hitting the primary key, increments.
    """
    from partnerhub.core.models import RateCounter

    now = timezone.now()
    with transaction.atomic():
        if not RateCounter.objects.filter(key=key).update(count=F("count") + 1):
            try:
                with transaction.atomic():
                    RateCounter.objects.create(
                        key=key, count=1, expires_at=now + datetime.timedelta(seconds=window_seconds)
                    )
            except IntegrityError:
                RateCounter.objects.filter(key=key).update(count=F("count") + 1)
            else:
                RateCounter.objects.filter(expires_at__lt=now).delete()  # past windows, once per new one
                return 1
        return RateCounter.objects.values_list("count", flat=True).get(key=key)


def rate_limited(request, scope: str, limit: int | None = None, window_seconds: int = 3600) -> bool:
    """Count one attempt of this client in ``scope``; True when it is over the limit for the window."""
    limit = limit if limit is not None else settings.PUBLIC_FORM_RATE_PER_HOUR
    bucket = int(time.time() // window_seconds)
    digest = hashlib.sha256(f"{scope}:{_client_bucket(request)}".encode()).hexdigest()[:32]
    return count_hit(f"{scope}:{digest}:{bucket}", window_seconds) > limit
