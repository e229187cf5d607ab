"""Language centering: remove what a vector says about its language before comparing across languages.

Multilingual encoders put every text of one language in a common region: the mean vector of a language's
texts is far from zero, and two unrelated German texts can be more similar than a German text and its own
Chinese counterpart. With multilingual-e5-small this bias decides everything on our labelled profile pairs
(recall@1 0.000 — every query found a text in its own language first); USE suffers less. Subtracting each
language's mean vector and normalising again (Libovický et al. 2020, "On the language neutrality of
pre-trained multilingual representations") removes most of it: E5 0.000 → 0.532 recall@1 on the profile
pairs, USE 0.748 → 0.766, and FLORES de→zh improves for both (decision 0012).

The means come from the texts being compared (a ranking run's queries and candidates together, or a
platform's stored vectors), because a language's mean also carries the domain: means taken from FLORES news
sentences help E5 on profiles far less (0.369). Few texts give a noisy mean, so a language's mean is shrunk
towards zero by ``n / (n + SHRINK)``: with one text nothing much is removed, with hundreds the full mean.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]
SHRINK = 8  # texts: a language with n texts has its mean scaled by n / (n + SHRINK)


def language_means(vectors: npt.ArrayLike, langs: Sequence[str], shrink: int = SHRINK) -> dict[str, Vectors]:
    """Each language's (shrunk) mean vector over ``vectors``, one row per entry of ``langs``."""
    array = np.asarray(vectors, dtype=np.float32)
    if array.ndim != 2 or array.shape[0] != len(langs):
        raise ValueError(f"{array.shape[0] if array.ndim else 0} vectors for {len(langs)} languages")
    labels = np.asarray(langs)
    means: dict[str, Vectors] = {}
    for lang in sorted(set(langs)):
        rows = array[labels == lang]
        n = rows.shape[0]
        means[lang] = (rows.mean(axis=0) * (n / (n + shrink))).astype(np.float32)
    return means


def center(vectors: npt.ArrayLike, langs: Sequence[str], means: Mapping[str, npt.ArrayLike]) -> Vectors:
    """``vectors`` minus their language's mean, normalised to unit length.

    A language without a mean is left as it is (normalised); a vector that centering would reduce to
    (almost) nothing keeps its original direction rather than becoming noise.
    """
    array = np.array(vectors, dtype=np.float32, copy=True)
    if array.ndim != 2 or array.shape[0] != len(langs):
        raise ValueError(f"{array.shape[0] if array.ndim else 0} vectors for {len(langs)} languages")
    original = array.copy()
    for i, lang in enumerate(langs):
        mean = means.get(lang)
        if mean is not None:
            array[i] -= np.asarray(mean, dtype=np.float32)
    norms = np.linalg.norm(array, axis=1, keepdims=True)
    tiny = norms[:, 0] < 1e-6
    array[tiny] = original[tiny]
    norms[tiny] = np.linalg.norm(original[tiny], axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.asarray(array / norms, dtype=np.float32)


def center_together(
    blocks: Sequence[npt.ArrayLike], langs: Sequence[Sequence[str]], shrink: int = SHRINK
) -> list[Vectors]:
    """Center several blocks (e.g. queries and candidates) with means fitted on all of them together."""
    arrays = [np.asarray(b, dtype=np.float32) for b in blocks]
    flat_langs = [lang for block in langs for lang in block]
    means = language_means(np.concatenate(arrays) if arrays else np.zeros((0, 0)), flat_langs, shrink)
    return [center(a, list(block), means) for a, block in zip(arrays, langs, strict=True)]
