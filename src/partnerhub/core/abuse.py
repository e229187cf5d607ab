"""Protection of public forms: a honeypot field and a per-IP rate limit (CSRF is Django's)."""

import hashlib
import time

from django import forms
from django.conf import settings
from django.core.cache import cache
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


def client_ip(request) -> str:
    # Behind a proxy set BEHIND_PROXY so Django's SECURE_PROXY_SSL_HEADER applies; REMOTE_ADDR is what
    # the WSGI server saw, which a client cannot forge.
    return request.META.get("REMOTE_ADDR", "unknown")


def rate_limited(request, scope: str, limit: int | None = None, window_seconds: int = 3600) -> bool:
    """Count one attempt of this IP in ``scope``; True when it is over the limit for the window."""
    limit = limit if limit is not None else settings.PUBLIC_FORM_RATE_PER_HOUR
    bucket = int(time.time() // window_seconds)
    digest = hashlib.sha256(f"{scope}:{client_ip(request)}".encode()).hexdigest()[:32]
    key = f"ratelimit:{scope}:{digest}:{bucket}"
    cache.add(key, 0, window_seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window_seconds)
        count = 1
    return count > limit
