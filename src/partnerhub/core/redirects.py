"""One way to follow a ``next`` the browser sent: only to this site, else to a fallback (decisions/0018).

A form's hidden ``next`` is whatever the person (or a page that tricked them into posting) put there;
redirecting to it unchecked sends a signed-in user to any site with our address in the history.
"""

from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme


def next_url(request: HttpRequest) -> str | None:
    """The ``next`` from the form (or the query string) when it points into this site, else None."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


def safe_next(request: HttpRequest, fallback, *args, **kwargs) -> HttpResponseRedirect:
    """Redirect to ``next`` if it is ours, else to ``fallback`` (a URL name with args, a model or a URL)."""
    return HttpResponseRedirect(next_url(request) or resolve_url(fallback, *args, **kwargs))
