"""`make serve` from an empty var dir: the production server with DEBUG off, as a visitor meets it.

One `make serve` (migrate, cache table, collectstatic, gunicorn) on a fresh database, then a second gunicorn
with the same settings on the same database: a session begun on one is valid on the other, as it must be
behind a load balancer. On SQLite the database is a file in the temporary var dir; when the suite runs on
PostgreSQL the servers get a database of their own, created and dropped here.
"""

from __future__ import annotations

import datetime
import http.cookiejar
import json
import os
import re
import shutil
import socket
import stat
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

import pytest
from django.utils import timezone

from tests.formdata import form_data
from tests.test_make import ROOT

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
BIN = ROOT / ".venv" / "bin"
EMAIL, PASSWORD = "serve@example.org", "a-long-test-password-7391"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(port: int, process: subprocess.Popen, log) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            pytest.fail(f"the server exited with {process.returncode}:\n{log.read()[-4000:]}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5)
            return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.3)
    pytest.fail("the server did not answer within two minutes")


@pytest.fixture(scope="module")
def database_url(tmp_path_factory):
    configured = os.environ.get("DATABASE_URL", "")
    if not configured.startswith("postgres"):
        yield f"sqlite:///{tmp_path_factory.mktemp('serve-db') / 'serve.sqlite3'}"
        return
    import psycopg

    name = f"ph_serve_{uuid.uuid4().hex[:8]}"
    base = configured.rsplit("/", 1)[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield f"{base}/{name}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def servers(tmp_path_factory, database_url):
    """Two running servers on one database: ``(port_a, port_b, var_dir)``."""
    var_dir = tmp_path_factory.mktemp("serve-var")
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("SECRET_KEY", "DEBUG", "HTTPS", "MAKEFLAGS")
    }
    env |= {
        "DATABASE_URL": database_url,
        "WEB_CONCURRENCY": "1",
        "MATCHING_EMBEDDER": "fake",
        "TASKS_BACKEND": "database",
    }
    port_a, port_b = free_port(), free_port()
    processes = []
    log_a = open(var_dir / "a.log", "w+")  # noqa: SIM115 - closed at teardown
    log_b = open(var_dir / "b.log", "w+")  # noqa: SIM115
    try:
        processes.append(
            subprocess.Popen(
                ["make", "serve", f"PORT={port_a}", f"PARTNERHUB_VAR_DIR={var_dir}"],
                cwd=ROOT,
                env=env,
                stdout=log_a,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
        wait_until_up(port_a, processes[0], log_a)
        # The second host: the same settings (the Makefile's), gunicorn alone, as a container runs it.
        env_b = env | {
            "DEBUG": "false",
            "HTTPS": "false",
            "PARTNERHUB_VAR_DIR": str(var_dir),
            "SECRET_KEY_FILE": str(var_dir / "secret_key"),
            "BIND": f"127.0.0.1:{port_b}",
        }
        processes.append(
            subprocess.Popen(
                [BIN / "gunicorn", "-c", "python:partnerhub.gunicorn_conf"],
                cwd=ROOT,
                env=env_b,
                stdout=log_b,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
        made = subprocess.run(
            [BIN / "partnerhub", "shell", "-c", CREATE_USER],
            cwd=ROOT,
            env=env_b,
            capture_output=True,
            text=True,
        )
        assert made.returncode == 0, made.stderr
        wait_until_up(port_b, processes[1], log_b)
        yield port_a, port_b, var_dir
    finally:
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, 15)  # each server runs in a session of its own
        for process in processes:
            process.wait(timeout=30)
        log_a.close()
        log_b.close()


CREATE_USER = f"""
from allauth.account.models import EmailAddress
from partnerhub.accounts.models import User
user = User.objects.create_user(email={EMAIL!r}, password={PASSWORD!r})
EmailAddress.objects.update_or_create(user=user, email={EMAIL!r}, defaults={{"verified": True, "primary": True}})
"""


def get(port: int, path: str, opener=None, **headers):
    """The response (or the HTTP error, which is a response too) for a GET, without following redirects."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers)
    try:
        return (opener or urllib.request.build_opener(NoRedirect)).open(request, timeout=30)
    except urllib.error.HTTPError as error:
        return error


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_the_start_page_speaks_the_visitors_language_with_debug_off(servers):
    port, _, _ = servers
    redirect = get(port, "/", **{"Accept-Language": "de-DE,de;q=0.9"})
    assert redirect.status == 302 and redirect.headers["Location"] == "/de/"
    page = get(port, "/de/")
    html = page.read().decode()
    assert page.status == 200 and '<html lang="de"' in html
    assert "Partnerregionen" in html or "Startseite" in html or "Anmelden" in html


def test_css_comes_under_a_hashed_name_compressed_and_cached_for_a_year(servers):
    port, _, _ = servers
    html = get(port, "/de/").read().decode()
    stylesheet = re.search(r'href="(/static/[^"]+\.[0-9a-f]{12}\.css)"', html)
    assert stylesheet, "the page links no stylesheet with a content hash in its name"
    for encoding in ("gzip", "br"):
        response = get(port, stylesheet.group(1), **{"Accept-Encoding": encoding})
        assert response.status == 200 and response.headers["Content-Encoding"] == encoding
        max_age = int(re.search(r"max-age=(\d+)", response.headers["Cache-Control"]).group(1))
        assert max_age >= 365 * 24 * 3600 and "immutable" in response.headers["Cache-Control"]
    unknown = get(port, "/static/partnerhub/partnerhub.000000000000.css")
    assert unknown.status == 404


def test_an_unknown_page_gets_the_sites_own_404_in_german(servers):
    port, _, _ = servers
    response = get(port, "/de/no-such-page/")
    html = response.read().decode()
    assert response.status == 404 and "Seite nicht gefunden" in html
    assert "URLconf" not in html and "Traceback" not in html  # not Django's debug page


def test_healthz_says_the_database_answers(servers):
    port, other, _ = servers
    for server in (port, other):
        response = get(server, "/healthz")
        assert response.status == 200
        assert json.loads(response.read()) == {"database": "ok", "tasks": "ok"}
        assert "Set-Cookie" not in response.headers


def test_a_generated_secret_key_is_kept_private_in_the_var_dir(servers):
    _, _, var_dir = servers
    key = var_dir / "secret_key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 and len(key.read_text().strip()) >= 50


def test_a_session_begun_on_one_server_is_valid_on_the_other(servers):
    port_a, port_b, _ = servers
    jar = http.cookiejar.CookieJar()  # cookies ignore the port: both servers see the same ones
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    account = "/de/accounts/email/"
    assert get(port_b, account, browser).status == 302  # not signed in yet: to the sign-in page
    login_page = get(port_a, "/de/accounts/login/", browser).read().decode()
    data = form_data(login_page, action="/de/accounts/login/")
    data["login"], data["password"] = EMAIL, PASSWORD
    body = urllib.parse.urlencode([(k, v) for k, values in data.items() for v in values]).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port_a}/de/accounts/login/", data=body)
    try:
        signed_in = browser.open(request, timeout=30)
    except urllib.error.HTTPError as error:
        signed_in = error
    assert signed_in.status == 302, "the sign-in form did not accept the user"
    response = get(port_b, account, browser)
    assert response.status == 200 and EMAIL in response.read().decode()


# /healthz in-process: each state the load balancer must tell apart.
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def healthz(client):
    response = client.get("/healthz")
    return response.status_code, json.loads(response.content)


@pytest.mark.django_db
def test_healthz_with_the_immediate_backend_has_no_queue_to_watch(client, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    assert healthz(client) == (200, {"database": "ok", "tasks": "immediate"})


@pytest.mark.django_db
def test_healthz_is_unhealthy_when_a_task_waits_longer_than_the_bound(client, settings):
    from django_tasks_db.models import DBTaskResult

    from partnerhub.matching.tasks import refresh_all_suggestions

    settings.TASKS = DATABASE_TASKS
    settings.HEALTHZ_QUEUE_MAX_AGE = 600
    result = refresh_all_suggestions.enqueue()
    assert healthz(client) == (200, {"database": "ok", "tasks": "ok"})  # just enqueued: a worker has time
    waited = datetime.timedelta(seconds=601)
    DBTaskResult.objects.filter(pk=result.id).update(enqueued_at=timezone.now() - waited)
    assert healthz(client) == (503, {"database": "ok", "tasks": "stale"})


@pytest.mark.django_db
def test_healthz_does_not_count_a_retry_scheduled_for_later(client, settings):
    from django_tasks_db.models import DBTaskResult

    from partnerhub.matching.tasks import refresh_all_suggestions

    settings.TASKS = DATABASE_TASKS
    later = refresh_all_suggestions.using(run_after=timezone.now() + datetime.timedelta(minutes=5)).enqueue()
    DBTaskResult.objects.filter(pk=later.id).update(enqueued_at=timezone.now() - datetime.timedelta(hours=2))
    assert healthz(client) == (200, {"database": "ok", "tasks": "ok"})


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_does_not(client, settings, monkeypatch):
    from django.db import OperationalError, connection

    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    settings.TASKS = DATABASE_TASKS
    monkeypatch.setattr(connection, "cursor", refuse)
    assert healthz(client) == (503, {"database": "unavailable", "tasks": "unknown"})


@pytest.mark.django_db
def test_healthz_starts_no_session_and_is_never_cached(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        response = client.get("/healthz")
    assert not response.cookies and "no-cache" in response["Cache-Control"]


# The production settings as the environment gives them (each in a process of its own: settings load once).
def production_env(tmp_path, **extra):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("SECRET_KEY", "DEBUG", "HTTPS", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    return env | {
        "DEBUG": "false",
        "PARTNERHUB_VAR_DIR": str(tmp_path),
        "ALLOWED_HOSTS": "partnerhub.example.org",
        **extra,
    }


def test_check_deploy_is_clean_with_the_production_environment(tmp_path):
    env = production_env(tmp_path, SECRET_KEY="k" * 20 + "-a-real-key-is-long-and-random-0123456789")
    checked = subprocess.run(
        [BIN / "partnerhub", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


SHOW_SETTINGS = "from django.conf import settings; print(settings.SECRET_KEY); print(settings.STORAGES)"


def test_a_secret_key_file_is_read_and_a_secret_key_in_the_environment_wins(tmp_path):
    key_file = tmp_path / "secret_key"
    key_file.write_text("from-the-file-" + "x" * 40 + "\n")
    env = production_env(tmp_path, SECRET_KEY_FILE=str(key_file), MEDIA_STORAGE="s3")
    env |= {"AWS_STORAGE_BUCKET_NAME": "partnerhub-media", "AWS_S3_ENDPOINT_URL": "https://s3.example.org"}
    shown = subprocess.run(
        [BIN / "partnerhub", "shell", "--no-imports", "-c", SHOW_SETTINGS],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    key, storages = shown.stdout.splitlines()[:2]
    assert key == "from-the-file-" + "x" * 40
    # Uploads in a private bucket; the views stream them, so no public URL is ever handed out.
    assert "storages.backends.s3.S3Storage" in storages and "'default_acl': 'private'" in storages
    assert "partnerhub-media" in storages and "CompressedManifest" not in storages  # our subclass
    env["SECRET_KEY"] = "from-the-environment-" + "y" * 40
    shown = subprocess.run(
        [BIN / "partnerhub", "shell", "--no-imports", "-c", SHOW_SETTINGS],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert shown.stdout.splitlines()[0] == env["SECRET_KEY"]


@pytest.mark.django_db
def test_healthz_is_answered_over_plain_http_where_pages_are_redirected_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    page = client.get("/de/")
    assert page.status_code == 301 and page["Location"].startswith("https://")
