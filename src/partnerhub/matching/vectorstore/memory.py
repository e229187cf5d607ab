"""The in-process backend: the engine's index (exact below a size, the PQ scan above), persisted to a directory.

One file set per model under ``MATCHING_INDEX_DIR/<model key>/``: ``meta.json`` (model, dimension, kind,
the fingerprint the files reflect, and a SHA-256 of each data file) and the index itself (``index.npz``
for the exact index, ``index.pq.npz`` for the PQ scan; an HNSW file set written by an earlier version,
``index.hnsw`` plus ``index.hnsw.ids.json``, still loads and is replaced by a PQ index). A process loads the files the
first time it needs the model, checks them, and catches up with the database; a missing, unreadable or
mismatched file set (other model, dimension or checksum) is built anew from the database. Writes of
several processes are serialised by a lock file; every file is written beside its target and renamed.

Every search first compares the fingerprint with the database, so a change made by another process (or
by a transaction that rolled back) is never served stale. Stored and removed vectors reach an index that
this process holds once their transaction commits. The files are rewritten at most every
``SAVE_INTERVAL`` seconds: a file that lags only costs the next process a short catch-up.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from django.db import transaction

from partnerhub.engines.matching.index import ExactIndex, HnswIndex, VectorIndex
from partnerhub.engines.matching.pq import PqIndex
from partnerhub.matching.vectorstore.common import (
    Fingerprint,
    Hit,
    Key,
    NeedsRebuild,
    Row,
    Status,
    database_dim,
    database_fingerprint,
    database_rows,
    index_id,
    model_key,
    parse_id,
    reconcile,
)

log = logging.getLogger(__name__)

FORMAT = 1
SAVE_INTERVAL = 60.0  # seconds between rewrites of a changed index's files
FILES = {"exact": ["index.npz"], "pq": ["index.pq.npz"], "hnsw": ["index.hnsw", "index.hnsw.ids.json"]}
LOADERS: dict[str, type[ExactIndex] | type[PqIndex] | type[HnswIndex]] = {
    "exact": ExactIndex,
    "pq": PqIndex,
    "hnsw": HnswIndex,
}
LARGE = "pq"  # the kind above the exact limit (decision 0014)


def _kind(index: VectorIndex) -> str:
    return next(kind for kind, loader in LOADERS.items() if isinstance(index, loader))


@dataclass
class Held:
    """One model's index in this process, and the database state it is known to reflect."""

    model_name: str
    index: VectorIndex
    reflects: Fingerprint
    saved_at: float = field(default_factory=time.monotonic)
    dirty: bool = False

    # --- the ``Copy`` protocol of ``reconcile`` ---
    def fingerprint(self) -> Fingerprint:
        return self.reflects

    def count(self) -> int:
        return len(self.index)

    def dim(self) -> int | None:
        return getattr(self.index, "dim", None)

    def keys(self) -> set[Key]:
        return {parse_id(i) for i in self.index.ids}

    def put(self, rows: list[Row]) -> None:
        self.index.add([index_id(key) for key, _at, _v in rows], np.stack([v for _k, _at, v in rows]))
        self.dirty = True

    def delete(self, keys: Iterable[Key]) -> None:
        ids = [index_id(key) for key in keys]
        if ids:
            self.index.remove(ids)
            self.dirty = True

    def settled(self, fingerprint: Fingerprint) -> None:
        self.reflects = fingerprint


@contextlib.contextmanager
def _locked(folder: Path, exclusive: bool) -> Iterator[None]:
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".lock", "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class MemoryBackend:
    name = "memory"

    def __init__(self, directory: Path, exact_limit: int) -> None:
        self.directory = Path(directory)
        self.exact_limit = exact_limit
        self._held: dict[str, Held] = {}
        self._lock = threading.RLock()

    def folder(self, model_name: str) -> Path:
        return self.directory / model_key(model_name)

    # --- searching ---------------------------------------------------------------------------------------

    def nearest(
        self, model_name: str, vector: np.ndarray, k: int, target_type: int | None = None
    ) -> list[Hit]:
        with self._lock:
            held = self._fresh(model_name)
            index, n = held.index, len(held.index)
            fetch = k
            while True:  # the index holds every type: ask for more until k of the wanted type are found
                hits = [(parse_id(i), score) for i, score in index.search(vector, min(fetch, n))]
                if target_type is not None:
                    hits = [hit for hit in hits if hit[0][0] == target_type]
                if len(hits) >= k or fetch >= n:
                    return hits[:k]
                fetch *= 4

    def _fresh(self, model_name: str) -> Held:
        """The model's index, loaded or built if need be, caught up with the database."""
        held = self._held.get(model_name) or self._load(model_name)
        if held is None:
            return self._build(model_name)
        try:
            changed = reconcile(held, model_name)
        except NeedsRebuild as exc:
            log.warning("Vector index of %s is rebuilt: %s", model_name, exc)
            return self._build(model_name)
        if _kind(held.index) != self._kind_for(len(held.index), current=_kind(held.index)):
            return self._build(model_name)
        self._held[model_name] = held
        if changed:
            self._maybe_save(held)
        return held

    def _kind_for(self, n: int, current: str | None = None) -> str:
        """Exact below the limit, the PQ scan above; an index switches only when well past it (no flapping).

        An HNSW index (written by an earlier version) is never what is wanted: it is rebuilt as one of these.
        """
        if current == "exact":
            return LARGE if n >= 2 * self.exact_limit else "exact"
        if current == LARGE:
            return "exact" if n < self.exact_limit // 2 else LARGE
        return LARGE if n >= self.exact_limit else "exact"

    # --- building, saving, loading --------------------------------------------------------------------

    def _build(self, model_name: str) -> Held:
        fingerprint = database_fingerprint(model_name)
        index: VectorIndex = LOADERS[self._kind_for(fingerprint.count)](database_dim(model_name))
        held = Held(model_name, index, fingerprint)
        for batch in database_rows(model_name):
            held.put(batch)
        self._held[model_name] = held
        self._save(held)
        return held

    def _maybe_save(self, held: Held) -> None:
        if held.dirty and time.monotonic() - held.saved_at >= SAVE_INTERVAL:
            self._save(held)

    def _save(self, held: Held) -> None:
        try:
            self._write(held)
        except OSError as exc:  # a read-only or full disk costs the next process a rebuild, not a search
            log.warning(
                "Vector index of %s could not be written to %s: %s", held.model_name, self.directory, exc
            )
        held.saved_at, held.dirty = time.monotonic(), False

    def _write(self, held: Held) -> None:
        folder = self.folder(held.model_name)
        kind = _kind(held.index)
        with _locked(folder, exclusive=True):
            if len(held.index) == 0:  # nothing to keep
                for name in ["meta.json", *(name for names in FILES.values() for name in names)]:
                    (folder / name).unlink(missing_ok=True)
            else:
                temporary = folder / f".tmp-{os.getpid()}-{threading.get_ident()}"
                temporary.mkdir(exist_ok=True)
                held.index.save(temporary / FILES[kind][0])
                checksums = {}
                for name in FILES[kind]:
                    os.replace(temporary / name, folder / name)
                    checksums[name] = _sha256(folder / name)
                temporary.rmdir()
                meta = {
                    "format": FORMAT,
                    "model_name": held.model_name,
                    "kind": kind,
                    "dim": held.dim(),
                    "count": len(held.index),
                    "fingerprint": held.reflects.as_json(),
                    "files": checksums,
                }
                (folder / ".meta.json.tmp").write_text(json.dumps(meta, indent=1), encoding="utf-8")
                os.replace(folder / ".meta.json.tmp", folder / "meta.json")
                for other in FILES.keys() - {kind}:
                    for name in FILES[other]:
                        (folder / name).unlink(missing_ok=True)

    def _read(self, model_name: str) -> tuple[dict | None, str]:
        """The verified meta data of the model's file set, or None and why it cannot be used."""
        folder = self.folder(model_name)
        try:
            meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None, "no index file"
        except (OSError, ValueError) as exc:
            return None, f"unreadable meta.json ({exc})"
        if meta.get("format") != FORMAT or meta.get("model_name") != model_name:
            return None, "file set of another format or model"
        if meta.get("kind") not in FILES or set(meta.get("files", {})) != set(FILES[meta["kind"]]):
            return None, "meta.json lists other files"
        for name, checksum in meta["files"].items():
            try:
                if _sha256(folder / name) != checksum:
                    return None, f"{name} does not match its checksum"
            except OSError as exc:
                return None, f"{name} unreadable ({exc})"
        return meta, ""

    def _load(self, model_name: str) -> Held | None:
        folder = self.folder(model_name)
        if not (folder / "meta.json").exists():
            return None
        with _locked(folder, exclusive=False):
            meta, problem = self._read(model_name)
            try:
                if meta is None:
                    raise ValueError(problem)
                index: VectorIndex = LOADERS[meta["kind"]].load(folder / FILES[meta["kind"]][0])
                if len(index) != meta["count"] or getattr(index, "dim", None) != meta["dim"]:
                    raise ValueError("index and meta.json disagree")
                fingerprint = Fingerprint.from_json(meta["fingerprint"])
            except Exception as exc:  # any broken file: rebuilt from the database, never served
                log.warning("Vector index of %s in %s is rebuilt: %s", model_name, folder, exc)
                return None
        wanted = database_dim(model_name)
        if wanted is not None and meta["dim"] is not None and wanted != meta["dim"]:
            log.warning(
                "Vector index of %s has dimension %s, the database %s: rebuilt",
                model_name,
                meta["dim"],
                wanted,
            )
            return None
        return Held(model_name, index, fingerprint)

    # --- changes -----------------------------------------------------------------------------------------

    def stored(self, model_name: str, rows: list[Row]) -> None:
        """Stored vectors reach an index this process holds once the transaction commits."""
        if model_name in self._held:
            transaction.on_commit(lambda: self._apply(model_name, lambda held: held.put(rows)))

    def removed(self, model_name: str, keys: list[Key]) -> None:
        if model_name in self._held:
            transaction.on_commit(lambda: self._apply(model_name, lambda held: held.delete(keys)))

    def _apply(self, model_name: str, change) -> None:
        with self._lock:
            held = self._held.get(model_name)
            if held is None:
                return
            try:
                change(held)
            except ValueError:  # another dimension: let the next search rebuild
                del self._held[model_name]
                return
            self._maybe_save(held)

    # --- the command's view ---------------------------------------------------------------------------

    def rebuild(self, model_name: str) -> Status:
        with self._lock:
            self._build(model_name)
        return self.status(model_name)

    def status(self, model_name: str) -> Status:
        """What the files on disk reflect compared with the database (changes nothing)."""
        folder = self.folder(model_name)
        database, dim = database_fingerprint(model_name), database_dim(model_name)
        if folder.exists():
            with _locked(folder, exclusive=False):
                meta, problem = self._read(model_name)
        else:
            meta, problem = None, "no index file"
        if meta is None:
            stale = database.count > 0
            return Status(
                self.name, model_name, "none", None, None, str(folder), database.count, dim, stale,
                problem if stale else "",
            )  # fmt: skip
        saved = Fingerprint.from_json(meta["fingerprint"])
        reasons = []
        if dim is not None and meta["dim"] != dim:
            reasons.append(f"dimension {meta['dim']}, the database has {dim}")
        if saved != database:
            reasons.append(
                f"written for {saved.count} vectors (latest {saved.latest}), the database has "
                f"{database.count} (latest {database.latest}); a process catches up when it loads it"
            )
        return Status(
            self.name, model_name, meta["kind"], meta["count"], meta["dim"], str(folder), database.count, dim,
            bool(reasons), "; ".join(reasons),
        )  # fmt: skip
