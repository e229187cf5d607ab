"""The question "is there a schedule without any break?" (``stretches.py``): relaxation and cuts."""

import dataclasses

from hypothesis import HealthCheck, given, settings

from partnerhub.engines.scheduling import solve
from partnerhub.engines.scheduling.check import check_schedule
from partnerhub.engines.scheduling.clock import Clock
from partnerhub.engines.scheduling.generate import generate
from partnerhub.engines.scheduling.model import Instance, Meeting, Participant, Slot
from partnerhub.engines.scheduling.problem import breaks_per_participant, index, violations
from partnerhub.engines.scheduling.stretches import NoBreak

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


def answer(problem, seconds=10.0):
    question = NoBreak(problem)
    question.run(Clock(60.0), seconds, 0)
    return question


def all_required(instance):
    return dataclasses.replace(
        instance, meetings=tuple(dataclasses.replace(m, required=True) for m in instance.meetings)
    )


def test_three_people_meeting_each_other_in_three_slots_cannot_all_go_without_a_break():
    # Whichever meeting comes second, the person in the first and the third has a gap. Each person alone
    # could meet twice in a row, so the per-participant bound is 0; the engine proves 1 optimal.
    triangle = day([("ana", "bo"), ("bo", "cy"), ("ana", "cy")])
    question = answer(index(triangle))
    assert question.impossible and question.found is None
    schedule = solve(triangle, time_limit=5.0, workers=2)
    assert (schedule.status, schedule.breaks, schedule.bound) == ("optimal", 1, 1)


def test_a_chain_of_meetings_gets_a_schedule_without_a_break():
    problem = index(day([("ana", "bo"), ("bo", "cy"), ("cy", "dan")], slots=3, tables=2))
    question = answer(problem)
    assert not question.impossible and question.found is not None
    assert violations(problem, question.found) == []
    assert sum(breaks_per_participant(problem, question.found)) == 0


def test_it_does_not_apply_while_a_meeting_is_optional():
    question = answer(index(day([("ana", "bo"), ("bo", "cy"), ("ana", "cy")], required=False)))
    assert not question.applies and not question.impossible and question.found is None


def test_tight_day_3_has_no_schedule_without_a_break_though_each_person_alone_could():
    question = answer(index(all_required(generate("tight", seed=3))))
    assert question.impossible


def test_tight_day_5_is_proven_optimal_by_a_schedule_without_any_break():
    # The annealer alone stops at 1 break there; the cuts find a schedule with none, which the checker
    # accepts, and a schedule without breaks is optimal.
    instance = generate("tight", seed=5)
    schedule = solve(instance, time_limit=20.0, workers=2)
    assert (schedule.status, schedule.breaks, schedule.bound) == ("optimal", 0, 0)
    assert check_schedule(instance, schedule).valid


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_instances())
def test_its_answers_agree_with_brute_force(instance):
    required = all_required(instance)
    problem = index(required)
    question = answer(problem, seconds=5.0)
    best = brute_force(required)  # (optional weight, -breaks) of the optimum, or None without a schedule
    if question.found is not None:
        assert violations(problem, question.found) == []
        assert sum(breaks_per_participant(problem, question.found)) == 0
    if question.impossible:
        assert best is None or best[1] < 0
    if best is not None and best[1] == 0 and question.applies:
        assert question.found is not None  # tiny days are decided well within the budget
