"""What each export contains: the list page's own filter (so the file has the rows the page shows), read
through ``visible_to``, and the columns, headed in the reader's language.

Each dataset function takes the request (and the URL's arguments) and returns an :class:`Export`. Rows are
produced lazily from ``.iterator()``, so a list of 50,000 organisations is never held in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.shortcuts import get_object_or_404
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from partnerhub.delegations.models import Delegation, Meeting, Registration
from partnerhub.delegations.registration import filters as registration_filters
from partnerhub.delegations.registration.forms import display_answer
from partnerhub.delegations.registration.sensitive import SENSITIVE_ANSWERS
from partnerhub.ideas.models import ProjectIdea
from partnerhub.organisations import filters as organisation_filters
from partnerhub.organisations.models import Organisation, Person
from partnerhub.pipeline import filters as pipeline_filters
from partnerhub.profiles import filters as profile_filters
from partnerhub.profiles.models import CooperationProfile

CHUNK = 2000


@dataclass
class Column:
    header: Any  # a lazy translation
    value: Callable[[Any], Any]


@dataclass
class Export:
    name: str  # the list's key: file name and audit entry
    title: Any  # the sheet's title, translated
    columns: list[Column]
    queryset: models.QuerySet
    target: models.Model | None = None  # the record the audit entry is filed under (a trip); else the user
    filters: str = ""  # the query string the list page sent

    @property
    def headers(self) -> list[str]:
        return [str(capfirst(c.header)) for c in self.columns]

    def rows(self) -> Iterator[list]:
        for obj in self.queryset.iterator(chunk_size=CHUNK):
            yield [c.value(obj) for c in self.columns]


def label(model: type[models.Model], field: str):
    """A field's verbose name: the header reads like the form and the admin, in the reader's language."""
    return model._meta.get_field(field).verbose_name


def text(value) -> str:
    """A multilingual value in the reader's language, with i18nfield's fallback; empty stays empty."""
    return str(value) if value else ""


def choices(model: type[models.Model], field: str) -> Callable[[str], str]:
    """A choice field's display text, translated once per export rather than once per row (a lazy
    label's lookup per cell made large exports several times slower)."""
    texts = {value: str(text) for value, text in model._meta.get_field(field).flatchoices}
    return lambda value: texts.get(value, value)


def cached(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``fn`` of a related record computed once per record (a region's name for 50,000 organisations)."""
    seen: dict = {}

    def lookup(obj):
        if obj is None:
            return ""
        if obj.pk not in seen:
            seen[obj.pk] = fn(obj)
        return seen[obj.pk]

    return lookup


def prefetched(obj, name: str):
    """A prefetched relation's rows without a queryset clone per row (``.all()`` cost more than the row)."""
    cache = getattr(obj, "_prefetched_objects_cache", {})
    return cache[name] if name in cache else getattr(obj, name).all()


def joined(values) -> str:
    return "; ".join(str(v) for v in values if v)


# --- organisations and persons (the directory) ------------------------------------------------------------


def organisations(request) -> Export:
    _form, queryset = organisation_filters.directory(request.user, request.GET)
    O = Organisation  # noqa: N806, E741
    kind, size = choices(O, "kind"), choices(O, "size_class_computed")
    region = cached(text)
    columns = [
        Column(label(O, "name"), lambda o: o.display_name),
        Column(_("name in own script"), lambda o: o.name),
        Column(label(O, "name_latin"), lambda o: o.name_latin),
        Column(label(O, "kind"), lambda o: kind(o.kind)),
        Column(label(O, "region"), lambda o: region(o.region)),
        Column(label(O, "city"), lambda o: o.city),
        Column(label(O, "country"), lambda o: o.country.name if o.country else ""),
        Column(label(O, "website"), lambda o: o.website),
        Column(label(O, "sectors"), lambda o: joined(s.code for s in prefetched(o, "sectors"))),
        Column(_("size class"), lambda o: size(o.size_class) if o.size_class else ""),
        Column(label(O, "headcount"), lambda o: o.headcount),
        Column(label(O, "founded"), lambda o: o.founded),
        Column(label(O, "keywords"), lambda o: joined(o.keywords or [])),
        Column(label(O, "description"), lambda o: text(o.description)),
        Column(label(O, "created_at"), lambda o: o.created_at.date()),
    ]
    queryset = queryset.prefetch_related("sectors").order_by("name_latin", "name", "pk")
    return Export("organisations", _("Organisations"), columns, queryset)


def persons(request) -> Export:
    """Contact persons of the organisations the directory shows, only those who agreed to be contacted."""
    _form, shown = organisation_filters.directory(request.user, request.GET)
    queryset = (
        Person.objects.visible_to(request.user)
        .filter(consent=Person.Consent.GRANTED, organisation__in=shown.values("pk"))
        .select_related("organisation")
        .order_by("organisation__name_latin", "organisation__name", "name_latin", "family_name", "pk")
    )
    P = Person  # noqa: N806
    columns = [
        Column(_("name"), lambda p: p.full_name),
        Column(label(P, "family_name"), lambda p: p.family_name),
        Column(label(P, "given_name"), lambda p: p.given_name),
        Column(label(P, "name_latin"), lambda p: p.name_latin),
        Column(label(P, "title"), lambda p: p.title),
        Column(label(P, "role"), lambda p: text(p.role)),
        Column(label(P, "organisation"), lambda p: p.organisation.display_name),
        Column(label(P, "email"), lambda p: p.email),
        Column(label(P, "phone"), lambda p: p.phone),
        Column(label(P, "languages"), lambda p: joined(p.languages or [])),
        Column(
            label(P, "consent_changed_at"), lambda p: p.consent_changed_at and p.consent_changed_at.date()
        ),
    ]
    return Export("persons", _("Contact persons"), columns, queryset)


# --- ideas and profiles -----------------------------------------------------------------------------------

I = ProjectIdea  # noqa: E741
IDEA_COLUMNS = [
    Column(_("reference"), lambda i: i.reference),
    Column(label(I, "title"), lambda i: i.title),
    Column(label(I, "area"), lambda i: i.get_area_display()),
    Column(label(I, "organisation_name"), lambda i: i.organisation_name),
    Column(label(I, "stage"), lambda i: text(i.stage.name) if i.stage else ""),
]


def ideas(request) -> Export:
    """The agency's pipeline list of ideas (staff only, like the page: 404 for everyone else)."""
    from partnerhub.pipeline.views import _staff_agency

    agency = _staff_agency(request)
    _form, queryset = pipeline_filters.item_list(request.user, "ideas", request.GET, agency)
    columns = IDEA_COLUMNS + [
        Column(label(I, "owner"), lambda i: str(i.owner) if i.owner else ""),
        Column(label(I, "due_date"), lambda i: i.due_date),
        Column(label(I, "created_at"), lambda i: i.created_at.date()),
    ]
    if not queryset.query.order_by:
        queryset = queryset.order_by("-created_at", "pk")
    return Export("ideas", _("Project ideas"), columns, queryset)


def my_ideas(request) -> Export:
    """The ideas of the member's organisation, as their "Project ideas" page lists them."""
    queryset = ProjectIdea.objects.visible_to(request.user).filter(organisation__isnull=False)
    columns = IDEA_COLUMNS + [Column(label(I, "created_at"), lambda i: i.created_at.date())]
    return Export("my_ideas", _("Project ideas"), columns, queryset.select_related("stage"))


def profiles(request) -> Export:
    _form, queryset = profile_filters.profile_list(request.user, request.GET)
    C = CooperationProfile  # noqa: N806
    columns = [
        Column(label(C, "summary"), lambda p: text(p.summary)),
        Column(label(C, "profile_type"), lambda p: p.get_profile_type_display()),
        Column(label(C, "status"), lambda p: p.get_status_display()),
        Column(_("region"), lambda p: text(p.organisation.region) if p.organisation.region_id else ""),
        Column(label(C, "sectors"), lambda p: joined(s.code for s in prefetched(p, "sectors"))),
        Column(label(C, "keywords"), lambda p: joined(p.keywords or [])),
        Column(label(C, "valid_until"), lambda p: p.valid_until),
        Column(label(C, "published_at"), lambda p: p.published_at and p.published_at.date()),
        Column(label(C, "description"), lambda p: text(p.description)),
    ]
    return Export("profiles", _("Cooperation profiles"), columns, queryset.prefetch_related("sectors"))


# --- a trip's registrations and meetings ------------------------------------------------------------------


def registrations(request, slug) -> Export:
    """The trip's registration list with its status filter; answers to sensitive questions (passport
    numbers, sensitive.py) never leave the page, not even for the organisers."""
    trip = get_object_or_404(Delegation.objects.visible_to(request.user), slug=slug)
    _visible, _status, queryset = registration_filters.registration_list(request.user, trip, request.GET)
    R = Registration  # noqa: N806
    columns = [
        Column(label(R, "family_name"), lambda r: r.family_name),
        Column(label(R, "given_name"), lambda r: r.given_name),
        Column(label(R, "name_latin"), lambda r: r.name_latin),
        Column(label(R, "organisation_name"), lambda r: r.organisation_name),
        Column(label(R, "email"), lambda r: r.email),
        Column(label(R, "language"), lambda r: r.language),
        Column(label(R, "status"), lambda r: r.get_status_display()),
        Column(_("registered"), lambda r: r.created_at.date()),
    ]
    for question in trip.questions.exclude(key__in=SENSITIVE_ANSWERS):
        columns.append(Column(text(question.label), _answer(question)))
    return Export("registrations", _("Registrations"), columns, queryset, target=trip)


def _answer(question):
    def value(registration):
        answers = registration.answers or {}
        return display_answer(question, answers[question.key]) if question.key in answers else ""

    return value


def meetings(request, slug) -> Export:
    """The B2B meetings of a trip its organisers manage, in the trip's local time (ISO 8601 with offset)."""
    trip = get_object_or_404(Delegation.objects.editable_by(request.user), slug=slug)
    zone = trip.zone
    M = Meeting  # noqa: N806
    columns = [
        Column(label(M, "starts_at"), lambda m: m.starts_at.astimezone(zone)),
        Column(label(M, "ends_at"), lambda m: m.ends_at.astimezone(zone)),
        Column(label(M, "table"), lambda m: m.table.name if m.table else ""),
        Column(_("participant"), lambda m: str(m.first)),
        Column(label(R_, "organisation_name"), lambda m: m.first.organisation_name),
        Column(_("meets"), lambda m: str(m.second)),
        Column(label(R_, "organisation_name"), lambda m: m.second.organisation_name),
        Column(label(M, "fixed"), lambda m: _("yes") if m.fixed else _("no")),
    ]
    queryset = trip.meetings.select_related("first", "second", "table")
    return Export("meetings", _("Meetings"), columns, queryset, target=trip)


R_ = Registration

DATASETS = {
    "organisations": organisations,
    "persons": persons,
    "ideas": ideas,
    "my_ideas": my_ideas,
    "profiles": profiles,
    "registrations": registrations,
    "meetings": meetings,
}
