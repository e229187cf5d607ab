"""Every URL pattern × every role: no secret leaks, no server error, no wrong-role POST changes anything.

The patterns come from the resolver, so a new URL is covered without editing this file; a pattern whose
arguments this file cannot fill fails the test (teach ``fill`` the new argument). Secrets are the markers of
``tests/authz_world.py``, each with the roles that may read it.

Each request runs inside a savepoint that is rolled back, so every request sees the same world. POSTs carry
the fields of the real form for that URL (taken from the pages the superuser sees), else a generic payload.
The links and search forms of those pages add the variants with a query string (``?status=waiting``,
``?token=…``, a search), each requested by every role as well.
"""

from __future__ import annotations

import datetime
import io
import itertools
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.exceptions import Resolver404
from django.utils import translation

from tests.authz_world import ROLES, build

LANGUAGES = ["en", "de", "zh-hans"]
WRONG_TOKEN = "not-a-valid-token-0000000000"

# Routes anyone may post to (public forms, sign-in, language): only the "tracked records" rule applies.
PUBLIC_WRITES = {
    "set_language",
    "javascript-catalog",
    "ideas:submit",
    "delegations:register",
    "inquiries:new",
    "admin:login",
    "admin:logout",
}
PUBLIC_PREFIXES = ("account_",)  # the user's own account: sign-in, sign-up, addresses, password

# Routes where some who cannot edit the record may still act on it, by the rules.
EXTRA_WRITERS = {
    # partner agencies write in the shared thread and propose counterparts on items shared with them
    ("pipeline:act", "comment", "idea_shared"): {"partner_staff"},
    ("pipeline:act", "propose", "idea_shared"): {"partner_staff"},
}

# Routes that act on no single record, and who may change anything through them. Any other such route may
# change something only for the superuser: a new one that lets others write needs its entry here.
STAFF = {"partner_staff", "other_partner_staff", "agency_staff", "superuser"}
OBJECTLESS_WRITERS = {
    "profiles:new": {"member", "member_other"} | STAFF,  # for the organisations they may edit
    "pipeline:bulk": STAFF,  # on their own agency's items only (the tracked-records rule checks that)
    "matching:reembed": {"superuser"},
    "organisations:create": STAFF,  # for their own agency
    "delegations:trip_new": STAFF,  # under the partnerships they may edit
    # the workspace's add pages: under a region, agency family or partnership the role keeps (permissions)
    "regions:new": STAFF,
    "partnerships:new": STAFF,
    "agencies:new": STAFF,
    "notifications:settings": {"user", "member", "member_other"} | STAFF,  # their own settings only
}
ADMIN_OBJECTLESS_SUFFIXES = ("_add", "_changelist")  # the admin's add form and bulk actions: staff

# Which model a ``pk`` stands for, by the literal segment before it (else by the app's main model).
PK_SEGMENTS = {
    "agreements": "partnerships.agreement",
    "documents": "partnerships.agreementdocument",
    "versions": "partnerships.documentversion",
    "attachments": "ideas.ideaattachment",
    "registrations": "delegations.registration",
    "letters": "delegations.registration",
    "requests": "delegations.meetingrequest",
    "unavailable": "delegations.unavailability",
    "meetings": "delegations.meeting",
    "runs": "delegations.schedulerun",
    "legs": "delegations.travelleg",
    "programme": "delegations.programmeitem",
    "questions": "delegations.registrationquestion",
    "sessions": "delegations.programmeitem",
    "tables": "delegations.table",
    "detail": "profiles.cooperationprofile",
    "profiles": "profiles.cooperationprofile",
    "ideas": "ideas.projectidea",
    "suggestions": "matching.suggestion",
    "introductions": "matching.introduction",
    "reembed": "matching.reembedrun",
    "people": "organisations.person",
    "outbox": "notifications.outgoingemail",
}
APP_MODELS = {
    "ideas": "ideas.projectidea",
    "profiles": "profiles.cooperationprofile",
    "inquiries": "inquiries.inquiry",
}
SLUG_MODELS = {
    "delegations": "delegations.delegation",
    "exports": "delegations.delegation",  # a trip's registrations and meetings
    "matching": "delegations.delegation",
    "partnerships": "partnerships.partnership",
    "organisations": "organisations.organisation",
    "regions": "regions.region",
    "agencies": "agencies.agency",
}
# Capability links: the segment before ``<token>`` says which record's which token it is.
TOKENS = {
    "confirm": ("ideas.projectidea", "confirmation_token"),
    "status": ("ideas.projectidea", "access_token"),
    "registration": ("delegations.registration", "access_token"),
    "agenda": ("delegations.registration", "access_token"),
    "calendar": ("delegations.registration", "calendar_token"),
    "unsubscribe": ("notifications.unsubscription", "pk"),  # signed, not stored: only a wrong token here
}
PIPELINE_ACTIONS = ["move", "owner", "due", "comment", "share", "link", "propose"]
ADMIN_QUERY_KEYS = {"q", "_facets", "_popup", "_to_field"}
UNTRACKED = {"sessions.session", "contenttypes.contenttype", "auth.permission", "organisations.naceactivity"}


# --- the URL patterns ---------------------------------------------------------------------------------


@dataclass
class Pattern:
    name: str
    route: str
    namespace: str
    callback: object
    defaults: dict
    keys: list[str]


def patterns() -> list[Pattern]:
    found = []

    def walk(resolver, prefix, namespace):
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                inner = ":".join(p for p in (namespace, entry.namespace) if p)
                walk(entry, prefix + str(entry.pattern), inner)
            elif isinstance(entry, URLPattern):
                route = prefix + str(entry.pattern)
                keys = re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", route)
                names = [a or b for a, b in keys]
                name = ":".join(p for p in (namespace, entry.name) if p) if entry.name else ""
                found.append(Pattern(name, route, namespace, entry.callback, entry.default_args, names))

    walk(get_resolver(), "", "")
    return found


@dataclass
class Target:
    pattern: Pattern
    kwargs: dict
    subject: object = None
    capability: object = None  # the record whose capability link this is (its own secrets may show)
    extra: str = ""
    query: str = ""  # a variant found in a link or a search form of the pages ("?status=waiting")

    def url(self, language: str) -> str:
        return self.path(language) + self.query

    def path(self, language: str) -> str:
        if self.pattern.name:
            with translation.override(language):
                return reverse(self.pattern.name, kwargs=self.kwargs)
        # An unnamed pattern (the admin's redirect from an object's bare URL): fill the route itself.
        route = self.pattern.route
        for key, value in self.kwargs.items():
            route = re.sub(r"<(?:\w+:)?" + key + ">", str(value), route)
            route = re.sub(r"\(\?P<" + key + r">[^)]*\)", str(value), route)
        route = route.replace("^", "").replace("$", "")
        if route.startswith("en/"):
            route = ("zh-hans" if language == "zh-hans" else language) + route[2:]
        return "/" + route


def _segment_before(route: str, key: str) -> str:
    head = re.split(r"<(?:\w+:)?" + key + r">|\(\?P<" + key + ">", route)[0]
    parts = [p for p in re.split(r"[/^]", head) if p and not p.startswith("<")]
    return parts[-1] if parts else ""


def _instances(world, label: str) -> list:
    model = apps.get_model(label)
    mine = [obj for obj in world.objects.values() if isinstance(obj, model)]
    return mine or list(model._default_manager.all()[:1])


def model_admin_of(callback):
    from django.contrib.admin import ModelAdmin

    owner = getattr(callback, "model_admin", None) or getattr(
        getattr(callback, "__wrapped__", None), "__self__", None
    )
    return owner if isinstance(owner, ModelAdmin) else None


def fill(pattern: Pattern, world) -> list[Target]:
    """Every way to fill the pattern's arguments from the world; fails on an argument it does not know."""
    keys = [k for k in pattern.keys if k not in pattern.defaults]
    callback = pattern.callback
    model_admin = model_admin_of(callback)
    app = pattern.namespace.split(":")[-1] if pattern.namespace else ""
    if not keys:
        return [Target(pattern, {})]
    choices: dict[str, list[tuple[object, object, object]]] = {}  # key -> [(value, subject, capability)]
    for key in keys:
        values = []
        if key in ("object_id", "id") and model_admin is not None:
            objs = _instances(world, model_admin.model._meta.label_lower)
            values = [(str(obj.pk), obj, None) for obj in objs]
        elif key == "object_id" and pattern.name == "admin:view_on_site":
            values = []  # filled with content_type_id below
        elif key == "content_type_id":
            from django.contrib.contenttypes.models import ContentType

            obj = world.objects["private_partnership"]
            values = [(ContentType.objects.get_for_model(obj).pk, obj, None)]
        elif key == "app_label":
            from django.contrib import admin

            labels = sorted({model._meta.app_label for model in admin.site._registry})
            values = [(label, None, None) for label in labels]
        elif key == "url" and pattern.namespace == "admin":
            values = [("nope/", None, None)]
        elif key in ("slug", "partnership_slug", "agency_slug"):
            label = {"partnership_slug": "partnerships.partnership", "agency_slug": "agencies.agency"}.get(
                key, SLUG_MODELS.get(app)
            )
            if label is None:
                pytest.fail(f"cannot fill <{key}> of {pattern.name} ({pattern.route})")
            values = [(obj.slug, obj, None) for obj in _instances(world, label)]
        elif key == "pk":
            segment = _segment_before(pattern.route, key)
            label = PK_SEGMENTS.get(segment) or APP_MODELS.get(app)
            if pattern.name == "pipeline:act":
                label = None  # filled together with <kind>
            elif label is None:
                pytest.fail(f"cannot fill <pk> of {pattern.name} ({pattern.route}): teach PK_SEGMENTS")
            values = [(obj.pk, obj, None) for obj in _instances(world, label)] if label else []
        elif key == "token":
            segment = _segment_before(pattern.route, key)
            if segment not in TOKENS:
                pytest.fail(f"cannot fill <token> of {pattern.name} ({pattern.route}): teach TOKENS")
            label, attribute = TOKENS[segment]
            values = [(WRONG_TOKEN, None, None)]
            values += [(getattr(obj, attribute), obj, obj) for obj in _instances(world, label)]
        elif key == "kind" and pattern.namespace == "pipeline":
            values = [("ideas", None, None), ("profiles", None, None)]
        elif key == "fmt" and pattern.namespace == "exports":
            values = [("csv", None, None), ("xlsx", None, None)]
        elif key == "action" and pattern.namespace == "pipeline":
            values = [(action, None, None) for action in PIPELINE_ACTIONS]
        elif key in ("key", "uidb36"):  # allauth's e-mail and password-reset keys
            values = [("1-wrongkey" if key == "key" else "1", None, None)]
        else:
            pytest.fail(f"cannot fill <{key}> of {pattern.name} ({pattern.route}): teach fill()")
        choices[key] = values
    targets = []
    if pattern.name == "pipeline:act":
        kinds = {"ideas": "ideas.projectidea", "profiles": "profiles.cooperationprofile"}
        for kind, label in kinds.items():
            for obj in _instances(world, label):
                for action, _s, _c in choices["action"]:
                    targets.append(
                        Target(pattern, {"kind": kind, "pk": obj.pk, "action": action}, obj, None, action)
                    )
        return targets
    if pattern.name == "admin:view_on_site":
        obj = world.objects["private_partnership"]
        return [
            Target(pattern, {"content_type_id": choices["content_type_id"][0][0], "object_id": obj.pk}, obj)
        ]
    ordered = [k for k in keys]
    for combination in itertools.product(*(choices[k] for k in ordered)):
        kwargs = {k: v for k, (v, _s, _c) in zip(ordered, combination, strict=True)}
        subjects = [s for _v, s, _c in combination if s is not None]
        capability = next((c for _v, _s, c in combination if c is not None), None)
        targets.append(Target(pattern, kwargs, subjects[-1] if subjects else None, capability))
    if model_admin is not None and "object_id" in keys and not targets:
        pytest.fail(f"no {model_admin.model._meta.label} in the world for {pattern.name}")
    return targets


# --- reading responses ----------------------------------------------------------------------------------


def readable(response) -> str:
    """Everything a person could read in the response: headers and the body, PDF and XLSX as text."""
    if getattr(response, "streaming", False):
        body = b"".join(response.streaming_content)
    else:
        body = response.content
    content_type = response.get("Content-Type", "")
    parts = [f"{k}: {v}" for k, v in response.items()]
    parts.append(body.decode("latin-1"))
    try:
        parts.append(body.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    if "pdf" in content_type and body.startswith(b"%PDF-") and len(body) > 200:
        from pypdf import PdfReader

        try:
            parts.extend(page.extract_text() or "" for page in PdfReader(io.BytesIO(body)).pages)
        except Exception:  # noqa: BLE001 - a file that is not a real PDF is read as bytes only
            pass
    if "spreadsheetml" in content_type:
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(body), read_only=True)
        for sheet in book.worksheets:
            for row in sheet.iter_rows(values_only=True):
                parts.extend(str(v) for v in row if v is not None)
    return "\n".join(parts).casefold()


class FormHarvester(HTMLParser):
    """The POST forms of a page: action → the fields a person would send (empty text filled in)."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, dict[str, list[str]]]] = []
        self.queries: list[str] = []  # links with a query string, and GET forms as the query they send
        self._get_action: str | None = None
        self._form: dict[str, list[str]] | None = None
        self._select: str | None = None
        self._select_first: str | None = None
        self._selected = False
        self._textarea: str | None = None
        self._text = ""
        self._submitted = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for attribute in ("href", "hx-get"):
            if "?" in (a.get(attribute) or ""):
                self.queries.append(a[attribute])
        if tag == "form":
            self._form = {}
            self._submitted = False
            if (a.get("method") or "get").lower() == "post":
                self.forms.append((a.get("action") or "", self._form))
                self._get_action = None
            else:
                self._get_action = a.get("action") or ""
        if self._form is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            value = a.get("value") or ""
            if kind in ("checkbox", "radio"):
                if "checked" in a or kind == "radio" and name not in self._form:
                    self._form.setdefault(name, []).append(value or "on")
            elif kind == "submit":
                if not self._submitted:
                    self._form.setdefault(name, []).append(value)
                    self._submitted = True
            elif kind == "file":
                pass
            else:
                if not value and kind in ("text", "email", "search", ""):
                    value = "probe@example.org" if kind == "email" else "probe"
                elif not value and kind == "date":
                    value = (datetime.date.today() + datetime.timedelta(days=90)).isoformat()
                elif not value and kind == "number":
                    value = "1"
                self._form.setdefault(name, []).append(value)
        elif tag == "button" and name and (a.get("type") or "submit") == "submit" and not self._submitted:
            self._form.setdefault(name, []).append(a.get("value") or "")
            self._submitted = True
        elif tag == "select" and name:
            self._select, self._select_first, self._selected = name, None, False
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if "selected" in a:
                self._form.setdefault(self._select, []).append(value)
                self._selected = True
            elif self._select_first is None and value:
                self._select_first = value
        elif tag == "textarea" and name:
            self._textarea, self._text = name, ""

    def handle_endtag(self, tag):
        if tag == "form":
            if self._get_action is not None and self._form:
                from urllib.parse import urlencode

                self.queries.append(self._get_action + "?" + urlencode(self._form, doseq=True))
            self._form, self._get_action = None, None
        elif tag == "select" and self._select and self._form is not None:
            if not self._selected and self._select_first is not None:
                self._form.setdefault(self._select, []).append(self._select_first)
            self._select = None
        elif tag == "textarea" and self._textarea and self._form is not None:
            self._form.setdefault(self._textarea, []).append(self._text.strip() or "probe")
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self._text += data


def generic_payload(target: Target) -> dict:
    payload = {
        "post": "yes",
        "answer": "accept",
        "body": "probe",
        "reason": "probe",
        "note": "probe",
        "message": "probe",
        "shared": "on",
        "names": "T1\nT2",
        "valid_until": (datetime.date.today() + datetime.timedelta(days=90)).isoformat(),
        "due_date": (datetime.date.today() + datetime.timedelta(days=9)).isoformat(),
    }
    model_admin = model_admin_of(target.pattern.callback)
    if model_admin is not None and target.pattern.name.endswith("_changelist"):
        payload["action"] = "delete_selected"
        payload["_selected_action"] = [
            str(pk) for pk in model_admin.model._default_manager.values_list("pk", flat=True)
        ]
    return payload


# --- the world's state ----------------------------------------------------------------------------------


def snapshot() -> dict[tuple[str, object], tuple]:
    rows = {}
    for model in apps.get_models(include_auto_created=True):
        label = model._meta.label_lower
        if label in UNTRACKED or not model._meta.managed:
            continue
        columns = [f.attname for f in model._meta.concrete_fields]
        for values in model._base_manager.values_list(*columns):
            rows[(label, values[0])] = values
    return rows


def writes_so_far() -> int:
    """Rows written in this connection so far: a cheap test of whether a request wrote anything."""
    from django.db import connection

    if connection.vendor == "sqlite":
        return connection.connection.total_changes
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) FROM pg_stat_xact_user_tables"
        )
        return int(cursor.fetchone()[0])


def changed(before: dict, after: dict) -> set:
    return {key for key in before.keys() | after.keys() if before.get(key) != after.get(key)}


def consequences(before: dict, after: dict, diff: set, role: str, world) -> set:
    """Rows a deletion the role may make changes in passing: a foreign key set to NULL (SET_NULL)."""
    deleted = {k for k in diff if k in before and k not in after}
    if not any(role in world.editors.get(k, ()) for k in deleted):
        return set()
    return {
        k
        for k in diff
        if k in before
        and k in after
        and all(a is None for b, a in zip(before[k], after[k], strict=True) if a != b)
    }


def ignorable(key) -> bool:
    """Signing in touches the user's own row (last login); that is not a change the URL made."""
    return key[0] == "accounts.user"


# --- the test ----------------------------------------------------------------------------------------------


@dataclass
class Findings:
    leaks: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    writes: list[str] = field(default_factory=list)
    effective: set[str] = field(default_factory=set)


def _send(client, method, url, data, detail):
    with transaction.atomic():
        before = snapshot() if detail else None
        counted = writes_so_far()
        try:
            response = client.post(url, data or {}) if method == "post" else client.get(url)
            error = None
        except Exception as exc:  # noqa: BLE001 - reported as a server error with the URL
            response, error = None, exc
        wrote = writes_so_far() != counted
        after = snapshot() if detail else None
        transaction.set_rollback(True)
    return response, error, wrote, before, after


def request_in_savepoint(client, method, url, data=None):
    """Send the request in a savepoint that is rolled back; for a POST that wrote anything, send it once
    more between two snapshots of every table to see what it changed (the rollback makes that repeatable)."""
    response, error, wrote, before, after = _send(client, method, url, data, detail=False)
    if method == "post" and wrote and error is None:
        response, error, _wrote, before, after = _send(client, method, url, data, detail=True)
    else:
        before = after = {}
    return response, error, before, after


def writers_of(target: Target, world) -> set[str] | None:
    """Roles allowed to change the target's subject; None: anyone may post (a public form)."""
    name = target.pattern.name
    if name in PUBLIC_WRITES or name.startswith(PUBLIC_PREFIXES):
        return None
    if target.capability is not None:
        return None  # the link itself is the proof
    if target.subject is None:
        if name in OBJECTLESS_WRITERS:
            return set(OBJECTLESS_WRITERS[name])
        if name.startswith("admin:") and name.endswith(ADMIN_OBJECTLESS_SUFFIXES):
            return set(STAFF)
        return {"superuser"}
    key = (target.subject._meta.label_lower, target.subject.pk)
    writers = set(world.editors.get(key, {"superuser"}))
    subject = next((key for key, obj in world.objects.items() if obj is target.subject), "")
    writers |= EXTRA_WRITERS.get((name, target.extra, subject), set())
    return writers


@pytest.fixture
def secret_world(db, settings, tmp_path):
    settings.DEBUG = False
    # Background work is stored, not run: what a POST queued is part of what it changed.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.PUBLIC_FORM_RATE_PER_HOUR = 10_000
    # The matrix runs for minutes: the task its world queued must not make /healthz report a stale queue.
    settings.HEALTHZ_QUEUE_MAX_AGE = 24 * 3600
    return build(settings, tmp_path)


class RoleClient(Client):
    """A client that stays signed in: a sign-out or sign-in the matrix posts is rolled back in the database,
    and the session cookie it had is put back before each request."""

    def __init__(self, user=None):
        super().__init__(raise_request_exception=True)
        self.session_cookie = None
        if user is not None:
            self.force_login(user)
            self.session_cookie = self.cookies[settings.SESSION_COOKIE_NAME].value

    def request(self, **request):
        if self.session_cookie is not None:
            self.cookies[settings.SESSION_COOKIE_NAME] = self.session_cookie
        else:
            self.cookies.pop(settings.SESSION_COOKIE_NAME, None)
        return super().request(**request)


def clients(world) -> dict[str, Client]:
    return {role: RoleClient(None if role == "anonymous" else world.users[role]) for role in ROLES}


def all_targets(world) -> list[Target]:
    """Every filled pattern; ``MATRIX_ONLY`` (a regular expression on the route's name) narrows a local run
    to the routes being worked on. The assertions on routes outside it are then skipped."""
    import os

    only = os.environ.get("MATRIX_ONLY")
    chosen = [p for p in patterns() if not only or re.search(only, p.name or p.route)]
    return [t for p in chosen for t in fill(p, world)]


def harvest(world, targets, client, findings) -> tuple[dict[str, dict], list[Target]]:
    """POST payloads by path, from the forms on every page the superuser can open; and the variants with
    a query string that its links and search forms lead to (one per path and set of parameters)."""
    from urllib.parse import parse_qs, urlsplit

    payloads: dict[str, dict] = {}
    by_path = {target.path("en"): target for target in targets}
    tokens = {
        getattr(obj, attribute): obj
        for label, attribute in TOKENS.values()
        for obj in _instances(world, label)
    }
    variants: dict[tuple, Target] = {}
    for target in targets:
        url = target.url("en")
        response, error, _b, _a = request_in_savepoint(client, "get", url)
        if error is not None or response.status_code >= 500:
            findings.errors.append(
                f"superuser GET {url}: {error!r}" if error else f"superuser GET {url}: 500"
            )
            continue
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        parser = FormHarvester()
        parser.feed(response.content.decode("utf-8", "replace"))
        for action, fields in parser.forms:
            path = action.split("?")[0] or url
            payloads.setdefault(path, fields)
        for link in parser.queries:
            parts = urlsplit(link)
            origin = by_path.get(parts.path or url)
            if origin is None or not parts.query:
                continue
            keys = frozenset(parse_qs(parts.query, keep_blank_values=True))
            if origin.pattern.namespace == "admin" and not keys <= ADMIN_QUERY_KEYS:
                continue  # the admin's filters and orderings: their choices are on the list page itself
            key = (origin.path("en"), keys)
            if key not in variants:
                # A token in the query makes the variant a capability link of the token's record.
                values = {v for vs in parse_qs(parts.query).values() for v in vs}
                holder = next((obj for token, obj in tokens.items() if token in values), origin.capability)
                variants[key] = Target(
                    **{**origin.__dict__, "query": "?" + parts.query, "capability": holder}
                )
    return payloads, list(variants.values())


def check_role(role, world, targets, client, payloads, findings):
    forbidden = world.forbidden_for(role)
    for index, target in enumerate(targets):
        language = LANGUAGES[(index + ROLES.index(role)) % len(LANGUAGES)]
        url = target.url(language)
        own = (
            world.owned.get((target.capability._meta.label_lower, target.capability.pk), set())
            if target.capability
            else set()
        )
        response, error, _b, _a = request_in_savepoint(client, "get", url)
        if error is not None or response.status_code >= 500:
            findings.errors.append(
                f"{role} GET {url}: {error!r}" if error else f"{role} GET {url}: {response.status_code}"
            )
        else:
            text = readable(response)
            leaked = sorted(m for m in forbidden - own if m in text)
            if leaked:
                findings.leaks.append(f"{role} GET {url}: {', '.join(leaked)}")
        payload = payloads.get(target.path("en")) or generic_payload(target)
        response, error, before, after = request_in_savepoint(client, "post", url, payload)
        if error is not None or response.status_code >= 500:
            findings.errors.append(
                f"{role} POST {url}: {error!r}" if error else f"{role} POST {url}: {response.status_code}"
            )
            continue
        text = readable(response)
        leaked = sorted(m for m in forbidden - own if m in text)
        if leaked:
            findings.leaks.append(f"{role} POST {url}: {', '.join(leaked)}")
        diff = {key for key in changed(before, after) if not ignorable(key)}
        diff -= consequences(before, after, diff, role, world)
        if diff:
            findings.effective.add(f"{role} {target.pattern.name} {target.extra}".strip())
        # Rule 1: nobody changes a record they may not change, whatever the URL.
        mine = {(target.capability._meta.label_lower, target.capability.pk)} if target.capability else set()
        foreign = sorted(k for k in diff - mine if k in world.editors and role not in world.editors[k])
        # Rule 2: a role that may not change the URL's record changes nothing at all through it.
        writers = writers_of(target, world)
        if writers is not None and role not in writers and diff:
            foreign = sorted(set(foreign) | diff)
        if foreign:
            findings.writes.append(f"{role} POST {url}: changed {foreign[:5]}")


def test_every_pattern_for_every_role_leaks_nothing_and_wrong_roles_change_nothing(secret_world):
    world = secret_world
    targets = all_targets(world)
    role_clients = clients(world)
    findings = Findings()
    payloads, variants = harvest(world, targets, role_clients["superuser"], findings)
    targets = targets + variants
    for role in ROLES:
        check_role(role, world, targets, role_clients[role], payloads, findings)
    import os

    if os.environ.get("MATRIX_EFFECTIVE_FILE"):
        with open(os.environ["MATRIX_EFFECTIVE_FILE"], "w") as out:
            out.write("\n".join(sorted(findings.effective)))
    report = []
    for title, items in [
        ("leaks", findings.leaks),
        ("server errors", findings.errors),
        ("writes", findings.writes),
    ]:
        if items:
            report.append(f"{len(items)} {title}:\n  " + "\n  ".join(items[:80]))
    if report:
        print("\n".join(report))
    assert not report, "\n".join(report)
    # The POSTs were real: the organisers' and the operator's own POSTs changed the world on these routes.
    if os.environ.get("MATRIX_ONLY"):
        return
    for expected in [
        "superuser admin:organisations_person_delete",
        "agency_staff admin:organisations_organisation_change",
        "partner_staff admin:organisations_organisation_change",
        "agency_staff profiles:publish",
        "agency_staff inquiries:close",
        "agency_staff delegations:registration_decline",
        "agency_staff pipeline:act comment",
        "partner_staff pipeline:act comment",
        "member profiles:submit",
        "member_other delegations:meetings_answer",
        "anonymous ideas:submit",
    ]:
        assert expected in findings.effective, f"{expected} changed nothing: the payloads are not real"


def test_every_pattern_can_be_filled(secret_world):
    unfilled = [p.name or p.route for p in patterns() if not fill(p, secret_world)]
    assert not unfilled


def test_a_pattern_the_matrix_cannot_fill_fails_it(secret_world):
    strange = Pattern("x:y", "x/<int:weird>/", "x", lambda r: None, {}, ["weird"])
    with pytest.raises(pytest.fail.Exception, match="cannot fill"):
        fill(strange, secret_world)


def test_a_planted_secret_is_found_in_a_page(secret_world):
    """The detector itself: the private partnership's page shows its marker to the agency's staff."""
    client = Client()
    client.force_login(secret_world.users["agency_staff"])
    partnership = secret_world.objects["private_partnership"]
    response = client.get(reverse("partnerships:detail", args=[partnership.slug]))
    marker = next(iter(secret_world.owned[("partnerships.partnership", partnership.pk)]))
    assert marker in readable(response)
    assert marker in secret_world.forbidden_for("partner_staff")


def test_resolving_every_filled_url_gives_its_pattern(secret_world):
    for target in all_targets(secret_world):
        url = target.url("de")
        try:
            with translation.override("de"):
                match = resolve(url)
        except Resolver404:
            pytest.fail(f"{url} does not resolve")
        assert match.url_name is None or target.pattern.name.endswith(match.url_name)
