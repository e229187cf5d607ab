"""The load mixes for Locust (run by ``bench/load/run.py``; see docs/performance.md).

Environment: BENCH_TARGETS (the JSON written by ``bench/load/targets.py``), BENCH_THINK ("0.5,1.5" seconds
between a user's requests, "0" for none), BENCH_SUMMARY (where to write this run's figures as JSON).

``AnonymousReader`` is the anonymous read mix, ``StaffUser`` the signed-in agency staff. Both are
``FastHttpUser`` (geventhttpclient): the load generator shares the two cores with the server, and it costs
a fraction of the CPU of the requests-based ``HttpUser``. Besides Locust's own statistics every request
except the log-in is recorded here, so the figures are exact percentiles of the mix's pages alone.
"""

from __future__ import annotations

import json
import math
import os
import random
import re
import time
from pathlib import Path

from locust import FastHttpUser, between, constant, events, task

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
ANONYMOUS_WEIGHTS = {"home": 2, "region": 2, "search (de)": 3, "search (zh)": 3, "profile list": 2, "trip": 2}
STAFF_WEIGHTS = {"pipeline board": 2, "pipeline inbox": 2, "matching queue": 1}


def load_targets() -> dict:
    return json.loads(Path(os.environ["BENCH_TARGETS"]).read_text(encoding="utf-8"))


def think_time():
    low, _sep, high = os.environ.get("BENCH_THINK", "0.5,1.5").partition(",")
    if float(low) == 0 and not high:
        return constant(0)
    return between(float(low), float(high or low))


TARGETS = load_targets() if os.environ.get("BENCH_TARGETS") else {"anonymous": {}, "staff": {}, "login": {}}


def _chooser(paths: dict[str, list[str]], weights: dict[str, int]):
    groups = [group for group in weights if paths.get(group)]
    cumulative = [weights[group] for group in groups]

    def choose() -> tuple[str, str]:
        group = random.choices(groups, weights=cumulative)[0]
        return group, random.choice(paths[group])

    return choose


class AnonymousReader(FastHttpUser):
    """A visitor reading public pages; each request a page group picked by weight, a path within it."""

    wait_time = think_time()
    choose = staticmethod(_chooser(TARGETS["anonymous"], ANONYMOUS_WEIGHTS))

    @task
    def read(self):
        group, path = self.choose()
        self.client.get(path, name=group)


class StaffUser(FastHttpUser):
    """Agency staff signed in once through the allauth form (with its CSRF token), then at work."""

    wait_time = think_time()
    choose = staticmethod(_chooser(TARGETS["staff"], STAFF_WEIGHTS))

    def on_start(self):
        login = TARGETS["login"]
        page = self.client.get(login["path"], name="login")
        match = CSRF.search(page.text or "")
        token = match.group(1) if match else ""
        with self.client.post(
            login["path"],
            data={"login": login["email"], "password": login["password"], "csrfmiddlewaretoken": token},
            headers={"Referer": self.host + login["path"]},
            name="login",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            # A refused log-in shows the form again (200); a good one redirects away from it.
            if response.status_code != 302:
                response.failure(f"not signed in (status {response.status_code})")
            else:
                response.success()

    @task
    def work(self):
        group, path = self.choose()
        self.client.get(path, name=group)


# --- exact figures of the mix, log-in excluded ---------------------------------------------------------

_times: list[float] = []
_failures = {"count": 0}
_clock = {"start": 0.0}


@events.test_start.add_listener
def _started(**_kwargs):
    _clock["start"] = time.monotonic()


@events.request.add_listener
def _recorded(name, response_time, exception, response=None, **_kwargs):
    if name == "login":
        if exception is not None:
            _failures["count"] += 1
        return
    _times.append(response_time)
    if exception is not None:
        _failures["count"] += 1


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (share in 0..1) of ``values``; 0 for none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(share * len(ordered))))
    return ordered[rank - 1]


@events.quitting.add_listener
def _summary(**_kwargs):
    target = os.environ.get("BENCH_SUMMARY")
    if not target:
        return
    seconds = max(time.monotonic() - _clock["start"], 1e-9)
    summary = {
        "requests": len(_times),
        "seconds": round(seconds, 2),
        "rps": round(len(_times) / seconds, 1),
        "p50": percentile(_times, 0.50),
        "p95": percentile(_times, 0.95),
        "p99": percentile(_times, 0.99),
        "errors": _failures["count"],
    }
    Path(target).write_text(json.dumps(summary), encoding="utf-8")
