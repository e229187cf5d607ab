"""The platform's vector store, in-process backend: exact answers, persistence, catching up, rebuilding.

Vectors are written as ``Embedding`` rows directly (random, 16 dimensions) so each test controls exactly
what the database holds; ``vectorstore.stored`` is called where the platform would call it.
"""

import io
import json
import logging

import numpy as np
import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.utils import timezone

from partnerhub.engines.matching import pq
from partnerhub.engines.matching.index import HnswIndex, normalise
from partnerhub.ideas.models import ProjectIdea
from partnerhub.matching import checks, vectorstore
from partnerhub.matching.models import Embedding
from partnerhub.matching.vectorstore.common import database_fingerprint, index_id
from partnerhub.matching.vectorstore.memory import Held, MemoryBackend
from partnerhub.profiles.models import CooperationProfile

pytestmark = pytest.mark.django_db

MODEL = "test-16"
DIM = 16


@pytest.fixture(autouse=True)
def memory_backend(settings):
    settings.MATCHING_VECTOR_BACKEND = "memory"


@pytest.fixture
def types():
    return (
        ContentType.objects.get_for_model(CooperationProfile).pk,
        ContentType.objects.get_for_model(ProjectIdea).pk,
    )


def random_vectors(n, seed=0, dim=DIM):
    return normalise(np.random.default_rng(seed).standard_normal((n, dim)))


def write(keys, vectors, model=MODEL, hook=False):
    """Embedding rows as ``vectors_for`` writes them; with ``hook``, handed to the store as it does."""
    rows = []
    for (type_id, pk), vector in zip(keys, vectors, strict=True):
        row, _created = Embedding.objects.update_or_create(
            target_type_id=type_id,
            target_id=pk,
            model_name=model,
            defaults={
                "dim": len(vector),
                "vector": np.asarray(vector, np.float32).tobytes(),
                "text_hash": "x",
            },
        )
        rows.append(row)
    if hook:
        vectorstore.stored(rows)
    return rows


def exact(keys, vectors, query, k):
    scores = normalise(vectors) @ normalise(query)[0]
    order = sorted(range(len(keys)), key=lambda i: -scores[i])[:k]
    return [keys[i] for i in order]


@pytest.fixture
def collection(types):
    profile, idea = types
    keys = [(profile, i) for i in range(1, 101)] + [(idea, i) for i in range(1, 21)]
    vectors = random_vectors(len(keys))
    write(keys, vectors)
    return keys, vectors


def no_rebuilds(monkeypatch):
    def refuse(self, model_name):
        raise AssertionError("the index was rebuilt")

    monkeypatch.setattr(MemoryBackend, "_build", refuse)


def held(model=MODEL):
    return vectorstore.backend()._held[model]


# --- answers ---------------------------------------------------------------------------------------------


def test_nearest_returns_what_exact_numpy_search_returns(collection):
    keys, vectors = collection
    for query in random_vectors(15, seed=1):
        hits = vectorstore.nearest(MODEL, query, 10)
        assert [key for key, _ in hits] == exact(keys, vectors, query, 10)
        assert [s for _, s in hits] == pytest.approx(sorted((s for _, s in hits), reverse=True))


def test_nearest_keeps_to_the_asked_content_type_however_near_the_others_are(types):
    profile, idea = types
    query = random_vectors(1, seed=5)[0]
    write([(idea, i) for i in range(30)], [query + 0.01 * v for v in random_vectors(30, seed=6)])
    write([(profile, i) for i in range(5)], random_vectors(5, seed=7))
    hits = vectorstore.nearest(MODEL, query, 3, target_type=profile)
    assert len(hits) == 3 and {key[0] for key, _ in hits} == {profile}
    assert len(vectorstore.nearest(MODEL, query, 10, target_type=profile)) == 5  # fewer: no more exist


def test_a_model_without_vectors_has_no_neighbours():
    assert vectorstore.nearest("nothing-stored", np.ones(DIM), 5) == []


# --- persistence -----------------------------------------------------------------------------------------


def test_the_index_is_written_to_the_index_dir_and_loaded_from_there(collection, settings, monkeypatch):
    keys, vectors = collection
    query = random_vectors(1, seed=9)[0]
    first = vectorstore.nearest(MODEL, query, 10)
    folder = settings.MATCHING_INDEX_DIR / vectorstore.model_key(MODEL)
    meta = json.loads((folder / "meta.json").read_text())
    assert (meta["model_name"], meta["dim"], meta["count"], meta["kind"]) == (MODEL, DIM, 120, "exact")
    vectorstore.reset()  # a new process
    no_rebuilds(monkeypatch)
    assert vectorstore.nearest(MODEL, query, 10) == first


def test_a_corrupt_index_file_is_rebuilt_not_served(collection, settings, caplog):
    keys, vectors = collection
    query = random_vectors(1, seed=10)[0]
    vectorstore.nearest(MODEL, query, 5)
    folder = settings.MATCHING_INDEX_DIR / vectorstore.model_key(MODEL)
    (folder / "index.npz").write_bytes(b"not an index")
    vectorstore.reset()
    with caplog.at_level(logging.WARNING):
        hits = vectorstore.nearest(MODEL, query, 5)
    assert [key for key, _ in hits] == exact(keys, vectors, query, 5)
    assert "rebuilt" in caplog.text and "checksum" in caplog.text
    assert not vectorstore.status(MODEL).stale


def test_an_index_of_another_dimension_is_rebuilt(collection, types):
    vectorstore.nearest(MODEL, random_vectors(1)[0], 5)
    vectorstore.reset()
    Embedding.objects.filter(model_name=MODEL).delete()
    keys = [(types[0], i) for i in range(10)]
    vectors = random_vectors(10, seed=11, dim=8)
    write(keys, vectors)
    assert vectorstore.status(MODEL).stale
    query = random_vectors(1, seed=12, dim=8)[0]
    assert [key for key, _ in vectorstore.nearest(MODEL, query, 3)] == exact(keys, vectors, query, 3)
    assert vectorstore.status(MODEL).dim == 8


def test_an_index_dir_that_cannot_be_written_costs_a_warning_not_a_search(
    collection, settings, tmp_path, caplog
):
    keys, vectors = collection
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    settings.MATCHING_INDEX_DIR = blocker
    query = random_vectors(1, seed=21)[0]
    with caplog.at_level(logging.WARNING):
        hits = vectorstore.nearest(MODEL, query, 5)
    assert [key for key, _ in hits] == exact(keys, vectors, query, 5)
    assert "could not be written" in caplog.text


# --- staying current -------------------------------------------------------------------------------------


def test_a_stored_vector_reaches_the_loaded_index_when_its_transaction_commits(
    collection, types, monkeypatch, django_capture_on_commit_callbacks
):
    vectorstore.nearest(MODEL, random_vectors(1)[0], 5)  # loaded
    no_rebuilds(monkeypatch)
    new_key = (types[0], 999)
    with django_capture_on_commit_callbacks(execute=True):
        write([new_key], random_vectors(1, seed=13), hook=True)
        assert index_id(new_key) not in held().index  # not before the commit
    assert index_id(new_key) in held().index
    hits = vectorstore.nearest(MODEL, random_vectors(1, seed=13)[0], 1)
    assert hits[0][0] == new_key and hits[0][1] == pytest.approx(1.0)


def test_a_rolled_back_vector_never_reaches_the_index(collection, types, django_capture_on_commit_callbacks):
    vectorstore.nearest(MODEL, random_vectors(1)[0], 5)
    new_key = (types[0], 998)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            write([new_key], random_vectors(1, seed=14), hook=True)
            raise RuntimeError("rolled back")
    assert callbacks == []
    hits = vectorstore.nearest(MODEL, random_vectors(1, seed=14)[0], 3)
    assert new_key not in [key for key, _ in hits]


def test_changes_made_elsewhere_are_caught_up_before_a_search_without_a_rebuild(
    collection, types, monkeypatch
):
    keys, vectors = collection
    vectorstore.nearest(MODEL, random_vectors(1)[0], 5)
    no_rebuilds(monkeypatch)
    profile = types[0]
    target = random_vectors(1, seed=15)[0]
    # Another process: one vector added, one changed, one deleted, none of it through this process.
    Embedding.objects.create(
        target_type_id=profile,
        target_id=500,
        model_name=MODEL,
        dim=DIM,
        vector=target.tobytes(),
        text_hash="x",
    )
    Embedding.objects.filter(model_name=MODEL, target_id=7, target_type_id=profile).update(
        vector=(-target).tobytes(), updated_at=timezone.now()
    )
    Embedding.objects.filter(model_name=MODEL, target_id=8, target_type_id=profile).delete()
    best = vectorstore.nearest(MODEL, target, 200)
    assert best[0][0] == (profile, 500)
    assert best[-1][0] == (profile, 7)  # now pointing the other way
    assert (profile, 8) not in [key for key, _ in best]
    assert len(best) == 120


def test_vectors_of_an_item_that_stops_being_live_leave_the_index(
    collection, types, django_capture_on_commit_callbacks
):
    from partnerhub.matching.vectors import forget_vectors

    vectorstore.nearest(MODEL, random_vectors(1)[0], 5)
    gone = (types[0], 3)
    with django_capture_on_commit_callbacks(execute=True):
        assert forget_vectors([gone]) == 1
    assert index_id(gone) not in held().index
    assert not Embedding.objects.filter(target_type_id=gone[0], target_id=gone[1]).exists()


# --- exact and approximate -------------------------------------------------------------------------------


def test_large_collections_get_a_pq_index_that_agrees_with_exact_search(types, settings, monkeypatch):
    settings.MATCHING_EXACT_LIMIT = 50
    monkeypatch.setattr(pq, "TRAIN_MIN", 32)  # codes learnt from few vectors, and few candidates re-ranked:
    monkeypatch.setattr(pq, "RERANK", 100)  # the approximate path, not the exact fallback of small sets
    keys = [(types[0], i) for i in range(300)]
    vectors = random_vectors(300, seed=16)
    write(keys, vectors)
    queries = random_vectors(20, seed=17)
    found = [vectorstore.nearest(MODEL, q, 10) for q in queries]
    assert vectorstore.status(MODEL).kind == "pq" and held().index.coded
    agree = np.mean(
        [
            len({k for k, _ in f} & set(exact(keys, vectors, q, 10))) / 10
            for f, q in zip(found, queries, strict=True)
        ]
    )
    assert agree >= 0.95
    vectorstore.reset()
    no_rebuilds(monkeypatch)  # the PQ index is loaded from its file too
    assert [vectorstore.nearest(MODEL, q, 10) for q in queries[:3]] == found[:3]
    assert held().index.coded


def test_an_hnsw_index_of_an_earlier_version_is_replaced_by_a_pq_index(types, settings):
    settings.MATCHING_EXACT_LIMIT = 50
    keys = [(types[0], i) for i in range(120)]
    vectors = random_vectors(120, seed=20)
    write(keys, vectors)
    backend = vectorstore.backend()
    graph = HnswIndex(DIM)
    backend._held[MODEL] = Held(MODEL, graph, database_fingerprint(MODEL))
    graph.add([index_id(key) for key in keys], vectors)
    backend._save(backend._held[MODEL])
    folder = backend.folder(MODEL)
    assert vectorstore.status(MODEL).kind == "hnsw" and (folder / "index.hnsw").exists()
    vectorstore.reset()

    hits = vectorstore.nearest(MODEL, vectors[7], 3)
    assert hits[0][0] == keys[7]
    assert vectorstore.status(MODEL).kind == "pq"
    assert (folder / "index.pq.npz").exists() and not (folder / "index.hnsw").exists()


def test_an_exact_index_that_grows_well_past_the_limit_becomes_pq(types, settings):
    settings.MATCHING_EXACT_LIMIT = 50
    write([(types[0], i) for i in range(40)], random_vectors(40, seed=18))
    vectorstore.nearest(MODEL, random_vectors(1)[0], 5)
    assert vectorstore.status(MODEL).kind == "exact"
    write([(types[0], i) for i in range(40, 140)], random_vectors(100, seed=19))
    vectorstore.nearest(MODEL, random_vectors(1)[0], 5)
    assert vectorstore.status(MODEL).kind == "pq" and vectorstore.status(MODEL).count == 140


# --- the command -----------------------------------------------------------------------------------------


def run(*args):
    out = io.StringIO()
    call_command("match", "index", *args, stdout=out)
    return out.getvalue()


def test_status_says_stale_until_the_index_is_rebuilt(collection, settings):
    before = run("status", "--model", MODEL)
    assert "memory (none)" in before and "120 stored" in before and "stale: no index file" in before
    after = run("rebuild", "--model", MODEL)
    assert "120 in the index, 120 stored" in after and "state     current" in after
    assert str(settings.MATCHING_INDEX_DIR) in after and "dimension 16 (stored: 16)" in after
    write([(collection[0][0][0], 777)], random_vectors(1, seed=20))
    assert "written for 120 vectors" in run("status", "--model", MODEL)


def test_status_without_a_model_lists_every_stored_model_and_the_configured_one(collection):
    write([(collection[0][0][0], 1)], random_vectors(1, dim=4), model="other-4")
    out = run("status")
    assert "model test-16" in out and "model other-4" in out and "model fake-64" in out


def test_an_embedder_short_name_is_resolved_and_an_unknown_model_refused():
    assert "model fake-64" in run("rebuild", "--model", "fake")
    with pytest.raises(CommandError, match="no vectors stored for model 'nope'"):
        run("status", "--model", "nope")


# --- choosing the backend --------------------------------------------------------------------------------


def test_auto_falls_back_to_the_in_process_index_and_says_so_once(settings, caplog):
    if vectorstore.pgvector_usable():
        pytest.skip("this database has pgvector (tests/test_matching_pgvector.py covers it)")
    settings.MATCHING_VECTOR_BACKEND = "auto"
    with caplog.at_level(logging.INFO, logger="partnerhub.matching.vectorstore"):
        assert isinstance(vectorstore.backend(), MemoryBackend)
        assert isinstance(vectorstore.backend(), MemoryBackend)
    notes = [r for r in caplog.records if "in-process index" in r.getMessage()]
    assert len(notes) == 1 and notes[0].levelno == logging.INFO


def test_pgvector_asked_for_but_missing_is_a_check_error_and_a_warned_fallback(settings, caplog):
    if vectorstore.pgvector_usable():
        pytest.skip("this database has pgvector (tests/test_matching_pgvector.py covers it)")
    settings.MATCHING_VECTOR_BACKEND = "pgvector"
    found = checks.vector_backend_is_available(None)
    expected = "matching.E002" if connection.vendor != "postgresql" else "matching.E003"
    assert [m.id for m in found] == [expected]
    assert "pgvector" in found[0].msg
    with caplog.at_level(logging.WARNING, logger="partnerhub.matching.vectorstore"):
        assert isinstance(vectorstore.backend(), MemoryBackend)
    assert "MATCHING_VECTOR_BACKEND is 'pgvector'" in caplog.text


def test_an_unknown_backend_is_a_check_error_and_auto_or_memory_need_nothing(settings):
    settings.MATCHING_VECTOR_BACKEND = "faiss"
    assert [m.id for m in checks.vector_backend_is_available(None)] == ["matching.E001"]
    for choice in ("auto", "memory"):
        settings.MATCHING_VECTOR_BACKEND = choice
        assert checks.vector_backend_is_available(None) == []
