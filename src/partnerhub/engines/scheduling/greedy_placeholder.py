"""A GREEDY PLACEHOLDER for the B2B scheduling engine — to be replaced by the optimal engine.

It speaks the vocabulary of ``partnerhub-b2b-instance/1`` and ``partnerhub-b2b-schedule/1`` (see
``shared/formats/b2b-scheduling.md``) so that the delegation pages can be built and used before the real
engine exists. What it does: place fixed meetings in their slots, then every other meeting (required first,
then by weight) in the earliest slot where both participants and a table are free. It never breaks a hard
constraint, but it proves nothing: its status is at best ``"feasible"``, and it does not try to minimise
breaks. Plain Python; the callers (``partnerhub.delegations.tasks``) build the instance from the database.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

ENGINE_NAME = "greedy-placeholder/1"
SESSIONS = ("morning", "afternoon")


@dataclass(frozen=True)
class Slot:
    id: str
    session: str = "morning"
    start: datetime | None = None
    minutes: int | None = None


@dataclass(frozen=True)
class Participant:
    id: str
    unavailable: tuple[str, ...] = ()


@dataclass(frozen=True)
class Meeting:
    id: str
    participants: tuple[str, str]
    session: str = "any"
    fixed_slot: str | None = None
    after: tuple[str, ...] = ()
    required: bool = True
    weight: int = 1


@dataclass(frozen=True)
class Instance:
    slots: tuple[Slot, ...]
    tables: tuple[str, ...]
    participants: tuple[Participant, ...]
    meetings: tuple[Meeting, ...]
    name: str = ""
    max_breaks_spread: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """The instance as ``partnerhub-b2b-instance/1`` JSON data."""
        return {
            "format": "partnerhub-b2b-instance/1",
            "name": self.name,
            "slots": [
                {"id": s.id, "session": s.session}
                | ({"start": s.start.isoformat()} if s.start else {})
                | ({"minutes": s.minutes} if s.minutes else {})
                for s in self.slots
            ],
            "tables": list(self.tables),
            "participants": [{"id": p.id, "unavailable": list(p.unavailable)} for p in self.participants],
            "meetings": [
                {
                    "id": m.id,
                    "participants": list(m.participants),
                    "session": m.session,
                    "fixed_slot": m.fixed_slot,
                    "after": list(m.after),
                    "required": m.required,
                    "weight": m.weight,
                }
                for m in self.meetings
            ],
            "objective": {"minimize": "breaks", "max_breaks_spread": self.max_breaks_spread},
        }


@dataclass(frozen=True)
class Assignment:
    meeting: str
    slot: str
    table: str


@dataclass
class Schedule:
    status: str  # "optimal" | "feasible" | "infeasible" | "unknown"
    assignments: list[Assignment] = field(default_factory=list)
    unscheduled: list[str] = field(default_factory=list)
    breaks: int = 0
    optional_weight: int = 0
    explanation: str | None = None
    solve_seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """The schedule as ``partnerhub-b2b-schedule/1`` JSON data."""
        return {
            "format": "partnerhub-b2b-schedule/1",
            "status": self.status,
            "objective": {"breaks": self.breaks, "optional_weight": self.optional_weight},
            "bound": None,
            "assignments": [
                {"meeting": a.meeting, "slot": a.slot, "table": a.table} for a in self.assignments
            ],
            "unscheduled": list(self.unscheduled),
            "explanation": self.explanation,
            "solve_seconds": self.solve_seconds,
        }


def breaks(instance: Instance, assignments: list[Assignment]) -> dict[str, int]:
    """``b[p]`` of the format: maximal idle runs strictly between a participant's first and last meeting."""
    order = {slot.id: i for i, slot in enumerate(instance.slots)}
    meetings = {m.id: m for m in instance.meetings}
    busy: dict[str, set[int]] = {p.id: set() for p in instance.participants}
    for a in assignments:
        for pid in meetings[a.meeting].participants:
            busy.setdefault(pid, set()).add(order[a.slot])
    result = {}
    for pid, used in busy.items():
        count = 0
        if len(used) > 1:
            ordered = sorted(used)
            count = sum(1 for a, b in zip(ordered, ordered[1:], strict=False) if b - a > 1)
        result[pid] = count
    return result


def _validate(instance: Instance) -> None:
    slot_ids = [s.id for s in instance.slots]
    if len(set(slot_ids)) != len(slot_ids):
        raise ValueError("slots: ids must be unique")
    if len(set(instance.tables)) != len(instance.tables):
        raise ValueError("tables: names must be unique")
    known = set(slot_ids)
    participants = {p.id for p in instance.participants}
    for s in instance.slots:
        if s.session not in SESSIONS:
            raise ValueError(f"slots: slot {s.id} has unknown session {s.session!r}")
    for p in instance.participants:
        if not set(p.unavailable) <= known:
            raise ValueError(f"participants: {p.id} is unavailable in an unknown slot")
    meeting_ids = {m.id for m in instance.meetings}
    if len(meeting_ids) != len(instance.meetings):
        raise ValueError("meetings: ids must be unique")
    for m in instance.meetings:
        a, b = m.participants
        if a == b or not {a, b} <= participants:
            raise ValueError(f"meetings: {m.id} needs two distinct listed participants")
        if m.session not in (*SESSIONS, "any"):
            raise ValueError(f"meetings: {m.id} has unknown session {m.session!r}")
        if m.fixed_slot is not None and m.fixed_slot not in known:
            raise ValueError(f"meetings: {m.id} is fixed to unknown slot {m.fixed_slot!r}")
        if not set(m.after) <= meeting_ids:
            raise ValueError(f"meetings: {m.id} comes after an unknown meeting")


def _dependency_order(meetings: list[Meeting]) -> list[Meeting]:
    """Meetings with every ``after`` predecessor before them; meetings in a cycle are dropped."""
    by_id = {m.id: m for m in meetings}
    placed: list[Meeting] = []
    done: set[str] = set()
    visiting: set[str] = set()

    def visit(m: Meeting) -> bool:
        if m.id in done:
            return True
        if m.id in visiting:
            return False
        visiting.add(m.id)
        ok = all(visit(by_id[p]) for p in m.after if p in by_id)
        visiting.discard(m.id)
        if ok:
            done.add(m.id)
            placed.append(m)
        return ok

    for m in meetings:
        visit(m)
    return placed


def solve(instance: Instance, *, progress: Callable[[int], None] | None = None) -> Schedule:
    """Place the instance's meetings greedily. ``progress`` is called with 0..100 as meetings are placed."""
    started = time.monotonic()
    _validate(instance)
    order = {slot.id: i for i, slot in enumerate(instance.slots)}
    unavailable = {p.id: set(p.unavailable) for p in instance.participants}
    busy: dict[str, set[str]] = {p.id: set() for p in instance.participants}
    free_tables: dict[str, list[str]] = {s.id: list(instance.tables) for s in instance.slots}
    placed: dict[str, Assignment] = {}
    unscheduled: list[str] = []

    # A meeting that a fixed meeting must follow has to take a slot before that fixed slot.
    before: dict[str, int] = {}
    for m in instance.meetings:
        if m.fixed_slot is not None:
            for p in m.after:
                before[p] = min(before.get(p, len(order)), order[m.fixed_slot])

    def obstacle(m: Meeting, slot: Slot) -> str | None:
        """Why ``m`` cannot take ``slot`` now (None: it can)."""
        if m.session != "any" and slot.session != m.session:
            return "session"
        if not free_tables[slot.id]:
            return "table"
        for pid in m.participants:
            if slot.id in unavailable[pid] or slot.id in busy[pid]:
                return "participant"
        earliest = max((order[placed[p].slot] for p in m.after if p in placed), default=-1)
        if not earliest < order[slot.id] < before.get(m.id, len(order)):
            return "after"
        return None

    def place(m: Meeting, slot: Slot) -> None:
        table = free_tables[slot.id].pop(0)
        for pid in m.participants:
            busy[pid].add(slot.id)
        placed[m.id] = Assignment(meeting=m.id, slot=slot.id, table=table)

    slots = {s.id: s for s in instance.slots}
    fixed = _dependency_order([m for m in instance.meetings if m.fixed_slot is not None])
    unscheduled.extend(m.id for m in instance.meetings if m.fixed_slot is not None and m not in fixed)
    for m in fixed:
        slot = slots[m.fixed_slot]  # type: ignore[index]
        reason = obstacle(m, slot)
        if reason is None:
            place(m, slot)
        elif m.required and reason != "after":
            # Fixed meetings are placed before any other, so this is a proof, not a greedy accident.
            return Schedule(
                status="infeasible",
                explanation=f"Fixed meeting {m.id} cannot take slot {slot.id}: "
                + {
                    "session": "the slot is of the wrong session.",
                    "table": "every table is taken by other fixed meetings.",
                    "participant": "a participant is unavailable or has another fixed meeting then.",
                }[reason],
                solve_seconds=round(time.monotonic() - started, 3),
            )
        else:
            unscheduled.append(m.id)
    rest = [m for m in instance.meetings if m.fixed_slot is None]
    rest.sort(key=lambda m: (not m.required, -m.weight))
    ordered = _dependency_order(rest)
    unscheduled.extend(m.id for m in rest if m not in ordered)
    total = max(len(ordered), 1)
    for i, m in enumerate(ordered):
        free = next((s for s in instance.slots if obstacle(m, s) is None), None)
        if free is not None:
            place(m, free)
        else:
            unscheduled.append(m.id)
        if progress is not None:
            progress(int(100 * (i + 1) / total))
    meetings = {m.id: m for m in instance.meetings}
    missing = [mid for mid in unscheduled if meetings[mid].required]
    seconds = round(time.monotonic() - started, 3)
    if missing:
        return Schedule(
            status="unknown",
            unscheduled=sorted(set(unscheduled)),
            explanation="The greedy placeholder could not place the required meeting(s) "
            + ", ".join(missing)
            + "; that does not prove that no schedule exists.",
            solve_seconds=seconds,
        )
    assignments = sorted(placed.values(), key=lambda a: (order[a.slot], instance.tables.index(a.table)))
    per_participant = breaks(instance, assignments)
    if instance.max_breaks_spread is not None and per_participant:
        low = min(per_participant.values())
        if any(b - low > instance.max_breaks_spread for b in per_participant.values()):
            return Schedule(
                status="unknown",
                unscheduled=[m.id for m in instance.meetings],
                explanation="The greedy placeholder found no schedule within the fairness limit.",
                solve_seconds=seconds,
            )
    return Schedule(
        status="feasible",
        assignments=assignments,
        unscheduled=sorted(set(unscheduled), key=lambda mid: list(meetings).index(mid)),
        breaks=sum(per_participant.values()),
        optional_weight=sum(
            meetings[a.meeting].weight for a in assignments if not meetings[a.meeting].required
        ),
        solve_seconds=seconds,
    )
