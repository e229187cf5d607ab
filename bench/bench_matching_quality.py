"""Matching quality through the one ranking path (engines/matching/ranking.py) beside USE alone, same run.

The platform's suggestions and ``partnerhub match rank`` both rank through ``ranking.rank``: USE document
vectors centred with language means, the ``SHORTLIST`` nearest re-scored with E5 (0.7 USE + 0.3 E5),
structure (kind, sectors, region) on top. This script calls that function with vectors embedded once per
model (cached in the temp directory by text), so it measures exactly what members are shown.

Sets (bench/data): ``profile_pairs`` and whichever ``sector_pairs_N`` exist, each on its own candidate pool,
and all of them together on one pool (every query against every candidate of every set). Per set:
recall@1, recall@10 and MRR, text only and with kind/sectors/region; then FLORES-200 dev de→zh and zh→de
(text only, 997 candidates). Targets (issue 15): text-only recall@1 >= 0.85 on the labelled pairs, >= 0.975
de<->zh on FLORES.

Run: ``.venv/bin/python bench/bench_matching_quality.py [--no-flores] [--shortlist N] [--weights 0.7,0.3]``
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from partnerhub.engines.matching import ranking
from partnerhub.engines.matching.documents import embed_documents
from partnerhub.engines.matching.embedders import e5_available, make_embedder
from partnerhub.engines.matching.evaluate import default_flores_path, load_flores
from partnerhub.engines.matching.scoring import Item

DATA = Path(__file__).resolve().parent / "data"
CACHE = Path(tempfile.gettempdir()) / "partnerhub-bench-vectors"
TARGET_LABELLED, TARGET_FLORES = 0.85, 0.975


class CachedDocuments:
    """``embed_documents`` with a per-model disk cache keyed by the text (re-runs cost nothing)."""

    def __init__(self) -> None:
        CACHE.mkdir(exist_ok=True)
        self.tables: dict[str, dict[str, np.ndarray]] = {}
        self.seconds: dict[str, float] = {}

    def _path(self, name: str) -> Path:
        return CACHE / (hashlib.sha256(name.encode()).hexdigest()[:16] + ".npz")

    def _table(self, name: str) -> dict[str, np.ndarray]:
        if name not in self.tables:
            path = self._path(name)
            table: dict[str, np.ndarray] = {}
            if path.exists():
                with np.load(path) as data:
                    table = dict(zip(json.loads(str(data["keys"])), data["vectors"], strict=True))
            self.tables[name] = table
        return self.tables[name]

    def __call__(self, embedder, texts) -> np.ndarray:
        table = self._table(embedder.name)
        missing = sorted({t for t in texts if t not in table})
        if missing:
            start = time.perf_counter()
            for text, vector in zip(missing, embed_documents(embedder, missing), strict=True):
                table[text] = vector
            self.seconds[embedder.name] = self.seconds.get(embedder.name, 0.0) + time.perf_counter() - start
            keys = list(table)
            np.savez(
                self._path(embedder.name), keys=json.dumps(keys), vectors=np.stack([table[k] for k in keys])
            )
        if not texts:
            return np.zeros((0, embedder.dim), dtype=np.float32)
        return np.stack([table[t] for t in texts])


def read_set(prefix: str) -> tuple[list[dict], list[dict], dict[str, set[str]]]:
    def rows(name: str) -> list[dict]:
        path = DATA / f"{prefix}_{name}.jsonl"
        return [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]

    labels = {r["query"]: set(r["relevant"]) for r in rows("labels")}
    queries = [q for q in rows("queries") if q["id"] in labels]
    return queries, rows("candidates"), labels


def item(row: dict, structure: bool) -> Item:
    if not structure:
        return Item(id=row["id"], lang=row["lang"], text=row["text"])
    return Item(
        id=row["id"],
        lang=row["lang"],
        text=row["text"],
        kind=row.get("kind"),
        sectors=tuple(row.get("sectors") or ()),
        region=row.get("region"),
    )


def measure(ranked, queries, candidates, labels) -> tuple[float, float, float]:
    at1 = at10 = rr = 0.0
    for q, row in zip(queries, ranked, strict=True):
        ids = [candidates[s.candidate]["id"] for s in row]
        relevant = labels[q["id"]]
        first = next((i for i, cid in enumerate(ids) if cid in relevant), None)
        at1 += first == 0
        at10 += first is not None and first < 10
        rr += 1 / (first + 1) if first is not None else 0.0
    n = len(queries)
    return at1 / n, at10 / n, rr / n


def run(queries, candidates, structure, use, e5, embed, args):
    qi = [item(q, structure) for q in queries]
    ci = [item(c, structure) for c in candidates]
    return ranking.rank_texts(
        qi, ci, use, second=e5, k=max(10, args.shortlist), shortlist=args.shortlist, embed=embed
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--no-flores", action="store_true")
    parser.add_argument("--shortlist", type=int, default=ranking.SHORTLIST)
    parser.add_argument("--weights", default=None, help="first,second model weights (default: the engine's)")
    args = parser.parse_args()
    if args.weights:
        ranking.SECOND_WEIGHTS = tuple(float(w) for w in args.weights.split(","))  # type: ignore[assignment]
    embed = CachedDocuments()
    use = make_embedder("use")
    e5 = make_embedder("e5") if e5_available() else None
    if e5 is None:
        print("E5 is not available here: the platform path is USE alone", file=sys.stderr)
    prefixes = ["profile_pairs"] + sorted(
        p.name.removesuffix("_labels.jsonl") for p in DATA.glob("sector_pairs_*_labels.jsonl")
    )
    sets = {p: read_set(p) for p in prefixes}
    sets["all"] = (
        [q for p in prefixes for q in sets[p][0]],
        [c for p in prefixes for c in sets[p][1]],
        {k: v for p in prefixes for k, v in sets[p][2].items()},
    )
    print(
        f"shortlist {args.shortlist}, weights {ranking.SECOND_WEIGHTS}, second model {e5.name if e5 else '-'}"
    )
    header = f"{'set':<16} {'queries':>7} {'cands':>6} {'ranking':<10} {'structure':<9} {'R@1':>6} {'R@10':>6} {'MRR':>6}"
    print(header)
    text_only: dict[str, float] = {}
    for name, (queries, candidates, labels) in sets.items():
        for structure in (False, True):
            for label, second in (("USE alone", None), ("platform", e5)):
                ranked = run(queries, candidates, structure, use, second, embed, args)
                r1, r10, mrr = measure(ranked, queries, candidates, labels)
                if label == "platform" and not structure:
                    text_only[name] = r1
                print(
                    f"{name:<16} {len(queries):>7} {len(candidates):>6} {label:<10} "
                    f"{'with' if structure else 'text':<9} {r1:>6.3f} {r10:>6.3f} {mrr:>6.3f}",
                    flush=True,
                )
    flores: dict[str, float] = {}
    if not args.no_flores and (default_flores_path() / "flores_dev.deu.jsonl").exists():
        texts = load_flores(default_flores_path())
        for src, dst in (("de", "zh"), ("zh", "de")):
            queries = [{"id": f"{src}{i}", "lang": src, "text": t} for i, t in enumerate(texts[src])]
            candidates = [{"id": f"{dst}{i}", "lang": dst, "text": t} for i, t in enumerate(texts[dst])]
            labels = {f"{src}{i}": {f"{dst}{i}"} for i in range(len(queries))}
            for label, second in (("USE alone", None), ("platform", e5)):
                ranked = run(queries, candidates, False, use, second, embed, args)
                r1, r10, mrr = measure(ranked, queries, candidates, labels)
                if label == "platform":
                    flores[f"{src}->{dst}"] = r1
                print(
                    f"{'flores ' + src + '->' + dst:<16} {len(queries):>7} {len(candidates):>6} {label:<10} "
                    f"{'text':<9} {r1:>6.3f} {r10:>6.3f} {mrr:>6.3f}",
                    flush=True,
                )
    print()
    for name, r1 in text_only.items():
        verdict = "met" if r1 >= TARGET_LABELLED else f"NOT met, {TARGET_LABELLED - r1:.3f} short"
        print(f"target text-only recall@1 >= {TARGET_LABELLED} on {name}: {r1:.3f} {verdict}")
    for name, r1 in flores.items():
        verdict = "met" if r1 >= TARGET_FLORES else f"NOT met, {TARGET_FLORES - r1:.3f} short"
        print(f"target recall@1 >= {TARGET_FLORES} on FLORES {name}: {r1:.3f} {verdict}")
    for model, seconds in embed.seconds.items():
        print(f"embedding time this run, {model}: {seconds:.0f} s (cached in {CACHE.name} for the next run)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
