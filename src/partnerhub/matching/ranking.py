"""Scoring an item's candidates: the similarity of each pair and the engine's structured scoring on top.

The one place where the platform turns an item and its candidates into ranked, scored pairs; ``suggestions``
decides which candidates to ask about and keeps the best.
"""

from partnerhub.matching.items import key
from partnerhub.matching.scores import score_pair
from partnerhub.matching.vectors import vectors_for
from partnerhub.profiles.models import CooperationProfile

Ranked = list[tuple[float, CooperationProfile, dict, list]]  # (total, candidate, parts, reasons)


def score_candidates(item, candidates: list, embedder) -> Ranked:
    """(total, candidate, parts, reasons) for every candidate the engine does not exclude, unordered."""
    found = vectors_for([item, *candidates], embedder)
    query = found[key(item)]
    ranked = []
    for candidate in candidates:
        scored = score_pair(item, candidate, float(query @ found[key(candidate)]))
        if scored is not None:
            ranked.append((scored[0], candidate, scored[1], scored[2]))
    return ranked
