"""The one ranking path: language-centred first-model similarity, a second model on the shortlist, structure.

Both ``partnerhub match rank`` and the platform (``partnerhub.matching.ranking.score_candidates``) call
``rank``; what the benchmark measures (bench/bench_matching_quality.py) is therefore what members see.

For each query:

1. every candidate's cosine with the query under the first model (USE), both vectors centred with the
   language means the caller gives (centering.py): a batch run fits them on its own texts, the platform on
   its stored vectors;
2. the ``shortlist`` candidates with the highest such cosine (at least ``k``) are the only ones scored — a
   candidate outside it never enters the results, whatever its structure says;
3. with a ``second`` model (E5), each shortlisted pair's similarity becomes ``SECOND_WEIGHTS`` applied to
   both cosines (decision 0012: 0.7 USE + 0.3 E5); the second model sees only shortlisted texts;
4. ``scoring.score`` adds kind, sector and region evidence and penalties, and excludes pairs (same item,
   same organisation, rejected before); the pair's calibration curve maps the total to a 0–100 fit.

A pair's score depends only on the pair and the means, not on which other candidates were passed: scoring
one candidate alone gives the number it has in a long list (the platform relies on it when it re-scores a
pair because one side changed).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
import numpy.typing as npt

from partnerhub.engines.matching import calibration, scoring
from partnerhub.engines.matching.centering import center, language_means
from partnerhub.engines.matching.documents import embed_documents
from partnerhub.engines.matching.embedders import ENSEMBLE_WEIGHTS, Embedder

SHORTLIST = 20  # candidates per query that are scored (and re-scored by the second model)
SECOND_WEIGHTS = ENSEMBLE_WEIGHTS  # (first, second) model weights of a shortlisted pair's similarity
CHUNK = 1024  # queries per similarity block: bounded memory on large batch runs

# (query index, candidate index) pairs → the second model's (centred) cosine of each pair
SecondModel = Callable[[Sequence[tuple[int, int]]], npt.NDArray[np.float32]]


@dataclass(frozen=True)
class Scored:
    """One candidate of one query: its position in ``candidates``, the similarity that was scored (both
    models combined when there is a second), the first model's alone, the engine's score and the fit."""

    candidate: int
    similarity: float
    first: float
    score: scoring.Score
    fit: int | None

    @property
    def total(self) -> float:
        return self.score.total


def centred(vectors: npt.ArrayLike, items: Sequence[scoring.Item], means: Mapping[str, Any]) -> np.ndarray:
    """The items' vectors minus their language's mean, normalised (a language without a mean: as it is)."""
    array = np.asarray(vectors, dtype=np.float32)
    if len(items) == 0:
        return array.reshape(0, array.shape[-1] if array.ndim == 2 else 0)
    return center(array, [i.lang for i in items], means)


def _shortlists(
    query_vectors: np.ndarray, candidate_vectors: np.ndarray, n: int
) -> list[list[tuple[int, float]]]:
    """Each query's ``n`` most similar candidates, best first; ties go to the earlier candidate."""
    out: list[list[tuple[int, float]]] = []
    for start in range(0, len(query_vectors), CHUNK):
        sim = query_vectors[start : start + CHUNK] @ candidate_vectors.T
        for row in sim:
            idx = np.argpartition(-row, n - 1)[:n] if n < row.shape[0] else np.arange(row.shape[0])
            ordered = sorted(idx.tolist(), key=lambda j: (-float(row[j]), j))
            out.append([(j, float(row[j])) for j in ordered])
    return out


def rank(
    queries: Sequence[scoring.Item],
    candidates: Sequence[scoring.Item],
    query_vectors: npt.ArrayLike,
    candidate_vectors: npt.ArrayLike,
    means: Mapping[str, Any],
    *,
    second: SecondModel | None = None,
    k: int | None = None,
    shortlist: int = SHORTLIST,
    curve: Callable[[scoring.Item, scoring.Item], calibration.Curve | None] | None = None,
    min_fit: int | None = None,
    weights: Mapping[str, Any] = scoring.WEIGHTS,
    rejected: Iterable[tuple[str, str]] = frozenset(),
    cross_border: bool = True,
    now: datetime | None = None,
) -> list[list[Scored]]:
    """For each query, its scored candidates best first: at most ``k`` (all shortlisted ones without),
    none excluded by the engine, none whose fit is below ``min_fit`` when both it and ``curve`` (a pair's
    calibration curve, see ``calibration.curve_for``) are given.

    ``query_vectors``/``candidate_vectors`` are the first model's document vectors (not yet centred),
    one row per item; ``means`` the first model's language means. When exclusions leave fewer than ``k``,
    the shortlist grows (doubling) until ``k`` are found or every candidate was scored.
    """
    if not queries:
        return []
    if not candidates:
        return [[] for _ in queries]
    q = centred(query_vectors, queries, means)
    c = centred(candidate_vectors, candidates, means)
    rejected = frozenset(rejected)
    now = now or datetime.now(UTC)
    w_first, w_second = (w / sum(SECOND_WEIGHTS) for w in SECOND_WEIGHTS)
    size = min(len(candidates), max(shortlist, k or 0))
    todo = list(range(len(queries)))
    results: list[list[Scored]] = [[] for _ in queries]
    while todo:
        lists = _shortlists(q[todo], c, size)
        pairs = [(qi, cj) for qi, row in zip(todo, lists, strict=True) for cj, _s in row]
        other = second(pairs) if second is not None else None
        offset, again = 0, []
        for qi, row in zip(todo, lists, strict=True):
            found = []
            for cj, first in row:
                similarity = first
                if other is not None:
                    similarity = w_first * first + w_second * float(other[offset])
                offset += 1
                s = scoring.score(
                    queries[qi],
                    candidates[cj],
                    similarity,
                    weights=weights,
                    rejected=rejected,
                    cross_border=cross_border,
                    now=now,
                )
                if s.excluded:
                    continue
                pair_curve = curve(queries[qi], candidates[cj]) if curve is not None else None
                fit = pair_curve.fit(s.total) if pair_curve is not None else None
                if fit is not None and min_fit is not None and fit < min_fit:
                    continue
                found.append(Scored(cj, similarity, first, s, fit))
            found.sort(key=lambda r: (-r.total, -r.similarity, r.candidate))
            if k is not None and len(found) < k and size < len(candidates):
                again.append(qi)
            results[qi] = found[:k] if k is not None else found
        if not again:
            break
        todo, size = again, min(len(candidates), size * 2)
    return results


# --- the batch case: texts in, vectors and second model made here ----------------------------------------


def calibrated(
    first: Embedder, second: Embedder | None = None
) -> Callable[[scoring.Item, scoring.Item], calibration.Curve | None]:
    """The ``curve`` argument of ``rank`` for this path: each pair's curve by its kinds (or None)."""

    def curve(query: scoring.Item, candidate: scoring.Item) -> calibration.Curve | None:
        group = calibration.pair_group(query.kind, candidate.kind)
        return calibration.curve_for(first.name, second.name if second is not None else None, group)

    return curve


def fitted_means(vectors: npt.ArrayLike, items: Sequence[scoring.Item]) -> dict[str, np.ndarray]:
    """Language means fitted on these items' vectors (shrunk for languages with few texts)."""
    return language_means(vectors, [i.lang for i in items])


def text_second_model(
    embedder: Embedder,
    queries: Sequence[scoring.Item],
    candidates: Sequence[scoring.Item],
    embed: Callable[[Embedder, Sequence[str]], np.ndarray] = embed_documents,
) -> SecondModel:
    """A second model that embeds only the texts some shortlist uses, centred with means fitted on them."""

    def similarities(pairs: Sequence[tuple[int, int]]) -> npt.NDArray[np.float32]:
        if not pairs:
            return np.zeros(0, dtype=np.float32)
        used_q = sorted({qi for qi, _ in pairs})
        used_c = sorted({cj for _, cj in pairs})
        items = [queries[i] for i in used_q] + [candidates[j] for j in used_c]
        vectors = embed(embedder, [i.text for i in items])
        vectors = center(vectors, [i.lang for i in items], fitted_means(vectors, items))
        q_row = {qi: n for n, qi in enumerate(used_q)}
        c_row = {cj: len(used_q) + n for n, cj in enumerate(used_c)}
        a = vectors[[q_row[qi] for qi, _ in pairs]]
        b = vectors[[c_row[cj] for _, cj in pairs]]
        return np.asarray(np.einsum("ij,ij->i", a, b), dtype=np.float32)

    return similarities


def rank_texts(
    queries: Sequence[scoring.Item],
    candidates: Sequence[scoring.Item],
    embedder: Embedder,
    *,
    second: Embedder | None = None,
    k: int | None = None,
    shortlist: int = SHORTLIST,
    embed: Callable[[Embedder, Sequence[str]], np.ndarray] = embed_documents,
    **options: Any,
) -> list[list[Scored]]:
    """``rank`` for a batch of texts: passage-pooled first-model vectors, means fitted on all of them."""
    items = [*queries, *candidates]
    vectors = embed(embedder, [i.text for i in items])
    means = fitted_means(vectors, items)
    second_model = text_second_model(second, queries, candidates, embed) if second is not None else None
    return rank(
        queries,
        candidates,
        vectors[: len(queries)],
        vectors[len(queries) :],
        means,
        second=second_model,
        k=k,
        shortlist=shortlist,
        **options,
    )
