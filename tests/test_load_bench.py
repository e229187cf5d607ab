"""The load benchmark's code runs: the locustfile imports with its mixes, and every page the mixes request
answers on a small generated world (through the test client; no Locust run, no server)."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from bench.load import targets as bench_targets

from partnerhub.accounts.models import User
from partnerhub.demo.generate import generate_world
from tests.clients import signed_in
from tests.module_data import once_per_module

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def _small_world_once(django_db_setup, django_db_blocker, tmp_path_factory):
    with once_per_module(django_db_blocker, tmp_path_factory):
        generate_world(
            organisations=40, profiles=20, ideas=10, trips=2, registrations_per_trip=5, seed=1, suggestions=4
        )
        yield bench_targets.targets()


@pytest.fixture
def small_world(_small_world_once, db):
    return _small_world_once


def _locustfile(targets: dict, tmp_path: Path) -> dict:
    """What the locustfile defines, read in a child process (importing Locust patches the sockets with gevent)."""
    path = tmp_path / "targets.json"
    path.write_text(json.dumps(targets, ensure_ascii=False), encoding="utf-8")
    code = (
        "import json, sys; sys.path.insert(0, 'bench/load'); import locustfile as f; print(json.dumps({"
        "'classes': [c.__name__ for c in (f.AnonymousReader, f.StaffUser)],"
        "'anonymous': [f.AnonymousReader.choose() for _ in range(200)],"
        "'staff': [f.StaffUser.choose() for _ in range(100)],"
        "'csrf': f.CSRF.pattern, 'p95': f.percentile(list(range(1, 101)), 0.95)}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={"BENCH_TARGETS": str(path), "PATH": ""},
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_locustfile_picks_every_page_group_of_both_mixes(small_world, tmp_path):
    defined = _locustfile(small_world, tmp_path)
    assert defined["classes"] == ["AnonymousReader", "StaffUser"]
    assert {group for group, _path in defined["anonymous"]} == set(small_world["anonymous"])
    assert {group for group, _path in defined["staff"]} == set(small_world["staff"])
    assert defined["p95"] == 95


def test_every_anonymous_page_of_the_read_mix_answers(small_world, client):
    paths = [path for group in small_world["anonymous"].values() for path in group]
    assert len(paths) > 20
    for path in paths:
        assert client.get(path).status_code == 200, path


def test_the_directory_searches_of_the_mix_find_organisations_in_both_languages(small_world, client):
    for group in ("search (de)", "search (zh)"):
        found = [
            p
            for p in small_world["anonymous"][group]
            if "/organisations/gen-1-" in client.get(p).content.decode()
        ]
        assert found, group


def test_staff_sign_in_through_the_form_and_their_pages_of_the_mix_answer(small_world, client, tmp_path):
    login = small_world["login"]
    csrf = re.compile(_locustfile(small_world, tmp_path)["csrf"])
    token = csrf.search(client.get(login["path"]).content.decode()).group(1)
    answer = client.post(
        login["path"], {"login": login["email"], "password": login["password"], "csrfmiddlewaretoken": token}
    )
    assert answer.status_code == 302
    staff = signed_in(User.objects.get(email=login["email"]))
    for group in small_world["staff"].values():
        for path in group:
            assert staff.get(path).status_code == 200, path
