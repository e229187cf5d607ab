"""The independent checker of ``partnerhub-b2b-schedule/1`` against its instance.

It shares nothing with the solver but the parsed dataclasses of :mod:`.model`: constraints and the
objective (breaks, optional weight) are computed here from the format's text, so that a solver bug cannot
hide behind a helper it shares with its own judge. ``partnerhub schedule solve`` runs it on every result
before writing, and ``partnerhub schedule check`` exposes it.

What a schedule must satisfy depends on its status:

- ``optimal`` / ``feasible``: every hard constraint of the format, ``unscheduled`` naming exactly the
  meetings without an assignment, the claimed objective equal to the computed one, and ``bound.breaks`` a
  lower bound (equal to the breaks when optimal).
- ``infeasible`` / ``unknown``: no schedule is claimed, so ``assignments`` must be empty; ``unscheduled``
  may only name known meetings.

No Django here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from .model import Assignment, Instance, Schedule

SCHEDULED_STATUSES = ("optimal", "feasible")


@dataclass(frozen=True)
class Violation:
    """One broken rule; ``kind`` is a stable short name, ``message`` a sentence for a staff member."""

    kind: str
    message: str

    def __str__(self) -> str:
        return self.message


Add = Callable[[Violation], None]


@dataclass
class CheckResult:
    """What the checker found. ``breaks`` and ``optional_weight`` are None when no schedule is claimed."""

    violations: list[Violation] = field(default_factory=list)
    breaks: int | None = None
    optional_weight: int | None = None
    participant_breaks: dict[str, int] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return not self.violations

    def kinds(self) -> list[str]:
        return [v.kind for v in self.violations]


def participant_breaks(instance: Instance, busy_slots: Mapping[str, Iterable[str]]) -> dict[str, int]:
    """``b[p]`` for every listed participant, from the slot ids in which each one has a meeting.

    A break is a maximal run of idle slots strictly between p's first and last meeting, in the order of
    ``instance.slots`` and across sessions; unavailable slots are idle like any other.
    """
    position = {slot.id: i for i, slot in enumerate(instance.slots)}
    result: dict[str, int] = {}
    for participant in instance.participants:
        used = sorted({position[s] for s in busy_slots.get(participant.id, ())})
        result[participant.id] = sum(1 for a, b in zip(used, used[1:], strict=False) if b - a > 1)
    return result


def _names(ids: Sequence[str]) -> str:
    return ", ".join(ids[:-1]) + " and " + ids[-1] if len(ids) > 1 else ids[0]


def check_schedule(instance: Instance, schedule: Schedule) -> CheckResult:
    """Every violation of ``schedule`` against ``instance`` (in a stable order) and the computed objective."""
    result = CheckResult()
    add = result.violations.append
    meetings = {m.id: m for m in instance.meetings}

    seen_unscheduled: set[str] = set()
    for mid in schedule.unscheduled:
        if mid not in meetings:
            add(
                Violation("unknown-meeting", f"Unscheduled meeting {mid!r} is not a meeting of the instance.")
            )
        elif mid in seen_unscheduled:
            add(Violation("unscheduled-twice", f"Meeting {mid} is listed twice as unscheduled."))
        seen_unscheduled.add(mid)

    if schedule.status not in SCHEDULED_STATUSES:
        if schedule.assignments:
            add(
                Violation(
                    "assignments-without-schedule",
                    f"The status is {schedule.status}, yet the schedule has {len(schedule.assignments)} "
                    "assignment(s); it must have none.",
                )
            )
        return result

    placed = _check_assignments(instance, schedule.assignments, add)
    for m in instance.meetings:
        if m.required and m.id not in placed:
            add(Violation("required-missing", f"Required meeting {m.id} is not scheduled."))
    _check_unscheduled(instance, placed, seen_unscheduled, add)
    _check_participants(instance, placed, add)
    _check_tables(instance, placed, add)
    _check_sessions_and_fixed(instance, placed, add)
    _check_precedence(instance, placed, add)

    busy: dict[str, list[str]] = {}
    for mid, a in placed.items():
        for pid in meetings[mid].participants:
            busy.setdefault(pid, []).append(a.slot)
    per_participant = participant_breaks(instance, busy)
    result.participant_breaks = per_participant
    result.breaks = sum(per_participant.values())
    result.optional_weight = sum(meetings[mid].weight for mid in placed if not meetings[mid].required)
    _check_fairness(instance, per_participant, add)
    _check_objective(schedule, result.breaks, result.optional_weight, add)
    return result


def _check_assignments(instance: Instance, assignments: list[Assignment], add: Add) -> dict[str, Assignment]:
    """Assignments naming known meetings, slots and tables; the first one of each meeting counts."""
    meetings = {m.id for m in instance.meetings}
    slots = {s.id for s in instance.slots}
    tables = set(instance.tables)
    placed: dict[str, Assignment] = {}
    for i, a in enumerate(assignments):
        ok = True
        if a.meeting not in meetings:
            add(Violation("unknown-meeting", f"Assignment {i} names unknown meeting {a.meeting!r}."))
            ok = False
        if a.slot not in slots:
            add(Violation("unknown-slot", f"Meeting {a.meeting} is assigned to unknown slot {a.slot!r}."))
            ok = False
        if a.table not in tables:
            add(Violation("unknown-table", f"Meeting {a.meeting} is assigned to unknown table {a.table!r}."))
            ok = False
        if a.meeting in placed:
            first = placed[a.meeting]
            add(
                Violation(
                    "meeting-twice",
                    f"Meeting {a.meeting} is scheduled twice: slot {first.slot} at table {first.table} "
                    f"and slot {a.slot} at table {a.table}.",
                )
            )
        elif ok:
            placed[a.meeting] = a
    return placed


def _check_unscheduled(
    instance: Instance, placed: dict[str, Assignment], unscheduled: set[str], add: Add
) -> None:
    for m in instance.meetings:
        if m.id in placed and m.id in unscheduled:
            add(
                Violation(
                    "unscheduled-mismatch",
                    f"Meeting {m.id} is listed as unscheduled but is assigned to slot {placed[m.id].slot}.",
                )
            )
        elif m.id not in placed and m.id not in unscheduled:
            add(
                Violation(
                    "unscheduled-mismatch",
                    f"Meeting {m.id} has no assignment but is not listed as unscheduled.",
                )
            )


def _check_participants(instance: Instance, placed: dict[str, Assignment], add: Add) -> None:
    meetings = {m.id: m for m in instance.meetings}
    unavailable = {p.id: set(p.unavailable) for p in instance.participants}
    order = {s.id: i for i, s in enumerate(instance.slots)}
    where: dict[tuple[str, str], list[str]] = {}
    for mid, a in placed.items():
        for pid in meetings[mid].participants:
            where.setdefault((pid, a.slot), []).append(mid)
            if a.slot in unavailable[pid]:
                add(
                    Violation(
                        "participant-unavailable",
                        f"Participant {pid} is unavailable in slot {a.slot} but meets in {mid} then.",
                    )
                )
    for (pid, sid), mids in sorted(where.items(), key=lambda item: (item[0][0], order[item[0][1]])):
        if len(mids) > 1:
            add(
                Violation(
                    "participant-double-booked",
                    f"Participant {pid} has {len(mids)} meetings in slot {sid}: {_names(sorted(mids))}.",
                )
            )


def _check_tables(instance: Instance, placed: dict[str, Assignment], add: Add) -> None:
    order = {s.id: i for i, s in enumerate(instance.slots)}
    where: dict[tuple[str, str], list[str]] = {}
    for mid, a in placed.items():
        where.setdefault((a.table, a.slot), []).append(mid)
    for (table, sid), mids in sorted(where.items(), key=lambda item: (item[0][0], order[item[0][1]])):
        if len(mids) > 1:
            add(
                Violation(
                    "table-double-booked",
                    f"Table {table} holds {len(mids)} meetings in slot {sid}: {_names(sorted(mids))}.",
                )
            )


def _check_sessions_and_fixed(instance: Instance, placed: dict[str, Assignment], add: Add) -> None:
    session = {s.id: s.session for s in instance.slots}
    for m in instance.meetings:
        a = placed.get(m.id)
        if a is None:
            continue
        if m.session != "any" and session[a.slot] != m.session:
            add(
                Violation(
                    "wrong-session",
                    f"Meeting {m.id} belongs to the {m.session} session but takes slot {a.slot} "
                    f"({session[a.slot]}).",
                )
            )
        if m.fixed_slot is not None and a.slot != m.fixed_slot:
            add(
                Violation(
                    "fixed-slot-moved",
                    f"Meeting {m.id} is fixed to slot {m.fixed_slot} but takes slot {a.slot}.",
                )
            )


def _check_precedence(instance: Instance, placed: dict[str, Assignment], add: Add) -> None:
    """``after`` holds between scheduled meetings; a left-out optional meeting voids it.

    A left-out *required* meeting is already a violation of its own, so it is not reported twice here.
    """
    order = {s.id: i for i, s in enumerate(instance.slots)}
    for m in instance.meetings:
        a = placed.get(m.id)
        if a is None:
            continue
        for earlier in m.after:
            b = placed.get(earlier)
            if b is not None and not order[b.slot] < order[a.slot]:
                add(
                    Violation(
                        "precedence",
                        f"Meeting {m.id} must come after {earlier}, but {earlier} takes slot {b.slot} "
                        f"and {m.id} slot {a.slot}.",
                    )
                )


def _check_fairness(instance: Instance, per_participant: dict[str, int], add: Add) -> None:
    limit = instance.max_breaks_spread
    if limit is None or not per_participant:
        return
    # The minimum is over all listed participants, including those with no meeting at all (0 breaks).
    low_id = min(per_participant, key=lambda p: (per_participant[p], p))
    low = per_participant[low_id]
    for pid, b in per_participant.items():
        if b - low > limit:
            add(
                Violation(
                    "fairness",
                    f"Participant {pid} has {b} breaks while participant {low_id} has {low}; "
                    f"the spread {b - low} exceeds the fairness limit {limit}.",
                )
            )


def _check_objective(schedule: Schedule, breaks: int, optional_weight: int, add: Add) -> None:
    if schedule.breaks != breaks:
        add(
            Violation(
                "objective-breaks",
                f"The schedule claims {schedule.breaks} breaks but has {breaks}.",
            )
        )
    if schedule.optional_weight != optional_weight:
        add(
            Violation(
                "objective-weight",
                f"The schedule claims an optional weight of {schedule.optional_weight} but its scheduled "
                f"optional meetings weigh {optional_weight}.",
            )
        )
    if schedule.bound is not None and schedule.bound > breaks:
        add(
            Violation(
                "bound",
                f"The bound of {schedule.bound} breaks exceeds the schedule's {breaks} breaks.",
            )
        )
    if schedule.status == "optimal" and schedule.bound != breaks:
        shown = "missing" if schedule.bound is None else f"{schedule.bound} breaks"
        add(
            Violation(
                "bound",
                f"The status is optimal, so the bound must equal the {breaks} breaks; it is {shown}.",
            )
        )


def first_violation(instance: Instance, schedule: Schedule) -> Violation | None:
    """The first violation the checker names, or None for a valid schedule."""
    violations = check_schedule(instance, schedule).violations
    return violations[0] if violations else None


__all__ = [
    "CheckResult",
    "Violation",
    "check_schedule",
    "first_violation",
    "participant_breaks",
]
