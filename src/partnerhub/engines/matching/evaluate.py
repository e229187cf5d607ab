"""Measure cross-lingual retrieval: recall@k helpers and the FLORES-200 dev benchmark.

    python -m partnerhub.engines.matching.evaluate flores [PATH] [--models use,e5,ensemble] [--limit N]
    python -m partnerhub.engines.matching.evaluate documents [PATH] [--model use]

``flores``: every sentence in the source language is a query, every sentence in the target language a
candidate, the translation the one right answer (997 candidates, many from the same article). Prints
recall@1 and recall@10 per direction, with plain cosine ranking and with a margin re-ranking (below),
and each model's throughput; ``ensemble`` also reports the two-stage ranking ``use→e5@20`` (USE's top
20 per query re-scored by the mean of USE's and E5's cosines, what ``match rank`` does by default). ``documents``: groups of consecutive sentences form multi-passage documents,
to compare ways of pooling passage vectors (documents.py).

Margin re-ranking ("ratio margin", Artetxe & Schwenk 2019, as used for LASER bitext mining): a
similarity is divided by the mean similarity of both sides to their nearest neighbours, so a candidate
that is close to everything (a "hub") stops crowding out the right answer. It needs the whole candidate
set, which a batch ranking has.

The path defaults to ``$PARTNERHUB_FLORES`` or ``../shared/data/flores200-dev`` beside the repository.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from partnerhub.engines.matching.centering import center_together
from partnerhub.engines.matching.embedders import ENSEMBLE_WEIGHTS, Embedder, combine, make_embedder

LANG_FILES = {"de": "flores_dev.deu.jsonl", "zh": "flores_dev.zho.jsonl", "en": "flores_dev.eng.jsonl"}
DIRECTIONS = (("de", "zh"), ("zh", "de"), ("de", "en"), ("en", "zh"))
SHORTLIST = 20


def gold_ranks(similarity: np.ndarray, gold: Sequence[int] | np.ndarray) -> np.ndarray:
    """0-based rank of each query's right candidate (ties count against it)."""
    similarity = np.asarray(similarity)
    gold = np.asarray(gold)
    gold_scores = similarity[np.arange(len(gold)), gold]
    return np.asarray((similarity > gold_scores[:, None]).sum(axis=1))


def recall_at_k(similarity: np.ndarray, gold: Sequence[int] | np.ndarray, k: int) -> float:
    """Share of queries whose right candidate is among the ``k`` most similar."""
    if len(gold) == 0:
        return 0.0
    return float((gold_ranks(similarity, gold) < k).mean())


def margin_scores(similarity: np.ndarray, neighbours: int = 4) -> np.ndarray:
    """Ratio-margin re-scoring of a query×candidate cosine matrix (see module docstring)."""
    similarity = np.asarray(similarity, dtype=np.float32)
    kq = min(neighbours, similarity.shape[1])
    kc = min(neighbours, similarity.shape[0])
    if kq == 0 or kc == 0:
        return similarity
    query_density = -np.sort(-similarity, axis=1)[:, :kq].mean(axis=1)
    candidate_density = -np.sort(-similarity, axis=0)[:kc, :].mean(axis=0)
    denominator = (query_density[:, None] + candidate_density[None, :]) / 2
    return np.asarray(similarity / np.maximum(denominator, 1e-6))


def default_flores_path() -> Path:
    env = os.environ.get("PARTNERHUB_FLORES")
    if env:
        return Path(env)
    repo_root = Path(__file__).resolve().parents[4]
    return repo_root.parent / "shared" / "data" / "flores200-dev"


def load_flores(path: Path, limit: int | None = None) -> dict[str, list[str]]:
    """Texts per language, aligned by id (the same index is the same sentence)."""
    texts: dict[str, list[str]] = {}
    ids: list[str] | None = None
    for lang, filename in LANG_FILES.items():
        with open(path / filename, encoding="utf-8") as fh:
            rows = [json.loads(line) for line in fh if line.strip()]
        rows.sort(key=lambda r: r["id"])
        if ids is None:
            ids = [r["id"] for r in rows]
        elif ids != [r["id"] for r in rows]:
            raise ValueError(f"{filename}: ids differ from the other languages")
        texts[lang] = [r["text"] for r in rows][:limit]
    return texts


def _embed_timed(embedder: Embedder, texts: Sequence[str]) -> tuple[np.ndarray, float]:
    start = time.perf_counter()
    vectors = embedder.embed(texts)
    return vectors, time.perf_counter() - start


def shortlist_rerank(first: np.ndarray, second: np.ndarray, shortlist: int = SHORTLIST) -> np.ndarray:
    """Scores of a two-stage ranking: the first model's top ``shortlist`` per query, ordered by the
    weighted mean of both models' cosines; everything outside the shortlist ranks last."""
    n = min(shortlist, first.shape[1])
    top = np.argpartition(-first, n - 1, axis=1)[:, :n]
    rows = np.arange(first.shape[0])[:, None]
    w_first, w_second = (w / sum(ENSEMBLE_WEIGHTS) for w in ENSEMBLE_WEIGHTS)
    out = np.full(first.shape, -np.inf, dtype=np.float32)
    out[rows, top] = w_first * first[rows, top] + w_second * second[rows, top]
    return out


def _report(
    label: str, scores: dict[tuple[str, str], np.ndarray], out: list[str], margin: bool = True
) -> None:
    for (src, tgt), sim in scores.items():
        gold = np.arange(len(sim))
        line = (
            f"{label:<34} {src}→{tgt}  "
            f"R@1 {recall_at_k(sim, gold, 1):.4f}  R@10 {recall_at_k(sim, gold, 10):.4f}"
        )
        if margin:  # a shortlist's scores are not a full similarity matrix: no margin for them
            marg = margin_scores(sim)
            line += (
                f"  |  margin R@1 {recall_at_k(marg, gold, 1):.4f}  R@10 {recall_at_k(marg, gold, 10):.4f}"
            )
        out.append(line)


def evaluate_flores(
    path: Path, models: Sequence[str], limit: int | None = None, threads: int = 2
) -> list[str]:
    texts = load_flores(path, limit)
    langs = sorted({lang for d in DIRECTIONS for lang in d})
    all_texts = [t for lang in langs for t in texts[lang]]
    needed = [m for m in models if m in ("use", "e5")]
    if "ensemble" in models:
        needed += ["use", "e5"]
    per_model: dict[str, dict[str, np.ndarray]] = {}
    seconds: dict[str, float] = {}
    lines: list[str] = []
    for model in dict.fromkeys(needed):
        embedder = make_embedder(model, threads=threads)
        embedder.embed(all_texts[:8])  # load weights outside the timing
        vectors, seconds[model] = _embed_timed(embedder, all_texts)
        per_model[model] = dict(zip(langs, np.split(vectors, len(langs)), strict=True))
        lines.append(
            f"# {embedder.name}: {len(all_texts)} texts in {seconds[model]:.1f} s = "
            f"{len(all_texts) / seconds[model]:.0f} texts/s ({threads} threads)"
        )
    if "use" in seconds and "e5" in seconds:
        total = seconds["use"] + seconds["e5"]
        lines.append(f"# ensemble: {len(all_texts) / total:.0f} texts/s (both models embed every text)")

    def cosines(model: str) -> dict[tuple[str, str], np.ndarray]:
        return {(s, t): per_model[model][s] @ per_model[model][t].T for s, t in DIRECTIONS}

    def centered_cosines(model: str) -> dict[tuple[str, str], np.ndarray]:
        result = {}
        for s, t in DIRECTIONS:
            source, target = per_model[model][s], per_model[model][t]
            qc, cc = center_together([source, target], [[s] * len(source), [t] * len(target)])
            result[(s, t)] = qc @ cc.T
        return result

    for model in models:
        if model in ("use", "e5"):
            _report(model, cosines(model), lines)
            _report(f"{model} centred", centered_cosines(model), lines)
        elif model == "ensemble":
            ensemble = {
                lang: combine([per_model["use"][lang], per_model["e5"][lang]], ENSEMBLE_WEIGHTS)
                for lang in langs
            }
            _report("ensemble", {(s, t): ensemble[s] @ ensemble[t].T for s, t in DIRECTIONS}, lines)
            use, e5 = cosines("use"), cosines("e5")
            reranked = {d: shortlist_rerank(use[d], e5[d]) for d in DIRECTIONS}
            _report(f"use→e5@{SHORTLIST}", reranked, lines, margin=False)
            use_c, e5_c = centered_cosines("use"), centered_cosines("e5")
            reranked = {d: shortlist_rerank(use_c[d], e5_c[d]) for d in DIRECTIONS}
            _report(f"centred use→e5@{SHORTLIST} (match rank)", reranked, lines, margin=False)
    return lines


def evaluate_documents(path: Path, model: str, group: int = 6, threads: int = 2) -> list[str]:
    """Compare pooling strategies on long documents, de→zh and zh→de.

    A German document is ``group`` consecutive sentences; its Chinese counterpart is the translation of
    those sentences followed by ``group`` unrelated sentences from the other half of the set (a profile
    padded with boilerplate), and so is every distractor. Besides recall@1 (which saturates), the mean
    gap between the right candidate's similarity and the best wrong one shows how safely it wins.
    """
    from partnerhub.engines.matching.documents import POOLINGS, embed_documents

    texts = load_flores(path)
    n = len(texts["de"]) // (2 * group)
    half = n * group

    def padded(lang: str, i: int, joiner: str) -> str:
        own = texts[lang][i * group : (i + 1) * group]
        other = texts[lang][half + i * group : half + (i + 1) * group]
        return joiner.join(own + other)

    docs = {
        "de": [" ".join(texts["de"][i * group : (i + 1) * group]) for i in range(n)],
        "zh": [padded("zh", i, "") for i in range(n)],
    }
    embedder = make_embedder(model, threads=threads)
    lines = [
        f"# {n} German documents of {group} sentences vs Chinese ones padded to {2 * group}, {embedder.name}"
    ]
    for pooling in POOLINGS:
        vectors = {lang: embed_documents(embedder, docs[lang], pooling=pooling) for lang in docs}
        for src, tgt in (("de", "zh"), ("zh", "de")):
            sim = vectors[src] @ vectors[tgt].T
            gold = np.arange(len(sim))
            wrong = sim.copy()
            wrong[gold, gold] = -np.inf
            gap = float((sim[gold, gold] - wrong.max(axis=1)).mean())
            lines.append(
                f"{pooling:<15} {src}→{tgt}  R@1 {recall_at_k(sim, gold, 1):.4f}  mean gap to best wrong {gap:.4f}"
            )
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m partnerhub.engines.matching.evaluate")
    sub = parser.add_subparsers(dest="command", required=True)
    flores = sub.add_parser("flores", help="recall@1/@10 on FLORES-200 dev")
    flores.add_argument("path", nargs="?", type=Path, default=None)
    flores.add_argument("--models", default="use,e5,ensemble")
    flores.add_argument("--limit", type=int, default=None)
    flores.add_argument("--threads", type=int, default=2)
    documents = sub.add_parser("documents", help="pooling of long documents")
    documents.add_argument("path", nargs="?", type=Path, default=None)
    documents.add_argument("--model", default="use")
    documents.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    path = args.path or default_flores_path()
    if not (path / LANG_FILES["de"]).exists():
        print(f"FLORES files not found in {path}", file=sys.stderr)
        return 2
    if args.command == "flores":
        lines = evaluate_flores(path, args.models.split(","), args.limit, args.threads)
    else:
        lines = evaluate_documents(path, args.model, threads=args.threads)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
