"""The Content-Security-Policy header on every response (decisions/0018).

Django 5.2 has no CSP support; Django 6 adds ``django.middleware.csp.ContentSecurityPolicyMiddleware`` with
the same two settings read here (``SECURE_CSP``, ``SECURE_CSP_REPORT_ONLY``: directive → list of sources),
so upgrading means swapping this middleware for Django's and nothing else.
"""

from collections.abc import Callable, Mapping, Sequence

from django.conf import settings
from django.http import HttpRequest, HttpResponse

HEADER = "Content-Security-Policy"
REPORT_ONLY_HEADER = "Content-Security-Policy-Report-Only"


def build_policy(directives: Mapping[str, Sequence[str] | str | bool]) -> str:
    """``{"default-src": ["'self'"], "upgrade-insecure-requests": True}`` → the header's value.

    A directive set to ``True`` is written without sources; ``False``, ``None`` or empty ones are left out.
    """
    parts = []
    for name, sources in directives.items():
        if sources is True:
            parts.append(name)
        elif sources:
            values = [sources] if isinstance(sources, str) else list(sources)
            parts.append(" ".join([name, *values]))
    return "; ".join(parts)


class ContentSecurityPolicyMiddleware:
    """Adds the policy to responses that do not set their own header (a view may send a stricter one)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        for header, setting in ((HEADER, "SECURE_CSP"), (REPORT_ONLY_HEADER, "SECURE_CSP_REPORT_ONLY")):
            policy = build_policy(getattr(settings, setting, None) or {})
            if policy and header not in response:
                response[header] = policy
        return response
