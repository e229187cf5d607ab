"""Keeping suggestions: rank the candidates for an item, store the best, follow changes of items.

Ranking is two steps: the vector store names the items most similar to the item (a fixed shortlist per
content type), and ``ranking.score_candidates`` scores those. While an item has few candidates (``SHORTLIST``
or fewer of a type) every one is scored and the store is not asked. The shortlist is not an exact bound:
the store compares raw stored vectors while the final score has its own similarity and structure, so a
candidate far down the store's order could in principle score higher. The shortlist is wide (20 times
``TOP``) for that reason; it grows only while too few of the store's answers qualify (other kinds, other
agencies' hidden items), at most ``GROWTH ** MAX_ROUNDS`` times.

A change of one item is followed both ways (``refresh_around``): its own suggestions are ranked again, and
it is offered to the items whose top it may enter — the store's nearest live items of the kinds it answers
(``sources_near``) plus those that already have it as a suggestion. Nothing scores every live item.
"""

import logging
from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction

from partnerhub.matching import vectorstore
from partnerhub.matching.items import (
    COMPLEMENTS,
    IDEA,
    PROFILE_KINDS,
    agency_viewer,
    candidate_sets,
    candidates_for,
    content_type,
    is_live,
    key,
    kind_of,
    live_ideas,
    live_items,
    live_profiles,
)
from partnerhub.matching.models import Embedding, Suggestion
from partnerhub.matching.ranking import Ranked, score_candidates
from partnerhub.matching.scores import suggestion_values
from partnerhub.matching.vectors import configured_embedder, forget_vectors, vectors_for
from partnerhub.profiles.models import CooperationProfile

log = logging.getLogger(__name__)

TOP = 10  # new suggestions kept per item; reviewed ones are kept besides
SHORTLIST = max(200, 20 * TOP)  # nearest items of each content type asked of the vector store
GROWTH = 4  # the shortlist grows by this factor while fewer than TOP of its items qualify …
MAX_ROUNDS = 3  # … at most this many times
Status = Suggestion.Status


def suggestions_of(item) -> models.QuerySet:
    return Suggestion.objects.filter(source_type=content_type(item), source_id=item.pk)


def suggestions_to(item) -> models.QuerySet:
    return Suggestion.objects.filter(target_type=content_type(item), target_id=item.pk)


# --- ranking ---------------------------------------------------------------------------------------------


def _order(ranked: Ranked) -> Ranked:
    return sorted(ranked, key=lambda entry: (-entry[0], content_type(entry[1]).pk, entry[1].pk))


def shortlisted(
    queryset: models.QuerySet, query, embedder, shortlist: int | None = None, *, force=False
) -> list:
    """The items of ``queryset`` (one model) the store finds nearest to ``query``; all of them when few.

    Items without a vector for this model (never embedded) are not in the store: they are taken besides,
    so a new item is never missed (``score_candidates`` embeds them on the way).
    """
    k = shortlist or SHORTLIST
    if not force and queryset.count() <= k:
        return list(queryset)
    ct = ContentType.objects.get_for_model(queryset.model)
    embedded = Embedding.objects.filter(target_type=ct, model_name=embedder.name).values("target_id")
    chosen = list(queryset.exclude(pk__in=embedded))
    found: list = []
    for _round in range(MAX_ROUNDS + 1):
        hits = vectorstore.nearest(embedder.name, query, k, target_type=ct.pk)
        order = {pk: rank for rank, ((_type, pk), _similarity) in enumerate(hits)}
        found = sorted(queryset.filter(pk__in=list(order)), key=lambda item: order[item.pk])
        if len(found) >= TOP or len(hits) < k:
            break
        k *= GROWTH
    return chosen + found


def _query(item, embedder):
    return vectors_for([item], embedder)[key(item)]


def rank_every_candidate(item, embedder) -> Ranked:
    """Every candidate scored: the reference, and the way for items with few candidates."""
    return _order(score_candidates(item, candidates_for(item), embedder))


def rank_from_store(item, embedder, shortlist: int | None = None) -> Ranked:
    """The store's shortlist of each candidate type, scored (the store is asked even when few)."""
    query = _query(item, embedder)
    chosen = [
        c for qs in candidate_sets(item) for c in shortlisted(qs, query, embedder, shortlist, force=True)
    ]
    return _order(score_candidates(item, chosen, embedder))


def rank_candidates(item, embedder, shortlist: int | None = None) -> Ranked:
    """Every candidate of a type with few; the store's shortlist of a type with many."""
    query = _query(item, embedder)
    chosen = [c for qs in candidate_sets(item) for c in shortlisted(qs, query, embedder, shortlist)]
    return _order(score_candidates(item, chosen, embedder))


# --- keeping one item's suggestions ----------------------------------------------------------------------


def _store(item, candidate, values) -> Suggestion:
    suggestion, _created = Suggestion.objects.update_or_create(
        source_type=content_type(item),
        source_id=item.pk,
        target_type=content_type(candidate),
        target_id=candidate.pk,
        defaults=values,
    )
    return suggestion


def _may_be_offered(item) -> bool:
    """A live item that can stand as a suggestion's target (an idea needs its directory organisation)."""
    return is_live(item) and item.organisation_id is not None


def refresh_suggestions(item, *, embedder=None) -> list[Suggestion]:
    """Rank the candidates for one item and keep the best ``TOP`` as new suggestions.

    Reviewed suggestions stay as they are (a dismissed pair is not suggested again); new ones that fell
    out of the top, or whose item is no longer live, are removed, and so are a dead item's vectors.
    """
    embedder = embedder or configured_embedder()
    if not is_live(item):
        suggestions_of(item).filter(status=Status.NEW).delete()
        suggestions_to(item).filter(status=Status.NEW).delete()
        forget_vectors([key(item)])
        return []
    ranked = rank_candidates(item, embedder)
    top = [(c, suggestion_values(embedder, item, c, t, p, r)) for t, c, p, r in ranked[:TOP]]
    with transaction.atomic():
        kept = [_store(item, candidate, values) for candidate, values in top]
        stale = suggestions_of(item).filter(status=Status.NEW).exclude(pk__in=[s.pk for s in kept])
        stale.delete()
    return kept


# --- the item's place in everybody else's suggestions ----------------------------------------------------


def _sources_querysets(item) -> list[models.QuerySet]:
    """Live items of the kinds the item answers, of another organisation (visibility comes after)."""
    kinds = COMPLEMENTS[kind_of(item)]
    found = [live_profiles().filter(profile_type__in=kinds & PROFILE_KINDS)]
    if IDEA in kinds:
        found.append(live_ideas())
    querysets = []
    for queryset in found:
        if item.organisation_id is not None:
            queryset = queryset.exclude(organisation_id=item.organisation_id)
        if isinstance(item, queryset.model):
            queryset = queryset.exclude(pk=item.pk)
        querysets.append(_with_relations(queryset))
    return querysets


def _with_relations(queryset: models.QuerySet) -> models.QuerySet:
    """What scoring reads of each item, fetched with it (sectors: one query for all, not one each)."""
    queryset = queryset.select_related("organisation", "agency")
    return queryset.prefetch_related("sectors") if queryset.model is CooperationProfile else queryset


def _agencies_that_see(item, agencies: set[int]) -> set[int]:
    """Of these agencies, those whose staff may see the item (so it may be suggested to their items)."""
    from partnerhub.agencies.models import Agency

    model = type(item)
    return {
        agency.pk
        for agency in Agency.objects.filter(pk__in=agencies)
        if model.objects.filter(model.visibility_q(agency_viewer(agency)), pk=item.pk).exists()
    }


def sources_near(item, embedder, shortlist: int | None = None) -> list:
    """The live items that may be offered ``item``, nearest first by the store: whose top it may enter."""
    query = _query(item, embedder)
    near = [s for qs in _sources_querysets(item) for s in shortlisted(qs, query, embedder, shortlist)]
    seeing = _agencies_that_see(item, {s.agency_id for s in near})
    return [s for s in near if s.agency_id in seeing]


def _holders(item) -> list:
    """The items that have ``item`` among their suggestions now."""
    by_type: dict[int, list[int]] = defaultdict(list)
    for type_id, pk in suggestions_to(item).values_list("source_type_id", "source_id"):
        by_type[type_id].append(pk)
    found = []
    for type_id, pks in by_type.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        found += list(_with_relations(model.objects.filter(pk__in=pks)))
    return found


def _new_scores(sources: list) -> dict[tuple[int, int], list[tuple[float, int, tuple[int, int]]]]:
    """(score, pk, target key) of each source's new suggestions, lowest first."""
    found: dict[tuple[int, int], list] = defaultdict(list)
    by_type: dict[int, list[int]] = defaultdict(list)
    for source in sources:
        by_type[content_type(source).pk].append(source.pk)
    for type_id, pks in by_type.items():
        rows = Suggestion.objects.filter(source_type_id=type_id, source_id__in=pks, status=Status.NEW)
        for source_id, score, pk, target_type, target_id in rows.values_list(
            "source_id", "score", "pk", "target_type_id", "target_id"
        ):
            found[(type_id, source_id)].append((score, pk, (target_type, target_id)))
    for entries in found.values():
        entries.sort(key=lambda entry: (entry[0], -entry[1]))
    return found


def offer_to_others(item, *, embedder=None, shortlist: int | None = None) -> int:
    """An item was published or changed: put it into the suggestions of the items whose top it enters.

    Asked of: the store's nearest items that may be offered it, and the items that have it already (its
    score there moves, or it goes when it may no longer be offered). Returns how many suggestions were
    created, updated or removed.
    """
    embedder = embedder or configured_embedder()
    if not _may_be_offered(item):
        suggestions_to(item).filter(status=Status.NEW).delete()
        return 0
    holders = _holders(item)
    near = sources_near(item, embedder, shortlist)
    sources = {key(s): s for s in [*near, *holders]}
    eligible = {key(s) for s in near}
    eligible |= {key(s) for s in holders if key(s) not in eligible and _may_offer(s, item)}
    mine = key(item)
    current = _new_scores(list(sources.values()))
    existing = {(row.source_type_id, row.source_id): row for row in suggestions_to(item)}
    writes, doomed = [], []  # scored first, written in one transaction (a commit per source is slow)
    for source_key, source in sources.items():
        pair = existing.get(source_key)
        ranked = score_candidates(source, [item], embedder) if source_key in eligible else []
        if pair is not None and pair.status != Status.NEW:
            if ranked:  # reviewed: the status stays, the score follows the changed text
                writes.append((source, ranked[0]))
            continue
        others = [entry for entry in current.get(source_key, []) if entry[2] != mine]
        enters = bool(ranked) and (len(others) < TOP or others[0][0] < ranked[0][0])
        if not enters:
            if pair is not None:
                doomed.append(pair.pk)  # fell out of the top, or may no longer be offered
            continue
        writes.append((source, ranked[0]))
        surplus = len(others) + 1 - TOP
        doomed += [pk for _score, pk, _target in others[: max(0, surplus)]]
    with transaction.atomic():
        Suggestion.objects.filter(pk__in=doomed).delete()
        for source, (total, _item, parts, reasons) in writes:
            _store(source, item, suggestion_values(embedder, source, item, total, parts, reasons))
    return len(writes) + len(doomed)


def _may_offer(source, item) -> bool:
    """Whether ``item`` is among ``source``'s candidates now (one query)."""
    if not is_live(source):
        return False
    return any(qs.filter(pk=item.pk).exists() for qs in candidate_sets(source) if qs.model is type(item))


# --- after changes ---------------------------------------------------------------------------------------


def refresh_around(item, *, embedder=None) -> None:
    """After a change: the item's own suggestions, and its place in everybody else's."""
    embedder = embedder or configured_embedder()
    refresh_suggestions(item, embedder=embedder)
    offer_to_others(item, embedder=embedder)


def refresh_all(*, embedder=None) -> int:
    """Every live item's suggestions; new suggestions and vectors of items no longer live are removed."""
    embedder = embedder or configured_embedder()
    items = live_items()
    for item in items:
        refresh_suggestions(item, embedder=embedder)
    live = {key(i) for i in items}
    for suggestion in Suggestion.objects.filter(status=Status.NEW):
        ends = {
            (suggestion.source_type_id, suggestion.source_id),
            (suggestion.target_type_id, suggestion.target_id),
        }
        if not ends <= live:
            suggestion.delete()
    stored = set(Embedding.objects.values_list("target_type_id", "target_id").distinct())
    forget_vectors(sorted(stored - live))
    return len(items)


def schedule_refresh(item) -> None:
    """Refresh in the background once the current transaction has committed (for the item services)."""
    from partnerhub.matching.tasks import refresh_item

    label = f"{item._meta.app_label}.{item._meta.model_name}"
    transaction.on_commit(lambda: refresh_item.enqueue(label, item.pk))
