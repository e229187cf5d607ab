"""Scoring a candidate against a query: semantic similarity first, structured evidence on top.

``score(query, candidate, similarity)`` adds to the weighted cosine similarity small bonuses for what the
records say about themselves — an offer meeting a matching request, shared NACE sectors, a region the other
side targets — and subtracts for negative evidence: two offers (or two requests) of the same kind, two parties
from the same side of a cross-border programme, a stale candidate. Some pairs are excluded outright: an
organisation matched with itself and pairs a person already rejected. Every part is reported with a short
machine-readable reason so the platform can explain a match.

A part only counts when both items carry the field; without ``kind``, ``sectors``, ``region`` targets,
``side`` and ``created`` the total is the weighted similarity alone, so the order is the pure semantic
order that the matching format (docs ``formats/matching-rank.md``) requires.

``WEIGHTS`` is the one place where weights live. How they were set: first by hand, so that structure
re-orders candidates within about 0.1–0.2 of cosine similarity (the spread among plausible candidates with
the multilingual USE model) but never lifts an unrelated text above a related one. Then checked on the
labelled set in ``bench/data/profile_pairs_*.jsonl`` (111 queries, 366 candidates; USE, passage-pooled
document vectors; the 50 nearest candidates per query re-scored), nDCG@10 / recall@1 / MRR:

- similarity alone: 0.801 / 0.685 / 0.768
- these weights: 0.907 / 0.811 / 0.881
- ``tune_weights`` over complementarity, sector, kind and same-direction penalty on all queries: 0.912 /
  0.829 / 0.891 (sector 0.05, same_direction 0.2). In two-fold cross-validation the tuned weights lost to
  these on one held-out half (0.848 vs 0.880 nDCG) and won narrowly on the other (0.940 vs 0.934), so the
  difference is noise on 111 queries and the hand-set weights stay. Region and side never fire on that set
  (it has no target regions or sides), so their weights are untested. Re-run ``tune_weights`` when the set
  grows.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np

from partnerhub.engines.matching.index import ExactIndex

WEIGHTS: dict[str, Any] = {
    "semantic": 1.0,
    "complementarity": 0.15,  # offer meets the matching request (or research meets research)
    "sector": 0.10,  # times proximity: 1 same class, 0.75 group, 0.5 division, 0.25 section
    "region": 0.05,  # one side's region is among the other's target regions
    "kind": 0.03,  # same family (business / technology / research), whatever the direction
    "freshness": 0.03,  # times -age/2 years, capped at 2 years
    "penalties": {
        "same_direction": 0.15,  # offer↔offer or request↔request: both want the same thing
        "same_side": 0.10,  # both from the same side (e.g. "DE") when cross-border matches are wanted
    },
}

KINDS = (
    "business_offer",
    "business_request",
    "technology_offer",
    "technology_request",
    "research_cooperation",
)
COMPLEMENT = {
    "business_offer": "business_request",
    "business_request": "business_offer",
    "technology_offer": "technology_request",
    "technology_request": "technology_offer",
    "research_cooperation": "research_cooperation",
}
FRESHNESS_HORIZON_DAYS = 730.0

# NACE Rev. 2 sections by their first and last division (fixed by the classification; checked against the
# shipped data/nace_part*.csv in the tests). Lets "27.90" be recognised as section C without a database.
_SECTION_RANGES = (
    ("A", 1, 3), ("B", 5, 9), ("C", 10, 33), ("D", 35, 35), ("E", 36, 39), ("F", 41, 43), ("G", 45, 47),
    ("H", 49, 53), ("I", 55, 56), ("J", 58, 63), ("K", 64, 66), ("L", 68, 68), ("M", 69, 75), ("N", 77, 82),
    ("O", 84, 84), ("P", 85, 85), ("Q", 86, 88), ("R", 90, 93), ("S", 94, 96), ("T", 97, 98), ("U", 99, 99),
)  # fmt: skip
_SECTOR = re.compile(r"^([A-U])?\s*(\d{2})?(?:\.(\d)(\d)?)?$")
_LEVEL_NAMES = ("section", "division", "group", "class")
_PROXIMITY = {4: 1.0, 3: 0.75, 2: 0.5, 1: 0.25, 0: 0.0}


@dataclass(frozen=True)
class Item:
    """One profile or idea as the engine sees it. ``side`` is the party in a cross-border programme (e.g.
    "DE" or "CN"); ``target_regions`` are the regions it wants partners from; ``created`` is aware."""

    id: str
    lang: str
    text: str
    kind: str | None = None
    sectors: tuple[str, ...] = ()
    region: str | None = None
    organisation: str | None = None
    side: str | None = None
    created: datetime | None = None
    target_regions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Score:
    total: float
    parts: dict[str, float] = field(default_factory=dict)
    reasons: list[tuple[str, str]] = field(default_factory=list)
    excluded: bool = False


@dataclass(frozen=True)
class Match:
    id: str
    score: Score


def parse_sector(code: str) -> tuple[str, ...] | None:
    """NACE path from section down: "C27.9" and "27.9" → ("C", "27", "27.9"); "27.90" adds the class.

    Accepts section letter, division ("27"), group ("27.9") and class ("27.90"), with or without the
    section letter in front. Returns None for anything else (including a letter that contradicts the
    division).
    """
    match = _SECTOR.match(code.strip().upper().replace(" ", ""))
    if not match or not any(match.groups()):
        return None
    letter, division, group, klass = match.groups()
    if division is None:
        return (letter,) if letter and group is None else None
    section = _section_of(int(division))
    if section is None or (letter and letter != section):
        return None
    path: tuple[str, ...] = (section, division)
    if group is not None:
        path += (f"{division}.{group}",)
        if klass is not None:
            path += (f"{division}.{group}{klass}",)
    return path


def _section_of(division: int) -> str | None:
    for letter, first, last in _SECTION_RANGES:
        if first <= division <= last:
            return letter
    return None


def sector_proximity(a: Iterable[str], b: Iterable[str]) -> tuple[float, str | None]:
    """Best proximity over all pairs (1 same class … 0.25 same section, 0 none) and the shared code.

    A code given only to division level ("27") shares at most the division with "27.90": the comparison
    goes as deep as the less specific code allows.
    """
    paths_a = [p for p in map(parse_sector, a) if p]
    paths_b = [p for p in map(parse_sector, b) if p]
    best, shared = 0, None
    for pa, pb in itertools.product(paths_a, paths_b):
        depth = 0
        for x, y in zip(pa, pb, strict=False):
            if x != y:
                break
            depth += 1
        if depth > best:
            best, shared = depth, pa[depth - 1]
    return _PROXIMITY[best], (f"same {_LEVEL_NAMES[best - 1]} {shared}" if best else None)


def _family(kind: str) -> str:
    return kind.split("_")[0]


def _direction(kind: str) -> str | None:
    return kind.rsplit("_", 1)[1] if kind.endswith(("_offer", "_request")) else None


def is_rejected(query: Item, candidate: Item, rejected: Iterable[tuple[str, str]]) -> bool:
    pairs = rejected if isinstance(rejected, (set, frozenset)) else set(rejected)
    return (query.id, candidate.id) in pairs or (candidate.id, query.id) in pairs


def score(
    query: Item,
    candidate: Item,
    similarity: float,
    *,
    weights: Mapping[str, Any] = WEIGHTS,
    rejected: Iterable[tuple[str, str]] = frozenset(),
    cross_border: bool = True,
    now: datetime | None = None,
) -> Score:
    """Total = semantic·similarity + Σ weight·part − penalties. Symmetric in query and candidate except
    for freshness, which only ages the candidate."""
    if query.id == candidate.id:
        return Score(-math.inf, {}, [("excluded", "same item")], excluded=True)
    if query.organisation is not None and query.organisation == candidate.organisation:
        return Score(-math.inf, {}, [("excluded", f"same organisation {query.organisation}")], excluded=True)
    if is_rejected(query, candidate, rejected):
        return Score(-math.inf, {}, [("excluded", "rejected before")], excluded=True)

    parts: dict[str, float] = {"semantic": float(similarity)}
    reasons: list[tuple[str, str]] = [("semantic", f"{similarity:.3f}")]
    penalties = weights["penalties"]
    total = weights["semantic"] * float(similarity)

    if query.kind and candidate.kind:
        if COMPLEMENT.get(query.kind) == candidate.kind:
            parts["complementarity"] = 1.0
            total += weights["complementarity"]
            reasons.append(("complementarity", f"{query.kind}↔{candidate.kind}"))
        if _family(query.kind) == _family(candidate.kind):
            parts["kind"] = 1.0
            total += weights["kind"]
            reasons.append(("kind", f"same family {_family(query.kind)}"))
        direction = _direction(query.kind)
        if direction and direction == _direction(candidate.kind):
            parts["same_direction"] = -1.0
            total -= penalties["same_direction"]
            reasons.append(("penalty", f"both {direction}"))

    if query.sectors and candidate.sectors:
        proximity, why = sector_proximity(query.sectors, candidate.sectors)
        parts["sector"] = proximity
        total += weights["sector"] * proximity
        reasons.append(("sector", why or "none shared"))

    if (candidate.region and candidate.region in query.target_regions) or (
        query.region and query.region in candidate.target_regions
    ):
        parts["region"] = 1.0
        total += weights["region"]
        reasons.append(("region", "targeted"))

    if cross_border and query.side and query.side == candidate.side:
        parts["same_side"] = -1.0
        total -= penalties["same_side"]
        reasons.append(("penalty", f"same side {query.side}"))

    if candidate.created is not None:
        created = candidate.created if candidate.created.tzinfo else candidate.created.replace(tzinfo=UTC)
        age_days = max(0.0, ((now or datetime.now(UTC)) - created).total_seconds() / 86400)
        staleness = min(age_days, FRESHNESS_HORIZON_DAYS) / FRESHNESS_HORIZON_DAYS
        if staleness > 0:
            parts["freshness"] = -staleness
            total -= weights["freshness"] * staleness
            reasons.append(("freshness", f"{int(age_days)} days old"))

    return Score(total, parts, reasons)


Embed = Callable[[Sequence[str]], Any]


def _embed_function(embed: Any) -> Embed:
    """Accept a plain ``texts -> vectors`` callable or an ``Embedder`` (anything with ``.embed``)."""
    function: Embed = embed.embed if hasattr(embed, "embed") else embed
    return function


def rank(
    queries: Sequence[Item],
    candidates: Sequence[Item],
    embed: Any,
    k: int = 10,
    rejected: Iterable[tuple[str, str]] = frozenset(),
    *,
    weights: Mapping[str, Any] = WEIGHTS,
    cross_border: bool = True,
    now: datetime | None = None,
) -> list[list[Match]]:
    """Top-k candidates per query, best first.

    The ``max(50, 5k)`` semantically nearest candidates form the pool that structure may re-order; a
    candidate outside it can never win on structure alone. When exclusions thin the pool below k, it grows.
    Ties go to the higher similarity, then to the earlier candidate.
    """
    rejected = frozenset(rejected)
    if not queries:
        return []
    if not candidates or k <= 0:
        return [[] for _ in queries]
    function = _embed_function(embed)
    index = ExactIndex()
    index.add([str(i) for i in range(len(candidates))], np.asarray(function([c.text for c in candidates])))
    query_vectors = np.asarray(function([q.text for q in queries]), dtype=np.float32)
    now = now or datetime.now(UTC)
    pool = min(len(candidates), max(50, 5 * k))
    hits = index.search_batch(query_vectors, pool)

    results: list[list[Match]] = []
    for qi, query in enumerate(queries):
        size = pool
        while True:
            scored = []
            for hit_id, similarity in hits[qi]:
                position = int(hit_id)
                s = score(
                    query,
                    candidates[position],
                    similarity,
                    weights=weights,
                    rejected=rejected,
                    cross_border=cross_border,
                    now=now,
                )
                if not s.excluded:
                    scored.append((-s.total, -similarity, position, s))
            if len(scored) >= k or size >= len(candidates):
                break
            size = min(len(candidates), size * 2)
            hits[qi] = index.search(query_vectors[qi], size)
        scored.sort(key=lambda row: row[:3])
        results.append([Match(candidates[row[2]].id, row[3]) for row in scored[:k]])
    return results


def ndcg_at(ranked_relevance: Sequence[float], k: int = 10) -> float:
    gains = [r / math.log2(i + 2) for i, r in enumerate(ranked_relevance[:k])]
    ideal = sorted(ranked_relevance, reverse=True)
    best = sum(r / math.log2(i + 2) for i, r in enumerate(ideal[:k]))
    return sum(gains) / best if best > 0 else 0.0


def tune_weights(
    pairs: Iterable[tuple[Item, Item, float, float]],
    grid: Mapping[str, Sequence[float]] | None = None,
    *,
    base: Mapping[str, Any] = WEIGHTS,
    k: int = 10,
    now: datetime | None = None,
) -> tuple[dict[str, Any], float]:
    """Grid search over weights, maximising mean nDCG@k across queries.

    ``pairs`` are labelled ``(query, candidate, similarity, relevance)`` rows (relevance 0 = not a match,
    higher = better), several candidates per query; the similarity comes from the embedder in use, so
    tuning is repeatable without re-embedding. ``grid`` maps weight names (penalties as
    ``"penalties.same_side"``) to values to try; the semantic weight stays fixed at its base value because
    only ratios matter. Returns the best weights (a full ``WEIGHTS``-shaped dict) and its nDCG.
    """
    grid = grid or {
        "complementarity": (0.0, 0.05, 0.1, 0.15, 0.25),
        "sector": (0.0, 0.05, 0.1, 0.2),
        "region": (0.0, 0.05, 0.1),
        "penalties.same_direction": (0.0, 0.1, 0.2),
        "penalties.same_side": (0.0, 0.1, 0.2),
    }
    by_query: dict[str, list[tuple[Item, Item, float, float]]] = defaultdict(list)
    for row in pairs:
        by_query[row[0].id].append(row)
    if not by_query:
        raise ValueError("no labelled pairs to tune on")
    now = now or datetime.now(UTC)
    names = list(grid)
    best: tuple[dict[str, Any], float] = (_copy_weights(base), -1.0)
    for values in itertools.product(*(grid[name] for name in names)):
        weights = _copy_weights(base)
        for name, value in zip(names, values, strict=True):
            if name.startswith("penalties."):
                weights["penalties"][name.split(".", 1)[1]] = value
            else:
                weights[name] = value
        quality = 0.0
        for rows in by_query.values():
            scored = [(score(q, c, s, weights=weights, now=now), rel) for q, c, s, rel in rows]
            ordered = sorted((row for row in scored if not row[0].excluded), key=lambda row: -row[0].total)
            quality += ndcg_at([rel for _, rel in ordered], k)
        quality /= len(by_query)
        if quality > best[1] + 1e-12:
            best = (weights, quality)
    return best


def _copy_weights(weights: Mapping[str, Any]) -> dict[str, Any]:
    copy = dict(weights)
    copy["penalties"] = dict(weights["penalties"])
    return copy
