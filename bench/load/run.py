"""The load benchmark: partnerhub at a realistic size on PostgreSQL, under Locust, `make serve` beside runserver.

Run: `.venv/bin/python bench/load/run.py [--seconds 60] [--quick] [--reuse]` (or `python -m bench.load.run`).
Needs the local PostgreSQL (postgres://postgres@localhost:5432, trust; --database-url to change) and the dev
extra (locust). Steps:

1. builds the world once in a template database — migrate, the demo, `generate_world` at full size (5,000
   organisations, 2,000 profiles, 1,000 ideas, 10 trips × 300 registrations) — and copies it to a fresh
   `partnerhub_bench` before each server, so every server starts from the same rows (sessions and rate-limit
   counters included). `--reuse` keeps a template built by an earlier run (building takes a few minutes);
2. starts the server on loopback only: `make serve` (gunicorn with its own config, DEBUG=false, WhiteNoise),
   then as the baseline `partnerhub runserver --noreload --insecure` with DEBUG=false;
3. warms each page once, then runs Locust headless, bounded in time, per mix: the anonymous read mix with
   100 users and 0.5–1.5 s think time, the same mix without think time to find the capacity, and 20 signed-in
   agency staff on the board, inbox and matching queue;
4. prints one table beside the targets and writes it to bench/load/results-latest.txt.

Locust and the server share the machine's cores: the load generator's CPU is taken from the server
(FastHttpUser keeps it small). See docs/performance.md.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
DATABASE = "partnerhub_bench"
FULL = {"organisations": 5000, "profiles": 2000, "ideas": 1000, "trips": 10, "registrations_per_trip": 300}
SMALL = {"organisations": 200, "profiles": 80, "ideas": 40, "trips": 2, "registrations_per_trip": 30}
RESULTS = HERE / "results-latest.txt"


@dataclass(frozen=True)
class Mix:
    name: str
    user_class: str
    users: int
    spawn_rate: float
    think: str
    target: str

    def met(self, figures: dict) -> bool:
        if figures["errors"]:
            return False
        if self.name == "capacity":
            return figures["rps"] >= 300
        return figures["p95"] < (200 if self.user_class == "StaffUser" else 100)


def mixes(capacity_users: int) -> list[Mix]:
    return [
        Mix("read", "AnonymousReader", 100, 20, "0.5,1.5", "p95 < 100 ms, 0 errors"),
        Mix("capacity", "AnonymousReader", capacity_users, capacity_users, "0", "≥ 300 req/s"),
        Mix("staff", "StaffUser", 20, 4, "0.5,1.5", "p95 < 200 ms"),
    ]


# --- the database ----------------------------------------------------------------------------------------


def _admin(base: str, sql: str) -> list:
    import psycopg

    with psycopg.connect(f"{base}/postgres", autocommit=True, connect_timeout=5) as connection:
        cursor = connection.execute(sql)
        return cursor.fetchall() if cursor.description else []


def postgres_available(base: str) -> str | None:
    """None when PostgreSQL answers at ``base``; otherwise why not."""
    try:
        _admin(base, "SELECT 1")
    except Exception as error:  # noqa: BLE001 — any failure means the same to the user
        return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return None


def _exists(base: str, name: str) -> bool:
    return bool(_admin(base, f"SELECT 1 FROM pg_database WHERE datname = '{name}'"))


def _recreate(base: str, name: str, template: str | None = None) -> None:
    _admin(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin(base, f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))


def _manage(env: dict, *args: str) -> None:
    subprocess.run([str(BIN / "partnerhub"), *args], env=env, cwd=ROOT, check=True)


def build_template(base: str, template: str, size: dict, env: dict, reuse: bool) -> None:
    if reuse and _exists(base, template):
        print(f"Reusing the world in database {template}.")
        return
    print(f"Building the world in database {template} (migrate, demo, generate_world {size}) …")
    started = time.monotonic()
    _recreate(base, template)
    env = {**env, "DATABASE_URL": f"{base}/{template}"}
    _manage(env, "migrate", "--noinput", "--verbosity", "0")
    _manage(env, "createcachetable")
    _manage(env, "load_demo")
    flags = [f"--{key.replace('_', '-')}={value}" for key, value in size.items()]
    _manage(env, "generate_world", *flags)
    print(f"World built in {time.monotonic() - started:.0f} s.")


def write_targets(env: dict, path: Path) -> dict:
    code = "import django, sys; django.setup(); from pathlib import Path; from bench.load import targets; "
    code += "targets.write(Path(sys.argv[1]))"
    subprocess.run(
        [sys.executable, "-c", code, str(path)],
        env={**env, "DJANGO_SETTINGS_MODULE": "partnerhub.settings", "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
        check=True,
    )
    return json.loads(path.read_text(encoding="utf-8"))


# --- the servers ------------------------------------------------------------------------------------------


def server_command(server: str, port: int) -> list[str]:
    if server == "make serve":
        return ["make", "-s", "serve", f"PORT={port}", f"BIND=127.0.0.1:{port}"]
    return [str(BIN / "partnerhub"), "runserver", f"127.0.0.1:{port}", "--noreload", "--insecure"]


def start_server(server: str, port: int, env: dict, log: Path):
    handle = log.open("wb")
    process = subprocess.Popen(
        server_command(server, port), env=env, cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: stopped with everything it started
    )  # fmt: skip
    deadline = time.monotonic() + 600  # `make serve` may first install the dev extra
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{server} exited with {process.returncode}; see {log}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/de/", timeout=5) as answer:
                if answer.status == 200:
                    return process
        except OSError:
            pass
        time.sleep(0.5)
    stop_server(process)
    raise RuntimeError(f"{server} did not answer on port {port}; see {log}")


def stop_server(process) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=40)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def warm(port: int, targets: dict) -> int:
    """Each anonymous page once, so the first figures are not a cold start; returns the failures."""
    failures = 0
    for paths in targets["anonymous"].values():
        for path in paths:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as answer:
                    failures += answer.status != 200
            except OSError:
                failures += 1
    return failures


def run_mix(mix: Mix, port: int, seconds: int, targets_file: Path, work: Path) -> dict:
    summary = work / f"{mix.name}-{port}.json"
    summary.unlink(missing_ok=True)
    command = [
        str(BIN / "locust"), "-f", str(HERE / "locustfile.py"), "--headless", "--only-summary",
        "-u", str(mix.users), "-r", str(mix.spawn_rate), "-t", f"{seconds}s", "--stop-timeout", "5",
        "--host", f"http://127.0.0.1:{port}", "--csv", str(work / f"{mix.name}-{port}"),
        "--loglevel", "WARNING", mix.user_class,
    ]  # fmt: skip
    env = {
        **os.environ,
        "BENCH_TARGETS": str(targets_file),
        "BENCH_THINK": mix.think,
        "BENCH_SUMMARY": str(summary),
    }
    with (work / f"{mix.name}-{port}.log").open("wb") as log:
        subprocess.run(
            command, env=env, cwd=ROOT, timeout=seconds + 120, stdout=log, stderr=subprocess.STDOUT
        )
    if not summary.exists():
        raise RuntimeError(f"Locust wrote no summary for {mix.name}")
    return json.loads(summary.read_text(encoding="utf-8"))


# --- the table --------------------------------------------------------------------------------------------

COLUMNS = ("mix", "server", "users", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors", "target", "met")


def table(rows: list[tuple]) -> str:
    cells = [COLUMNS, *[tuple(str(c) for c in row) for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(COLUMNS))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |" for row in cells]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60, help="Length of each Locust run (default 60).")
    parser.add_argument("--quick", action="store_true", help="A 10-second smoke run of every mix.")
    parser.add_argument("--reuse", action="store_true", help="Keep the world built by an earlier run.")
    parser.add_argument("--small", action="store_true", help="A small world (for trying the harness).")
    parser.add_argument("--servers", default="make serve,runserver", help="Comma-separated, in order.")
    parser.add_argument(
        "--mixes", default="read,capacity,staff", help="Comma-separated: read, capacity, staff."
    )
    parser.add_argument(
        "--capacity-users", type=int, default=40, help="Users without think time (default 40)."
    )
    parser.add_argument("--port", type=int, default=8731)
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_POSTGRES", "postgres://postgres@localhost:5432")
    )
    args = parser.parse_args(argv)
    seconds = 10 if args.quick else args.seconds
    base = args.database_url.rstrip("/")

    problem = postgres_available(base)
    if problem:
        print(f"The load benchmark needs PostgreSQL at {base} (user with CREATE DATABASE): {problem}")
        return 2
    var = ROOT / "var" / "bench-load"
    var.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ, "DEBUG": "false", "HTTPS": "false", "PARTNERHUB_VAR_DIR": str(var),
        "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
        "SECRET_KEY_FILE": str(var / "secret_key"), "SITE_URL": f"http://127.0.0.1:{args.port}",
    }  # fmt: skip
    size = SMALL if args.small else FULL
    template = f"{DATABASE}_template" + ("_small" if args.small else "")
    build_template(base, template, size, env, args.reuse)

    wanted = [m for m in mixes(args.capacity_users) if m.name in args.mixes.split(",")]
    rows = []
    with tempfile.TemporaryDirectory(prefix="partnerhub-load-") as tmp:
        work = Path(tmp)
        for server in [s.strip() for s in args.servers.split(",") if s.strip()]:
            _recreate(base, DATABASE, template)
            server_env = {**env, "DATABASE_URL": f"{base}/{DATABASE}"}
            targets = write_targets(server_env, work / "targets.json")
            if server == "runserver":  # DEBUG=false: pages name the collected, hashed static files
                _manage(server_env, "collectstatic", "--noinput", "--verbosity", "0")
            print(f"Starting {server} on 127.0.0.1:{args.port} …")
            process = start_server(server, args.port, server_env, var / f"{server.replace(' ', '-')}.log")
            try:
                cold = warm(args.port, targets)
                if cold:
                    print(f"  warning: {cold} pages did not answer 200 while warming up")
                for mix in wanted:
                    print(f"  {mix.name}: {mix.users} users for {seconds} s …", flush=True)
                    figures = run_mix(mix, args.port, seconds, work / "targets.json", work)
                    met = "yes" if mix.met(figures) else "no"
                    ms = [f"{figures[p]:.0f}" for p in ("p50", "p95", "p99")]
                    rows.append((mix.name, server, mix.users, f"{figures['rps']:.0f}", *ms, figures["errors"],
                                 mix.target, met))  # fmt: skip
            finally:
                stop_server(process)
    cores = os.cpu_count()
    world = ", ".join(f"{key.replace('_', ' ')} {value}" for key, value in size.items())
    header = (
        f"partnerhub load benchmark, {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC, {cores} cores "
        f"shared by server and Locust, PostgreSQL, {seconds} s per run; world: demo + {world}"
    )
    text = f"{header}\n\n{table(rows)}\n"
    print("\n" + text)
    RESULTS.write_text(text, encoding="utf-8")
    print(f"Written to {RESULTS.relative_to(ROOT)}.")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
