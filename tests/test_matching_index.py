"""Vector indexes of the matching engine: exact answers, HNSW recall, removal, persistence."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from partnerhub.engines.matching.index import (
    ExactIndex,
    HnswIndex,
    PgvectorUnavailable,
    VectorIndex,
    make_index,
    normalise,
    pgvector_available,
    pgvector_state,
    require_pgvector,
)
from partnerhub.engines.matching.pq import PqIndex, subquantisers


def coded_pq() -> PqIndex:
    """A PQ index that codes from 32 vectors on and re-ranks only 20 candidates: the approximate path."""
    return PqIndex(rerank=20, train_min=32)


INDEXES = [ExactIndex, HnswIndex, coded_pq]


def random_unit(n: int, dim: int, seed: int = 0) -> np.ndarray:
    return normalise(np.random.default_rng(seed).standard_normal((n, dim)))


def ids_for(n: int, prefix: str = "v") -> list[str]:
    return [f"{prefix}{i}" for i in range(n)]


def recall(found: list[list[tuple[str, float]]], truth: list[list[tuple[str, float]]]) -> float:
    return float(
        np.mean(
            [len({a for a, _ in f} & {a for a, _ in t}) / len(t) for f, t in zip(found, truth, strict=True)]
        )
    )


finite = st.floats(-10, 10, allow_nan=False, allow_subnormal=False, width=32)


@settings(max_examples=60, deadline=None)
@given(
    data=arrays(np.float32, st.tuples(st.integers(1, 40), st.just(8)), elements=finite),
    query=arrays(np.float32, (8,), elements=finite),
    k=st.integers(1, 12),
)
def test_exact_index_returns_the_true_nearest_neighbours(data, query, k):
    index = ExactIndex()
    index.add(ids_for(len(data)), data)
    hits = index.search(query, k)

    unit = normalise(data)
    sims = unit @ normalise(query)[0]
    assert len(hits) == min(k, len(data))
    assert [s for _, s in hits] == sorted((s for _, s in hits), reverse=True)
    kth_best = np.sort(sims)[::-1][len(hits) - 1]
    for id_, s in hits:
        assert s == pytest.approx(sims[int(id_[1:])], abs=1e-5)
        assert s >= kth_best - 1e-5


def test_exact_batch_search_equals_single_searches():
    index = ExactIndex()
    index.add(ids_for(300), random_unit(300, 16))
    queries = random_unit(20, 16, seed=1)
    batch, single = index.search_batch(queries, 5), [index.search(q, 5) for q in queries]
    assert [[h for h, _ in hits] for hits in batch] == [[h for h, _ in hits] for hits in single]
    assert [s for hits in batch for _, s in hits] == pytest.approx([s for hits in single for _, s in hits])


def test_hnsw_recall_at_10_is_at_least_098_on_5k_random_vectors():
    # 64 dimensions: i.i.d. random vectors in hundreds of dimensions are nearly equidistant, a case no
    # graph index serves well and that real embeddings are not (see bench/bench_matching_index.py).
    data, queries = random_unit(5000, 64), random_unit(200, 64, seed=1)
    exact, hnsw = ExactIndex(), HnswIndex()
    exact.add(ids_for(5000), data)
    hnsw.add(ids_for(5000), data)
    assert recall(hnsw.search_batch(queries, 10), exact.search_batch(queries, 10)) >= 0.98


def test_hnsw_scores_are_cosine_similarities():
    data = random_unit(100, 16)
    hnsw = HnswIndex()
    hnsw.add(ids_for(100), data)
    (best_id, best_score), *_ = hnsw.search(data[42], 3)
    assert best_id == "v42"
    assert best_score == pytest.approx(1.0, abs=1e-5)


@pytest.mark.parametrize("make", INDEXES)
def test_removed_ids_are_never_returned_and_others_still_are(make):
    data = random_unit(500, 16)
    index = make()
    index.add(ids_for(500), data)
    removed = {f"v{i}" for i in range(0, 500, 3)}
    index.remove(removed)
    index.remove(["v0", "unknown"])  # idempotent, unknown ids ignored

    assert len(index) == 500 - len(removed)
    assert "v0" not in index and "v1" in index
    for q in range(1, 60, 7):
        hits = index.search(data[q], 10)
        assert not {h for h, _ in hits} & removed
        if f"v{q}" not in removed:
            assert hits[0][0] == f"v{q}"


@pytest.mark.parametrize("make", INDEXES)
def test_adding_an_existing_id_replaces_its_vector(make):
    data = random_unit(50, 16)
    index = make()
    index.add(ids_for(50), data)
    index.add(["v1"], data[7:8] * 3)  # unnormalised on purpose
    assert len(index) == 50
    top = dict(index.search(data[7], 2))
    assert top == pytest.approx({"v1": 1.0, "v7": 1.0}, abs=1e-5)


def test_hnsw_grows_past_its_initial_capacity_and_reuses_deleted_slots():
    index = HnswIndex(capacity=16)
    index.add(ids_for(100), random_unit(100, 8))
    index.remove(ids_for(50))
    index.add(ids_for(50, "w"), random_unit(50, 8, seed=2))
    assert len(index) == 100
    assert index._index.get_current_count() == 100  # deleted slots were reused, not appended


def test_hnsw_search_copes_with_k_larger_than_its_live_elements():
    index = HnswIndex()
    index.add(ids_for(20), random_unit(20, 8))
    index.remove(ids_for(17))
    assert {h for h, _ in index.search(random_unit(1, 8, seed=3)[0], 10)} == {"v17", "v18", "v19"}


@pytest.mark.parametrize("make", INDEXES)
def test_save_and_load_round_trip(tmp_path, make):
    data = random_unit(300, 16)
    index = make()
    index.add(ids_for(300), data)
    index.remove(["v3", "v4"])
    path = tmp_path / ("index.hnsw" if make is HnswIndex else "index.npz")
    index.save(path)
    loaded = (PqIndex if make is coded_pq else make).load(path)

    assert len(loaded) == len(index)
    queries = random_unit(10, 16, seed=5)
    for before, after in zip(index.search_batch(queries, 5), loaded.search_batch(queries, 5), strict=True):
        assert [h for h, _ in after] == [h for h, _ in before]
        assert [s for _, s in after] == pytest.approx([s for _, s in before], abs=1e-6)
    loaded.add(["new"], data[3:4])
    assert loaded.search(data[3], 1)[0][0] == "new"


def test_empty_indexes_return_nothing():
    assert ExactIndex(8).search(np.ones(8), 5) == []
    assert HnswIndex(8).search(np.ones(8), 5) == []
    assert PqIndex(8).search(np.ones(8), 5) == []


def test_both_indexes_satisfy_the_protocol_and_make_index_picks_by_size():
    assert isinstance(make_index(100), ExactIndex)
    assert isinstance(make_index(1_000_000, 32), PqIndex)
    assert all(isinstance(make(), VectorIndex) for make in (ExactIndex, HnswIndex, PqIndex))


def test_mismatched_dimensions_are_refused():
    index = ExactIndex()
    index.add(["a"], np.ones((1, 4)))
    with pytest.raises(ValueError):
        index.add(["b"], np.ones((1, 5)))
    with pytest.raises(ValueError):
        index.add(["c", "d"], np.ones((1, 4)))


def fake_database(available: str | None | bool, create_fails: bool = False):
    """A cursor_execute for a database whose pg_available_extensions lists 'vector' or not."""
    executed = []

    def execute(sql):
        executed.append(sql)
        if "pg_available_extensions" in sql:
            return [] if available is False else [(available,)]
        if sql.startswith("CREATE EXTENSION"):
            if create_fails:
                raise RuntimeError("permission denied to create extension")
            return None
        if "pg_extension" in sql:
            return [("0.8.0",)]
        raise AssertionError(sql)

    return execute, executed


def test_pgvector_is_available_when_installed():
    execute, executed = fake_database("0.8.0")
    assert pgvector_available(execute)
    assert len(executed) == 1


def test_pgvector_is_created_when_available_but_not_installed():
    execute, executed = fake_database(None)
    assert pgvector_available(execute)
    assert any(sql.startswith("CREATE EXTENSION") for sql in executed)
    assert not pgvector_available(fake_database(None)[0], create=False)


def test_pgvector_is_unavailable_without_the_extension_or_rights_or_postgres():
    assert not pgvector_available(fake_database(False)[0])
    assert not pgvector_available(fake_database(None, create_fails=True)[0])

    def sqlite(sql):
        raise RuntimeError("no such table: pg_available_extensions")

    assert not pgvector_available(sqlite)
    with pytest.raises(PgvectorUnavailable):
        require_pgvector(sqlite)


def test_pgvector_state_tells_installed_from_available_from_missing_and_creates_nothing():
    for available, state in (("0.8.0", "installed"), (None, "available"), (False, "missing")):
        execute, executed = fake_database(available)
        assert pgvector_state(execute) == state
        assert not any(sql.startswith("CREATE") for sql in executed)

    def sqlite(sql):
        raise RuntimeError("no such table: pg_available_extensions")

    assert pgvector_state(sqlite) == "missing"


@pytest.mark.parametrize("make", INDEXES)
def test_both_indexes_list_their_live_ids(make):
    index = make()
    index.add(ids_for(5), random_unit(5, 8))
    index.remove(["v1", "v3"])
    index.add(["v1"], random_unit(1, 8, seed=1))
    assert sorted(index.ids) == ["v0", "v1", "v2", "v4"]


def clustered_unit(n: int, dim: int, seed: int = 0, groups: int = 200) -> np.ndarray:
    """Vectors around ``groups`` centres, neighbours only somewhat nearer than the rest (like sentence vectors)."""
    rng = np.random.default_rng(seed)
    centres = np.random.default_rng(99).standard_normal((groups, dim))
    return normalise(centres[rng.integers(0, groups, n)] + 1.2 * rng.standard_normal((n, dim)))


def test_pq_recall_at_10_against_exact_search_on_clustered_vectors():
    data, queries = clustered_unit(5000, 64), clustered_unit(200, 64, seed=1)
    exact, pq = ExactIndex(), PqIndex(rerank=200)
    exact.add(ids_for(5000), data)
    pq.add(ids_for(5000), data)
    assert pq.coded
    truth = exact.search_batch(queries, 10)
    assert recall(pq.search_batch(queries, 10), truth) >= 0.98
    batch = pq.search_batch(queries[:20], 10)
    assert [[h for h, _ in r] for r in batch] == [[h for h, _ in pq.search(q, 10)] for q in queries[:20]]
    # Too few candidates re-ranked and the codes alone decide: recall must visibly suffer (the test can fail).
    assert recall(PqIndex.search_batch(_with_rerank(pq, 10), queries, 10), truth) < 0.98


def _with_rerank(index: PqIndex, rerank: int) -> PqIndex:
    index.rerank = rerank
    return index


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 120), k=st.integers(1, 15), removed=st.sets(st.integers(0, 119), max_size=60))
def test_pq_scores_are_exact_cosines_of_live_vectors_best_first(n, k, removed):
    data = random_unit(n, 8, seed=n)
    index = PqIndex(rerank=10, train_min=16)
    index.add(ids_for(n), data)
    index.remove(f"v{i}" for i in removed)
    query = random_unit(1, 8, seed=1000 + n)[0]
    hits = index.search(query, k)
    live = [i for i in range(n) if i not in removed]
    assert len(hits) == min(k, len(live))
    assert [s for _, s in hits] == sorted((s for _, s in hits), reverse=True)
    for id_, score in hits:
        assert int(id_[1:]) in live
        assert score == pytest.approx(float(data[int(id_[1:])] @ query), abs=1e-5)


def test_pq_searches_exactly_until_it_has_enough_vectors_to_learn_codes():
    data = random_unit(300, 16)
    pq, exact = PqIndex(rerank=5, train_min=400), ExactIndex()
    pq.add(ids_for(300), data)
    exact.add(ids_for(300), data)
    assert not pq.coded
    queries = random_unit(10, 16, seed=4)
    assert [[h for h, _ in r] for r in pq.search_batch(queries, 10)] == [
        [h for h, _ in r] for r in exact.search_batch(queries, 10)
    ]
    pq.add(ids_for(100, "w"), random_unit(100, 16, seed=6))
    assert pq.coded and pq._trained_on == 400


def test_pq_learns_its_codes_again_after_fourfold_growth_and_compacts_after_removals():
    pq = PqIndex(rerank=20, train_min=64)
    pq.add(ids_for(100), random_unit(100, 16))
    assert pq._trained_on == 100
    pq.add(ids_for(400, "w"), random_unit(400, 16, seed=1))
    assert pq._trained_on == 500
    pq.remove(ids_for(200, "w"))
    assert pq._positions == 300 and len(pq) == 300 and pq._codes.ntotal == 300
    data = random_unit(300, 16, seed=2)
    pq.add(ids_for(300, "x"), data)
    assert pq.search(data[17], 1)[0][0] == "x17"


@pytest.mark.parametrize("dim", [6, 7, 12, 512])
def test_pq_handles_dimensions_that_four_does_not_divide(dim):
    assert dim % subquantisers(dim) == 0
    data = random_unit(200, dim)
    pq = PqIndex(rerank=10, train_min=64)
    pq.add(ids_for(200), data)
    assert pq.coded
    assert pq.search(data[5], 1)[0][0] == "v5"


def test_a_pq_file_whose_codes_do_not_match_its_vectors_is_refused(tmp_path):
    pq = coded_pq()
    pq.add(ids_for(100), random_unit(100, 8))
    pq.save(tmp_path / "index.npz")
    with np.load(tmp_path / "index.npz") as data:
        parts = dict(data)
    parts["vectors"], parts["alive"], parts["ids"] = (
        parts["vectors"][:50],
        parts["alive"][:50],
        parts["ids"][:50],
    )
    np.savez(tmp_path / "broken.npz", **parts)
    with pytest.raises(ValueError):
        PqIndex.load(tmp_path / "broken.npz")


def test_an_empty_pq_index_saves_and_loads(tmp_path):
    PqIndex().save(tmp_path / "empty.npz")
    loaded = PqIndex.load(tmp_path / "empty.npz")
    assert len(loaded) == 0 and loaded.search(np.ones(4), 3) == []
    loaded.add(["a"], np.ones((1, 4)))
    assert loaded.search(np.ones(4), 3) == [("a", pytest.approx(1.0))]
