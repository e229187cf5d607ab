"""No e-mail is lost, none is sent twice: the outbox against a real SMTP server (aiosmtpd) that refuses,
blocks or comes back, and against real `db_worker` processes that are killed (decisions/0022)."""

from __future__ import annotations

import asyncio
import collections
import datetime
import email
import email.policy
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings as django_settings
from django.core.management import call_command
from django.utils import timezone

from partnerhub.notifications.models import OutgoingEmail
from tests.clients import signed_in, url
from tests.formdata import form_data

ROOT = Path(__file__).resolve().parent.parent
PARTNERHUB = str(Path(sys.executable).with_name("partnerhub"))


class Server:
    """An SMTP server whose answers the test switches: accept, refuse for now (451), refuse for good (550),
    or hold one recipient at RCPT until released (a worker can be killed mid-conversation)."""

    def __init__(self):
        self.messages = []
        self.mode = "accept"
        self.hold_address = None
        self.held = threading.Event()
        self.release = threading.Event()
        self.lock = threading.Lock()
        self.delay = 0.0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.mode == "refuse":
            return "451 4.3.0 Mail server temporarily unavailable"
        if self.mode == "reject":
            return "550 5.1.1 No such mailbox here"
        if address == self.hold_address:
            self.held.set()
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(self.delay)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(message)
        return "250 OK"

    def count_by_message_id(self) -> collections.Counter:
        with self.lock:
            return collections.Counter(message["Message-ID"] for message in self.messages)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp():
    server = Server()
    controller = Controller(server, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield server, controller.port
    server.release.set()
    controller.stop()


@pytest.fixture
def smtp_settings(settings, smtp):
    server, port = smtp
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_RETRY_DELAYS = [1, 5]
    server.port = port
    return server


def submit_idea(client, world, django_capture_on_commit_callbacks):
    """The public idea form, filled in and sent as a browser does; the e-mail leaves at commit."""
    page = client.get(url("ideas:submit", "en", world.home_agency.slug))
    data = form_data(page)
    data.update(
        organisation_name="Hengtong Auto Parts", organisation_kind="sme", organisation_country="CN",
        contact_name="Wang Xiaoming", contact_email="wang@hengtong.example.cn", title="Lightweight composites",
        area="technology", description="Chassis parts in carbon fibre.", consent="on",
    )  # fmt: skip
    data["target_regions"] = [str(world.home_region.pk)]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("ideas:submit", "en", world.home_agency.slug), data)
    assert response.status_code == 302, response.content[:2000]
    return OutgoingEmail.objects.get(to=["wang@hengtong.example.cn"])


def time_passes():
    """The back-off delay is over for every waiting e-mail."""
    OutgoingEmail.objects.filter(status="pending").update(next_attempt_at=timezone.now())


@pytest.mark.django_db
def test_an_idea_submitted_while_smtp_refuses_is_kept_and_delivered_once_when_the_server_is_back(
    client, world, smtp_settings, django_capture_on_commit_callbacks
):
    server = smtp_settings
    server.mode = "refuse"
    pending = submit_idea(client, world, django_capture_on_commit_callbacks)
    assert pending.status == "pending" and pending.attempts == 1
    assert "451" in pending.last_error
    assert pending.next_attempt_at > timezone.now()
    assert not server.messages

    server.mode = "accept"
    call_command("deliver_outbox", stdout=open(os.devnull, "w"))
    assert not server.messages, "not due yet: the back-off is respected"
    time_passes()
    call_command("deliver_outbox", stdout=open(os.devnull, "w"))
    call_command("deliver_outbox", stdout=open(os.devnull, "w"))  # a second run finds nothing to do
    from partnerhub.notifications.outbox import deliver

    assert deliver(pending.pk) is False  # a duplicate task neither
    pending.refresh_from_db()
    assert pending.status == "sent"
    assert server.count_by_message_id() == {pending.message_id: 1}
    assert server.messages[0]["To"] == "wang@hengtong.example.cn"


@pytest.mark.django_db
def test_while_the_server_is_unreachable_requests_do_not_each_wait_for_it(
    settings, world, smtp_settings, django_capture_on_commit_callbacks, monkeypatch
):
    from partnerhub.notifications import outbox

    monkeypatch.setattr(outbox, "_unreachable_since", None)
    settings.EMAIL_PORT = free_port()  # nothing listens there
    with django_capture_on_commit_callbacks(execute=True):
        first = outbox.queue(["first@example.org"], "First", "Hello")
    with django_capture_on_commit_callbacks(execute=True):
        second = outbox.queue(["second@example.org"], "Second", "Hello")
    first.refresh_from_db(), second.refresh_from_db()
    assert (first.status, first.attempts) == ("pending", 1) and "Connection refused" in first.last_error
    assert (second.status, second.attempts) == ("pending", 0), "left for deliver_outbox, not tried"

    settings.EMAIL_PORT = smtp_settings.port
    time_passes()
    call_command("deliver_outbox", stdout=open(os.devnull, "w"))
    assert smtp_settings.count_by_message_id() == {first.message_id: 1, second.message_id: 1}


@pytest.mark.django_db
def test_a_recipient_the_server_refuses_for_good_fails_at_once_with_its_reason(
    client, world, smtp_settings, django_capture_on_commit_callbacks
):
    smtp_settings.mode = "reject"
    failed = submit_idea(client, world, django_capture_on_commit_callbacks)
    assert failed.status == "failed" and failed.attempts == 1
    assert "550 5.1.1 No such mailbox here" in failed.last_error


def operator_page(client, language):
    response = client.get(url("notifications:outbox", language))
    assert response.status_code == 200
    return response


@pytest.mark.django_db
def test_after_the_last_retry_the_operator_sees_the_failure_and_sends_it_again_once(
    client, world, superuser, smtp_settings, django_capture_on_commit_callbacks
):
    server = smtp_settings
    server.mode = "refuse"
    failing = submit_idea(client, world, django_capture_on_commit_callbacks)
    for _attempt in django_settings.EMAIL_RETRY_DELAYS:
        time_passes()
        call_command("deliver_outbox", stdout=open(os.devnull, "w"))
    failing.refresh_from_db()
    assert failing.status == "failed" and failing.attempts == len(django_settings.EMAIL_RETRY_DELAYS) + 1

    operator = signed_in(superuser)
    german = operator_page(operator, "de").content.decode()
    assert "wang@hengtong.example.cn" in german and "fehlgeschlagen" in german and "Erneut senden" in german
    assert "451" in german
    chinese = operator_page(operator, "zh-hans").content.decode()
    assert "发送失败" in chinese and "重新发送" in chinese

    server.mode = "accept"
    page = operator_page(operator, "de")
    action = url("notifications:outbox_resend", "de", failing.pk)
    with django_capture_on_commit_callbacks(execute=True):
        response = operator.post(action, form_data(page, action=action))
    assert response.status_code == 302
    failing.refresh_from_db()
    assert failing.status == "sent"
    assert server.count_by_message_id() == {failing.message_id: 1}
    assert "Alle E-Mails sind versandt." in operator.get(response.url).content.decode()


@pytest.mark.django_db
def test_sending_all_failed_again_delivers_each_once(
    world, superuser, smtp_settings, django_capture_on_commit_callbacks
):
    from partnerhub.notifications import outbox

    server = smtp_settings
    server.mode = "reject"
    with django_capture_on_commit_callbacks(execute=True):
        emails = [outbox.queue([f"p{i}@example.org"], f"Number {i}", "Hello") for i in range(3)]
    assert set(OutgoingEmail.objects.values_list("status", flat=True)) == {"failed"}
    server.mode = "accept"
    operator = signed_in(superuser)
    page = operator_page(operator, "en")
    action = url("notifications:outbox_resend_failed", "en")
    with django_capture_on_commit_callbacks(execute=True):
        assert operator.post(action, form_data(page, action=action)).status_code == 302
    assert server.count_by_message_id() == {e.message_id: 1 for e in emails}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["agency_staff", "partner_staff", "member_a"])
def test_only_operators_see_the_outbox_or_resend(request, role, world, smtp_settings):
    from partnerhub.notifications import outbox

    smtp_settings.mode = "reject"
    failed = outbox.queue(["secret-recipient@example.org"], "Secret subject", "Hello")
    outbox.deliver(failed.pk)
    client = signed_in(request.getfixturevalue(role))
    page = client.get(url("notifications:outbox", "en"))
    assert page.status_code == 403 and b"secret-recipient" not in page.content
    assert client.post(url("notifications:outbox_resend", "en", failed.pk)).status_code == 403
    assert client.post(url("notifications:outbox_resend_failed", "en")).status_code == 403
    failed.refresh_from_db()
    assert failed.status == "failed" and failed.attempts == 1


# --- real workers on a real database --------------------------------------------------------------------


@pytest.fixture(scope="module")
def worker_database(tmp_path_factory):
    """A database the worker subprocesses share: the test database is invisible to them (uncommitted)."""
    folder = tmp_path_factory.mktemp("outbox")
    default = django_settings.DATABASES["default"]
    env = {
        **os.environ,
        "PARTNERHUB_VAR_DIR": str(folder),
        "TASKS_BACKEND": "database",
        "EMAIL_TIMEOUT": "30",
        "DEBUG": "true",
    }
    if default["ENGINE"].endswith("sqlite3"):
        env["DATABASE_URL"] = f"sqlite:///{folder / 'outbox.sqlite3'}"
        drop = None
    else:
        import psycopg

        name = f"ph_outbox_{uuid.uuid4().hex[:10]}"
        server = f"postgres://{default['USER']}@{default['HOST'] or 'localhost'}:{default['PORT'] or 5432}"
        with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = f"{server}/{name}"

        def drop():
            with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    subprocess.run([PARTNERHUB, "migrate", "-v0"], env=env, check=True, cwd=ROOT)
    yield env
    if drop:
        drop()


QUEUE = """
from django.db import transaction
from partnerhub.notifications import outbox
with transaction.atomic():
    for i in range({count}):
        outbox.queue([f"{prefix}-{{i:02}}@example.org"], f"{prefix} {{i}}", "Hello")
"""
REPORT = """
import json
from django_tasks_db.models import DBTaskResult
from partnerhub.notifications.models import OutgoingEmail
rows = OutgoingEmail.objects.filter(subject__startswith="{prefix} ")
workers = set()
for result in DBTaskResult.objects.filter(task_path__endswith="deliver_email", status="SUCCESSFUL"):
    if result.return_value:
        workers.update(result.worker_ids)
running = DBTaskResult.objects.filter(task_path__endswith="deliver_email", status="RUNNING").count()
print(json.dumps({{"ids": {{r.message_id: r.status for r in rows}}, "workers": sorted(workers), "running": running}}))
"""


def shell(env, code):
    done = subprocess.run(
        [PARTNERHUB, "shell", "-c", code], env=env, check=True, cwd=ROOT, capture_output=True, text=True
    )
    return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""


def worker(env, worker_id, *extra):
    return subprocess.Popen(
        [PARTNERHUB, "db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.1",
         "--worker-id", worker_id, "-v0", *extra],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def smtp_env(env, port):
    return {**env, "EMAIL_URL": f"smtp://127.0.0.1:{port}"}


def test_a_worker_killed_while_sending_loses_no_e_mail_and_sends_none_twice(worker_database, smtp):
    server, port = smtp
    env = smtp_env(worker_database, port)
    prefix = f"kill{uuid.uuid4().hex[:6]}"
    server.hold_address = f"{prefix}-07@example.org"
    shell(env, QUEUE.format(count=20, prefix=prefix))

    first = worker(env, "first")
    try:
        assert server.held.wait(30), "the worker never reached the held recipient"
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    finally:
        first.kill()
    server.release.set()
    before = json.loads(shell(env, REPORT.format(prefix=prefix)))
    assert list(before["ids"].values()).count("sending") == 1  # the one the worker died on
    assert before["running"] == 1  # and its task, left RUNNING by django-tasks-db

    second = worker(env, "second", "--batch")
    assert second.wait(60) == 0
    subprocess.run(
        [PARTNERHUB, "deliver_outbox", "--sending-timeout", "0"], env=env, check=True, cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )  # fmt: skip

    report = json.loads(shell(env, REPORT.format(prefix=prefix)))
    after = report["ids"]
    assert len(after) == 20 and set(after.values()) == {"sent"}
    assert report["running"] == 0, "deliver_outbox closes the dead worker's task"
    assert server.count_by_message_id() == {message_id: 1 for message_id in after}


@pytest.mark.skipif(
    django_settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"),
    reason="two workers sharing one queue is what PostgreSQL is for; SQLite serialises every writer",
)
def test_two_workers_on_one_postgresql_deliver_each_of_40_e_mails_once(worker_database, smtp):
    server, port = smtp
    env = smtp_env(worker_database, port)
    prefix = f"pair{uuid.uuid4().hex[:6]}"
    server.delay = 0.1  # each delivery takes a moment, so neither worker drains the queue alone
    shell(env, QUEUE.format(count=40, prefix=prefix))
    workers = [worker(env, name, "--batch") for name in ("left", "right")]
    for process in workers:
        assert process.wait(90) == 0
    report = json.loads(shell(env, REPORT.format(prefix=prefix)))
    assert len(report["ids"]) == 40 and set(report["ids"].values()) == {"sent"}
    assert server.count_by_message_id() == {message_id: 1 for message_id in report["ids"]}
    assert {"left", "right"} <= set(report["workers"]), "both workers took part"


@pytest.mark.django_db
def test_an_e_mail_left_sending_by_a_dead_worker_is_taken_back_and_the_operator_reads_why(
    settings, world, superuser, smtp_settings
):
    from partnerhub.notifications import outbox

    settings.EMAIL_RETRY_DELAYS = []  # no retry left: the taken-back e-mail is failed, for the operator
    stuck = outbox.queue(["stuck@example.org"], "Stuck", "Hello")
    an_hour_ago = timezone.now() - datetime.timedelta(hours=1)
    OutgoingEmail.objects.filter(pk=stuck.pk).update(status="sending", claimed_at=an_hour_ago)
    call_command("deliver_outbox", stdout=open(os.devnull, "w"))
    stuck.refresh_from_db()
    assert (stuck.status, stuck.attempts) == ("failed", 1) and not smtp_settings.messages
    page = operator_page(signed_in(superuser), "de").content.decode()
    assert "Der Worker wurde beim Senden beendet" in page


@pytest.mark.django_db
def test_the_header_links_the_outbox_for_operators_only(world, superuser, agency_staff):
    link = url("notifications:outbox", "zh-hans")
    assert link in signed_in(superuser).get(url("core:home", "zh-hans")).content.decode()
    assert link not in signed_in(agency_staff).get(url("core:home", "zh-hans")).content.decode()


@pytest.mark.django_db
def test_sent_e_mails_are_deleted_after_their_keeping_time_and_failed_ones_are_kept(
    world, smtp_settings, settings, django_capture_on_commit_callbacks
):
    from partnerhub.notifications import outbox

    settings.EMAIL_KEEP_SENT_DAYS = 30
    with django_capture_on_commit_callbacks(execute=True):
        old, recent = (outbox.queue([f"{n}@example.org"], n, "Hello") for n in ("old", "recent"))
    smtp_settings.mode = "reject"
    with django_capture_on_commit_callbacks(execute=True):
        failed = outbox.queue(["failed@example.org"], "failed", "Hello")
    long_ago = timezone.now() - datetime.timedelta(days=31)
    OutgoingEmail.objects.filter(pk__in=[old.pk]).update(sent_at=long_ago)
    OutgoingEmail.objects.filter(pk=failed.pk).update(created_at=long_ago)
    call_command("deliver_outbox", stdout=open(os.devnull, "w"))
    assert set(OutgoingEmail.objects.values_list("pk", flat=True)) == {recent.pk, failed.pk}
