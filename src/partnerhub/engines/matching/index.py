"""Nearest-neighbour indexes over L2-normalised vectors, keyed by string ids.

Two implementations of one small protocol:

- ``ExactIndex``: a float32 numpy matrix searched by brute-force inner product. Exact, no build step, and fast
  enough up to ~100k vectors (one matrix-vector product per query); the reference for the approximate one.
- ``HnswIndex``: hnswlib's HNSW graph in the inner-product space. Fast where near neighbours stand out; on
  data like multilingual sentence vectors it needs a large ``ef`` for high recall (0.949 at p95 20 ms over
  1 M), and a million-vector graph takes most of an hour to build. Kept for comparison and for callers that
  want it; removal only marks an element deleted (its slot is reused by later additions).
- ``PqIndex`` (``pq.py``, faiss): every vector scanned as a 64-byte code, the best candidates re-scored
  exactly — recall@10 ≈ 0.998 at p95 ≈ 3.5 ms over 1 M on one core, built in seconds. The large-collection
  index of ``make_index``.

Scores are inner products, i.e. cosine similarities because every vector is normalised on the way in.
``make_index(n_expected)`` picks exact or PQ by size. A pgvector index inside PostgreSQL is the platform's concern
(``partnerhub.matching.vectorstore``); this module only offers ``pgvector_state``/``pgvector_available`` so
the platform can decide without importing anything here that knows about Django.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol, Self, runtime_checkable

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]
Hit = tuple[str, float]

#: Below this many vectors brute force is exact and still fast; above it the PQ scan wins (bench_matching_index.py).
EXACT_LIMIT = 20_000


@runtime_checkable
class VectorIndex(Protocol):
    """What the matching engine needs from an index. Adding an id that is already present replaces it."""

    def add(self, ids: Sequence[str], vectors: npt.ArrayLike) -> None: ...

    def remove(self, ids: Iterable[str]) -> None: ...

    def search(self, vector: npt.ArrayLike, k: int) -> list[Hit]: ...

    def search_batch(self, vectors: npt.ArrayLike, k: int) -> list[list[Hit]]: ...

    def save(self, path: str | Path) -> None: ...

    @classmethod
    def load(cls, path: str | Path) -> Self: ...

    def __len__(self) -> int: ...

    def __contains__(self, id_: object) -> bool: ...

    @property
    def ids(self) -> list[str]: ...


def normalise(vectors: npt.ArrayLike) -> Vectors:
    """Rows scaled to unit length as float32 (a zero row stays zero rather than becoming NaN)."""
    array = np.array(vectors, dtype=np.float32, ndmin=2, copy=True)
    norms = np.linalg.norm(array, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    array /= norms
    return array


def _batch(ids: Sequence[str], vectors: npt.ArrayLike, dim: int | None) -> tuple[list[str], Vectors]:
    """An ``add``'s ids as strings and its vectors normalised, checked against each other and the index."""
    names, batch = [str(i) for i in ids], normalise(vectors)
    if not names:
        return names, batch
    if len(names) != batch.shape[0]:
        raise ValueError(f"{len(names)} ids for {batch.shape[0]} vectors")
    if len(set(names)) != len(names):
        raise ValueError("duplicate ids in one add()")
    if dim is not None and batch.shape[1] != dim:
        raise ValueError(f"vectors have dimension {batch.shape[1]}, the index has {dim}")
    return names, batch


def _grown(array: npt.NDArray[Any], needed: int, used: int) -> npt.NDArray[Any]:
    """``array`` with room for ``needed`` rows (capacity at least doubles), its first ``used`` rows kept."""
    if needed <= array.shape[0]:
        return array
    grown = np.zeros((max(needed, 2 * array.shape[0], 64), *array.shape[1:]), dtype=array.dtype)
    grown[:used] = array[:used]
    return grown


def queries_and_k(vectors: npt.ArrayLike, k: int, size: int, dim: int | None) -> tuple[Vectors, int]:
    """Query rows normalised, and ``k`` capped at the index's size; a query of another dimension is refused."""
    queries = normalise(np.asarray(vectors, dtype=np.float32).reshape(-1, np.shape(vectors)[-1]))
    if dim is not None and queries.shape[1] != dim and min(k, size) > 0:
        raise ValueError(f"query has dimension {queries.shape[1]}, the index has {dim}")
    return queries, min(k, size)


def _top_k(scores: npt.NDArray[np.float32], k: int) -> npt.NDArray[np.intp]:
    """Indices of the k largest scores, best first (argpartition, then a sort of only those k)."""
    if k >= scores.shape[0]:
        return np.argsort(-scores, kind="stable")
    part = np.argpartition(-scores, k - 1)[:k]
    return part[np.argsort(-scores[part], kind="stable")]


class ExactIndex:
    """Brute-force inner product over a growable float32 matrix.

    Rows ``0..n-1`` of ``_matrix`` are live; removing swaps the last live row into the hole, so the matrix
    never has gaps and a search is one ``matrix[:n] @ q``. Capacity doubles when full (amortised O(1) adds).
    """

    def __init__(self, dim: int | None = None) -> None:
        self.dim = dim
        self._matrix: Vectors = np.zeros((0, dim or 0), dtype=np.float32)
        self._ids: list[str] = []
        self._row: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, id_: object) -> bool:
        return id_ in self._row

    @property
    def ids(self) -> list[str]:
        return list(self._ids)

    @property
    def vectors(self) -> Vectors:
        """The live rows (a view: do not modify), in the order of ``ids``."""
        return self._matrix[: len(self._ids)]

    def add(self, ids: Sequence[str], vectors: npt.ArrayLike) -> None:
        ids, batch = _batch(ids, vectors, self.dim)
        if not ids:
            return
        if self.dim is None:
            self.dim = batch.shape[1]
            self._matrix = np.zeros((0, self.dim), dtype=np.float32)
        fresh = []
        for i, id_ in enumerate(ids):
            row = self._row.get(id_)
            if row is None:
                fresh.append(i)
            else:
                self._matrix[row] = batch[i]
        self._reserve(len(self._ids) + len(fresh))
        start = len(self._ids)
        self._matrix[start : start + len(fresh)] = batch[fresh]
        for offset, i in enumerate(fresh):
            self._row[ids[i]] = start + offset
            self._ids.append(ids[i])

    def _reserve(self, needed: int) -> None:
        self._matrix = _grown(self._matrix, needed, len(self._ids))

    def remove(self, ids: Iterable[str]) -> None:
        """Drop the given ids; unknown ids are ignored (removal is idempotent)."""
        for id_ in ids:
            row = self._row.pop(str(id_), None)
            if row is None:
                continue
            last = len(self._ids) - 1
            if row != last:
                moved = self._ids[last]
                self._matrix[row] = self._matrix[last]
                self._ids[row] = moved
                self._row[moved] = row
            self._ids.pop()

    def scores(self, vectors: npt.ArrayLike) -> npt.NDArray[np.float32]:
        """Similarity of each query row to every live vector, shape (queries, len(self))."""
        queries = normalise(vectors)
        if self.dim is not None and queries.shape[1] != self.dim:
            raise ValueError(f"query has dimension {queries.shape[1]}, the index has {self.dim}")
        result: npt.NDArray[np.float32] = queries @ self.vectors.T
        return result

    def search(self, vector: npt.ArrayLike, k: int) -> list[Hit]:
        return self.search_batch(np.asarray(vector, dtype=np.float32).reshape(1, -1), k)[0]

    def search_batch(self, vectors: npt.ArrayLike, k: int, chunk: int = 1024) -> list[list[Hit]]:
        """Top-k per query row, best first. Queries go through in chunks to bound the score matrix."""
        queries = np.asarray(vectors, dtype=np.float32).reshape(-1, np.shape(vectors)[-1])
        if k <= 0 or not self._ids:
            return [[] for _ in range(queries.shape[0])]
        results: list[list[Hit]] = []
        for start in range(0, queries.shape[0], chunk):
            block = self.scores(queries[start : start + chunk])
            for row in block:
                top = _top_k(row, k)
                results.append([(self._ids[j], float(row[j])) for j in top])
        return results

    def save(self, path: str | Path) -> None:
        """Write ids and vectors to one ``.npz`` file (numpy appends the suffix if it is missing)."""
        np.savez(path, ids=np.array(self._ids, dtype=str), vectors=self.vectors, dim=np.int64(self.dim or 0))

    @classmethod
    def load(cls, path: str | Path) -> Self:
        with np.load(path, allow_pickle=False) as data:
            dim = int(data["dim"]) or None
            index = cls(dim)
            ids = [str(i) for i in data["ids"]]
            if ids:
                index.add(ids, data["vectors"])
        return index


class HnswIndex:
    """hnswlib HNSW graph in inner-product space, with string ids mapped to integer labels.

    Defaults (M=32, ef_construction=200, ef=128) give recall@10 ≥ 0.98 on random 512-d vectors up to 100k;
    at 1M, M=16/ef_construction=100 builds twice as fast and ``ef`` is raised at query time instead
    (figures in bench/bench_matching_index.py). ``ef`` is always at least ``k``.
    Removal marks the element deleted; later additions reuse deleted slots, so memory does not creep.
    """

    def __init__(
        self,
        dim: int | None = None,
        *,
        M: int = 32,
        ef_construction: int = 200,
        ef: int = 128,
        threads: int = -1,
        capacity: int = 1024,
    ) -> None:
        self.dim = dim
        self.M = M
        self.ef_construction = ef_construction
        self.ef = ef
        self.threads = threads
        self._initial_capacity = max(capacity, 16)
        self._index: Any = None
        self._label: dict[str, int] = {}
        self._id: dict[int, str] = {}
        self._next_label = 0
        self._deleted = 0
        if dim is not None:
            self._init(dim)

    def _init(self, dim: int) -> None:
        import hnswlib

        self.dim = dim
        self._index = hnswlib.Index(space="ip", dim=dim)
        self._index.init_index(
            max_elements=self._initial_capacity,
            M=self.M,
            ef_construction=self.ef_construction,
            random_seed=100,
            allow_replace_deleted=True,
        )
        self._index.set_ef(self.ef)
        self._index.set_num_threads(self.threads)

    def __len__(self) -> int:
        return len(self._label)

    def __contains__(self, id_: object) -> bool:
        return id_ in self._label

    @property
    def ids(self) -> list[str]:
        return list(self._label)

    def set_ef(self, ef: int) -> None:
        """Search breadth: higher means better recall and slower queries."""
        self.ef = ef
        if self._index is not None:
            self._index.set_ef(ef)

    def add(self, ids: Sequence[str], vectors: npt.ArrayLike) -> None:
        ids, batch = _batch(ids, vectors, self.dim)
        if not ids:
            return
        if self._index is None:
            self._init(batch.shape[1])
        # Replacing an id = delete the old element, insert a new one (hnswlib cannot move a node).
        self.remove([i for i in ids if i in self._label])
        free_slots = self._deleted
        needed = self._index.get_current_count() + max(0, len(ids) - free_slots)
        capacity = self._index.get_max_elements()
        if needed > capacity:
            self._index.resize_index(max(needed, 2 * capacity))
        labels = np.arange(self._next_label, self._next_label + len(ids), dtype=np.uint64)
        self._next_label += len(ids)
        self._index.add_items(batch, labels, num_threads=self.threads, replace_deleted=free_slots > 0)
        self._deleted = max(0, free_slots - len(ids))
        for id_, label in zip(ids, labels.tolist(), strict=True):
            self._label[id_] = label
            self._id[label] = id_

    def remove(self, ids: Iterable[str]) -> None:
        for id_ in ids:
            label = self._label.pop(str(id_), None)
            if label is None:
                continue
            del self._id[label]
            self._index.mark_deleted(label)
            self._deleted += 1

    def search(self, vector: npt.ArrayLike, k: int) -> list[Hit]:
        return self.search_batch(np.asarray(vector, dtype=np.float32).reshape(1, -1), k)[0]

    def search_batch(self, vectors: npt.ArrayLike, k: int) -> list[list[Hit]]:
        queries, k = queries_and_k(vectors, k, len(self), self.dim)
        if k <= 0:
            return [[] for _ in range(queries.shape[0])]
        if self.ef < k:
            self._index.set_ef(k)
        try:
            labels, distances = self._index.knn_query(queries, k=k, num_threads=self.threads)
        except RuntimeError:
            # A small graph with many deleted nodes can leave fewer than k reachable live nodes.
            return self._search_exhaustively(queries, k)
        finally:
            if self.ef < k:
                self._index.set_ef(self.ef)
        return [
            [
                (self._id[label], 1.0 - float(d))
                for label, d in zip(row_l.tolist(), row_d.tolist(), strict=True)
            ]
            for row_l, row_d in zip(labels, distances, strict=True)
        ]

    def _search_exhaustively(self, queries: Vectors, k: int) -> list[list[Hit]]:
        exact = ExactIndex(self.dim)
        labels = list(self._id)
        exact.add([self._id[label] for label in labels], self._index.get_items(labels, return_type="numpy"))
        return exact.search_batch(queries, k)

    def save(self, path: str | Path) -> None:
        """Write the graph to ``path`` and the id map and parameters beside it, in ``path.ids.json``."""
        path = Path(path)
        if self._index is None:
            raise ValueError("cannot save an index that has never had a vector")
        self._index.save_index(str(path))
        meta = {
            "dim": self.dim,
            "M": self.M,
            "ef_construction": self.ef_construction,
            "ef": self.ef,
            "next_label": self._next_label,
            "deleted": self._deleted,
            "labels": self._label,
        }
        _sidecar(path).write_text(json.dumps(meta), encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path, threads: int = -1) -> Self:
        import hnswlib

        path = Path(path)
        meta = json.loads(_sidecar(path).read_text(encoding="utf-8"))
        index = cls(M=meta["M"], ef_construction=meta["ef_construction"], ef=meta["ef"], threads=threads)
        index.dim = meta["dim"]
        index._index = hnswlib.Index(space="ip", dim=meta["dim"])
        index._index.load_index(str(path), allow_replace_deleted=True)
        index._index.set_ef(meta["ef"])
        index._index.set_num_threads(threads)
        index._label = {str(k): int(v) for k, v in meta["labels"].items()}
        index._id = {v: k for k, v in index._label.items()}
        index._next_label = meta["next_label"]
        index._deleted = meta["deleted"]
        return index


def _sidecar(path: Path) -> Path:
    return path.with_name(path.name + ".ids.json")


def make_index(n_expected: int, dim: int | None = None, *, exact_limit: int = EXACT_LIMIT) -> VectorIndex:
    """Exact brute force for small collections (no approximation, no build), ``PqIndex`` above ``exact_limit``."""
    if n_expected < exact_limit:
        return ExactIndex(dim)
    from partnerhub.engines.matching.pq import PqIndex

    return PqIndex(dim)


class PgvectorUnavailable(RuntimeError):
    """The database cannot hold vectors: not PostgreSQL, or the ``vector`` extension is not installable."""


def pgvector_state(cursor_execute: Callable[[str], Sequence[Sequence[Any]] | None]) -> str:
    """``installed``, ``available`` (the server has it, this database has not created it) or ``missing``.

    Asks through ``cursor_execute`` like ``pgvector_available``, and changes nothing. ``missing`` also when
    the question cannot be asked (SQLite has no ``pg_available_extensions``).
    """
    try:
        rows = cursor_execute("SELECT installed_version FROM pg_available_extensions WHERE name = 'vector'")
    except Exception:
        return "missing"
    if not rows:
        return "missing"
    return "installed" if rows[0][0] is not None else "available"


def pgvector_available(
    cursor_execute: Callable[[str], Sequence[Sequence[Any]] | None], create: bool = True
) -> bool:
    """Whether the ``vector`` extension is usable, asked through ``cursor_execute(sql) -> rows or None``.

    The caller wraps its own database cursor (e.g. ``lambda sql: run(cursor, sql)`` returning
    ``cursor.fetchall()`` for a SELECT and ``None`` otherwise) so this module needs no database driver.
    With ``create`` it also tries ``CREATE EXTENSION IF NOT EXISTS vector``; on PostgreSQL a failed statement
    aborts the transaction, so call this inside a savepoint. Any error (SQLite has no
    ``pg_available_extensions``, missing privileges) means False, never an exception.
    """
    state = pgvector_state(cursor_execute)
    if state == "installed":
        return True
    if state == "missing" or not create:
        return False
    try:
        cursor_execute("CREATE EXTENSION IF NOT EXISTS vector")
        rows = cursor_execute("SELECT extversion FROM pg_extension WHERE extname = 'vector'")
    except Exception:
        return False
    return bool(rows)


def require_pgvector(
    cursor_execute: Callable[[str], Sequence[Sequence[Any]] | None], create: bool = True
) -> None:
    """Raise ``PgvectorUnavailable`` unless ``pgvector_available`` says yes."""
    if not pgvector_available(cursor_execute, create=create):
        raise PgvectorUnavailable("the PostgreSQL 'vector' extension is not available")
