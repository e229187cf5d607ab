"""Do feedback marks improve the ranking? Marks simulated from the labels on one half, measured on the other.

On the labelled sets (bench/data: ``profile_pairs`` and every ``sector_pairs_N``), each set on its own
candidate pool, the queries are split in two halves (alternating in file order). For the queries of one half,
the ``SHOWN`` best suggestions under the hand-set weights (through ``engines.matching.ranking.rank``: USE
document vectors, language-centred, structure on top, nothing below ``calibration.MIN_FIT``) are marked as a
member would: "good match" for the labelled counterpart, "not relevant" for every other one.
``learning.fit_weights`` refits the structured weights on those marks; the other half is then ranked with
the hand-set and with the learned weights, and recall@1, recall@10 and MRR (within the top 10) are printed
side by side; then the same with the halves swapped. Everything in one run, no Django.

USE alone (no E5 re-scoring), so the figures are those of the first model with structure, not the
platform's default ensemble.

Run: ``.venv/bin/python bench/bench_matching_feedback.py [--shown 5] [--sides]``; ``--sides`` gives each item
a programme side from its language (de/en "DE", zh "CN"), so the same-side penalty fires too.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from partnerhub.engines.matching import calibration, learning, ranking, scoring
from partnerhub.engines.matching.documents import embed_documents
from partnerhub.engines.matching.embedders import make_embedder

DATA = Path(__file__).resolve().parent / "data"
K = 10


def read(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def item(row: Mapping[str, Any], sides: bool) -> scoring.Item:
    return scoring.Item(
        id=row["id"],
        lang=row["lang"],
        text=row["text"],
        kind=row.get("kind"),
        sectors=tuple(row.get("sectors") or ()),
        region=row.get("region"),
        side=("CN" if row["lang"] == "zh" else "DE") if sides else None,
    )


class LabelledSet:
    def __init__(self, name: str, sides: bool) -> None:
        self.name = name
        self.queries = [item(r, sides) for r in read(DATA / f"{name}_queries.jsonl")]
        self.candidates = [item(r, sides) for r in read(DATA / f"{name}_candidates.jsonl")]
        self.relevant = {r["query"]: set(r["relevant"]) for r in read(DATA / f"{name}_labels.jsonl")}
        self.queries = [q for q in self.queries if q.id in self.relevant]

    def embed(self, embedder: Any) -> None:
        items = [*self.queries, *self.candidates]
        texts = [i.text for i in items]
        # Vectors cached by content in the system's temp directory: re-runs (other --shown) take seconds.
        digest = hashlib.sha256("\x00".join([embedder.name, *texts]).encode()).hexdigest()[:16]
        cache = Path(tempfile.gettempdir()) / f"partnerhub-bench-feedback-{digest}.npy"
        if cache.exists():
            vectors = np.load(cache)
        else:
            vectors = embed_documents(embedder, texts)
            np.save(cache, vectors)
        self.means = ranking.fitted_means(vectors, items)  # on the whole set, as the platform on its store
        self.query_vectors = vectors[: len(self.queries)]
        self.candidate_vectors = vectors[len(self.queries) :]

    def rank(self, half: Sequence[int], weights: Mapping[str, Any], k: int) -> list[list[ranking.Scored]]:
        return ranking.rank(
            [self.queries[i] for i in half],
            self.candidates,
            self.query_vectors[list(half)],
            self.candidate_vectors,
            self.means,
            k=k,
            min_fit=calibration.MIN_FIT,
            weights=weights,
        )


def halves(n: int) -> tuple[list[int], list[int]]:
    return list(range(0, n, 2)), list(range(1, n, 2))


def simulated_marks(sets: Sequence[LabelledSet], fold: int, shown: int) -> list[learning.Mark]:
    marks = []
    for s in sets:
        half = halves(len(s.queries))[fold]
        for qi, row in zip(half, s.rank(half, scoring.WEIGHTS, shown), strict=True):
            relevant = s.relevant[s.queries[qi].id]
            for scored in row:
                good = s.candidates[scored.candidate].id in relevant
                marks.append(learning.Mark(dict(scored.score.parts), good))
    return marks


def figures(s: LabelledSet, half: Sequence[int], weights: Mapping[str, Any]) -> np.ndarray:
    """Sums over the half's queries: recall@1, recall@10, reciprocal rank within the top 10."""
    out = np.zeros(3)
    for qi, row in zip(half, s.rank(half, weights, K), strict=True):
        ids = [s.candidates[r.candidate].id for r in row]
        relevant = s.relevant[s.queries[qi].id]
        ranks = [n for n, cid in enumerate(ids, 1) if cid in relevant]
        out += [bool(ranks) and ranks[0] == 1, bool(ranks), 1 / ranks[0] if ranks else 0.0]
    return out


def weights_line(weights: Mapping[str, Any]) -> str:
    return "  ".join(f"{n} {learning.weight_of(weights, n):.3f}" for n in learning.LEARNED)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shown", type=int, default=5, help="suggestions marked per training query")
    parser.add_argument("--sides", action="store_true", help="programme sides from the language")
    args = parser.parse_args()

    names = ["profile_pairs"] + sorted(
        p.name.removesuffix("_labels.jsonl") for p in DATA.glob("sector_pairs_*_labels.jsonl")
    )
    sets = [LabelledSet(n, args.sides) for n in names]
    started = time.perf_counter()
    embedder = make_embedder("use")
    for s in sets:
        s.embed(embedder)
    queries = sum(len(s.queries) for s in sets)
    print(
        f"sets: {', '.join(names)}; {queries} queries; USE vectors in {time.perf_counter() - started:.0f} s"
    )
    print(f"hand-set: {weights_line(scoring.WEIGHTS)}")
    if args.sides:
        print("sides from the language (same-side penalty active)")

    rows = []
    for fold in (0, 1):
        marks = simulated_marks(sets, fold, args.shown)
        good, bad = learning.counts(marks)
        learned = learning.fit_weights(marks)
        print(
            f"\nfold {fold + 1}: marks from half {fold + 1} ({len(marks)}: {good:.0f} good, {bad:.0f} not relevant)"
        )
        if learned is None:
            print("  not enough marks: nothing learned")
            continue
        print(f"  learned: {weights_line(learned.weights)}")
        print(f"  on the marks: AUC {learned.before.auc:.3f} → {learned.after.auc:.3f}, "
              f"log loss {learned.before.log_loss:.3f} → {learned.after.log_loss:.3f}")  # fmt: skip
        other = 1 - fold
        for s in sets:
            half = halves(len(s.queries))[other]
            hand, new = figures(s, half, scoring.WEIGHTS), figures(s, half, learned.weights)
            rows.append((fold, s.name, len(half), hand, new))

    print(f"\n{'fold':<5} {'set':<16} {'queries':>7}  {'recall@1':>15}  {'recall@10':>15}  {'MRR@10':>15}")
    print(f"{'':<5} {'':<16} {'':>7}  {'hand → learned':>15}  {'hand → learned':>15}  {'hand → learned':>15}")
    totals: dict[int, list[Any]] = {}
    for fold, name, n, hand, new in rows:
        cells = "  ".join(f"{h / n:>6.3f} → {x / n:.3f}" for h, x in zip(hand, new, strict=True))
        print(f"{fold + 1:<5} {name:<16} {n:>7}  {cells}")
        acc = totals.setdefault(fold, [0, np.zeros(3), np.zeros(3)])
        acc[0] += n
        acc[1] += hand
        acc[2] += new
    both = [0, np.zeros(3), np.zeros(3)]
    for fold, (n, hand, new) in sorted(totals.items()):
        cells = "  ".join(f"{h / n:>6.3f} → {x / n:.3f}" for h, x in zip(hand, new, strict=True))
        print(f"{fold + 1:<5} {'all':<16} {n:>7}  {cells}")
        both = [both[0] + n, both[1] + hand, both[2] + new]
    if both[0]:
        cells = "  ".join(
            f"{h / both[0]:>6.3f} → {x / both[0]:.3f}" for h, x in zip(both[1], both[2], strict=True)
        )
        print(f"{'both':<5} {'all':<16} {both[0]:>7}  {cells}")
    print(f"\n{time.perf_counter() - started:.0f} s in all")


if __name__ == "__main__":
    main()
