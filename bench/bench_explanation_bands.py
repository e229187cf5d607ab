"""Where "the texts mean similar things" may be said: similarities of labelled matches vs. non-matches.

On the labelled profile pairs (bench/data/profile_pairs_* and any sector_pairs_*), with the multilingual USE
model, this prints the distribution of three similarities for the relevant pair of each query and for every
other candidate in the counterpart's language (a cross-language non-match, as the platform meets them):

- ``document``: the cosine of the passage-pooled document vectors (what the stored vectors give);
- ``centred``: the same after language centring (centering.py, means from all texts of the run);
- ``sentence``: the best sentence pair of the two texts (explain.best_sentence_pairs), what the card shows.

It prints percentiles and, for candidate thresholds, the share of matches above them and the share of
non-matches above them, so the bands in ``partnerhub.matching.reasons`` can be checked or re-chosen.

Run: `.venv/bin/python bench/bench_explanation_bands.py [SET ...] [--e5]` (``--e5`` adds the 0.7 USE + 0.3 E5
centred mix, ``ensemble``; slow: E5 embeds about 15 texts a second).
"""

import json
import sys
from pathlib import Path

import numpy as np

from partnerhub.engines.matching.centering import center, language_means
from partnerhub.engines.matching.documents import embed_documents
from partnerhub.engines.matching.embedders import E5Embedder, UseEmbedder, e5_available
from partnerhub.engines.matching.passages import split_sentences

DATA = Path(__file__).resolve().parent / "data"


def load(prefix: str) -> tuple[list[dict], list[dict], dict[str, set[str]]]:
    def rows(name: str) -> list[dict]:
        path = DATA / f"{prefix}_{name}.jsonl"
        return [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]

    labels = {row["query"]: set(row["relevant"]) for row in rows("labels")}
    return rows("queries"), rows("candidates"), labels


def sets() -> list[str]:
    found = sorted({p.name.rsplit("_", 1)[0] for p in DATA.glob("*_labels.jsonl")})
    return [name for name in found if (DATA / f"{name}_queries.jsonl").exists()]


def best_sentence(sent_vectors: dict[str, np.ndarray], a: str, b: str) -> float:
    return float((sent_vectors[a] @ sent_vectors[b].T).max())


def main() -> None:
    queries, candidates, labels = [], [], {}
    flags = {a for a in sys.argv[1:] if a.startswith("--")}
    for name in [a for a in sys.argv[1:] if not a.startswith("--")] or sets():
        q, c, lab = load(name)
        queries += q
        candidates += c
        labels.update(lab)
    embedder = UseEmbedder()
    texts = [*queries, *candidates]
    docs = embed_documents(embedder, [t["text"] for t in texts])
    langs = [t["lang"] for t in texts]
    centred = center(docs, langs, language_means(docs, langs))
    sentences = {t["id"]: split_sentences(t["text"]) for t in texts}
    flat = [s for t in texts for s in sentences[t["id"]]]
    flat_vectors = embedder.embed(flat)
    sent_vectors, at = {}, 0
    for t in texts:
        n = len(sentences[t["id"]])
        sent_vectors[t["id"]] = flat_vectors[at : at + n]
        at += n
    row = {t["id"]: i for i, t in enumerate(texts)}
    kinds = {"document": docs, "centred": centred}
    if "--e5" in flags and e5_available():
        # What the default ranking compares on a shortlist: 0.7 centred USE + 0.3 centred E5 (decision 0012).
        e5 = embed_documents(E5Embedder(), [t["text"] for t in texts])
        e5_centred = center(e5, langs, language_means(e5, langs))
        kinds["ensemble"] = np.concatenate([centred * np.sqrt(0.7), e5_centred * np.sqrt(0.3)], axis=1)
    values: dict[str, dict[str, list[float]]] = {k: {"match": [], "other": []} for k in [*kinds, "sentence"]}
    for query in queries:
        relevant = labels.get(query["id"], set())
        counterpart_langs = {c["lang"] for c in candidates if c["id"] in relevant}
        for candidate in candidates:
            if candidate["lang"] == query["lang"] or candidate["lang"] not in counterpart_langs:
                continue
            label = "match" if candidate["id"] in relevant else "other"
            for name, vectors in kinds.items():
                values[name][label].append(float(vectors[row[query["id"]]] @ vectors[row[candidate["id"]]]))
            values["sentence"][label].append(best_sentence(sent_vectors, query["id"], candidate["id"]))
    print(f"{len(queries)} queries; {len(values['document']['match'])} matches, "
          f"{len(values['document']['other'])} cross-language non-matches")  # fmt: skip
    for name, groups in values.items():
        match, other = np.array(groups["match"]), np.array(groups["other"])
        print(f"\n{name}: percentiles 5/25/50/75/95")
        for label, array in (("match", match), ("other", other)):
            print(f"  {label:<6}", " ".join(f"{np.percentile(array, p):6.3f}" for p in (5, 25, 50, 75, 95)))
        print("  threshold  matches-above  non-matches-above")
        for threshold in np.arange(0.15, 0.71, 0.05):
            print(
                f"  {threshold:9.2f}  {np.mean(match >= threshold):13.3f}  {np.mean(other >= threshold):17.3f}"
            )


if __name__ == "__main__":
    main()
