"""The first-come-first-served baseline: earliest slot in request order, never a broken constraint."""

from partnerhub.engines.scheduling import greedy
from partnerhub.engines.scheduling.check import check_schedule
from partnerhub.engines.scheduling.model import parse_instance


def _instance(meetings, *, slots=4, tables=("A", "B"), unavailable=None, spread=None):
    unavailable = unavailable or {}
    names = sorted({p for m in meetings for p in m["participants"]})
    return parse_instance(
        {
            "format": "partnerhub-b2b-instance/1",
            "slots": [
                {"id": str(i + 1), "session": "morning" if i < slots // 2 else "afternoon"}
                for i in range(slots)
            ],
            "tables": list(tables),
            "participants": [{"id": p, "unavailable": unavailable.get(p, [])} for p in names],
            "meetings": meetings,
            "objective": {"minimize": "breaks", "max_breaks_spread": spread},
        }
    )


def _m(mid, a, b, **extra):
    return {"id": mid, "participants": [a, b], **extra}


def _slots(schedule):
    return {a.meeting: a.slot for a in schedule.assignments}


def test_meetings_take_the_earliest_free_slot_in_request_order():
    inst = _instance([_m("m1", "p1", "p2"), _m("m2", "p1", "p3"), _m("m3", "p4", "p5"), _m("m4", "p2", "p3")])
    schedule = greedy.solve(inst)
    assert schedule.status == "feasible"
    # m4 (p2, p3): p2 is busy in 1, p3 in 2, so 3 is the earliest; m3 shares slot 1 at the second table.
    assert _slots(schedule) == {"m1": "1", "m2": "2", "m3": "1", "m4": "3"}
    assert check_schedule(inst, schedule).valid


def test_a_full_slot_pushes_the_next_request_to_a_later_slot():
    inst = _instance([_m("m1", "p1", "p2"), _m("m2", "p3", "p4")], tables=("A",))
    assert _slots(greedy.solve(inst)) == {"m1": "1", "m2": "2"}


def test_unavailability_session_fixed_slot_and_order_are_respected():
    inst = _instance(
        [
            _m("m1", "p1", "p2", after=["m2"]),
            _m("m2", "p3", "p4"),
            _m("m3", "p5", "p6", session="afternoon"),
            _m("m4", "p7", "p8", fixed_slot="4"),
            _m("m5", "p9", "p10"),
        ],
        unavailable={"p9": ["1", "2"]},
    )
    schedule = greedy.solve(inst)
    assert _slots(schedule) == {"m1": "2", "m2": "1", "m3": "3", "m4": "4", "m5": "3"}
    assert check_schedule(inst, schedule).valid


def test_a_successor_requested_first_is_booked_after_its_predecessors():
    inst = _instance(
        [_m("m3", "p5", "p6", after=["m2"]), _m("m2", "p3", "p4", after=["m1"]), _m("m1", "p1", "p2")]
    )
    schedule = greedy.solve(inst)
    assert _slots(schedule) == {"m3": "3", "m2": "2", "m1": "1"}
    assert check_schedule(inst, schedule).valid


def test_a_predecessor_is_booked_first_even_when_its_earliest_slot_is_late():
    inst = _instance([_m("m2", "p3", "p4", after=["m1"]), _m("m1", "p1", "p2")], unavailable={"p1": ["1"]})
    assert _slots(greedy.solve(inst)) == {"m1": "2", "m2": "3"}


def test_a_predecessor_of_a_fixed_meeting_without_an_earlier_slot_is_not_placed():
    inst = _instance(
        [_m("m2", "p3", "p4", after=["m1"], fixed_slot="2"), _m("m1", "p1", "p2")], unavailable={"p1": ["1"]}
    )
    schedule = greedy.solve(inst)
    assert schedule.status == "unknown" and "m1" in schedule.explanation
    assert not schedule.assignments and check_schedule(inst, schedule).valid


def test_meetings_ordered_in_a_cycle_are_not_placed():
    inst = _instance([_m("m1", "p1", "p2", after=["m2"]), _m("m2", "p3", "p4", after=["m1"])])
    schedule = greedy.solve(inst)
    assert schedule.status == "unknown" and "m1" in schedule.explanation and "m2" in schedule.explanation


def test_fixed_meetings_are_entered_before_the_requests():
    inst = _instance([_m("m1", "p1", "p2"), _m("m2", "p1", "p3", fixed_slot="1")])
    assert _slots(greedy.solve(inst)) == {"m1": "2", "m2": "1"}


def test_an_optional_meeting_without_room_is_left_out():
    inst = _instance([_m("m1", "p1", "p2"), _m("m2", "p1", "p2", required=False, weight=3)], slots=1)
    schedule = greedy.solve(inst)
    assert schedule.status == "feasible" and schedule.unscheduled == ["m2"] and schedule.optional_weight == 0
    assert check_schedule(inst, schedule).valid


def test_a_required_meeting_without_room_makes_the_result_unknown_not_infeasible():
    inst = _instance([_m("m1", "p1", "p2"), _m("m2", "p1", "p3")], slots=1)
    schedule = greedy.solve(inst)
    assert schedule.status == "unknown"
    assert "m2" in schedule.explanation and "does not prove" in schedule.explanation
    assert check_schedule(inst, schedule).valid


def test_an_unfair_placement_is_not_reported_as_a_schedule():
    # p1 meets p2 first, then p3 can only join in slot 3 after p2-p3: p1 gets a break, others none.
    meetings = [_m("m1", "p1", "p2"), _m("m2", "p2", "p3"), _m("m3", "p1", "p3")]
    fair = _instance(meetings, spread=1)
    assert greedy.solve(fair).status == "feasible"
    strict = _instance(meetings, spread=0)
    schedule = greedy.solve(strict)
    assert schedule.status == "unknown" and "fairness" in schedule.explanation
    assert not schedule.assignments


def test_the_objective_it_reports_is_the_one_the_checker_computes():
    inst = _instance(
        [
            _m("m1", "p1", "p2"),
            _m("m2", "p2", "p3"),
            _m("m3", "p1", "p3"),
            _m("m4", "p4", "p5", required=False),
        ]
    )
    schedule = greedy.solve(inst)
    result = check_schedule(inst, schedule)
    assert result.valid, result.violations
    assert (schedule.breaks, schedule.optional_weight) == (result.breaks, result.optional_weight) == (1, 1)
