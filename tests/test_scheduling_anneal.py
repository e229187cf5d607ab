"""The Kempe-chain annealer (``anneal.py``): every state it passes through is a valid schedule, its
bookkeeping matches a recount, and what it returns is never worse than where it started; and mending
(``mend.py``) turns a start with required meetings left out into a valid schedule."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from partnerhub.engines.scheduling import kempe
from partnerhub.engines.scheduling.anneal import Annealer
from partnerhub.engines.scheduling.clock import Clock
from partnerhub.engines.scheduling.generate import generate_planted
from partnerhub.engines.scheduling.kempe import KempeAnnealer, make_annealer
from partnerhub.engines.scheduling.mend import mend
from partnerhub.engines.scheduling.problem import (
    breaks_per_participant,
    busy_slots,
    index,
    objective,
    violations,
)


def planted_start(seed: int, participants: int, slots: int, meetings: int):
    """A small tight day and its hidden schedule as slots: a valid place for the annealer to start."""
    planted = generate_planted("tight", seed=seed, participants=participants, meetings=meetings, slots=slots)
    problem = index(planted.instance)
    slot_of = {sid: i for i, sid in enumerate(problem.slot_ids)}
    where = {a.meeting: slot_of[a.slot] for a in planted.plant.assignments}
    return problem, [where.get(m.id) for m in problem.meetings]


ANNEALERS = [Annealer, KempeAnnealer]  # the Python annealer and its compiled twin: the same rules


@pytest.mark.parametrize("kind", ANNEALERS)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    participants=st.integers(10, 16),
    slots=st.integers(4, 8),
    anneal_seed=st.integers(0, 100),
)
def test_every_annealing_step_leaves_a_valid_schedule_with_true_bookkeeping(
    kind, seed, participants, slots, anneal_seed
):
    problem, start = planted_start(seed, participants, slots, meetings=slots * (participants // 4))
    assert violations(problem, start) == []
    annealer = kind(problem, start, anneal_seed)
    annealer.temperature = 2.0  # hot: many moves that add breaks are taken too
    made = 0
    for _ in range(300):
        made += annealer.step()
        assert violations(problem, annealer.slots) == []
    assert made > 0
    busy = busy_slots(problem, annealer.slots)
    assert annealer.total == objective(problem, annealer.slots)[1]
    assert list(np.asarray(annealer.mask)) == [sum(1 << s for s in b) for b in busy]
    assert list(np.asarray(annealer.load)) == [
        sum(1 for s in annealer.slots if s == t) for t in range(problem.n_slots)
    ]
    per = breaks_per_participant(problem, annealer.slots)
    assert list(np.asarray(annealer.per)) == per
    assert sorted(annealer.broken) == [p for p, b in enumerate(per) if b]


def shaken(problem, start, seed: int, steps: int, temperature: float):
    """The start after ``steps`` hot moves of the Python annealer (most of them add breaks)."""
    annealer = Annealer(problem, start, seed)
    annealer.temperature = temperature
    for _ in range(steps):
        annealer.step()
    return list(annealer.slots)


@pytest.mark.parametrize("kind", ANNEALERS)
def test_annealing_returns_a_valid_schedule_with_no_more_breaks_than_the_start(kind):
    problem, start = planted_start(3, participants=40, slots=12, meetings=110)
    worse = shaken(problem, start, 1, steps=5_000, temperature=5.0)  # a worse start than the plant
    before = objective(problem, worse)[1]
    result = kind(problem, worse, 2).run(Clock(10.0), 2.0)
    assert violations(problem, result) == []
    assert objective(problem, result)[1] < before
    assert objective(problem, result)[0] == objective(problem, worse)[0]  # optional weight kept


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), dropped=st.integers(1, 4), mend_seed=st.integers(0, 100))
def test_mending_puts_left_out_required_meetings_back_into_a_valid_schedule(seed, dropped, mend_seed):
    problem, start = planted_start(seed, participants=16, slots=8, meetings=32)
    # Shake the plant, then leave some required meetings out: the start breaks the rules.
    broken = shaken(problem, start, mend_seed, steps=500, temperature=2.0)
    required = [m for m, s in enumerate(broken) if s is not None and problem.required(m)]
    for m in required[:dropped]:
        broken[m] = None
    assert violations(problem, broken)
    mended = mend(problem, broken, mend_seed, Clock(20.0), 10.0)
    assert mended is not None
    assert violations(problem, mended) == []


def test_the_compiled_annealer_is_reproducible_however_its_time_is_sliced():
    problem, start = planted_start(5, participants=30, slots=10, meetings=70)
    worse = shaken(problem, start, 0, steps=3_000, temperature=5.0)
    one, sliced = KempeAnnealer(problem, worse, 7), KempeAnnealer(problem, worse, 7)
    # The same 30,000 steps in one compiled call and in six: the same moves (floor -1: never stop early).
    kempe._anneal(30_000, -1, *one._arrays())
    for _ in range(6):
        kempe._anneal(5_000, -1, *sliced._arrays())
    assert one.slots == sliced.slots and one.best == sliced.best
    assert violations(problem, one.best) == []
    assert one.best_total == objective(problem, one.best)[1] <= objective(problem, worse)[1]
    other = KempeAnnealer(problem, worse, 8)
    kempe._anneal(30_000, -1, *other._arrays())
    assert other.slots != one.slots  # the seed matters


def test_the_python_annealer_takes_over_beyond_64_bit_agendas(monkeypatch):
    problem, start = planted_start(1, participants=12, slots=6, meetings=12)
    assert isinstance(make_annealer(problem, start, 0), KempeAnnealer)
    monkeypatch.setattr("partnerhub.engines.scheduling.kempe.MAX_SLOTS", 5)
    assert type(make_annealer(problem, start, 0)) is Annealer
