"""Every role, in German and in Chinese, walks every page the navigation leads to in a real browser: no error
status, no script error, no raw code on the page (audit codes, choice values, zone database names, template
syntax), in the demo world.

The walk starts at the menu and follows the links of each page it reaches, two clicks deep, each kind of page
(URL pattern) at most twice per walk; downloads, the admin (its own test opens every page) and signing out are
not followed. Skipped where no Chromium is installed; `.ci/run` installs it.
"""

from __future__ import annotations

import os
import re
import shutil
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.urls import Resolver404, resolve
from django.utils import translation

from tests.test_browser import CHROMIUM, browser  # noqa: F401  (the fixture)

playwright_api = pytest.importorskip("playwright.sync_api")
pytestmark = [
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason="Chromium is not installed"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ROLES = {
    "anonymous": None,
    "user": "nobody@example.org",  # signed in, no organisation, no agency
    "member": "member@verbundwerk.example.org",
    "partner_staff": "staff@yzcommerce.example.cn",
    "agency_staff": "projektleitung@wfk.example.org",
    "superuser": "admin@example.org",
}
SKIPPED_PATHS = re.compile(r"/admin/|/accounts/logout/|/i18n/|/jsi18n/|\.(pdf|xlsx|csv|ics|zip)$|/export")
PER_ROUTE = 2
ZONE_NAME = re.compile(r"\b(Europe|Asia|America|Africa|Australia|Pacific|Etc)/[A-Z][A-Za-z_]+")
TEMPLATE_SYNTAX = re.compile(r"\{\{|\{%|%\}|\}\}|\{'(de|en|zh-hans)':")


def raw_codes() -> set[str]:
    """Codes a reader must never see: audit actions, and choice values that are identifiers
    (``not_pursued``, ``technology_offer``) rather than words."""
    from partnerhub.core.history import SENTENCES
    from partnerhub.core.models import AuditEntry

    codes = set(SENTENCES) | set(AuditEntry.objects.values_list("action", flat=True).distinct())
    for model in apps.get_models():
        if not model.__module__.startswith("partnerhub."):
            continue
        for field in model._meta.fields:
            for value, _label in field.flatchoices or []:
                if isinstance(value, str) and "_" in value and len(value) > 4:
                    codes.add(value)
    return codes


def problems_on(text: str, codes: set[str]) -> list[str]:
    found = [code for code in codes if re.search(rf"(?<![\w/.-]){re.escape(code)}(?![\w/-])", text)]
    found += [m.group(0) for m in ZONE_NAME.finditer(text)]
    found += [m.group(0) for m in TEMPLATE_SYNTAX.finditer(text)]
    return found


def route_of(path: str, language: str) -> str | None:
    try:
        with translation.override(language):  # i18n_patterns resolve the active language's prefix only
            match = resolve(urlsplit(path).path)
    except Resolver404:
        return None
    return match.view_name


def walk(page, base: str, language: str, codes: set[str]) -> tuple[list[str], int]:
    """Visit the menu's pages and the pages they link to; return the findings and the number of pages."""
    findings: list[str] = []
    page.goto(f"{base}/{language}/")
    menu = [urlsplit(href).path for href in page.eval_on_selector_all(
        "header.site nav a[href]", "links => links.map(a => a.getAttribute('href'))"
    )]  # fmt: skip
    queue = [(path, 1) for path in [f"/{language}/", *menu]]
    seen: set[str] = set()
    per_route: dict[str, int] = {}
    visited = 0
    while queue:
        path, depth = queue.pop(0)
        if path in seen or SKIPPED_PATHS.search(path) or not path.startswith(f"/{language}/"):
            continue
        seen.add(path)
        route = route_of(path, language)
        if route is None:
            findings.append(f"{path}: a link to no page")
            continue
        if per_route.get(route, 0) >= PER_ROUTE:
            continue
        per_route[route] = per_route.get(route, 0) + 1
        response = page.goto(f"{base}{path}")
        visited += 1
        if response is None or response.status >= 400:
            findings.append(f"{path}: HTTP {response.status if response else 'no response'}")
            continue
        if "text/html" not in (response.headers.get("content-type") or ""):
            continue
        for problem in problems_on(page.inner_text("main"), codes):
            findings.append(f"{path}: shows {problem!r}")
        if depth < 2:
            hrefs = page.eval_on_selector_all(
                "main a[href]:not([download])", "links => links.map(a => a.getAttribute('href'))"
            )
            for href in hrefs:
                parts = urlsplit(href)
                if parts.netloc or not parts.path.startswith("/"):
                    continue
                queue.append((parts.path + (f"?{parts.query}" if parts.query else ""), depth + 1))
    return findings, visited


def sign_in(context, base: str, email: str, settings) -> None:
    from django.test import Client

    from partnerhub.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(email=email))
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base}])


def test_every_role_walks_the_navigation_in_german_and_chinese_without_errors_or_raw_codes(
    live_server,
    browser,  # noqa: F811
    settings,
):
    from partnerhub.accounts.models import User
    from partnerhub.demo import world as demo

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    demo.load()
    User.objects.create_user(email="nobody@example.org", password="x" * 16)
    codes = raw_codes()
    report, walked = [], {}
    for role, email in ROLES.items():
        context = browser.new_context()
        errors: list[str] = []
        if email:
            sign_in(context, live_server.url, email, settings)
        page = context.new_page()
        page.on("pageerror", lambda error, errors=errors: errors.append(str(error)))
        for language in ("de", "zh-hans"):
            findings, visited = walk(page, live_server.url, language, codes)
            walked[(role, language)] = visited
            report += [f"{role} {language} {finding}" for finding in findings]
        report += [f"{role} script error: {error}" for error in errors]
        context.close()
    assert not report, "\n".join(report[:100])
    # The walk really went somewhere: staff reach far more pages than the public.
    assert walked[("agency_staff", "de")] > walked[("anonymous", "de")] >= 5
