"""The bound across people (``stretches.py``): is a schedule without any break out of reach?"""

import dataclasses

from hypothesis import HealthCheck, given, settings

from partnerhub.engines.scheduling import solve
from partnerhub.engines.scheduling.clock import Clock
from partnerhub.engines.scheduling.generate import generate
from partnerhub.engines.scheduling.model import Instance, Meeting, Participant, Slot
from partnerhub.engines.scheduling.problem import index
from partnerhub.engines.scheduling.stretches import every_schedule_has_a_break

from .test_scheduling_properties import brute_force, tiny_instances


def day(pairs, *, slots=3, tables=1, required=True):
    people = sorted({p for pair in pairs for p in pair})
    return Instance(
        slots=tuple(Slot(id=str(i + 1), session="morning") for i in range(slots)),
        tables=tuple(f"T{i}" for i in range(tables)),
        participants=tuple(Participant(id=p) for p in people),
        meetings=tuple(
            Meeting(id=f"m{i}", participants=pair, required=required, weight=1)
            for i, pair in enumerate(pairs)
        ),
    )


def has_a_break(instance):
    return every_schedule_has_a_break(index(instance), Clock(10.0), 5.0, 0)


def test_three_people_meeting_each_other_in_three_slots_cannot_all_go_without_a_break():
    # Whichever meeting comes second, the person in the first and the third has a gap. Each person alone
    # could meet twice in a row, so the per-participant bound is 0; the engine proves 1 optimal.
    triangle = day([("ana", "bo"), ("bo", "cy"), ("ana", "cy")])
    assert has_a_break(triangle)
    schedule = solve(triangle, time_limit=5.0, workers=1)
    assert (schedule.status, schedule.breaks, schedule.bound) == ("optimal", 1, 1)


def test_a_chain_of_meetings_can_go_without_a_break():
    assert not has_a_break(day([("ana", "bo"), ("bo", "cy")], slots=2))


def test_it_says_nothing_while_a_meeting_is_optional():
    assert not has_a_break(day([("ana", "bo"), ("bo", "cy"), ("ana", "cy")], required=False))


def test_it_proves_what_the_per_participant_bound_cannot_on_a_tight_day():
    # Benchmark tight day #3: every person alone could meet without a break, but not all of them at once.
    problem = index(generate("tight", seed=3))
    problem = dataclasses.replace(
        problem, meetings=tuple(dataclasses.replace(m, required=True) for m in problem.meetings)
    )
    assert every_schedule_has_a_break(problem, Clock(30.0), 10.0, 0)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_instances())
def test_it_never_claims_a_break_where_brute_force_finds_a_schedule_without_one(instance):
    required = dataclasses.replace(
        instance, meetings=tuple(dataclasses.replace(m, required=True) for m in instance.meetings)
    )
    best = brute_force(required)
    if best is not None and best[1] == 0:  # (optional weight, -breaks): a schedule with no break exists
        assert not has_a_break(required)
