"""An instance in index form, and the solver's own judge of a slot assignment.

The solver works with integers: slot ``s`` is the position in ``instance.slots``, meeting ``m`` and
participant ``p`` positions in their lists. A *slot assignment* is a list with, per meeting, its slot index
or ``None`` (left out). Tables are not part of it: any slot assignment with at most ``len(tables)`` meetings
per slot can be given tables afterwards (:func:`assign_tables`), because tables are interchangeable.

:func:`violations` re-checks every hard constraint of the format on a slot assignment; the solver runs it on
whatever it is about to return, so that a modelling slip can never reach a user as a "valid" schedule.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .model import Assignment, Instance, Meeting

SlotAssignment = Sequence[int | None]


@dataclass(frozen=True)
class Problem:
    instance: Instance
    slot_ids: tuple[str, ...]
    slot_session: tuple[str, ...]
    participant_ids: tuple[str, ...]
    meetings: tuple[Meeting, ...]
    pairs: tuple[tuple[int, int], ...]  # participant indices of each meeting
    allowed: tuple[tuple[int, ...], ...]  # per meeting: slots its session, both people and fixed_slot allow
    of_participant: tuple[tuple[int, ...], ...]  # per participant: its meetings
    preds: tuple[tuple[int, ...], ...]  # per meeting: meetings that must take an earlier slot
    n_tables: int
    spread: int | None
    # For the sub-problems of the neighbourhood search (``lns.py``): tables left per slot, and which
    # participants' breaks count (the others only hold fixed meetings). Empty: n_tables / everyone.
    capacity: tuple[int, ...] = ()
    counted: tuple[bool, ...] = ()

    @property
    def n_slots(self) -> int:
        return len(self.slot_ids)

    def tables_in(self, s: int) -> int:
        return self.capacity[s] if self.capacity else self.n_tables

    def counts(self, p: int) -> bool:
        return not self.counted or self.counted[p]

    def required(self, m: int) -> bool:
        return self.meetings[m].required

    def describe(self, m: int) -> str:
        """``m12 (p7 with p9)``: how a meeting is named in explanations."""
        a, b = self.meetings[m].participants
        return f"{self.meetings[m].id} ({a} with {b})"


def index(instance: Instance) -> Problem:
    slot_ids = tuple(s.id for s in instance.slots)
    slot_of = {sid: i for i, sid in enumerate(slot_ids)}
    sessions = tuple(s.session for s in instance.slots)
    pids = tuple(p.id for p in instance.participants)
    p_of = {pid: i for i, pid in enumerate(pids)}
    away = [{slot_of[s] for s in p.unavailable} for p in instance.participants]
    m_of = {m.id: i for i, m in enumerate(instance.meetings)}
    pairs: list[tuple[int, int]] = []
    allowed: list[tuple[int, ...]] = []
    mine: list[list[int]] = [[] for _ in pids]
    for i, m in enumerate(instance.meetings):
        a, b = p_of[m.participants[0]], p_of[m.participants[1]]
        pairs.append((a, b))
        mine[a].append(i)
        mine[b].append(i)
        candidates = range(len(slot_ids)) if m.fixed_slot is None else (slot_of[m.fixed_slot],)
        allowed.append(
            tuple(
                s
                for s in candidates
                if (m.session == "any" or sessions[s] == m.session) and s not in away[a] and s not in away[b]
            )
        )
    return Problem(
        instance=instance,
        slot_ids=slot_ids,
        slot_session=sessions,
        participant_ids=pids,
        meetings=instance.meetings,
        pairs=tuple(pairs),
        allowed=tuple(allowed),
        of_participant=tuple(tuple(ms) for ms in mine),
        preds=tuple(tuple(m_of[x] for x in m.after) for m in instance.meetings),
        n_tables=len(instance.tables),
        spread=instance.max_breaks_spread,
    )


def runs_breaks(busy: Sequence[int]) -> int:
    """Breaks of one participant busy in the (sorted, distinct) slots ``busy``."""
    return sum(1 for a, b in zip(busy, busy[1:], strict=False) if b - a > 1)


def busy_slots(problem: Problem, slots: SlotAssignment) -> list[list[int]]:
    busy: list[list[int]] = [[] for _ in problem.participant_ids]
    for m, s in enumerate(slots):
        if s is not None:
            for p in problem.pairs[m]:
                busy[p].append(s)
    for b in busy:
        b.sort()
    return busy


def breaks_per_participant(problem: Problem, slots: SlotAssignment) -> list[int]:
    return [runs_breaks(b) for b in busy_slots(problem, slots)]


def objective(problem: Problem, slots: SlotAssignment) -> tuple[int, int]:
    """``(optional weight, total breaks)`` of a slot assignment."""
    weight = sum(
        problem.meetings[m].weight for m, s in enumerate(slots) if s is not None and not problem.required(m)
    )
    return weight, sum(breaks_per_participant(problem, slots))


def moved(previous: dict[int, int | None], slots: SlotAssignment) -> int:
    """How many previously placed meetings (``previous``: meeting → old slot or None) lost their slot."""
    return sum(1 for m, old in previous.items() if old is not None and slots[m] != old)


def violations(problem: Problem, slots: SlotAssignment) -> list[str]:
    """Every hard constraint a slot assignment breaks (empty: it is a valid schedule)."""
    found: list[str] = []
    per_slot = [0] * problem.n_slots
    for m, s in enumerate(slots):
        if s is None:
            if problem.required(m):
                found.append(f"required meeting {problem.meetings[m].id} is not scheduled")
            continue
        if s not in problem.allowed[m]:
            found.append(f"meeting {problem.meetings[m].id} may not take slot {problem.slot_ids[s]}")
        per_slot[s] += 1
        for a in problem.preds[m]:
            if slots[a] is not None and slots[a] >= s:  # type: ignore[operator]
                found.append(f"meeting {problem.meetings[a].id} is not before {problem.meetings[m].id}")
    for s, count in enumerate(per_slot):
        if count > problem.n_tables:
            found.append(f"slot {problem.slot_ids[s]} holds {count} meetings for {problem.n_tables} tables")
    busy = busy_slots(problem, slots)
    for p, b in enumerate(busy):
        if len(set(b)) != len(b):
            found.append(f"participant {problem.participant_ids[p]} has two meetings in one slot")
    if problem.spread is not None and busy:
        per = [runs_breaks(b) for b in busy]
        if max(per) - min(per) > problem.spread:
            found.append(f"breaks spread {max(per) - min(per)} exceeds {problem.spread}")
    return found


def assign_tables(
    problem: Problem, slots: SlotAssignment, keep: dict[int, str] | None = None
) -> list[Assignment]:
    """Tables for a slot assignment with at most ``n_tables`` meetings per slot.

    Exact: tables are interchangeable, so any such slot assignment has a table assignment. ``keep``
    (meeting → table of a previous schedule) is honoured first where the table still exists and is free;
    the others take the free tables in list order. Meetings are handled in instance order, so the result
    depends only on the slot assignment.
    """
    keep = keep or {}
    tables = problem.instance.tables
    known = set(tables)
    taken: list[set[str]] = [set() for _ in problem.slot_ids]
    chosen: dict[int, str] = {}
    for m, s in enumerate(slots):
        if s is not None and keep.get(m) in known and keep[m] not in taken[s]:
            chosen[m] = keep[m]
            taken[s].add(keep[m])
    for m, s in enumerate(slots):
        if s is not None and m not in chosen:
            table = next(t for t in tables if t not in taken[s])
            chosen[m] = table
            taken[s].add(table)
    table_order = {t: i for i, t in enumerate(tables)}
    result = [
        Assignment(meeting=problem.meetings[m].id, slot=problem.slot_ids[s], table=chosen[m])
        for m, s in enumerate(slots)
        if s is not None
    ]
    slot_order = {sid: i for i, sid in enumerate(problem.slot_ids)}
    result.sort(key=lambda a: (slot_order[a.slot], table_order[a.table]))
    return result
