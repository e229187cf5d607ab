"""Keeping suggestions: rank the candidates for an item, store the best, follow changes of items.

Ranking is two steps: the vector store names the candidates most similar to the item, and the engine's
structured scoring orders those. While an item has few candidates (``SHORTLIST`` or fewer) every one is
scored and the store is not asked. Otherwise the store is asked for the nearest ``SHORTLIST`` and then
for more, until no candidate left out could still reach the top: structure adds at most ``max_bonus()``
to the weighted similarity, so with an exact store the result is the same as scoring everybody.
"""

import logging

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction

from partnerhub.engines.matching import scoring
from partnerhub.matching import vectorstore
from partnerhub.matching.items import (
    COMPLEMENTS,
    candidates_for,
    content_type,
    is_live,
    key,
    kind_of,
    live_items,
)
from partnerhub.matching.models import Embedding, Suggestion
from partnerhub.matching.ranking import Ranked, score_candidates
from partnerhub.matching.scores import max_bonus, score_pair, suggestion_values
from partnerhub.matching.vectors import configured_embedder, forget_vectors, vectors_for
from partnerhub.profiles.models import CooperationProfile

log = logging.getLogger(__name__)

TOP = 10  # new suggestions kept per item; reviewed ones are kept besides
SHORTLIST = max(200, 10 * TOP)  # nearest candidates asked of the vector store first
GROWTH = 4  # the shortlist grows by this factor while a left-out candidate could still reach the top
Status = Suggestion.Status


def suggestions_of(item) -> models.QuerySet:
    return Suggestion.objects.filter(source_type=content_type(item), source_id=item.pk)


# --- ranking ---------------------------------------------------------------------------------------------


def _order(ranked: Ranked) -> Ranked:
    return sorted(ranked, key=lambda entry: (-entry[0], entry[1].pk))


def rank_every_candidate(item, embedder) -> Ranked:
    """Every candidate scored: the reference, and the way for items with few candidates."""
    candidates = list(candidates_for(item))
    return _order(score_candidates(item, candidates, embedder))


def rank_from_store(item, embedder, shortlist: int | None = None) -> Ranked:
    """The candidates the vector store finds nearest, scored; the shortlist grows until it is safe.

    Candidates without a vector for this model (never embedded) are not in the store: they are scored
    besides, and embedded on the way, so a new profile is never missed.
    """
    candidates = candidates_for(item)
    profile_type = ContentType.objects.get_for_model(CooperationProfile)
    query = vectors_for([item], embedder)[key(item)]
    embedded = Embedding.objects.filter(target_type=profile_type, model_name=embedder.name)
    extra = list(candidates.exclude(pk__in=embedded.values("target_id")))
    bound, weight = max_bonus(), float(scoring.WEIGHTS["semantic"])
    ranked: Ranked = []
    seen: set[int] = set()
    k = shortlist or SHORTLIST
    while True:
        hits = vectorstore.nearest(embedder.name, query, k, target_type=profile_type.pk)
        fresh = [pk for (_type, pk), _similarity in hits if pk not in seen]
        seen.update(fresh)
        chosen = [c for c in extra if c.pk not in seen] + list(candidates.filter(pk__in=fresh))
        seen.update(c.pk for c in extra)
        extra = []
        ranked += score_candidates(item, chosen, embedder)
        ranked = _order(ranked)
        if len(hits) < k:  # the store has nothing more of this type
            return ranked
        lowest = hits[-1][1]
        if len(ranked) >= TOP and weight * lowest + bound + 1e-5 < ranked[TOP - 1][0]:
            return ranked
        k *= GROWTH


def rank_candidates(item, embedder) -> Ranked:
    if candidates_for(item).count() <= SHORTLIST:
        return rank_every_candidate(item, embedder)
    return rank_from_store(item, embedder)


# --- refreshing ------------------------------------------------------------------------------------------


def refresh_suggestions(item, *, embedder=None) -> list[Suggestion]:
    """Rank the candidates for one item and keep the best ``TOP`` as new suggestions.

    Reviewed suggestions stay as they are (a dismissed pair is not suggested again); new ones that fell
    out of the top, or whose item is no longer live, are removed, and so are a dead item's vectors.
    """
    embedder = embedder or configured_embedder()
    if not is_live(item):
        suggestions_of(item).filter(status=Status.NEW).delete()
        if isinstance(item, CooperationProfile):
            Suggestion.objects.filter(
                target_type=content_type(item), target_id=item.pk, status=Status.NEW
            ).delete()
        forget_vectors([key(item)])
        return []
    ranked = rank_candidates(item, embedder)
    top = [(c, suggestion_values(embedder, item, c, t, p, r)) for t, c, p, r in ranked[:TOP]]
    with transaction.atomic():
        kept = []
        for candidate, values in top:
            suggestion, _created = Suggestion.objects.update_or_create(
                source_type=content_type(item),
                source_id=item.pk,
                target_type=content_type(candidate),
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
        scored = score_pair(item, profile, similarity)
        if scored is None:
            continue
        total, parts, reasons = scored
        existing = (
            suggestions_of(item).filter(target_type=content_type(profile), target_id=profile.pk).first()
        )
        new = suggestions_of(item).filter(status=Status.NEW).order_by("score", "-pk")
        if existing is None and new.count() >= TOP and new.first().score >= total:
            continue
        values = suggestion_values(embedder, item, profile, total, parts, reasons)
        with transaction.atomic():
            Suggestion.objects.update_or_create(
                source_type=content_type(item),
                source_id=item.pk,
                target_type=content_type(profile),
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
    """Refresh in the background once the current transaction has committed (for the profile services)."""
    from partnerhub.matching.tasks import refresh_item

    label = f"{item._meta.app_label}.{item._meta.model_name}"
    transaction.on_commit(lambda: refresh_item.enqueue(label, item.pk))
