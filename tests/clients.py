"""Shared helpers for tests that drive pages: a client signed in as a persona, and URLs in a given language."""

from django.test import Client
from django.urls import reverse
from django.utils import translation


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(name: str, language: str, *args) -> str:
    """The URL of route ``name`` with the language prefix of ``language`` (``/de/…``, ``/zh-hans/…``)."""
    with translation.override(language):
        return reverse(name, args=args)
