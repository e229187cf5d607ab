"""The independent schedule checker: every violation it names, and the format's definition of breaks."""

import pytest

from partnerhub.engines.scheduling.check import check_schedule, first_violation, participant_breaks
from partnerhub.engines.scheduling.model import Assignment, Schedule, parse_instance


def _instance(meetings, *, slots=6, tables=("A", "B"), unavailable=None, spread=None, participants=None):
    """Slots "1".."n" (first half morning), participants p1.. named in the meetings (or given)."""
    unavailable = unavailable or {}
    names = participants or sorted({p for m in meetings for p in m["participants"]})
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


def _schedule(instance, placed, *, status="feasible", breaks=None, weight=None, bound=None, unscheduled=None):
    """A schedule from ``{meeting: (slot, table)}``; objective and unscheduled are made consistent unless given."""
    assignments = [Assignment(meeting=m, slot=s, table=t) for m, (s, t) in placed.items()]
    if unscheduled is None:
        unscheduled = [m.id for m in instance.meetings if m.id not in placed]
    schedule = Schedule(status=status, assignments=assignments, unscheduled=unscheduled, bound=bound)
    truth = check_schedule(instance, schedule)
    schedule.breaks = truth.breaks if breaks is None else breaks
    schedule.optional_weight = truth.optional_weight if weight is None else weight
    return schedule


def _kinds(instance, schedule):
    return check_schedule(instance, schedule).kinds()


PAIR = [_m("m1", "p1", "p2"), _m("m2", "p1", "p3"), _m("m3", "p2", "p3")]


def test_a_valid_schedule_has_no_violation_and_its_objective():
    inst = _instance(PAIR)
    sched = _schedule(inst, {"m1": ("1", "A"), "m2": ("2", "A"), "m3": ("3", "A")})
    result = check_schedule(inst, sched)
    assert result.valid, result.violations
    # p2 meets in 1 and 3: one break; p1 (1, 2) and p3 (2, 3) none.
    assert result.participant_breaks == {"p1": 0, "p2": 1, "p3": 0}
    assert (result.breaks, result.optional_weight) == (1, 0)
    assert first_violation(inst, sched) is None


def test_required_meeting_left_out_is_named():
    inst = _instance(PAIR)
    sched = _schedule(inst, {"m1": ("1", "A"), "m2": ("2", "A")})
    violation = first_violation(inst, sched)
    assert violation is not None and violation.kind == "required-missing"
    assert "m3" in violation.message


def test_optional_meeting_may_be_left_out_and_counts_its_weight_when_scheduled():
    inst = _instance([_m("m1", "p1", "p2"), _m("m2", "p1", "p3", required=False, weight=4)])
    assert check_schedule(inst, _schedule(inst, {"m1": ("1", "A")})).valid
    result = check_schedule(inst, _schedule(inst, {"m1": ("1", "A"), "m2": ("2", "A")}))
    assert result.valid and result.optional_weight == 4


def test_meeting_scheduled_twice_is_a_violation():
    inst = _instance(PAIR)
    sched = _schedule(inst, {"m1": ("1", "A"), "m2": ("2", "A"), "m3": ("3", "A")})
    sched.assignments.append(Assignment(meeting="m1", slot="5", table="B"))
    violation = first_violation(inst, sched)
    assert violation.kind == "meeting-twice" and "m1" in violation.message and "5" in violation.message


@pytest.mark.parametrize(
    ("assignment", "kind", "named"),
    [
        (Assignment("m9", "1", "A"), "unknown-meeting", "m9"),
        (Assignment("m3", "99", "A"), "unknown-slot", "99"),
        (Assignment("m3", "3", "Z"), "unknown-table", "Z"),
    ],
)
def test_unknown_meeting_slot_or_table_in_assignments_is_named(assignment, kind, named):
    inst = _instance(PAIR)
    sched = _schedule(inst, {"m1": ("1", "A"), "m2": ("2", "A")}, unscheduled=[])
    sched.assignments.append(assignment)
    kinds = _kinds(inst, sched)
    assert kinds[0] == kind
    assert named in check_schedule(inst, sched).violations[0].message


def test_participant_in_two_meetings_at_once_is_named():
    inst = _instance(PAIR)
    sched = _schedule(inst, {"m1": ("1", "A"), "m2": ("1", "B"), "m3": ("3", "A")})
    violation = first_violation(inst, sched)
    assert violation.kind == "participant-double-booked"
    assert "p1" in violation.message and "slot 1" in violation.message and "m1 and m2" in violation.message


def test_participant_meeting_in_an_unavailable_slot_is_named():
    inst = _instance(PAIR, unavailable={"p3": ["2"]})
    sched = _schedule(inst, {"m1": ("1", "A"), "m2": ("2", "A"), "m3": ("3", "A")})
    violation = first_violation(inst, sched)
    assert violation.kind == "participant-unavailable"
    assert "p3" in violation.message and "slot 2" in violation.message and "m2" in violation.message


def test_table_with_two_meetings_in_a_slot_is_named():
    inst = _instance([_m("m1", "p1", "p2"), _m("m2", "p3", "p4")])
    sched = _schedule(inst, {"m1": ("1", "A"), "m2": ("1", "A")})
    violation = first_violation(inst, sched)
    assert violation.kind == "table-double-booked"
    assert "Table A" in violation.message and "m1 and m2" in violation.message


def test_meeting_outside_its_session_is_named():
    inst = _instance([_m("m1", "p1", "p2", session="afternoon"), _m("m2", "p3", "p4", session="morning")])
    ok = _schedule(inst, {"m1": ("4", "A"), "m2": ("3", "A")})
    assert check_schedule(inst, ok).valid
    bad = _schedule(inst, {"m1": ("3", "A"), "m2": ("3", "B")})
    violation = first_violation(inst, bad)
    assert (
        violation.kind == "wrong-session" and "m1" in violation.message and "afternoon" in violation.message
    )


def test_fixed_meeting_in_another_slot_is_named():
    inst = _instance([_m("m1", "p1", "p2", fixed_slot="2")])
    assert check_schedule(inst, _schedule(inst, {"m1": ("2", "A")})).valid
    violation = first_violation(inst, _schedule(inst, {"m1": ("1", "A")}))
    assert violation.kind == "fixed-slot-moved" and "slot 2" in violation.message


@pytest.mark.parametrize(("first", "second"), [("2", "2"), ("3", "2")])
def test_meeting_not_strictly_after_its_predecessor_is_named(first, second):
    inst = _instance([_m("m1", "p1", "p2"), _m("m2", "p3", "p4", after=["m1"])])
    assert check_schedule(inst, _schedule(inst, {"m1": ("1", "A"), "m2": ("2", "A")})).valid
    violation = first_violation(inst, _schedule(inst, {"m1": (first, "A"), "m2": (second, "B")}))
    assert violation.kind == "precedence" and "m2" in violation.message and "m1" in violation.message


def test_precedence_on_a_left_out_optional_meeting_is_void():
    inst = _instance([_m("m1", "p1", "p2", required=False), _m("m2", "p3", "p4", after=["m1"])])
    assert check_schedule(inst, _schedule(inst, {"m2": ("1", "A")})).valid


def test_precedence_of_a_left_out_optional_successor_is_void():
    inst = _instance([_m("m1", "p1", "p2"), _m("m2", "p3", "p4", after=["m1"], required=False)])
    assert check_schedule(inst, _schedule(inst, {"m1": ("6", "A")})).valid


def test_left_out_required_predecessor_is_reported_once_as_missing():
    inst = _instance([_m("m1", "p1", "p2"), _m("m2", "p3", "p4", after=["m1"])])
    assert _kinds(inst, _schedule(inst, {"m2": ("1", "A")})) == ["required-missing"]


def test_fairness_spread_above_the_limit_is_named():
    meetings = [_m("m1", "p1", "p2"), _m("m2", "p1", "p3"), _m("m3", "p1", "p4")]
    inst = _instance(meetings, spread=1)
    # p1 meets in 1, 3, 5: two breaks; everyone else none.
    sched = _schedule(inst, {"m1": ("1", "A"), "m2": ("3", "A"), "m3": ("5", "A")})
    violation = first_violation(inst, sched)
    assert violation.kind == "fairness" and "p1" in violation.message and "2 breaks" in violation.message
    inst_two = _instance(meetings, spread=2)
    assert check_schedule(
        inst_two, _schedule(inst_two, {"m1": ("1", "A"), "m2": ("3", "A"), "m3": ("5", "A")})
    ).valid


def test_fairness_minimum_is_taken_over_every_listed_participant_even_without_meetings():
    # p1 and p2 both have one break; p9 has no meeting at all, so the minimum is 0, not 1.
    meetings = [_m("m1", "p1", "p2"), _m("m2", "p1", "p2")]
    inst = _instance(meetings, spread=0, participants=["p1", "p2", "p9"])
    sched = _schedule(inst, {"m1": ("1", "A"), "m2": ("3", "A")})
    assert _kinds(inst, sched) == ["fairness", "fairness"]
    inst_without = _instance(meetings, spread=0)
    assert check_schedule(inst_without, _schedule(inst_without, {"m1": ("1", "A"), "m2": ("3", "A")})).valid


def test_unscheduled_must_name_exactly_the_meetings_without_assignment():
    inst = _instance(PAIR + [_m("m4", "p1", "p4", required=False)])
    placed = {"m1": ("1", "A"), "m2": ("2", "A"), "m3": ("3", "A")}
    assert check_schedule(inst, _schedule(inst, placed)).valid
    forgotten = _schedule(inst, placed, unscheduled=[])
    violation = first_violation(inst, forgotten)
    assert violation.kind == "unscheduled-mismatch" and "m4" in violation.message
    wrongly_listed = _schedule(inst, placed, unscheduled=["m4", "m2"])
    violation = first_violation(inst, wrongly_listed)
    assert violation.kind == "unscheduled-mismatch" and "m2" in violation.message
    assert _kinds(inst, _schedule(inst, placed, unscheduled=["m4", "m4"]))[0] == "unscheduled-twice"
    assert _kinds(inst, _schedule(inst, placed, unscheduled=["m4", "zz"]))[0] == "unknown-meeting"


def test_claimed_objective_must_equal_the_computed_one():
    inst = _instance(PAIR + [_m("m4", "p1", "p4", required=False, weight=3)])
    placed = {"m1": ("1", "A"), "m2": ("2", "A"), "m3": ("3", "A"), "m4": ("4", "A")}
    assert check_schedule(inst, _schedule(inst, placed)).breaks == 2  # p1: 1 2 . 4 ; p2: 1 . 3
    violation = first_violation(inst, _schedule(inst, placed, breaks=1))
    assert (
        violation.kind == "objective-breaks"
        and "claims 1" in violation.message
        and "has 2" in violation.message
    )
    violation = first_violation(inst, _schedule(inst, placed, weight=0))
    assert violation.kind == "objective-weight" and "3" in violation.message


def test_bound_may_not_exceed_the_breaks_and_equals_them_when_optimal():
    inst = _instance(PAIR)
    placed = {"m1": ("1", "A"), "m2": ("2", "A"), "m3": ("3", "A")}  # 1 break
    assert check_schedule(inst, _schedule(inst, placed, bound=0)).valid
    assert check_schedule(inst, _schedule(inst, placed, bound=None)).valid
    assert check_schedule(inst, _schedule(inst, placed, status="optimal", bound=1)).valid
    assert _kinds(inst, _schedule(inst, placed, bound=2)) == ["bound"]
    assert _kinds(inst, _schedule(inst, placed, status="optimal", bound=0)) == ["bound"]
    assert _kinds(inst, _schedule(inst, placed, status="optimal", bound=None)) == ["bound"]


@pytest.mark.parametrize("status", ["infeasible", "unknown"])
def test_no_schedule_statuses_must_have_no_assignments(status):
    inst = _instance(PAIR)
    empty = Schedule(status=status, unscheduled=["m1", "m2", "m3"], explanation="no")
    result = check_schedule(inst, empty)
    assert result.valid and result.breaks is None
    with_assignments = Schedule(status=status, assignments=[Assignment("m1", "1", "A")])
    violation = first_violation(inst, with_assignments)
    assert violation.kind == "assignments-without-schedule" and status in violation.message


# --- breaks, as the format defines them ----------------------------------------------------------------


def _breaks(slots_of_p1, n_slots=8, unavailable=()):
    inst = _instance(
        [_m("m1", "p1", "p2")],
        slots=n_slots,
        unavailable={"p1": list(unavailable)},
        participants=["p1", "p2"],
    )
    return participant_breaks(inst, {"p1": slots_of_p1})["p1"]


def test_three_idle_slots_in_a_row_are_one_break():
    assert _breaks(["1", "5"]) == 1


def test_idle_slots_before_the_first_and_after_the_last_meeting_count_nothing():
    assert _breaks(["3", "4", "5"]) == 0
    assert _breaks(["8"]) == 0
    assert _breaks([]) == 0


def test_each_maximal_idle_run_between_meetings_is_a_break():
    assert _breaks(["1", "3", "4", "7", "8"]) == 2


def test_unavailable_slots_are_idle_like_any_other():
    assert _breaks(["1", "3"], unavailable=["2"]) == 1


def test_breaks_run_across_sessions_in_slot_order():
    # Slots 1-4 morning, 5-8 afternoon: meetings in 4 and 5 are adjacent, in 4 and 6 one break apart.
    assert _breaks(["4", "5"]) == 0
    assert _breaks(["4", "6"]) == 1


def test_breaks_follow_the_list_order_of_slots_not_their_ids():
    inst = parse_instance(
        {
            "format": "partnerhub-b2b-instance/1",
            "slots": [{"id": sid, "session": "morning"} for sid in ("c", "a", "b")],
            "tables": ["A"],
            "participants": [{"id": "p1"}, {"id": "p2"}],
            "meetings": [_m("m1", "p1", "p2")],
        }
    )
    assert participant_breaks(inst, {"p1": ["c", "a"]})["p1"] == 0
    assert participant_breaks(inst, {"p1": ["c", "b"]})["p1"] == 1


def test_total_breaks_sum_over_participants():
    meetings = [_m("m1", "p1", "p2"), _m("m2", "p1", "p2"), _m("m3", "p1", "p3")]
    inst = _instance(meetings)
    result = check_schedule(inst, _schedule(inst, {"m1": ("1", "A"), "m2": ("3", "A"), "m3": ("6", "A")}))
    assert result.participant_breaks == {"p1": 2, "p2": 1, "p3": 0}
    assert result.breaks == 3
