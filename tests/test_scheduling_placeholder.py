"""The greedy placeholder scheduler: whatever the instance, its schedule keeps every hard constraint."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from partnerhub.engines.scheduling.greedy_placeholder import (
    Assignment,
    Instance,
    Meeting,
    Participant,
    Slot,
    breaks,
    solve,
)


@st.composite
def instances(draw, *, with_fixed=True, with_after=False):
    n_slots = draw(st.integers(1, 8))
    slots = tuple(
        Slot(id=str(i + 1), session="morning" if i < n_slots // 2 else "afternoon") for i in range(n_slots)
    )
    tables = tuple(f"T{i}" for i in range(draw(st.integers(1, 3))))
    ids = [f"p{i}" for i in range(draw(st.integers(2, 7)))]
    slot_ids = [s.id for s in slots]
    participants = tuple(
        Participant(id=p, unavailable=tuple(sorted(draw(st.sets(st.sampled_from(slot_ids), max_size=3)))))
        for p in ids
    )
    meetings = []
    for i in range(draw(st.integers(0, 12))):
        pair = draw(st.lists(st.sampled_from(ids), min_size=2, max_size=2, unique=True))
        fixed = draw(st.sampled_from(slot_ids)) if with_fixed and draw(st.integers(0, 4)) == 0 else None
        after = ()
        if with_after and meetings and draw(st.booleans()):
            after = (draw(st.sampled_from([m.id for m in meetings])),)
        meetings.append(
            Meeting(
                id=f"m{i}",
                participants=tuple(pair),
                session=draw(st.sampled_from(["any", "any", "morning", "afternoon"])),
                fixed_slot=fixed,
                after=after,
                required=fixed is not None,
                weight=draw(st.integers(1, 3)),
            )
        )
    return Instance(slots=slots, tables=tables, participants=participants, meetings=tuple(meetings))


def violations(instance: Instance, assignments: list[Assignment]) -> list[str]:
    """An independent check of the format's hard constraints 1–5."""
    problems = []
    meetings = {m.id: m for m in instance.meetings}
    slots = {s.id: s for s in instance.slots}
    order = {s.id: i for i, s in enumerate(instance.slots)}
    unavailable = {p.id: set(p.unavailable) for p in instance.participants}
    seen_meetings, seen_people, seen_tables = set(), set(), set()
    where = {a.meeting: a for a in assignments}
    for a in assignments:
        m = meetings[a.meeting]
        if a.meeting in seen_meetings:
            problems.append(f"{a.meeting} scheduled twice")
        seen_meetings.add(a.meeting)
        if a.table not in instance.tables:
            problems.append(f"{a.meeting} at unknown table")
        if (a.slot, a.table) in seen_tables:
            problems.append(f"table {a.table} double-booked in slot {a.slot}")
        seen_tables.add((a.slot, a.table))
        for p in m.participants:
            if (a.slot, p) in seen_people:
                problems.append(f"{p} double-booked in slot {a.slot}")
            seen_people.add((a.slot, p))
            if a.slot in unavailable[p]:
                problems.append(f"{p} unavailable in slot {a.slot}")
        if m.session != "any" and slots[a.slot].session != m.session:
            problems.append(f"{a.meeting} in the wrong session")
        if m.fixed_slot is not None and a.slot != m.fixed_slot:
            problems.append(f"{a.meeting} not in its fixed slot")
        for p in m.after:
            if p in where and order[where[p].slot] >= order[a.slot]:
                problems.append(f"{a.meeting} not after {p}")
    for m in instance.meetings:
        if m.required and m.id not in where:
            problems.append(f"required {m.id} missing")
    return problems


@settings(max_examples=300, deadline=None)
@given(instances(with_after=True))
def test_a_schedule_never_breaks_a_hard_constraint(instance):
    schedule = solve(instance)
    assert schedule.status in {"feasible", "infeasible", "unknown"}
    if schedule.status == "feasible":
        assert violations(instance, schedule.assignments) == []
        placed = {a.meeting for a in schedule.assignments}
        assert placed | set(schedule.unscheduled) == {m.id for m in instance.meetings}
        assert not placed & set(schedule.unscheduled)
    else:
        assert schedule.assignments == []
        assert schedule.explanation


@settings(max_examples=200, deadline=None)
@given(instances(with_fixed=False))
def test_without_fixed_meetings_every_instance_gets_a_valid_schedule(instance):
    schedule = solve(instance)
    assert schedule.status == "feasible"
    assert violations(instance, schedule.assignments) == []


@settings(max_examples=200, deadline=None)
@given(instances())
def test_fixed_meetings_keep_their_slot_or_the_instance_is_called_infeasible(instance):
    schedule = solve(instance)
    fixed = {m.id: m.fixed_slot for m in instance.meetings if m.fixed_slot}
    if schedule.status == "feasible":
        assert {a.meeting: a.slot for a in schedule.assignments if a.meeting in fixed} == fixed


def test_a_participant_is_never_placed_where_they_are_unavailable():
    instance = Instance(
        slots=(Slot("1"), Slot("2")),
        tables=("A",),
        participants=(Participant("p1", unavailable=("1",)), Participant("p2")),
        meetings=(Meeting("m1", ("p1", "p2"), required=False),),
    )
    assert [(a.slot, a.table) for a in solve(instance).assignments] == [("2", "A")]


def test_only_the_meetings_given_are_scheduled_and_a_full_slot_spills_over():
    instance = Instance(
        slots=(Slot("1"), Slot("2")),
        tables=("A",),
        participants=(Participant("p1"), Participant("p2"), Participant("p3"), Participant("p4")),
        meetings=(Meeting("m1", ("p1", "p2"), required=False), Meeting("m2", ("p3", "p4"), required=False)),
    )
    schedule = solve(instance)
    assert {(a.meeting, a.slot) for a in schedule.assignments} == {("m1", "1"), ("m2", "2")}


def test_two_fixed_meetings_of_one_participant_in_one_slot_are_infeasible():
    instance = Instance(
        slots=(Slot("1"),),
        tables=("A", "B"),
        participants=(Participant("p1"), Participant("p2"), Participant("p3")),
        meetings=(Meeting("m1", ("p1", "p2"), fixed_slot="1"), Meeting("m2", ("p1", "p3"), fixed_slot="1")),
    )
    schedule = solve(instance)
    assert schedule.status == "infeasible"
    assert "m2" in schedule.explanation


def test_too_many_meetings_leave_some_unscheduled_never_double_booked():
    people = tuple(Participant(f"p{i}") for i in range(3))
    meetings = tuple(Meeting(f"m{i}", ("p0", f"p{i}"), required=False) for i in (1, 2))
    schedule = solve(Instance(slots=(Slot("1"),), tables=("A", "B"), participants=people, meetings=meetings))
    assert len(schedule.assignments) == 1
    assert schedule.unscheduled == ["m2"]


def test_breaks_count_idle_runs_between_first_and_last_meeting():
    slots = tuple(Slot(str(i)) for i in range(1, 7))
    people = (Participant("a"), Participant("b"))
    meetings = tuple(Meeting(f"m{i}", ("a", "b")) for i in range(3))
    placed = [Assignment("m0", "1", "T"), Assignment("m1", "3", "T"), Assignment("m2", "6", "T")]
    assert breaks(Instance(slots, ("T",), people, meetings), placed) == {"a": 2, "b": 2}


def test_progress_is_reported_up_to_100():
    seen = []
    instance = Instance(
        slots=(Slot("1"),),
        tables=("A",),
        participants=(Participant("p1"), Participant("p2")),
        meetings=(Meeting("m1", ("p1", "p2"), required=False),),
    )
    solve(instance, progress=seen.append)
    assert seen[-1] == 100


def test_a_meeting_with_an_unknown_participant_is_refused():
    instance = Instance(
        slots=(Slot("1"),),
        tables=("A",),
        participants=(Participant("p1"),),
        meetings=(Meeting("m1", ("p1", "x")),),
    )
    with pytest.raises(ValueError, match="m1"):
        solve(instance)


def test_instance_and_schedule_speak_the_shared_format():
    instance = Instance(
        slots=(Slot("1", minutes=20),),
        tables=("A",),
        participants=(Participant("p1"), Participant("p2")),
        meetings=(Meeting("m1", ("p1", "p2")),),
    )
    assert instance.to_dict()["format"] == "partnerhub-b2b-instance/1"
    data = solve(instance).to_dict()
    assert data["format"] == "partnerhub-b2b-schedule/1"
    assert data["assignments"] == [{"meeting": "m1", "slot": "1", "table": "A"}]
