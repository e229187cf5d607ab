"""A compressed full scan with exact re-ranking, for large collections (faiss product quantisation).

Every vector is held twice: as a 4-bit product-quantisation code (the vector cut into ``dim / 4`` pieces of
four dimensions, each piece replaced by the nearest of 16 learnt centroids: 64 bytes for a 512-d vector) and
as float32. A query scans *all* codes with faiss's SIMD fast-scan kernel (approximate inner products, a few
milliseconds per million on one core), keeps the best ``rerank`` candidates and scores those exactly
against the float32 vectors. There is no graph or clustering that can lead a search astray, so recall
depends only on how good the codes are and how many candidates are re-scored, not on how the data happen to
be spread — graph indexes lose most on data whose near neighbours are only slightly nearer than the rest,
which is what multilingual sentence vectors look like (bench/bench_matching_index.py).

- Below ``train_min`` vectors, or when the collection is not larger than ``rerank``, a search is exact
  (brute force over the float32 vectors); the codes are learnt once there are enough vectors, on a seeded
  sample of at most ``train_sample``, and learnt again when the collection has grown fourfold since.
- ``remove`` marks a position dead; dead positions are skipped in re-ranking and dropped, and the codes
  rebuilt, when more than a quarter of the positions are dead. Adding an id that is present replaces it.
- Scores are inner products of normalised vectors, i.e. cosine similarities, exactly as ``ExactIndex``
  computes them: only the choice of candidates is approximate.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Self

import numpy as np
import numpy.typing as npt

from partnerhub.engines.matching.index import Hit, Vectors, _batch, _grown, _top_k, queries_and_k

RERANK = 1000  # candidates re-scored exactly: recall@10 ≈ 0.998 over 1 M (bench_matching_index.py)
TRAIN_MIN = 1024  # 16 centroids per piece want a few hundred points; fewer vectors are searched exactly
TRAIN_SAMPLE = 100_000
BITS = 4  # faiss's fast scan works on 4-bit codes


def subquantisers(dim: int) -> int:
    """Pieces of four dimensions where the dimension allows it, else two, else one."""
    for width in (4, 2):
        if dim % width == 0:
            return dim // width
    return dim


class PqIndex:
    """Product-quantised fast scan over every vector, then exact re-ranking of the best candidates."""

    def __init__(
        self,
        dim: int | None = None,
        *,
        rerank: int | None = None,
        train_min: int | None = None,
        train_sample: int | None = None,
        seed: int = 0,
    ) -> None:
        """``None`` takes the module's ``RERANK``, ``TRAIN_MIN`` and ``TRAIN_SAMPLE`` as they are now."""
        self.dim = dim
        self.rerank = RERANK if rerank is None else rerank
        self.train_min = max(TRAIN_MIN if train_min is None else train_min, 2**BITS)
        self.train_sample = TRAIN_SAMPLE if train_sample is None else train_sample
        self.seed = seed
        self._vectors: Vectors = np.zeros((0, dim or 0), dtype=np.float32)
        self._alive = np.zeros(0, dtype=bool)
        self._ids: list[str] = []  # by position; a dead position keeps its old id, unused
        self._row: dict[str, int] = {}
        self._codes: Any = None  # faiss.IndexPQFastScan over positions 0..n-1, or None (not learnt yet)
        self._trained_on = 0

    # --- the VectorIndex protocol ------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._row)

    def __contains__(self, id_: object) -> bool:
        return id_ in self._row

    @property
    def ids(self) -> list[str]:
        return [self._ids[p] for p in np.flatnonzero(self._alive[: self._positions])]

    @property
    def coded(self) -> bool:
        """Whether searches go through the codes (False: brute force, too few vectors yet)."""
        return self._codes is not None

    @property
    def _positions(self) -> int:
        return len(self._ids)

    def add(self, ids: Sequence[str], vectors: npt.ArrayLike) -> None:
        ids, batch = _batch(ids, vectors, self.dim)
        if not ids:
            return
        if self.dim is None:
            self.dim = batch.shape[1]
            self._vectors = np.zeros((0, self.dim), dtype=np.float32)
        self._mark_dead([i for i in ids if i in self._row])
        start = self._positions
        self._reserve(start + len(ids))
        self._vectors[start : start + len(ids)] = batch
        self._alive[start : start + len(ids)] = True
        for offset, id_ in enumerate(ids):
            self._row[id_] = start + offset
        self._ids.extend(ids)
        if self._codes is not None:
            self._codes.add(batch)
        self._maintain()

    def remove(self, ids: Iterable[str]) -> None:
        """Drop the given ids; unknown ids are ignored (removal is idempotent)."""
        self._mark_dead([str(i) for i in ids if str(i) in self._row])
        self._maintain()

    def search(self, vector: npt.ArrayLike, k: int) -> list[Hit]:
        return self.search_batch(np.asarray(vector, dtype=np.float32).reshape(1, -1), k)[0]

    def search_batch(self, vectors: npt.ArrayLike, k: int) -> list[list[Hit]]:
        queries, k = queries_and_k(vectors, k, len(self), self.dim)
        if k <= 0:
            return [[] for _ in range(queries.shape[0])]
        if self._codes is None or len(self) <= self.rerank:
            return [self._exact(q, k) for q in queries]
        fetch = min(self._positions, max(self.rerank, k))
        _scores, candidates = self._codes.search(queries, fetch)
        results = []
        for q, row in zip(queries, candidates, strict=True):
            row = row[row >= 0]
            row = row[self._alive[row]]
            if len(row) < k:  # dead positions crowded out the live ones: the rare exact fallback
                results.append(self._exact(q, k))
                continue
            results.append(self._ranked(q, row, k))
        return results

    def save(self, path: str | Path) -> None:
        """One ``.npz`` file: the float32 vectors, ids, which positions live, and the codes (faiss's bytes)."""
        import faiss

        n = self._positions
        codes = faiss.serialize_index(self._codes) if self._codes is not None else np.zeros(0, np.uint8)
        meta = {
            "dim": self.dim,
            "rerank": self.rerank,
            "train_min": self.train_min,
            "train_sample": self.train_sample,
            "seed": self.seed,
            "trained_on": self._trained_on,
        }
        np.savez(
            path,
            vectors=self._vectors[:n],
            alive=self._alive[:n],
            ids=np.array(self._ids, dtype=str),
            codes=codes,
            meta=np.array(json.dumps(meta)),
        )

    @classmethod
    def load(cls, path: str | Path) -> Self:
        import faiss

        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            index = cls(
                meta["dim"],
                rerank=meta["rerank"],
                train_min=meta["train_min"],
                train_sample=meta["train_sample"],
                seed=meta["seed"],
            )
            if meta["dim"]:
                index._vectors = np.array(data["vectors"], dtype=np.float32).reshape(-1, meta["dim"])
            index._alive = np.array(data["alive"], dtype=bool)
            index._ids = [str(i) for i in data["ids"]]
            codes = data["codes"]
            if len(codes):
                index._codes = faiss.deserialize_index(np.array(codes, dtype=np.uint8))
                if index._codes.ntotal != len(index._ids):
                    raise ValueError("the codes and the vectors of this index disagree")
        index._row = {index._ids[p]: int(p) for p in np.flatnonzero(index._alive)}
        index._trained_on = meta["trained_on"]
        return index

    # --- inside ------------------------------------------------------------------------------------------

    def _ranked(self, query: Vectors, positions: npt.NDArray[np.intp], k: int) -> list[Hit]:
        scores = self._vectors[positions] @ query
        top = _top_k(scores, k)
        return [(self._ids[positions[j]], float(scores[j])) for j in top]

    def _exact(self, query: Vectors, k: int) -> list[Hit]:
        return self._ranked(query, np.flatnonzero(self._alive[: self._positions]), k)

    def _reserve(self, needed: int) -> None:
        self._vectors = _grown(self._vectors, needed, self._positions)
        self._alive = _grown(self._alive, needed, self._positions)  # as long as _vectors: grown alike

    def _mark_dead(self, ids: list[str]) -> None:
        for id_ in ids:
            self._alive[self._row.pop(id_)] = False

    def _maintain(self) -> None:
        """Compact when a quarter is dead; learn the codes once there are enough vectors, again at 4× growth."""
        dead = self._positions - len(self)
        if dead > max(64, self._positions // 4):
            keep = np.flatnonzero(self._alive[: self._positions])
            self._vectors = np.ascontiguousarray(self._vectors[keep])
            self._ids = [self._ids[p] for p in keep]
            self._alive = np.ones(len(keep), dtype=bool)
            self._row = {id_: p for p, id_ in enumerate(self._ids)}
            self._learn()
        elif len(self) >= self.train_min and (
            self._codes is None
            or (self._trained_on < self.train_sample and len(self) >= 4 * self._trained_on)
        ):
            self._learn()

    def _learn(self) -> None:
        import faiss

        live = np.flatnonzero(self._alive[: self._positions])
        if len(live) < self.train_min or self.dim is None:
            self._codes, self._trained_on = None, 0
            return
        rng = np.random.default_rng(self.seed)
        sample = (
            live if len(live) <= self.train_sample else np.sort(rng.choice(live, self.train_sample, False))
        )
        codes = faiss.IndexPQFastScan(self.dim, subquantisers(self.dim), BITS, faiss.METRIC_INNER_PRODUCT)
        codes.pq.cp.min_points_per_centroid = 1  # small samples are the caller's choice: no warning on stderr
        codes.train(np.ascontiguousarray(self._vectors[sample]))
        codes.add(np.ascontiguousarray(self._vectors[: self._positions]))
        self._codes, self._trained_on = codes, len(live)
