"""Scoring an item's candidates through the engine's one ranking path (engines/matching/ranking.py).

The platform's side of it: stored first-model vectors (``vectors.vectors_for``), language means of the
stored vectors (``vectors.language_means``), the second model's vectors stored lazily for shortlisted items
only, and the calibration curve of the path. ``suggestions`` decides which candidates to ask about and keeps
the best; what this returns is what ``partnerhub match rank`` and the quality benchmark compute.
"""

import numpy as np

from partnerhub.engines.matching import ranking
from partnerhub.engines.matching.calibration import MIN_FIT
from partnerhub.engines.matching.centering import center
from partnerhub.matching.items import key
from partnerhub.matching.scores import calibration_curve, engine_item, score_parts
from partnerhub.matching.vectors import language_means, second_embedder, vectors_for
from partnerhub.profiles.models import CooperationProfile

Ranked = list[tuple[float, CooperationProfile, dict, list]]  # (total, candidate, parts, reasons)


def _second_model(second, items: list, langs: list[str]):
    """The second model's centred cosine of (query, candidate) index pairs: ``items[0]`` is the query,
    candidate ``j`` is ``items[j + 1]``; only the items on the pairs are embedded (and stored)."""

    def similarities(pairs):
        rows = [0, *sorted({cj + 1 for _q, cj in pairs})]
        used = [items[r] for r in rows]
        found = vectors_for(used, second, index=False)
        vectors = center(
            np.stack([found[key(i)] for i in used]), [langs[r] for r in rows], language_means(second)
        )
        position = {r: n for n, r in enumerate(rows)}
        return np.asarray(
            [float(vectors[0] @ vectors[position[cj + 1]]) for _q, cj in pairs], dtype=np.float32
        )

    return similarities


def score_candidates(item, candidates: list, embedder) -> Ranked:
    """(total, candidate, parts, reasons) for the candidates the engine ranks, unordered.

    Without a second model every candidate is scored; with one (E5 beside the default USE) only the
    ``ranking.SHORTLIST`` nearest by centred USE cosine, each re-scored by both. Pairs the engine excludes,
    pairs whose calibrated fit is below ``MIN_FIT`` and pairs with a total of zero or less are left out.
    """
    if not candidates:
        return []
    found = vectors_for([item, *candidates], embedder)
    second = second_embedder(embedder)
    query, others = engine_item(item), [engine_item(c) for c in candidates]
    langs = [query.lang, *(c.lang for c in others)]
    rows = ranking.rank(
        [query],
        others,
        [found[key(item)]],
        [found[key(c)] for c in candidates],
        language_means(embedder),
        second=_second_model(second, [item, *candidates], langs) if second is not None else None,
        shortlist=ranking.SHORTLIST if second is not None else len(candidates),
        curve=calibration_curve(embedder),
        min_fit=MIN_FIT,
    )[0]
    ranked = []
    for row in rows:
        if row.total <= 0:
            continue
        parts, reasons = score_parts(row)
        ranked.append((row.total, candidates[row.candidate], parts, reasons))
    return ranked
