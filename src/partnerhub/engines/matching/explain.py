"""Why two texts match: the sentence pairs that are most alike, each sentence used at most once."""

from __future__ import annotations

import numpy as np

from partnerhub.engines.matching.embedders import Embedder
from partnerhub.engines.matching.passages import split_sentences


def best_sentence_pairs(
    embedder: Embedder, text_a: str, text_b: str, top: int = 3
) -> list[tuple[str, str, float]]:
    """Up to ``top`` pairs ``(sentence of a, sentence of b, cosine)``, most similar first.

    Greedy on the similarity matrix: take the best remaining pair, then drop both sentences, so one
    strong sentence cannot explain a match three times over.
    """
    sentences_a, sentences_b = split_sentences(text_a), split_sentences(text_b)
    if not sentences_a or not sentences_b or top < 1:
        return []
    vectors = embedder.embed([*sentences_a, *sentences_b])
    sim = vectors[: len(sentences_a)] @ vectors[len(sentences_a) :].T
    pairs: list[tuple[str, str, float]] = []
    remaining = sim.astype(np.float64)
    for _ in range(min(top, len(sentences_a), len(sentences_b))):
        i, j = np.unravel_index(int(np.argmax(remaining)), remaining.shape)
        pairs.append((sentences_a[i], sentences_b[j], float(sim[i, j])))
        remaining[i, :] = -np.inf
        remaining[:, j] = -np.inf
    return pairs
