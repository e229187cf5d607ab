"""Why a day cannot be scheduled: every kind of reason the engine gives, each named with its ids."""

from __future__ import annotations

import pytest

from partnerhub.engines.scheduling import diagnose, solve
from partnerhub.engines.scheduling.model import Instance, Meeting, Participant, Slot
from partnerhub.engines.scheduling.problem import index


def day(
    meetings: list[tuple[str, str] | Meeting],
    *,
    slots: int = 4,
    morning: int | None = None,
    tables: int = 3,
    away: dict[str, list[str]] | None = None,
    spread: int | None = None,
) -> Instance:
    """Slots "1".."n" (the first ``morning`` of them in the morning), tables T1.., people from the meetings."""
    morning = slots if morning is None else morning
    built = [
        m if isinstance(m, Meeting) else Meeting(id=f"m{i + 1}", participants=m)
        for i, m in enumerate(meetings)
    ]
    people = sorted({p for m in built for p in m.participants})
    away = away or {}
    return Instance(
        slots=tuple(
            Slot(id=str(s + 1), session="morning" if s < morning else "afternoon") for s in range(slots)
        ),
        tables=tuple(f"T{t + 1}" for t in range(tables)),
        participants=tuple(Participant(id=p, unavailable=tuple(away.get(p, ()))) for p in people),
        meetings=tuple(built),
        max_breaks_spread=spread,
    )


def reasons_of(instance: Instance) -> list:
    schedule = solve(instance, time_limit=5.0, workers=1)
    assert schedule.status == "infeasible"
    assert schedule.assignments == []
    assert schedule.explanation == " ".join(r.text for r in schedule.reasons)
    return schedule.reasons


def only(reasons: list, code: str):
    found = [r for r in reasons if r.code == code]
    assert found, [r.code for r in reasons]
    return found[0]


def test_participant_with_more_required_meetings_than_free_slots_is_named():
    instance = day([("ana", "bo"), ("ana", "cy"), ("ana", "di")], slots=3, away={"ana": ["2"]})
    reason = only(reasons_of(instance), "participant_overloaded")
    assert reason.params == {"participant": "ana", "meetings": 3, "slots": 2}
    assert "ana has 3 required meetings but is available in only 2 slots" in reason.text


def test_participant_overloaded_in_one_session_is_named_with_the_session():
    meetings = [Meeting(id=f"m{i}", participants=("ana", p), session="morning") for i, p in enumerate("xyz")]
    reason = only(reasons_of(day(meetings, slots=4, morning=2)), "participant_overloaded_in_session")
    assert reason.params == {"participant": "ana", "session": "morning", "meetings": 3, "slots": 2}


def test_required_meetings_that_only_fit_too_few_slots_are_listed():
    # ana is free everywhere, but her partners are each free only in slot 1 or 2.
    instance = day(
        [("ana", "bo"), ("ana", "cy"), ("ana", "di")],
        slots=4,
        away={"bo": ["3", "4"], "cy": ["3", "4"], "di": ["3", "4"]},
    )
    reason = only(reasons_of(instance), "participant_meetings_do_not_fit")
    assert reason.params["participant"] == "ana"
    assert sorted(reason.params["meetings"]) == ["m1", "m2", "m3"]
    assert reason.params["slots"] == ["1", "2"]


def test_fixed_slot_where_a_participant_is_unavailable_is_named():
    meetings = [Meeting(id="m1", participants=("ana", "bo"), fixed_slot="2")]
    reason = only(reasons_of(day(meetings, away={"bo": ["2"]})), "fixed_slot_unavailable")
    assert reason.params == {"meeting": "m1", "slot": "2", "participant": "bo"}
    assert "bo is unavailable then" in reason.text


def test_fixed_slot_of_the_wrong_session_is_named():
    meetings = [Meeting(id="m1", participants=("ana", "bo"), fixed_slot="4", session="morning")]
    reason = only(reasons_of(day(meetings, slots=4, morning=2)), "fixed_slot_wrong_session")
    assert reason.params["slot_session"] == "afternoon"
    assert reason.params["meeting_session"] == "morning"


def test_two_fixed_meetings_of_one_person_in_one_slot_are_named():
    meetings = [
        Meeting(id="m1", participants=("ana", "bo"), fixed_slot="1"),
        Meeting(id="m2", participants=("ana", "cy"), fixed_slot="1"),
    ]
    reason = only(reasons_of(day(meetings)), "fixed_clash")
    assert reason.params == {"participant": "ana", "slot": "1", "meetings": ["m1", "m2"]}


def test_more_meetings_fixed_to_a_slot_than_tables_is_named():
    meetings = [Meeting(id=f"m{i}", participants=(f"a{i}", f"b{i}"), fixed_slot="1") for i in range(3)]
    reason = only(reasons_of(day(meetings, tables=2)), "fixed_over_tables")
    assert reason.params == {"slot": "1", "meetings": 3, "tables": 2}


def test_fixed_meetings_in_the_wrong_order_are_named():
    meetings = [
        Meeting(id="m1", participants=("ana", "bo"), fixed_slot="3"),
        Meeting(id="m2", participants=("cy", "di"), fixed_slot="2", after=("m1",)),
    ]
    reason = only(reasons_of(day(meetings)), "fixed_order_contradiction")
    assert reason.params == {"meeting": "m2", "slot": "2", "before": "m1", "before_slot": "3"}


def test_meeting_without_any_common_free_slot_is_named():
    instance = day([("ana", "bo")], slots=2, away={"ana": ["1"], "bo": ["2"]})
    reason = only(reasons_of(instance), "no_possible_slot")
    assert reason.params == {"meeting": "m1", "participants": ["ana", "bo"], "session": "any"}


def test_more_required_meetings_than_places_is_named():
    instance = day([(f"a{i}", f"b{i}") for i in range(5)], slots=2, tables=2)
    reason = only(reasons_of(instance), "tables_overloaded")
    assert reason.params == {"meetings": 5, "tables": 2, "slots": 2}


def test_session_with_more_meetings_than_places_is_named():
    meetings = [Meeting(id=f"m{i}", participants=(f"a{i}", f"b{i}"), session="afternoon") for i in range(3)]
    reason = only(reasons_of(day(meetings, slots=3, morning=2, tables=2)), "session_tables_overloaded")
    assert reason.params == {"session": "afternoon", "meetings": 3, "tables": 2, "slots": 1}


def test_cycle_of_required_meetings_is_named():
    meetings = [
        Meeting(id="m1", participants=("ana", "bo"), after=("m3",)),
        Meeting(id="m2", participants=("cy", "di"), after=("m1",)),
        Meeting(id="m3", participants=("ed", "fe"), after=("m2",)),
    ]
    reason = only(reasons_of(day(meetings)), "precedence_cycle")
    assert sorted(reason.params["meetings"]) == ["m1", "m2", "m3"]


def test_chain_longer_than_the_day_is_named():
    meetings = [Meeting(id="m1", participants=("a", "b"))]
    meetings += [
        Meeting(id=f"m{i}", participants=(f"p{i}", f"q{i}"), after=(f"m{i - 1}",)) for i in range(2, 5)
    ]
    reason = only(reasons_of(day(meetings, slots=3)), "precedence_chain_too_long")
    assert reason.params["meetings"] == ["m1", "m2", "m3", "m4"]
    assert reason.params["last_slot"] == "3"


def test_optional_meetings_never_make_a_day_impossible():
    meetings = [
        Meeting(id="m1", participants=("ana", "bo"), fixed_slot="1", required=False),
        Meeting(id="m2", participants=("ana", "cy"), fixed_slot="1"),
    ]
    assert diagnose.precheck(index(day(meetings))) == []
    assert solve(day(meetings), time_limit=5.0, workers=1).status == "optimal"


def spread_day() -> Instance:
    # ana can only meet in slots 1, 3 and 5: two breaks. cy has one meeting: zero breaks.
    away = {"ana": ["2", "4"]}
    return day([("ana", "bo"), ("ana", "di"), ("ana", "ed"), ("cy", "fe")], slots=5, away=away, spread=1)


def test_fairness_that_cannot_be_kept_is_named_with_the_smallest_spread_possible():
    reason = only(reasons_of(spread_day()), "spread_unattainable")
    assert reason.params["spread"] == 1
    assert reason.params["smallest"] == 2


def test_meetings_that_cannot_all_fit_together_are_named_as_a_small_set():
    # Three people who all meet each other need three slots; there are two. Each one alone is fine.
    instance = day([("ana", "bo"), ("bo", "cy"), ("ana", "cy"), ("di", "ed")], slots=2)
    assert diagnose.precheck(index(instance)) == []
    reason = only(reasons_of(instance), "meetings_conflict")
    assert reason.params["meetings"] == ["m1", "m2", "m3"]
    assert reason.params["participants"] == ["ana", "bo", "cy"]


def test_without_time_to_name_causes_the_proof_is_still_reported():
    instance = day([("ana", "bo"), ("bo", "cy"), ("ana", "cy")], slots=2)
    reasons = diagnose.explain(index(instance), seconds=0.0, workers=1, seed=0)
    assert [r.code for r in reasons] == ["no_schedule"]


@pytest.mark.parametrize("pairs", [1, 20])
def test_long_lists_of_reasons_are_shortened_in_the_text(pairs):
    # Every pair meets twice in a one-slot day: both people are overloaded.
    meetings = [(f"a{i}", f"b{i}") for i in range(pairs)] * 2
    reasons = diagnose.precheck(index(day(meetings, slots=1, tables=100)))
    assert len(reasons) == 2 * pairs
    text = diagnose.explanation_text(reasons)
    assert text.startswith(reasons[0].text)
    assert ("more reasons" in text) == (len(reasons) > diagnose.MAX_REASONS)
