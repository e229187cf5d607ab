"""The Makefile's demo serves links in e-mails from the port it really runs on."""

import pathlib
import shutil
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_demo_on_another_port_sends_links_to_that_port():
    commands = subprocess.run(
        ["make", "-n", "demo", "PORT=8123"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    serve = next(line for line in commands.splitlines() if "runserver" in line)
    assert "SITE_URL=${SITE_URL:-http://127.0.0.1:8123}" in serve and serve.endswith("127.0.0.1:8123")


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_serve_prepares_the_database_and_static_files_then_starts_gunicorn_on_loopback():
    commands = subprocess.run(
        ["make", "-n", "serve", "PORT=8124"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    steps = [line for line in commands if "DEBUG=false" in line]
    for step, expected in zip(
        steps, ["migrate", "createcachetable", "collectstatic", "gunicorn"], strict=True
    ):
        assert expected in step and "HTTPS=${HTTPS:-false}" in step
    assert "BIND=127.0.0.1:8124" in steps[-1] and "partnerhub.gunicorn_conf" in steps[-1]


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_worker_takes_tasks_from_the_database_queue():
    commands = subprocess.run(
        ["make", "-n", "worker"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    worker = next(line for line in commands.splitlines() if "db_worker" in line)
    assert "TASKS_BACKEND=database" in worker and "DEBUG=false" in worker
