"""One vector for a text of any length: short texts as they are, long ones from their passages.

A sentence encoder averages over tokens; on a long profile the paragraph that matters drowns, and E5
reads only its first 512 tokens. So a long text is split into passages (passages.py), each passage
embedded, and the normalised passage vectors averaged — weighted by their length in characters — and
normalised again.

Measured (decision 0012, ``evaluate documents``: German documents of six FLORES sentences against
Chinese ones padded with six unrelated sentences): the plain mean of passages is clearly worse than
embedding the whole text (a short leftover passage weighs as much as a full one), the length-weighted
mean is as good or better, and adding the whole-text vector to the passages helps the plain mean but
not the weighted one. Hence the default ``weighted``; the others stay for measuring.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from partnerhub.engines.matching.embedders import Embedder, normalise_rows
from partnerhub.engines.matching.passages import split_passages

POOLINGS = ("whole", "mean", "weighted", "mean+whole", "weighted+whole")
DEFAULT_POOLING = "weighted"
MAX_CHARS = 400


def embed_documents(
    embedder: Embedder,
    texts: Sequence[str],
    max_chars: int = MAX_CHARS,
    pooling: str = DEFAULT_POOLING,
) -> np.ndarray:
    """One normalised row per text; all passages of all texts go to the embedder in one batch.

    ``pooling``: ``whole`` (the text as one input), ``mean`` (mean of the normalised passage vectors),
    ``weighted`` (that mean weighted by passage length), ``…+whole`` (that pooled vector plus the
    whole-text vector, equal weight).
    """
    if pooling not in POOLINGS:
        raise ValueError(f"pooling must be one of {POOLINGS}")
    with_whole = pooling.endswith("+whole")
    pieces: list[list[str]] = []
    for text in texts:
        passages = split_passages(text, max_chars) if len(text) > max_chars else []
        if pooling == "whole" or len(passages) <= 1:
            pieces.append([text])
        else:
            pieces.append([text, *passages] if with_whole else passages)
    flat = [p for group in pieces for p in group]
    vectors = embedder.embed(flat) if flat else np.zeros((0, embedder.dim), dtype=np.float32)
    out = np.zeros((len(texts), embedder.dim), dtype=np.float32)
    row = 0
    for i, group in enumerate(pieces):
        block = vectors[row : row + len(group)]
        row += len(group)
        if len(group) == 1:
            out[i] = block[0]
            continue
        passages, passage_vectors = (group[1:], block[1:]) if with_whole else (group, block)
        if pooling.startswith("weighted"):
            weights = np.array([len(p) for p in passages], dtype=np.float32)
        else:
            weights = np.ones(len(passages), dtype=np.float32)
        pooled = normalise_rows((passage_vectors * weights[:, None]).sum(axis=0, keepdims=True))[0]
        out[i] = pooled + block[0] if with_whole else pooled
    return normalise_rows(out)


def embed_document(
    embedder: Embedder, text: str, max_chars: int = MAX_CHARS, pooling: str = DEFAULT_POOLING
) -> np.ndarray:
    """The normalised vector of one text (see ``embed_documents``)."""
    return np.asarray(embed_documents(embedder, [text], max_chars, pooling)[0])


def pair_similarities(
    embedder: Embedder,
    query_texts: Sequence[str],
    candidate_texts: Sequence[str],
    pairs: Sequence[tuple[int, int]],
    query_langs: Sequence[str] | None = None,
    candidate_langs: Sequence[str] | None = None,
) -> np.ndarray:
    """Cosine of each ``(query index, candidate index)`` pair, embedding only the texts the pairs use.

    The second stage of a ranking: a second model re-scores the shortlists a fast model made, without
    embedding every candidate. With the texts' languages, the vectors are language-centred (centering.py)
    with means fitted on the texts embedded here.
    """
    if not pairs:
        return np.zeros(0, dtype=np.float32)
    used_q = sorted({q for q, _ in pairs})
    used_c = sorted({c for _, c in pairs})
    vectors = embed_documents(
        embedder, [query_texts[i] for i in used_q] + [candidate_texts[i] for i in used_c]
    )
    if query_langs is not None and candidate_langs is not None:
        from partnerhub.engines.matching.centering import center, language_means

        langs = [query_langs[i] for i in used_q] + [candidate_langs[i] for i in used_c]
        vectors = center(vectors, langs, language_means(vectors, langs))
    q_row = {q: n for n, q in enumerate(used_q)}
    c_row = {c: len(used_q) + n for n, c in enumerate(used_c)}
    q_idx = np.fromiter((q_row[q] for q, _ in pairs), dtype=np.int64, count=len(pairs))
    c_idx = np.fromiter((c_row[c] for _, c in pairs), dtype=np.int64, count=len(pairs))
    return np.asarray(np.einsum("ij,ij->i", vectors[q_idx], vectors[c_idx]))
