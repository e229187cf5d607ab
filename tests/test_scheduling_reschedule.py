"""Re-scheduling a published day after a change: as few meetings move as the chosen order allows."""

from __future__ import annotations

import dataclasses

import pytest

from partnerhub.engines.scheduling import solve
from partnerhub.engines.scheduling.check import check_schedule
from partnerhub.engines.scheduling.generate import generate
from partnerhub.engines.scheduling.model import Assignment, Instance, Meeting, Participant, Schedule, Slot


@pytest.fixture(scope="module")
def published() -> tuple[Instance, Schedule]:
    instance = generate("realistic", seed=11, participants=24, meetings=50, slots=10)
    schedule = solve(instance, time_limit=20.0, workers=2)
    assert schedule.status in ("optimal", "feasible")
    return instance, schedule


def placed(schedule: Schedule) -> dict[str, Assignment]:
    return {a.meeting: a for a in schedule.assignments}


def without_participant(instance: Instance, pid: str) -> Instance:
    gone = {m.id for m in instance.meetings if pid in m.participants}
    meetings = tuple(
        dataclasses.replace(m, after=tuple(a for a in m.after if a not in gone))
        for m in instance.meetings
        if m.id not in gone
    )
    participants = tuple(p for p in instance.participants if p.id != pid)
    return dataclasses.replace(instance, participants=participants, meetings=meetings)


def busiest(instance: Instance) -> str:
    counts: dict[str, int] = {}
    for m in instance.meetings:
        for p in m.participants:
            counts[p] = counts.get(p, 0) + 1
    return max(sorted(counts), key=lambda p: counts[p])


def test_without_a_previous_schedule_nothing_is_reported_as_moved(published):
    _, schedule = published
    assert schedule.moved is None
    assert "moved" not in schedule.to_dict()


def test_cancelled_participant_moves_nothing_when_stability_comes_first(published):
    instance, old = published
    changed = without_participant(instance, busiest(instance))
    new = solve(changed, time_limit=10.0, workers=2, previous=old, stability="first")
    assert check_schedule(changed, new).valid
    assert new.moved == 0
    before = placed(old)
    for a in new.assignments:  # slot and table kept
        assert (a.slot, a.table) == (before[a.meeting].slot, before[a.meeting].table)


def test_cancelled_participant_with_breaks_first_is_as_good_as_planning_afresh(published):
    instance, old = published
    changed = without_participant(instance, busiest(instance))
    fresh = solve(changed, time_limit=20.0, workers=2)
    new = solve(changed, time_limit=20.0, workers=2, previous=old)
    assert check_schedule(changed, new).valid
    assert new.moved is not None
    if fresh.status == new.status == "optimal":
        assert (new.optional_weight, new.breaks) == (fresh.optional_weight, fresh.breaks)


def test_new_meeting_is_fitted_in_without_moving_others(published):
    instance, old = published
    before = placed(old)
    order = [s.id for s in instance.slots]
    busy = {(p, before[m.id].slot) for m in instance.meetings if m.id in before for p in m.participants}
    load = {s: sum(1 for a in old.assignments if a.slot == s) for s in order}
    away = {p.id: set(p.unavailable) for p in instance.participants}
    people = [p.id for p in instance.participants]
    # Two people who are both free in some slot with a table left: the new meeting fits there.
    pair, slot = next(
        ((a, b), s)
        for a in people
        for b in people
        if a < b
        for s in order
        if load[s] < len(instance.tables) and not {(a, s), (b, s)} & busy and s not in away[a] | away[b]
    )
    extra = Meeting(id="m-new", participants=pair)
    changed = dataclasses.replace(instance, meetings=(*instance.meetings, extra))
    new = solve(changed, time_limit=10.0, workers=2, previous=old, stability="first")
    assert check_schedule(changed, new).valid
    assert new.moved == 0
    assert "m-new" in placed(new)


def test_lost_table_moves_only_the_meetings_that_no_longer_fit(published):
    instance, old = published
    loads = {s.id: sum(1 for a in old.assignments if a.slot == s.id) for s in instance.slots}
    fewer = len(instance.tables) - 1
    forced = sum(max(0, n - fewer) for n in loads.values())
    changed = dataclasses.replace(instance, tables=instance.tables[:fewer])
    new = solve(changed, time_limit=10.0, workers=2, previous=old, stability="first")
    assert check_schedule(changed, new).valid
    assert new.moved is not None and new.moved >= forced
    before = placed(old)
    kept = [a for a in new.assignments if before[a.meeting].slot == a.slot]
    for a in kept:  # a meeting that kept its slot kept its table too, if that table still exists
        if before[a.meeting].table in changed.tables:
            assert a.table == before[a.meeting].table


def small_day(away: dict[str, list[str]] | None = None) -> Instance:
    meetings = (
        Meeting(id="m1", participants=("ana", "bo")),
        Meeting(id="m2", participants=("ana", "cy")),
    )
    return Instance(
        slots=tuple(Slot(id=str(s), session="morning") for s in range(1, 5)),
        tables=("T1",),
        participants=tuple(
            Participant(id=p, unavailable=tuple((away or {}).get(p, ()))) for p in ("ana", "bo", "cy")
        ),
        meetings=meetings,
    )


def test_secondary_stability_closes_a_break_first_stability_keeps_the_old_slots():
    previous = Schedule(
        status="feasible",
        assignments=[Assignment("m1", "1", "T1"), Assignment("m2", "3", "T1")],
        breaks=1,
    )
    instance = small_day()
    secondary = solve(instance, time_limit=5.0, workers=1, previous=previous)
    assert (secondary.status, secondary.breaks, secondary.moved) == ("optimal", 0, 1)
    first = solve(instance, time_limit=5.0, workers=1, previous=previous, stability="first")
    assert (first.status, first.breaks, first.moved) == ("optimal", 1, 0)
    assert first.bound == first.breaks


def test_a_previous_slot_that_no_longer_exists_counts_as_moved():
    previous = Schedule(
        status="feasible",
        assignments=[Assignment("m1", "9", "T1"), Assignment("m2", "2", "T1")],
    )
    schedule = solve(small_day(), time_limit=5.0, workers=1, previous=previous, stability="first")
    assert schedule.moved == 1
    assert placed(schedule)["m2"].slot == "2"
