"""The vector store: which stored items are nearest to a vector, without scoring every candidate.

One interface, two backends, chosen by ``MATCHING_VECTOR_BACKEND``:

- ``memory``: the engine's index in this process (exact numpy search below ``MATCHING_EXACT_LIMIT``
  vectors, a PQ scan above), persisted to ``MATCHING_INDEX_DIR`` (``memory.py``);
- ``pgvector``: a side table with an HNSW index inside PostgreSQL (``pgvector.py``);
- ``auto`` (the default): pgvector when the database is PostgreSQL and the ``vector`` extension is there
  or can be created, else memory. The choice is made once per process and logged at INFO. ``pgvector``
  asked for but not available falls back to memory with a warning; the system check
  (``matching.checks``) reports it before that.

The ``Embedding`` table stays the truth; every backend checks its copy against it before it answers
(``common.reconcile``). Callers:

- ``nearest(model_name, vector, k, target_type=…)``: up to k (key, cosine similarity), best first;
  fewer than k means there are no more;
- ``stored(embeddings)`` / ``removed(model_name, keys)``: after ``Embedding`` rows were written or
  deleted (``matching.vectors`` does this);
- ``rebuild(model_name)`` / ``status(model_name)``: for ``partnerhub match index``.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import numpy as np
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.db import connections
from django.dispatch import receiver

from partnerhub.matching.vectorstore.common import Hit, Key, Status, model_key
from partnerhub.matching.vectorstore.memory import MemoryBackend
from partnerhub.matching.vectorstore.pgvector import DjangoSql, PgvectorBackend, usable

log = logging.getLogger(__name__)

CHOICES = ("auto", "memory", "pgvector")

__all__ = [
    "CHOICES",
    "Hit",
    "Key",
    "Status",
    "backend",
    "model_key",
    "nearest",
    "rebuild",
    "removed",
    "status",
]

_backends: dict[tuple, MemoryBackend | PgvectorBackend] = {}
_lock = threading.Lock()


def pgvector_usable(using: str = "default") -> bool:
    """PostgreSQL with the ``vector`` extension installed, or installable by this database user."""
    return connections[using].vendor == "postgresql" and usable(DjangoSql(using))


def backend(using: str = "default") -> MemoryBackend | PgvectorBackend:
    """The backend for this process (decided once per settings and database)."""
    choice = settings.MATCHING_VECTOR_BACKEND
    cache_key = (using, choice, str(settings.MATCHING_INDEX_DIR), settings.MATCHING_EXACT_LIMIT)
    found = _backends.get(cache_key)
    if found is not None:
        return found
    if choice not in CHOICES:
        raise ImproperlyConfigured(
            f"MATCHING_VECTOR_BACKEND must be one of {', '.join(CHOICES)}, not {choice!r}"
        )
    with _lock:
        if cache_key not in _backends:
            _backends[cache_key] = _choose(choice, using)
    return _backends[cache_key]


def _choose(choice: str, using: str) -> MemoryBackend | PgvectorBackend:
    memory = MemoryBackend(Path(settings.MATCHING_INDEX_DIR), settings.MATCHING_EXACT_LIMIT)
    if choice == "memory":
        log.info(
            "Matching vectors: in-process index in %s (MATCHING_VECTOR_BACKEND=memory)", memory.directory
        )
        return memory
    if pgvector_usable(using):
        log.info("Matching vectors: pgvector in the %r database", using)
        return PgvectorBackend(using)
    vendor = connections[using].vendor
    if choice == "pgvector":
        log.warning(
            "MATCHING_VECTOR_BACKEND is 'pgvector', but the %s database has no usable 'vector' extension: "
            "using the in-process index in %s instead",
            vendor,
            memory.directory,
        )
    else:
        log.info(
            "Matching vectors: no pgvector in the %s database, in-process index in %s",
            vendor,
            memory.directory,
        )
    return memory


def reset() -> None:
    """Forget the chosen backends and their loaded indexes (settings changed; tests)."""
    with _lock:
        _backends.clear()


@receiver(setting_changed)
def _settings_changed(*, setting: str, **kwargs) -> None:
    if setting.startswith("MATCHING_") or setting == "DATABASES":
        reset()


# --- the interface ---------------------------------------------------------------------------------------


def nearest(model_name: str, vector: np.ndarray, k: int, *, target_type: int | None = None) -> list[Hit]:
    """Up to ``k`` stored items nearest to ``vector`` (of one content type if given), best first."""
    if k <= 0:
        return []
    return backend().nearest(model_name, np.asarray(vector, dtype=np.float32), k, target_type)


def stored(embeddings: list) -> None:
    """``Embedding`` rows were just written: pass them on (``update_or_create`` results)."""
    by_model: dict[str, list] = {}
    for e in embeddings:
        by_model.setdefault(e.model_name, []).append(
            ((e.target_type_id, e.target_id), e.updated_at, e.as_array())
        )
    store = backend() if by_model else None
    for model_name, rows in by_model.items():
        assert store is not None
        store.stored(model_name, rows)


def removed(model_name: str, keys: list[Key]) -> None:
    """``Embedding`` rows of ``model_name`` were just deleted."""
    if keys:
        backend().removed(model_name, list(keys))


def rebuild(model_name: str) -> Status:
    return backend().rebuild(model_name)


def status(model_name: str) -> Status:
    return backend().status(model_name)
