"""Telling people what happened: e-mails rendered in the recipient's language, stored in the outbox and sent
by a task (notifications/outbox.py)."""

import threading
from contextlib import contextmanager

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from partnerhub.notifications import outbox

_state = threading.local()


@contextmanager
def suppressed():
    """No e-mail inside this block: for loading demo data or importing records people already know of."""
    previous = getattr(_state, "suppressed", False)
    _state.suppressed = True
    try:
        yield
    finally:
        _state.suppressed = previous


def absolute_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def url_in(language: str, name: str, *args, **kwargs) -> str:
    """An absolute URL of a page in the given language."""
    with translation.override(language):
        return absolute_url(reverse(name, args=args, kwargs=kwargs))


def render_email(template: str, language: str, context: dict) -> tuple[str, str]:
    with translation.override(language):
        subject = render_to_string(f"notifications/{template}.subject.txt", context).strip()
        body = render_to_string(f"notifications/{template}.body.txt", context)
    return " ".join(subject.split()), body


def notify(
    to: list[str] | str, language: str, template: str, context: dict, reply_to: list[str] | None = None
):
    """Render ``template`` in ``language`` into the outbox: stored in the caller's transaction, so the e-mail
    exists exactly when the change it tells of committed, and sent once that transaction has committed."""
    recipients = [to] if isinstance(to, str) else list(to)
    if not recipients or getattr(_state, "suppressed", False):
        return
    subject, body = render_email(template, language, context)
    outbox.queue(recipients, subject, body, reply_to=reply_to, kind=template, language=language)
