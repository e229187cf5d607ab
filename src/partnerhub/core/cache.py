"""Cached page fragments, keyed by the data versions they were rendered from (decisions/0024).

A fragment's key holds the language, the time zone, the viewer's visibility scope, the current version of
every topic it shows (regions, organisations, ...) and whatever else it varies on. A change bumps its topic's
version, so every fragment that showed it misses at once and is rendered again; nothing is deleted.

Versions live in the shared cache (the database cache table by default), read once per request with one
`get_many`; fragments live in a per-process local-memory cache ("fragments"). That split is safe across
processes: a fragment is only ever found under the versions it was rendered from, and the versions every
process reads are the shared ones.
"""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.utils import timezone, translation

TOPICS = ("regions", "organisations", "profiles", "partnerships", "delegations", "agencies")
# Fragments of one request are looked up in the versions read at its start (request attribute).
_REQUEST_ATTR = "_partnerhub_fragment_versions"


def _shared():
    return caches["default"]


def _fragments():
    return caches["fragments"]


def _new_version() -> str:
    return format(time.time_ns(), "x")


def _write(topics) -> None:
    _shared().set_many({f"version:{t}": _new_version() for t in topics}, timeout=None)


def bump(*topics: str) -> None:
    """Mark the data of `topics` changed: fragments rendered from the old versions are never found again.

    Bumps now (so this transaction's own later reads see it) and once more after the commit, so that a
    request that rendered the old rows in between cannot leave them cached under the new version. Within
    one transaction the after-commit bump is queued once per set of topics."""
    unknown = set(topics) - set(TOPICS)
    if unknown:
        raise ValueError(f"unknown cache topic(s): {sorted(unknown)}")
    topics = frozenset(topics)
    _write(topics)
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        return
    queued = getattr(connection, "run_on_commit", ())
    if any(getattr(entry[1], "fragment_topics", None) == topics for entry in queued):
        return

    def after_commit():
        _write(topics)

    after_commit.fragment_topics = topics
    transaction.on_commit(after_commit)


def bump_for_model(sender, **kwargs) -> None:
    """Signal receiver: a row of an app with a cache topic of the same name was saved, deleted or relinked."""
    if kwargs.get("action", "post_").startswith("post_"):
        bump(sender._meta.app_label)


def connect_signals() -> None:
    """Every model of the apps named in TOPICS bumps its app's topic (called from CoreConfig.ready)."""
    from django.apps import apps
    from django.db.models import signals

    for topic in TOPICS:
        for model in apps.get_app_config(topic).get_models(include_auto_created=True):
            for signal in (signals.post_save, signals.post_delete, signals.m2m_changed):
                signal.connect(
                    bump_for_model, sender=model, dispatch_uid=f"fragment-bump-{model._meta.label}"
                )


def versions(topics, request=None) -> str:
    """The current versions of `topics` as one string; a topic whose version was evicted gets a fresh one."""
    known = getattr(request, _REQUEST_ATTR, None) if request is not None else None
    if known is None or not set(topics) <= known.keys():
        keys = [f"version:{t}" for t in TOPICS]
        found = _shared().get_many(keys)
        missing = {k: _new_version() for k in keys if k not in found}
        if missing:
            # add(), not set(): another process may just have written a version; keep whichever came first.
            for key, value in missing.items():
                if not _shared().add(key, value, timeout=None):
                    value = _shared().get(key, value)
                found[key] = value
        known = {k.removeprefix("version:"): v for k, v in found.items()}
        if request is not None:
            setattr(request, _REQUEST_ATTR, known)
    return ".".join(known[t] for t in topics)


def scope_of(request) -> str | None:
    """The visibility scope a fragment may be shared in, or None when it must not be cached.

    Anonymous visitors all see the public scope. Signed-in users see what their agency, organisation and
    roles allow, and their pages show their own links; their pages are rendered every time."""
    user = getattr(request, "user", None)
    if user is None or user.is_authenticated:
        return None
    return "public"


def fragment_key(request, name: str, topics, parts=()) -> str | None:
    """The cache key of fragment `name` for this request, or None when this viewer's pages are not cached."""
    scope = scope_of(request)
    if scope is None:
        return None
    varies = "\x1f".join(str(p) for p in parts)
    digest = hashlib.sha256(varies.encode()).hexdigest()[:24]
    language = translation.get_language() or ""
    zone = timezone.get_current_timezone_name()
    return f"fragment:{name}:{scope}:{language}:{zone}:{versions(topics, request)}:{digest}"


def cached_fragment(request, name: str, topics, parts, render) -> str:
    """`render()` once per key; the cached text afterwards."""
    key = fragment_key(request, name, topics, parts) if "fragments" in settings.CACHES else None
    if key is None:
        return render()
    text = _fragments().get(key)
    if text is None:
        text = render()
        _fragments().set(key, text)
    return text


def public_etag(*topics: str, vary=None):
    """An ETag function for `django.views.decorators.http.condition` on a public read page.

    Only anonymous visitors get one (signed-in pages hold their own links and forms). The tag covers the
    path and query, the language, the topics' versions and the CSRF cookie: a page kept by the browser holds
    a CSRF token for that cookie (the language switcher), so a new cookie means a new page. No tag while a
    message waits in the messages cookie, which the page would show. `vary(request, **kwargs)` adds what
    else the page depends on (today's date, whether a trip's registration is open)."""

    def etag(request, *args, **kwargs):
        if scope_of(request) is None or "messages" in request.COOKIES:
            return None
        parts = [
            request.get_full_path(),
            translation.get_language(),
            timezone.get_current_timezone_name(),
            versions(topics, request),
            request.COOKIES.get(settings.CSRF_COOKIE_NAME, ""),
            request.headers.get("HX-Request", ""),  # the same address answers HTMX with the results only
            *(vary(request, *args, **kwargs) if vary else ()),
        ]
        return hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()[:32]

    return etag
