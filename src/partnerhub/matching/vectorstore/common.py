"""What both backends share: names, the database's side of the comparison, and catching up with it.

The ``Embedding`` table is the truth; an index (a file set in memory, or a pgvector table) is a copy that
may lag behind. Whether it lags is told by a *fingerprint*: the number of vectors of the model and the
latest ``updated_at`` among them. Every write of an ``Embedding`` moves one of the two (a new row adds to
the count, a changed row moves ``updated_at``, a deleted row lowers the count), so equal fingerprints mean
nothing changed since the copy was taken. Catching up (``reconcile``) reads only the rows changed since
then, plus — when the counts still differ — the keys, to find deletions.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from django.db.models import Count, Max

from partnerhub.matching.models import Embedding

Key = tuple[int, int]  # (content type id, primary key) of the item
Row = tuple[Key, datetime.datetime, np.ndarray]  # one stored vector
Hit = tuple[Key, float]  # an item and its cosine similarity to the query

# A transaction that began before a copy was taken may commit a row stamped before it: rows changed this
# long before the copy's latest stamp are read again when catching up.
SYNC_MARGIN = datetime.timedelta(minutes=10)
CHUNK = 2000


class NeedsRebuild(Exception):
    """The copy cannot catch up row by row (another dimension, a broken file): build it anew."""


@dataclass(frozen=True)
class Fingerprint:
    count: int
    latest: datetime.datetime | None

    def as_json(self) -> dict:
        return {"count": self.count, "latest": self.latest.isoformat() if self.latest else None}

    @classmethod
    def from_json(cls, data: dict) -> Fingerprint:
        latest = data.get("latest")
        return cls(int(data["count"]), datetime.datetime.fromisoformat(latest) if latest else None)


@dataclass
class Status:
    """What ``partnerhub match index status`` prints for one model."""

    backend: str
    model_name: str
    kind: str  # exact, hnsw, pgvector-hnsw, or none (nothing built yet)
    count: int | None  # vectors in the copy (None: no copy)
    dim: int | None
    location: str  # file set or table
    database_count: int
    database_dim: int | None
    stale: bool
    reason: str = ""


def model_key(model_name: str) -> str:
    """A file- and SQL-safe name for a model: readable part plus a hash, so that different names differ."""
    slug = re.sub(r"[^a-z0-9]+", "_", model_name.lower()).strip("_")[:31] or "model"
    return f"{slug}_{hashlib.sha1(model_name.encode()).hexdigest()[:8]}"


def index_id(key: Key) -> str:
    return f"{key[0]}:{key[1]}"


def parse_id(value: str) -> Key:
    type_id, pk = value.split(":")
    return int(type_id), int(pk)


def database_fingerprint(model_name: str) -> Fingerprint:
    found = Embedding.objects.filter(model_name=model_name).aggregate(
        count=Count("pk"), latest=Max("updated_at")
    )
    return Fingerprint(found["count"], found["latest"])


def database_dim(model_name: str) -> int | None:
    return Embedding.objects.filter(model_name=model_name).values_list("dim", flat=True).first()


def database_keys(model_name: str) -> set[Key]:
    return set(Embedding.objects.filter(model_name=model_name).values_list("target_type_id", "target_id"))


def _rows(queryset) -> Iterator[list[Row]]:
    batch: list[Row] = []
    for type_id, target_id, updated_at, dim, vector in queryset.values_list(
        "target_type_id", "target_id", "updated_at", "dim", "vector"
    ).iterator(chunk_size=CHUNK):
        array = np.frombuffer(bytes(vector), dtype=np.float32)
        if array.shape[0] != dim:
            raise ValueError(f"Embedding of {type_id}:{target_id}: {array.shape[0]} values, dimension {dim}")
        batch.append(((type_id, target_id), updated_at, array))
        if len(batch) >= CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


def database_rows(model_name: str, *, since: datetime.datetime | None = None) -> Iterator[list[Row]]:
    """The model's stored vectors in batches; with ``since``, only those written at or after it."""
    rows = Embedding.objects.filter(model_name=model_name)
    if since is not None:
        rows = rows.filter(updated_at__gte=since)
    return _rows(rows.order_by("pk"))


def database_rows_of(model_name: str, keys: Iterable[Key]) -> Iterator[list[Row]]:
    by_type: dict[int, list[int]] = {}
    for type_id, pk in keys:
        by_type.setdefault(type_id, []).append(pk)
    for type_id, pks in by_type.items():
        for start in range(0, len(pks), CHUNK):
            chunk = pks[start : start + CHUNK]
            yield from _rows(
                Embedding.objects.filter(model_name=model_name, target_type_id=type_id, target_id__in=chunk)
            )


class Copy(Protocol):
    """A backend's copy of one model's vectors, as ``reconcile`` needs it."""

    def fingerprint(self) -> Fingerprint: ...

    def count(self) -> int: ...

    def dim(self) -> int | None: ...

    def keys(self) -> set[Key]: ...

    def put(self, rows: list[Row]) -> None: ...

    def delete(self, keys: Iterable[Key]) -> None: ...

    def settled(self, fingerprint: Fingerprint) -> None: ...


def reconcile(copy: Copy, model_name: str) -> bool:
    """Bring ``copy`` up to the database's rows of ``model_name``; True if anything had to change.

    Raises ``NeedsRebuild`` when a stored vector has another dimension than the copy.
    """
    target = database_fingerprint(model_name)  # measured first: later writes show at the next look
    mine = copy.fingerprint()
    if mine == target:
        return False
    since = mine.latest - SYNC_MARGIN if mine.latest is not None else None
    dim = copy.dim()
    for batch in database_rows(model_name, since=since):
        _check_dim(batch, dim)
        copy.put(batch)
        dim = dim or batch[0][2].shape[0]
    if copy.count() != target.count:
        present, wanted = copy.keys(), database_keys(model_name)
        copy.delete(present - wanted)
        for batch in database_rows_of(model_name, wanted - present):
            _check_dim(batch, dim)
            copy.put(batch)
    copy.settled(target)
    return True


def _check_dim(batch: list[Row], dim: int | None) -> None:
    if dim is not None and any(vector.shape[0] != dim for _key, _at, vector in batch):
        raise NeedsRebuild(f"stored vectors do not have the index's dimension {dim}")
