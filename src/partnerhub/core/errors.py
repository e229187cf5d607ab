"""Error pages in the reader's language with the site's layout (decisions/0018).

404 and 403 use Django's own handlers: they render ``404.html`` / ``403.html`` with the request, after
``LocaleMiddleware`` has chosen the language from the URL prefix. 400 and 500 are rendered here without
context processors or the request's user — the error may be the database or a broken session — in the
language of the URL prefix; if even that fails, Django's bare page is the last resort.
"""

import logging

from django.conf import settings
from django.http import HttpResponseBadRequest, HttpResponseForbidden, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.utils import translation
from django.views import defaults

logger = logging.getLogger(__name__)


def _plain(request, template_name: str) -> str:
    """The template rendered from nothing but the language in the path (no user, no session, no database)."""
    language = translation.get_language_from_path(request.path_info)
    with translation.override(language or translation.get_language()):
        return loader.get_template(template_name).render({"error_page": True})


def _bare(title: str) -> str:
    return defaults.ERROR_PAGE_TEMPLATE % {"title": title, "details": ""}


def bad_request(request, exception, template_name="400.html"):
    try:
        return HttpResponseBadRequest(_plain(request, template_name))
    except Exception:
        logger.exception("The 400 page could not be rendered")
        return HttpResponseBadRequest(_bare("Bad Request (400)"))


def server_error(request, template_name="500.html"):
    try:
        return HttpResponseServerError(_plain(request, template_name))
    except Exception:
        logger.exception("The 500 page could not be rendered")
        return HttpResponseServerError(_bare("Server Error (500)"))


def csrf_failure(request, reason=""):
    """A form posted without a valid CSRF token: usually a page left open until its session expired."""
    context = {"reason": reason if settings.DEBUG else ""}
    try:
        return render(request, "403_csrf.html", context, status=403)
    except Exception:
        logger.exception("The CSRF failure page could not be rendered")
        return HttpResponseForbidden()
