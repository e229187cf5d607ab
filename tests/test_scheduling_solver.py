"""The CP-SAT scheduler: optimal on days small enough to enumerate, valid and honest on generated days."""

from __future__ import annotations

import itertools
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from partnerhub.engines.scheduling import ENGINE_NAME, solve, solve_report
from partnerhub.engines.scheduling.check import check_schedule
from partnerhub.engines.scheduling.clock import Clock
from partnerhub.engines.scheduling.generate import generate
from partnerhub.engines.scheduling.lns import Neighbourhoods
from partnerhub.engines.scheduling.model import Instance, Meeting, Participant, Slot
from partnerhub.engines.scheduling.problem import index, objective, violations
from partnerhub.engines.scheduling.warmstart import warm_start

# --- a brute-force judge, written from the format alone --------------------------------------------


def brute_force(instance: Instance) -> tuple[int, int] | None:
    """(max optional weight, then min breaks) over every assignment of slots, or None if none is valid."""
    slots = [s.id for s in instance.slots]
    order = {s: i for i, s in enumerate(slots)}
    away = {p.id: set(p.unavailable) for p in instance.participants}
    best: tuple[int, int] | None = None
    choices = [slots + ([None] if not m.required else []) for m in instance.meetings]
    for pick in itertools.product(*choices):
        placed = {m.id: s for m, s in zip(instance.meetings, pick, strict=True) if s is not None}
        if not _valid(instance, placed, order, away):
            continue
        busy: dict[str, list[int]] = {p.id: [] for p in instance.participants}
        for m in instance.meetings:
            if m.id in placed:
                for p in m.participants:
                    busy[p].append(order[placed[m.id]])
        per = {p: sum(1 for a, b in itertools.pairwise(sorted(b)) if b - a > 1) for p, b in busy.items()}
        if (
            instance.max_breaks_spread is not None
            and max(per.values()) - min(per.values()) > instance.max_breaks_spread
        ):
            continue
        weight = sum(m.weight for m in instance.meetings if m.id in placed and not m.required)
        value = (weight, sum(per.values()))
        if best is None or (value[0], -value[1]) > (best[0], -best[1]):
            best = value
    return best


def _valid(
    instance: Instance, placed: dict[str, str], order: dict[str, int], away: dict[str, set[str]]
) -> bool:
    sessions = {s.id: s.session for s in instance.slots}
    seen: set[tuple[str, str]] = set()
    per_slot: dict[str, int] = {}
    for m in instance.meetings:
        s = placed.get(m.id)
        if s is None:
            continue
        if m.session not in ("any", sessions[s]) or (m.fixed_slot is not None and m.fixed_slot != s):
            return False
        for p in m.participants:
            if s in away[p] or (p, s) in seen:
                return False
            seen.add((p, s))
        per_slot[s] = per_slot.get(s, 0) + 1
        if per_slot[s] > len(instance.tables):
            return False
        if any(a in placed and order[placed[a]] >= order[s] for a in m.after):
            return False
    return True


@st.composite
def tiny_days(draw):
    n_slots = draw(st.integers(1, 4))
    morning = draw(st.integers(0, n_slots))
    slots = tuple(
        Slot(id=str(s + 1), session="morning" if s < morning else "afternoon") for s in range(n_slots)
    )
    people = [f"p{i}" for i in range(draw(st.integers(2, 4)))]
    ids = [s.id for s in slots]
    participants = tuple(
        Participant(id=p, unavailable=tuple(draw(st.lists(st.sampled_from(ids), max_size=2, unique=True))))
        for p in people
    )
    meetings: list[Meeting] = []
    for i in range(draw(st.integers(1, 5))):
        pair = draw(st.lists(st.sampled_from(people), min_size=2, max_size=2, unique=True))
        earlier = [m.id for m in meetings]
        meetings.append(
            Meeting(
                id=f"m{i}",
                participants=(pair[0], pair[1]),
                session=draw(st.sampled_from(["any", "any", "morning", "afternoon"])),
                fixed_slot=draw(st.none() | st.sampled_from(ids)) if draw(st.booleans()) else None,
                after=tuple(draw(st.lists(st.sampled_from(earlier), max_size=1, unique=True)))
                if earlier
                else (),
                required=draw(st.booleans()) or draw(st.booleans()),
                weight=draw(st.integers(0, 3)),
            )
        )
    return Instance(
        slots=slots,
        tables=tuple(f"T{t}" for t in range(draw(st.integers(1, 2)))),
        participants=participants,
        meetings=tuple(meetings),
        max_breaks_spread=draw(st.none() | st.integers(0, 1)),
    )


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_days())
def test_solver_is_optimal_on_every_day_small_enough_to_enumerate(instance):
    schedule = solve(instance, time_limit=10.0, workers=1)
    expected = brute_force(instance)
    if expected is None:
        assert schedule.status == "infeasible"
        assert schedule.reasons and schedule.explanation
        return
    assert schedule.status == "optimal"
    assert (schedule.optional_weight, schedule.breaks) == expected
    assert schedule.bound == schedule.breaks
    assert check_schedule(instance, schedule).valid


# --- hand-made days ------------------------------------------------------------------------------------


def day(meetings: list[Meeting], *, slots: int = 4, tables: int = 2, spread: int | None = None, away=None):
    people = sorted({p for m in meetings for p in m.participants})
    away = away or {}
    return Instance(
        slots=tuple(Slot(id=str(s + 1), session="morning") for s in range(slots)),
        tables=tuple(f"T{t + 1}" for t in range(tables)),
        participants=tuple(Participant(id=p, unavailable=tuple(away.get(p, ()))) for p in people),
        meetings=tuple(meetings),
        max_breaks_spread=spread,
    )


def test_engine_name_is_the_cpsat_engine():
    assert ENGINE_NAME == "cpsat/1"


def test_a_full_slot_gets_every_table_once():
    meetings = [Meeting(id=f"m{i}", participants=(f"a{i}", f"b{i}"), fixed_slot="1") for i in range(3)]
    schedule = solve(day(meetings, tables=3), time_limit=5.0, workers=1)
    assert sorted(a.table for a in schedule.assignments) == ["T1", "T2", "T3"]


def test_optional_weight_comes_before_breaks():
    # Adding the optional meeting (slot 3 only) gives ana a break; it must still be scheduled.
    meetings = [
        Meeting(id="m1", participants=("ana", "bo"), fixed_slot="1"),
        Meeting(id="m2", participants=("ana", "cy"), fixed_slot="3", required=False, weight=1),
    ]
    schedule = solve(day(meetings), time_limit=5.0, workers=1)
    assert (schedule.status, schedule.optional_weight, schedule.breaks) == ("optimal", 1, 1)


def test_precedence_on_a_left_out_optional_meeting_is_void():
    # m1 is optional and cannot be placed (bo is never free); m2 "after m1" is still scheduled in slot 1.
    meetings = [
        Meeting(id="m1", participants=("ana", "bo"), required=False),
        Meeting(id="m2", participants=("ana", "cy"), after=("m1",), fixed_slot="1"),
    ]
    schedule = solve(day(meetings, slots=2, away={"bo": ["1", "2"]}), time_limit=5.0, workers=1)
    assert schedule.status == "optimal"
    assert schedule.unscheduled == ["m1"]


def test_fairness_minimum_counts_people_with_a_single_meeting():
    # ana must have a break (only slots 1 and 3); cy's single meeting fixes the minimum at 0.
    meetings = [
        Meeting(id="m1", participants=("ana", "bo")),
        Meeting(id="m2", participants=("ana", "di")),
        Meeting(id="m3", participants=("cy", "ed")),
    ]
    instance = day(meetings, slots=3, spread=0, away={"ana": ["2"]})
    assert solve(instance, time_limit=5.0, workers=1).status == "infeasible"
    relaxed = day(meetings, slots=3, spread=1, away={"ana": ["2"]})
    assert solve(relaxed, time_limit=5.0, workers=1).breaks == 1


def test_repeated_meetings_of_one_pair_are_both_scheduled():
    meetings = [Meeting(id=f"m{i}", participants=("ana", "bo")) for i in range(3)]
    schedule = solve(day(meetings, slots=3, tables=1), time_limit=5.0, workers=1)
    assert (schedule.status, schedule.breaks) == ("optimal", 0)
    assert sorted(a.slot for a in schedule.assignments) == ["1", "2", "3"]


def test_progress_goes_from_zero_to_a_hundred():
    seen: list[int] = []
    solve(generate("tight", seed=1), time_limit=2.0, workers=1, progress=seen.append)
    assert seen[0] == 0 and seen[-1] == 100
    assert seen == sorted(seen)


def test_same_seed_and_one_worker_give_the_same_schedule_when_proven():
    instance = generate("realistic", seed=3, participants=14, meetings=20, slots=8)
    first = solve(instance, time_limit=20.0, workers=1, seed=5)
    second = solve(instance, time_limit=20.0, workers=1, seed=5)
    assert first.status == "optimal"
    strip = lambda s: json.dumps({**s.to_dict(), "solve_seconds": 0}, sort_keys=True)  # noqa: E731
    assert strip(first) == strip(second)


@pytest.mark.parametrize("workers", [1, 2])
def test_same_seed_and_workers_give_the_same_schedule_when_the_time_limit_cuts_the_search(
    workers, monkeypatch
):
    # A tight day is not proven in 3 s, so the search runs to its end: it is measured in counted work
    # (clock.py), not in seconds, and two runs agree. Half the limit as work leaves the wall clock, the
    # safety net, room on a slow or busy machine.
    monkeypatch.setattr("partnerhub.engines.scheduling.clock.WORK_SHARE", 0.5)
    instance = generate("tight", seed=3)
    first = solve(instance, time_limit=3.0, workers=workers, seed=2)
    second = solve(instance, time_limit=3.0, workers=workers, seed=2)
    assert first.status == "feasible" and first.solve_seconds < 3.0
    strip = lambda s: json.dumps({**s.to_dict(), "solve_seconds": 0}, sort_keys=True)  # noqa: E731
    assert strip(first) == strip(second)
    other = solve(instance, time_limit=3.0, workers=workers, seed=3)
    assert strip(other) != strip(first)  # the seed matters


def test_stability_must_be_a_known_word():
    with pytest.raises(ValueError, match="stability"):
        solve(day([Meeting(id="m1", participants=("a", "b"))]), stability="sometimes")


# --- generated days ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("family", "seed"), [("tight", 2), ("realistic", 4)])
def test_generated_days_get_valid_schedules_with_an_honest_bound(family, seed):
    sizes = {"participants": 60, "meetings": 150, "slots": 12} if family == "realistic" else {}
    instance = generate(family, seed=seed, **sizes)
    report = solve_report(instance, time_limit=4.0, workers=2)
    schedule = report.schedule
    assert schedule.status in ("optimal", "feasible")
    verdict = check_schedule(instance, schedule)
    assert verdict.valid, verdict.violations
    assert schedule.bound is not None and schedule.bound <= schedule.breaks
    assert schedule.solve_seconds < 4.0 + 3.0  # the limit, and room for the final bookkeeping


def test_neighbourhood_steps_keep_every_hard_constraint():
    instance = generate("realistic", seed=5, participants=40, meetings=90, slots=10)
    problem = index(instance)
    start = warm_start(problem)
    assert violations(problem, start) == []
    search = Neighbourhoods(problem, start, seed=0, clock=Clock(30.0))
    before = objective(problem, start)
    for step in range(25):
        search.step(0.2, step)
        assert violations(problem, search.slots) == []
    weight, breaks = objective(problem, search.slots)
    assert weight >= before[0] and breaks <= before[1]


def test_warm_start_handles_repeated_pairs_that_block_each_other():
    meetings = [Meeting(id=f"m{i}", participants=("ana", "bo")) for i in range(2)]
    meetings.append(Meeting(id="m2", participants=("ana", "cy"), fixed_slot="1"))
    problem = index(day(meetings, slots=3, tables=1))
    slots = warm_start(problem)
    assert violations(problem, slots) == []
