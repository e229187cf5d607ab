"""Matching on the platform: suggestions, their review, feedback, introductions, re-embedding, trip meetings.

The cross-lingual work is the engine's (``partnerhub.engines.matching``); this module turns database rows
into the engine's items, keeps vectors and suggestions, and enforces who may do what. Every state change
checks the actor (``actor=None`` is the system), writes, records an audit entry on the pipeline items
involved — so each step shows in their pipeline history — and queues e-mails, in one transaction.
"""

import hashlib
import logging
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerhub.accounts.visibility import Viewer, viewer_for
from partnerhub.core import audit
from partnerhub.core.i18n import languages_of
from partnerhub.delegations import meetings as meeting_services
from partnerhub.delegations.models import Delegation, MeetingRequest, Registration
from partnerhub.engines.matching import documents, embedders, explain, scoring
from partnerhub.ideas.models import ProjectIdea
from partnerhub.matching.models import Embedding, Introduction, ReembedRun, Suggestion
from partnerhub.notifications.services import notify, url_in
from partnerhub.organisations.models import NaceActivity, Organisation, Person
from partnerhub.profiles.models import CooperationProfile

log = logging.getLogger(__name__)

TOP = 10  # new suggestions kept per item; reviewed ones are kept besides
MEETINGS_PER_ORGANISATION = 5
Status = Suggestion.Status
State = Introduction.State
Side = Introduction.Side
Kind = CooperationProfile.ProfileType
IDEA = "idea"
LANGUAGE_OF_CODE = {"de": "de", "en": "en", "zh": "zh-hans", "zh-hans": "zh-hans", "zh-cn": "zh-hans"}
LANGUAGE_OF_COUNTRY = {"DE": "de", "AT": "de", "CH": "de", "CN": "zh-hans"}

# Which kinds of profile answer which: a request is answered by an offer, and research cooperation by
# research cooperation or technology. An idea looks for any partner able to carry it out.
COMPLEMENTS: dict[str, set[str]] = {
    Kind.TECHNOLOGY_REQUEST: {Kind.TECHNOLOGY_OFFER, Kind.RD_REQUEST},
    Kind.TECHNOLOGY_OFFER: {Kind.TECHNOLOGY_REQUEST, Kind.RD_REQUEST},
    Kind.BUSINESS_REQUEST: {Kind.BUSINESS_OFFER},
    Kind.BUSINESS_OFFER: {Kind.BUSINESS_REQUEST},
    Kind.RD_REQUEST: {Kind.RD_REQUEST, Kind.TECHNOLOGY_OFFER, Kind.TECHNOLOGY_REQUEST},
    IDEA: {Kind.TECHNOLOGY_OFFER, Kind.BUSINESS_OFFER, Kind.RD_REQUEST},
}


# --- items -----------------------------------------------------------------------------------------


def kind_of(item) -> str:
    return IDEA if isinstance(item, ProjectIdea) else item.profile_type


def is_live(item) -> bool:
    """Whether an item takes part in matching: a published, valid profile; a confirmed idea still open."""
    if isinstance(item, ProjectIdea):
        return item.is_confirmed and not item.is_closed
    return item.status == CooperationProfile.Status.PUBLISHED and not item.is_past_validity


def live_items() -> list:
    profiles = CooperationProfile.objects.filter(
        status=CooperationProfile.Status.PUBLISHED, valid_until__gte=timezone.localdate()
    )
    ideas = [i for i in ProjectIdea.objects.confirmed().select_related("stage") if not i.is_closed]
    return list(profiles.select_related("organisation", "agency")) + ideas


def item_by_key(model_label: str, pk: int):
    model = ContentType.objects.get_by_natural_key(*model_label.split(".")).model_class()
    return model.objects.filter(pk=pk).first()


def agency_viewer(agency) -> Viewer:
    """The agency as a viewer: what its staff may see is what may be suggested to its items."""
    return Viewer(is_authenticated=True, agency_id=agency.pk, agency_family=frozenset(agency.family_ids()))


def candidates_for(item) -> models.QuerySet:
    """Published profiles the item's agency may see, of another organisation, of a complementary kind."""
    profiles = CooperationProfile.objects.visible_to(agency_viewer(item.agency)).filter(
        status=CooperationProfile.Status.PUBLISHED,
        valid_until__gte=timezone.localdate(),
        profile_type__in=COMPLEMENTS[kind_of(item)],
    )
    if item.organisation_id is not None:
        profiles = profiles.exclude(organisation_id=item.organisation_id)
    if isinstance(item, CooperationProfile):
        profiles = profiles.exclude(pk=item.pk)
    return profiles.select_related("organisation", "agency").prefetch_related("sectors")


def _ct(item) -> ContentType:
    return ContentType.objects.get_for_model(item)


def suggestions_of(item) -> models.QuerySet:
    return Suggestion.objects.filter(source_type=_ct(item), source_id=item.pk)


# --- vectors: the configured embedder, stored per item and model ----------------------------------------

_embedders: dict[str, object] = {}


def embedder_named(name: str):
    """An embedder by short name (``default``, ``fake``, ``use``, …); kept, since loading a model is slow."""
    if name not in _embedders:
        if name == "default":
            _embedders[name] = embedders.default_embedder()
        else:
            _embedders[name] = embedders.make_embedder(name)
    return _embedders[name]


def configured_embedder():
    return embedder_named(settings.MATCHING_EMBEDDER)


def model_choices() -> list[str]:
    return ["default", *embedders.MODELS]


def key(item) -> tuple[int, int]:
    return (_ct(item).pk, item.pk)


def primary_language(item) -> str:
    """The language the item is mainly written in: the organisation's own where it wrote in that."""
    if isinstance(item, ProjectIdea):
        return LANGUAGE_OF_CODE.get(item.language.lower(), settings.LANGUAGE_CODE)
    written = languages_of(item.description) or languages_of(item.summary)
    own = LANGUAGE_OF_COUNTRY.get(str(item.organisation.country))
    if own in written:
        return own
    return written[0] if written else settings.LANGUAGE_CODE


def _in(value, language: str) -> str:
    data = getattr(value, "data", value)
    if isinstance(data, dict):
        return data.get(language) or next((t for t in data.values() if t), "")
    return str(data or "")


def sentences_text(item) -> tuple[str, str]:
    """(language, text) of the item's prose in its main language, for the sentence pairs."""
    language = primary_language(item)
    if isinstance(item, ProjectIdea):
        return language, "\n".join(t for t in (item.title, item.description, item.partner_sought) if t)
    summary, description = _in(item.summary, language), _in(item.description, language)
    return language, f"{summary}\n{description}".strip()


def document_text(item) -> str:
    """What is embedded: the prose in its main language, with keywords and technologies."""
    _language, text = sentences_text(item)
    if isinstance(item, CooperationProfile):
        tags = [str(t) for t in [*item.keywords, *item.technologies]]
        if tags:
            text += "\n" + ", ".join(tags)
    return text


def vectors_for(items: list, embedder) -> dict[tuple[int, int], np.ndarray]:
    """The items' document vectors for this embedder: stored ones whose text is unchanged, others embedded
    now and stored (with model name and dimension)."""
    found: dict[tuple[int, int], np.ndarray] = {}
    missing = []
    by_type: dict[ContentType, list] = {}
    for item in items:
        by_type.setdefault(_ct(item), []).append(item)
    for content_type, group in by_type.items():
        stored = {
            e.target_id: e
            for e in Embedding.objects.filter(
                target_type=content_type, target_id__in=[i.pk for i in group], model_name=embedder.name
            )
        }
        for item in group:
            text = document_text(item)
            digest = hashlib.sha256(text.encode()).hexdigest()
            row = stored.get(item.pk)
            if row is not None and row.text_hash == digest and row.dim == embedder.dim:
                found[key(item)] = row.as_array()
            else:
                missing.append((item, text, digest))
    if not missing:
        return found
    rows = list(documents.embed_documents(embedder, [text for _i, text, _d in missing]))
    for (item, _text, digest), vector in zip(missing, rows, strict=True):
        Embedding.objects.update_or_create(
            target_type=_ct(item),
            target_id=item.pk,
            model_name=embedder.name,
            defaults={"dim": int(vector.shape[0]), "vector": vector.tobytes(), "text_hash": digest},
        )
        found[key(item)] = vector
    return found


def _sector_codes(item) -> list[str]:
    if isinstance(item, ProjectIdea):
        return []
    return sorted(s.code for s in item.sectors.all())


def shared_sectors(item, candidate) -> list[dict]:
    codes = set(_sector_codes(item)) & set(_sector_codes(candidate))
    return [
        {"code": s.code, "de": s.name_de, "en": s.name_en, "zh-hans": s.name_zh}
        for s in NaceActivity.objects.filter(code__in=codes).order_by("code")
    ]


def _tags(item) -> dict[str, str]:
    if isinstance(item, ProjectIdea):
        return {}
    return {str(t).casefold(): str(t) for t in [*item.keywords, *item.technologies]}


def shared_keywords(item, candidate) -> list[str]:
    mine, theirs = _tags(item), _tags(candidate)
    return [mine[k] for k in sorted(mine.keys() & theirs.keys())]


def _country(item) -> str:
    if item.organisation_id is not None:
        return str(item.organisation.country)
    return str(getattr(item, "organisation_country", ""))


def engine_item(scoring, item):
    """The engine's view of an item (``scoring.Item``)."""
    language, _text = sentences_text(item)
    organisation = item.organisation
    return scoring.Item(
        id=f"{item._meta.model_name}:{item.pk}",
        lang=language,
        text=document_text(item),
        kind=ENGINE_KINDS.get(kind_of(item), kind_of(item)),
        sectors=tuple(_sector_codes(item)),
        region=str(organisation.region_id) if organisation is not None else None,
        target_regions=tuple(str(pk) for pk in item.target_regions.values_list("pk", flat=True)),
        organisation=str(item.organisation_id or f"idea:{item.pk}"),
        side=_country(item),
        created=item.created_at,
    )


def jsonable(value):
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


# --- scoring ---------------------------------------------------------------------------------------


ENGINE_KINDS = {Kind.RD_REQUEST: "research_cooperation", IDEA: None}


def _score(item, candidate, similarity: float) -> tuple[float, dict, list] | None:
    """(total, parts, reasons) from the engine's scoring; None when the engine excludes the pair."""
    result = scoring.score(engine_item(scoring, item), engine_item(scoring, candidate), similarity)
    if getattr(result, "excluded", False):
        return None
    reasons = [": ".join(map(str, r)) if isinstance(r, tuple | list) else str(r) for r in result.reasons]
    return float(result.total), jsonable(dict(result.parts)), reasons


def _explanation(embedder, item, candidate, parts: dict) -> dict:
    lang_a, text_a = sentences_text(item)
    lang_b, text_b = sentences_text(candidate)
    pairs = explain.best_sentence_pairs(embedder, text_a, text_b, top=3)
    return {
        "pairs": [
            {"a": a, "a_lang": lang_a, "b": b, "b_lang": lang_b, "similarity": round(float(sim), 3)}
            for a, b, sim in pairs
        ],
        "shared_sectors": shared_sectors(item, candidate),
        "shared_keywords": shared_keywords(item, candidate),
        "parts": parts,
    }


def _values(embedder, item, candidate, total, parts, reasons) -> dict:
    return {
        "score": round(total, 4),
        "parts": parts,
        "reasons": reasons,
        "explanation": _explanation(embedder, item, candidate, parts),
        "model_name": embedder.name,
        "source_agency_id": item.agency_id,
        "source_organisation_id": item.organisation_id,
        "target_agency_id": candidate.agency_id,
        "target_organisation_id": candidate.organisation_id,
    }


# --- refreshing --------------------------------------------------------------------------------------


def refresh_suggestions(item, *, embedder=None) -> list[Suggestion]:
    """Rank the candidates for one item and keep the best ``TOP`` as new suggestions.

    Reviewed suggestions stay as they are (a dismissed pair is not suggested again); new ones that fell
    out of the top, or whose item is no longer live, are removed.
    """
    embedder = embedder or configured_embedder()
    if not is_live(item):
        suggestions_of(item).filter(status=Status.NEW).delete()
        if isinstance(item, CooperationProfile):
            Suggestion.objects.filter(target_type=_ct(item), target_id=item.pk, status=Status.NEW).delete()
        return []
    candidates = list(candidates_for(item))
    found = vectors_for([item, *candidates], embedder)
    query = found[key(item)]
    ranked = []
    for candidate in candidates:
        scored = _score(item, candidate, float(query @ found[key(candidate)]))
        if scored is not None:
            ranked.append((scored[0], candidate, scored[1], scored[2]))
    ranked.sort(key=lambda entry: (-entry[0], entry[1].pk))
    top = [(c, _values(embedder, item, c, t, p, r)) for t, c, p, r in ranked[:TOP]]
    with transaction.atomic():
        kept = []
        for candidate, values in top:
            suggestion, _created = Suggestion.objects.update_or_create(
                source_type=_ct(item),
                source_id=item.pk,
                target_type=_ct(candidate),
                target_id=candidate.pk,
                defaults=values,
            )
            kept.append(suggestion)
        stale = suggestions_of(item).filter(status=Status.NEW).exclude(pk__in=[s.pk for s in kept])
        stale.delete()
    return kept


def consider_as_candidate(profile: CooperationProfile, *, embedder=None) -> int:
    """A profile was published or changed: offer it to every other item it would rank high enough for.

    Cheaper than refreshing every item: one score per item that may see it. Returns how many
    suggestions were created or updated.
    """
    embedder = embedder or configured_embedder()
    if not is_live(profile):
        return 0
    changed = 0
    for item in live_items():
        if item == profile or profile.profile_type not in COMPLEMENTS[kind_of(item)]:
            continue
        if not candidates_for(item).filter(pk=profile.pk).exists():
            continue
        found = vectors_for([item, profile], embedder)
        similarity = float(found[key(item)] @ found[key(profile)])
        scored = _score(item, profile, similarity)
        if scored is None:
            continue
        total, parts, reasons = scored
        existing = suggestions_of(item).filter(target_type=_ct(profile), target_id=profile.pk).first()
        new = suggestions_of(item).filter(status=Status.NEW).order_by("score", "-pk")
        if existing is None and new.count() >= TOP and new.first().score >= total:
            continue
        values = _values(embedder, item, profile, total, parts, reasons)
        with transaction.atomic():
            Suggestion.objects.update_or_create(
                source_type=_ct(item),
                source_id=item.pk,
                target_type=_ct(profile),
                target_id=profile.pk,
                defaults=values,
            )
            surplus = new.count() - TOP
            if surplus > 0:
                Suggestion.objects.filter(pk__in=list(new.values_list("pk", flat=True)[:surplus])).delete()
        changed += 1
    return changed


def refresh_around(item, *, embedder=None) -> None:
    """After a change: the item's own suggestions, and its place in everybody else's."""
    embedder = embedder or configured_embedder()
    refresh_suggestions(item, embedder=embedder)
    if isinstance(item, CooperationProfile):
        consider_as_candidate(item, embedder=embedder)


def refresh_all(*, embedder=None) -> int:
    """Every live item's suggestions; new suggestions of items no longer live are removed."""
    embedder = embedder or configured_embedder()
    items = live_items()
    for item in items:
        refresh_suggestions(item, embedder=embedder)
    live = {(_ct(i).pk, i.pk) for i in items}
    for suggestion in Suggestion.objects.filter(status=Status.NEW):
        ends = {
            (suggestion.source_type_id, suggestion.source_id),
            (suggestion.target_type_id, suggestion.target_id),
        }
        if not ends <= live:
            suggestion.delete()
    return len(items)


def schedule_refresh(item) -> None:
    """Refresh in the background once the current transaction has committed (for the profile services)."""
    from partnerhub.matching.tasks import refresh_item

    label = f"{item._meta.app_label}.{item._meta.model_name}"
    transaction.on_commit(lambda: refresh_item.enqueue(label, item.pk))


# --- review and feedback -------------------------------------------------------------------------------


def _require(queryset, obj, message: str, actor) -> None:
    if actor is not None and not queryset.filter(pk=obj.pk).exists():
        raise PermissionDenied(message)


def _record(actor, action: str, suggestion: Suggestion, **data) -> None:
    """The audit entry on both pipeline items, so the step shows in each one's history."""
    data = {"suggestion": suggestion.pk, **data}
    for item in (suggestion.source, suggestion.target):
        if item is not None:
            audit.record(actor, action, item, **data)


@transaction.atomic
def review(suggestion: Suggestion, decision: str, *, actor, reason: str = "") -> Suggestion:
    """Staff of the agency running the source item accept a suggestion (members then see it) or dismiss it."""
    _require(
        Suggestion.objects.reviewable_by(actor),
        suggestion,
        _("Only staff of the agency that runs this item may review its suggestions."),
        actor,
    )
    reason = (reason or "").strip()
    if decision == "accept":
        suggestion.status, suggestion.dismiss_reason = Status.ACCEPTED, ""
    elif decision == "dismiss":
        if not reason:
            raise ValidationError({"reason": _("Please say why the suggestion is dismissed.")})
        suggestion.status, suggestion.dismiss_reason = Status.DISMISSED, reason
    else:
        raise ValidationError(_("Choose to accept or to dismiss."))
    suggestion.reviewed_by = actor if getattr(actor, "is_authenticated", False) else None
    suggestion.reviewed_at = timezone.now()
    suggestion.save(update_fields=["status", "dismiss_reason", "reviewed_by", "reviewed_at", "updated_at"])
    _record(actor, f"matching.suggestion_{suggestion.status}", suggestion, reason=reason)
    return suggestion


@transaction.atomic
def record_feedback(suggestion: Suggestion, useful: bool | None, *, actor) -> Suggestion:
    """Whoever sees a suggestion says whether it was useful (None takes the answer back)."""
    _require(Suggestion.objects.visible_to(actor), suggestion, _("You cannot see this suggestion."), actor)
    suggestion.feedback = useful
    suggestion.feedback_by = actor if getattr(actor, "is_authenticated", False) else None
    suggestion.feedback_at = timezone.now()
    suggestion.save(update_fields=["feedback", "feedback_by", "feedback_at", "updated_at"])
    return suggestion


def evaluation(suggestions: models.QuerySet) -> dict:
    """What reviews and feedback say about the suggestions: the numbers an evaluation starts from."""
    counts = suggestions.aggregate(
        total=Count("pk"),
        accepted=Count("pk", filter=Q(status=Status.ACCEPTED)),
        dismissed=Count("pk", filter=Q(status=Status.DISMISSED)),
        useful=Count("pk", filter=Q(feedback=True)),
        not_useful=Count("pk", filter=Q(feedback=False)),
    )
    reviewed = counts["accepted"] + counts["dismissed"]
    rated = counts["useful"] + counts["not_useful"]
    counts["acceptance_rate"] = round(counts["accepted"] / reviewed, 2) if reviewed else None
    counts["useful_rate"] = round(counts["useful"] / rated, 2) if rated else None
    return counts


def review_queue(user) -> models.QuerySet:
    """The suggestions a user reviews, new ones first, then by score."""
    first = Case(When(status=Status.NEW, then=Value(0)), default=Value(1), output_field=IntegerField())
    return Suggestion.objects.reviewable_by(user).annotate(_new_first=first).order_by("_new_first", "-score")


# --- introductions (double opt-in) --------------------------------------------------------------------


def _family_staff(actor, agency_id: int) -> bool:
    viewer = viewer_for(actor)
    return viewer.is_superuser or (viewer.is_agency_staff and agency_id in viewer.agency_family)


def _member(actor, organisation_id: int | None) -> bool:
    return organisation_id is not None and viewer_for(actor).organisation_id == organisation_id


def _side_ids(suggestion: Suggestion, side: str) -> tuple[int, int | None]:
    """(agency id, organisation id) of one side of a suggestion."""
    if side == Side.SOURCE:
        return suggestion.source_agency_id, suggestion.source_organisation_id
    return suggestion.target_agency_id, suggestion.target_organisation_id


def acts_for(actor, suggestion: Suggestion, side: str) -> bool:
    """A member of that side's organisation, or staff of the agency family running that side's item."""
    if actor is None:
        return True
    agency_id, organisation_id = _side_ids(suggestion, side)
    return _member(actor, organisation_id) or _family_staff(actor, agency_id)


@dataclass(frozen=True)
class Contact:
    name: str
    organisation: str
    email: str
    phone: str
    role: str
    language: str
    via_agency: bool = False


def _agency_contact(agency, organisation_name: str) -> Contact:
    while agency is not None and not agency.email:
        agency = agency.parent
    if agency is None:
        return Contact("", organisation_name, "", "", "", settings.LANGUAGE_CODE, via_agency=True)
    return Contact(
        str(agency.name), organisation_name, agency.email, "", "", agency.language, via_agency=True
    )


def contact_for(suggestion: Suggestion, side: str) -> Contact:
    """Who speaks for one side: the organisation's first person who agreed to be contacted and has an
    e-mail address, in their language; the submitter of an idea; else the agency's public address."""
    item = suggestion.source if side == Side.SOURCE else suggestion.target
    organisation = item.organisation
    if organisation is None:  # an idea not yet linked to the directory: its submitter agreed to be contacted
        language = LANGUAGE_OF_CODE.get(item.language.lower(), settings.LANGUAGE_CODE)
        return Contact(
            item.contact_name,
            item.organisation_name,
            item.contact_email,
            item.contact_phone,
            item.contact_role,
            language,
        )
    person = (
        Person.objects.filter(organisation=organisation, consent=Person.Consent.GRANTED)
        .exclude(email="")
        .order_by("pk")
        .first()
    )
    if person is None:
        return _agency_contact(item.agency, organisation.display_name)
    spoken = [LANGUAGE_OF_CODE[c.lower()] for c in person.languages if c.lower() in LANGUAGE_OF_CODE]
    language = (
        spoken[0] if spoken else LANGUAGE_OF_COUNTRY.get(str(organisation.country), settings.LANGUAGE_CODE)
    )
    return Contact(
        person.full_name,
        organisation.display_name,
        person.email,
        person.phone,
        str(person.role or ""),
        language,
    )


def _introductions_url(language: str) -> str:
    return url_in(language, "matching:introductions")


def _item_of(suggestion: Suggestion, side: str):
    return suggestion.source if side == Side.SOURCE else suggestion.target


@transaction.atomic
def express_interest(suggestion: Suggestion, *, actor) -> Introduction:
    """One side asks to be introduced to the other; the other side's agency is told."""
    if suggestion.status != Status.ACCEPTED:
        raise ValidationError(_("Only a suggestion the agency has accepted can lead to an introduction."))
    if acts_for(actor, suggestion, Side.SOURCE):
        side = Side.SOURCE
    elif acts_for(actor, suggestion, Side.TARGET):
        side = Side.TARGET
    else:
        raise PermissionDenied(_("Only the organisations concerned and their agencies may ask for this."))
    if Introduction.objects.filter(suggestion=suggestion).exists():
        raise ValidationError(_("An introduction has already been asked for."))
    introduction = Introduction.objects.create(
        suggestion=suggestion,
        requested_by=side,
        interest_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    _record(actor, "matching.interest_expressed", suggestion, side=side)
    asked = _item_of(suggestion, introduction.receiving_side)
    agency = _agency_contact(asked.agency, "")
    if agency.email:
        context = {
            "item": _item_of(suggestion, side),
            "asked": asked,
            "url": _introductions_url(agency.language),
        }
        notify(agency.email, agency.language, "introduction_interest", context)
    return introduction


@transaction.atomic
def forward(introduction: Introduction, *, actor) -> Introduction:
    """The agency of the side that is asked passes the interest on to its organisation."""
    suggestion = introduction.suggestion
    agency_id, _organisation = _side_ids(suggestion, introduction.receiving_side)
    if actor is not None and not _family_staff(actor, agency_id):
        raise PermissionDenied(_("Only staff of the agency of the side that is asked may forward this."))
    if introduction.state != State.INTEREST_EXPRESSED:
        raise ValidationError(_("This introduction has already been forwarded."))
    introduction.state = State.FORWARDED
    introduction.forwarded_by = actor if getattr(actor, "is_authenticated", False) else None
    introduction.forwarded_at = timezone.now()
    introduction.save(update_fields=["state", "forwarded_by", "forwarded_at"])
    _record(actor, "matching.introduction_forwarded", suggestion)
    asked = contact_for(suggestion, introduction.receiving_side)
    if asked.email:
        context = {
            "item": _item_of(suggestion, introduction.requested_by),
            "own": _item_of(suggestion, introduction.receiving_side),
            "url": _introductions_url(asked.language),
        }
        notify(asked.email, asked.language, "introduction_forwarded", context)
    return introduction


def _require_asked_side(introduction: Introduction, actor) -> None:
    if not acts_for(actor, introduction.suggestion, introduction.receiving_side):
        raise PermissionDenied(_("Only the organisation that is asked, or its agency for it, may answer."))
    if introduction.state != State.FORWARDED:
        raise ValidationError(_("This introduction is not waiting for an answer."))


@transaction.atomic
def accept_introduction(introduction: Introduction, *, actor) -> Introduction:
    """The asked side agrees: both contact persons get each other's details, each in their language."""
    _require_asked_side(introduction, actor)
    introduction.state = State.ACCEPTED
    introduction.answered_by = actor if getattr(actor, "is_authenticated", False) else None
    introduction.answered_at = timezone.now()
    introduction.save(update_fields=["state", "answered_by", "answered_at"])
    suggestion = introduction.suggestion
    _record(actor, "matching.introduction_accepted", suggestion)
    source, target = contact_for(suggestion, Side.SOURCE), contact_for(suggestion, Side.TARGET)
    for own, other, side in ((source, target, Side.SOURCE), (target, source, Side.TARGET)):
        if own.email:
            context = {"contact": own, "other": other, "item": _item_of(suggestion, side)}
            notify(
                own.email,
                own.language,
                "introduction_accepted",
                context,
                reply_to=[other.email] if other.email else None,
            )
    return introduction


@transaction.atomic
def decline_introduction(introduction: Introduction, *, actor, reason: str = "") -> Introduction:
    """The asked side does not want to be introduced; no contact details are exchanged."""
    _require_asked_side(introduction, actor)
    introduction.state = State.DECLINED
    introduction.answered_by = actor if getattr(actor, "is_authenticated", False) else None
    introduction.answered_at = timezone.now()
    introduction.save(update_fields=["state", "answered_by", "answered_at"])
    _record(actor, "matching.introduction_declined", introduction.suggestion, reason=(reason or "").strip())
    return introduction


def contacts_visible(introduction: Introduction, user) -> dict | None:
    """Both contacts, for the people involved, only once the introduction is accepted."""
    if not introduction.contacts_exchanged:
        return None
    suggestion = introduction.suggestion
    if not (acts_for(user, suggestion, Side.SOURCE) or acts_for(user, suggestion, Side.TARGET)):
        return None
    return {"source": contact_for(suggestion, Side.SOURCE), "target": contact_for(suggestion, Side.TARGET)}


# --- re-embedding --------------------------------------------------------------------------------------


def may_reembed(actor) -> bool:
    viewer = viewer_for(actor)
    return viewer.is_superuser or (viewer.is_agency_staff and getattr(actor, "is_staff", False))


@transaction.atomic
def start_reembed(model_name: str, *, actor) -> ReembedRun:
    """Re-embed every live item with ``model_name`` in the background; the page polls the run."""
    from partnerhub.matching.tasks import reembed

    if actor is not None and not may_reembed(actor):
        raise PermissionDenied(_("Only staff may re-embed."))
    if model_name not in model_choices():
        raise ValidationError({"model_name": _("Unknown model.")})
    if ReembedRun.objects.filter(status__in=[ReembedRun.Status.QUEUED, ReembedRun.Status.RUNNING]).exists():
        raise ValidationError(_("A re-embedding is already running."))
    run = ReembedRun.objects.create(
        model_name=model_name,
        total=len(live_items()),
        started_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    transaction.on_commit(lambda: reembed.enqueue(run.pk))
    return run


def execute_reembed(run: ReembedRun, batch: int = 20) -> ReembedRun:
    """The task's work: embed in batches, counting progress; then, for the configured model, re-rank."""
    ReembedRun.objects.filter(pk=run.pk).update(status=ReembedRun.Status.RUNNING)
    try:
        embedder = embedder_named(run.model_name)
        items = live_items()
        ReembedRun.objects.filter(pk=run.pk).update(total=len(items))
        for start in range(0, len(items), batch):
            chunk = items[start : start + batch]
            vectors_for(chunk, embedder)
            ReembedRun.objects.filter(pk=run.pk).update(done=start + len(chunk))
        if embedder.name == configured_embedder().name:
            refresh_all(embedder=embedder)
    except Exception as exc:
        ReembedRun.objects.filter(pk=run.pk).update(
            status=ReembedRun.Status.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        )
        raise
    ReembedRun.objects.filter(pk=run.pk).update(status=ReembedRun.Status.DONE, finished_at=timezone.now())
    run.refresh_from_db()
    return run


# --- delegation trips ------------------------------------------------------------------------------------


def _side_of(organisation: Organisation) -> int:
    return organisation.owner_agency.root.pk


@transaction.atomic
def suggest_trip_meetings(delegation: Delegation, *, actor) -> list[MeetingRequest]:
    """B2B meeting suggestions for a trip from the matching between its confirmed participants' profiles.

    Pairs come from accepted, then new, suggestions between organisations of the two sides (different
    agency families), best first; each organisation gets at most ``MEETINGS_PER_ORGANISATION``.
    """
    if not meeting_services.can_manage(actor, delegation):
        raise PermissionDenied(_("Only the organisers of this trip can do that."))
    registrations: dict[int, Registration] = {}
    for registration in delegation.registrations.filter(
        status=Registration.Status.CONFIRMED, organisation__isnull=False
    ).select_related("organisation__owner_agency"):
        registrations.setdefault(registration.organisation_id, registration)
    first = Case(When(status=Status.ACCEPTED, then=Value(0)), default=Value(1), output_field=IntegerField())
    suggestions = (
        Suggestion.objects.filter(
            source_type=ContentType.objects.get_for_model(CooperationProfile),
            source_organisation_id__in=registrations,
            target_organisation_id__in=registrations,
            status__in=[Status.ACCEPTED, Status.NEW],
        )
        .annotate(_accepted_first=first)
        .order_by("_accepted_first", "-score", "pk")
    )
    created, pairs, per_organisation = [], set(), {}
    for suggestion in suggestions:
        a, b = (
            registrations[suggestion.source_organisation_id],
            registrations[suggestion.target_organisation_id],
        )
        pair = frozenset((a.organisation_id, b.organisation_id))
        if pair in pairs or _side_of(a.organisation) == _side_of(b.organisation):
            continue
        if max(per_organisation.get(a.organisation_id, 0), per_organisation.get(b.organisation_id, 0)) >= (
            MEETINGS_PER_ORGANISATION
        ):
            continue
        message = _("Suggested from the matching of your cooperation profiles: %(summary)s") % {
            "summary": suggestion.target.summary
        }
        try:
            with transaction.atomic():
                request = meeting_services.suggest_meeting(delegation, a, b, message, actor=actor)
        except ValidationError:
            continue  # already requested, or not a valid pair for the trip
        pairs.add(pair)
        for org in pair:
            per_organisation[org] = per_organisation.get(org, 0) + 1
        created.append(request)
    audit.record(actor, "matching.trip_meetings_suggested", delegation, count=len(created))
    return created
