"""The data of ``shared/formats/b2b-scheduling.md``: instance and schedule, and their JSON form.

Parsing is the only code the solver and the independent checker share: ``parse_instance`` and
``parse_schedule`` turn JSON data into frozen dataclasses and reject malformed input with an
:class:`InstanceError` (or :class:`ScheduleFormatError`) that names the field and the problem. No Django here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

INSTANCE_FORMAT = "partnerhub-b2b-instance/1"
SCHEDULE_FORMAT = "partnerhub-b2b-schedule/1"
SESSIONS = ("morning", "afternoon")
MEETING_SESSIONS = (*SESSIONS, "any")
STATUSES = ("optimal", "feasible", "infeasible", "unknown")


class InstanceError(ValueError):
    """A malformed instance; ``field`` is a path such as ``meetings[3].fixed_slot``."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


class ScheduleFormatError(InstanceError):
    """A malformed schedule file (the same shape of message)."""


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
            "format": INSTANCE_FORMAT,
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
class Reason:
    """One reason why no schedule exists, in a form the platform can translate.

    ``code`` is stable (``participant_overloaded``, ``fixed_clash`` ...), ``params`` holds the ids and
    counts the sentence needs (JSON values only), ``text`` is the English sentence for staff.
    """

    code: str
    params: dict[str, Any]
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "params": self.params, "text": self.text}


@dataclass(frozen=True)
class Assignment:
    meeting: str
    slot: str
    table: str


@dataclass
class Schedule:
    status: str  # one of STATUSES
    assignments: list[Assignment] = field(default_factory=list)
    unscheduled: list[str] = field(default_factory=list)
    breaks: int = 0
    optional_weight: int = 0
    bound: int | None = None
    explanation: str | None = None
    solve_seconds: float = 0.0
    # Optional extension fields (the format allows optional additions): how many meetings of a
    # previous schedule moved when re-scheduling, or None when there was no previous schedule.
    moved: int | None = None
    # Structured reasons behind ``explanation`` (an infeasible instance); written only when present.
    reasons: list[Reason] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The schedule as ``partnerhub-b2b-schedule/1`` JSON data."""
        data: dict[str, Any] = {
            "format": SCHEDULE_FORMAT,
            "status": self.status,
            "objective": {"breaks": self.breaks, "optional_weight": self.optional_weight},
            "bound": None if self.bound is None else {"breaks": self.bound},
            "assignments": [
                {"meeting": a.meeting, "slot": a.slot, "table": a.table} for a in self.assignments
            ],
            "unscheduled": list(self.unscheduled),
            "explanation": self.explanation,
            "solve_seconds": self.solve_seconds,
        }
        if self.moved is not None:
            data["moved"] = self.moved
        if self.reasons:
            data["reasons"] = [reason.to_dict() for reason in self.reasons]
        return data


# --- parsing ---------------------------------------------------------------------------------------


def _expect(value: Any, kind: type | tuple[type, ...], where: str, what: str) -> Any:
    if isinstance(value, bool) and kind in (int, (int,)):
        raise InstanceError(where, f"must be {what}, not {json.dumps(value)}")
    if not isinstance(value, kind):
        raise InstanceError(where, f"must be {what}, not {json.dumps(value)[:60]}")
    return value


def _id(value: Any, where: str) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int) or str(value) == "":
        raise InstanceError(where, "must be a non-empty string")
    return str(value)


def parse_instance(data: Any) -> Instance:
    """Validate ``partnerhub-b2b-instance/1`` data and build an :class:`Instance`.

    Every reference is checked (unknown slot, participant or meeting ids, duplicates, wrong sessions), so
    solver and checker may rely on a consistent instance.
    """
    _expect(data, dict, "instance", "a JSON object")
    if data.get("format") != INSTANCE_FORMAT:
        raise InstanceError("format", f"must be {INSTANCE_FORMAT!r}")
    name = data.get("name", "")
    if name is None:
        name = ""
    _expect(name, str, "name", "a string")

    slots: list[Slot] = []
    for i, raw in enumerate(_expect(data.get("slots"), list, "slots", "a list")):
        where = f"slots[{i}]"
        _expect(raw, dict, where, "an object")
        sid = _id(raw.get("id"), f"{where}.id")
        session = raw.get("session")
        if session not in SESSIONS:
            raise InstanceError(f"{where}.session", f"must be 'morning' or 'afternoon', not {session!r}")
        start = raw.get("start")
        if start is not None:
            _expect(start, str, f"{where}.start", "an ISO 8601 date-time")
            try:
                start = datetime.fromisoformat(start)
            except ValueError:
                raise InstanceError(f"{where}.start", f"is not an ISO 8601 date-time: {start!r}") from None
        minutes = raw.get("minutes")
        if minutes is not None and (_expect(minutes, int, f"{where}.minutes", "an integer") <= 0):
            raise InstanceError(f"{where}.minutes", "must be positive")
        slots.append(Slot(id=sid, session=session, start=start, minutes=minutes))
    if not slots:
        raise InstanceError("slots", "must list at least one slot")
    slot_ids = [s.id for s in slots]
    for i, sid in enumerate(slot_ids):
        if sid in slot_ids[:i]:
            raise InstanceError(f"slots[{i}].id", f"duplicate slot id {sid!r}")
    known_slots = set(slot_ids)

    tables = [
        _id(t, f"tables[{i}]") for i, t in enumerate(_expect(data.get("tables"), list, "tables", "a list"))
    ]
    for i, t in enumerate(tables):
        if t in tables[:i]:
            raise InstanceError(f"tables[{i}]", f"duplicate table {t!r}")

    participants: list[Participant] = []
    raw_participants = _expect(data.get("participants"), list, "participants", "a list")
    for i, raw in enumerate(raw_participants):
        where = f"participants[{i}]"
        _expect(raw, dict, where, "an object")
        pid = _id(raw.get("id"), f"{where}.id")
        away = raw.get("unavailable", [])
        if away is None:
            away = []
        _expect(away, list, f"{where}.unavailable", "a list of slot ids")
        away_ids = tuple(_id(s, f"{where}.unavailable[{j}]") for j, s in enumerate(away))
        for j, sid in enumerate(away_ids):
            if sid not in known_slots:
                raise InstanceError(f"{where}.unavailable[{j}]", f"unknown slot {sid!r}")
        participants.append(Participant(id=pid, unavailable=tuple(dict.fromkeys(away_ids))))
    pids = [p.id for p in participants]
    for i, pid in enumerate(pids):
        if pid in pids[:i]:
            raise InstanceError(f"participants[{i}].id", f"duplicate participant id {pid!r}")
    known_participants = set(pids)

    meetings: list[Meeting] = []
    for i, raw in enumerate(_expect(data.get("meetings"), list, "meetings", "a list")):
        where = f"meetings[{i}]"
        _expect(raw, dict, where, "an object")
        mid = _id(raw.get("id"), f"{where}.id")
        pair = _expect(raw.get("participants"), list, f"{where}.participants", "a list of two ids")
        if len(pair) != 2:
            raise InstanceError(
                f"{where}.participants", f"must name exactly two participants, not {len(pair)}"
            )
        a, b = (_id(p, f"{where}.participants[{j}]") for j, p in enumerate(pair))
        if a == b:
            raise InstanceError(
                f"{where}.participants", f"must be two distinct participants, not {a!r} twice"
            )
        for j, p in enumerate((a, b)):
            if p not in known_participants:
                raise InstanceError(f"{where}.participants[{j}]", f"unknown participant {p!r}")
        session = raw.get("session", "any")
        if session not in MEETING_SESSIONS:
            raise InstanceError(
                f"{where}.session", f"must be 'morning', 'afternoon' or 'any', not {session!r}"
            )
        fixed = raw.get("fixed_slot")
        if fixed is not None:
            fixed = _id(fixed, f"{where}.fixed_slot")
            if fixed not in known_slots:
                raise InstanceError(f"{where}.fixed_slot", f"unknown slot {fixed!r}")
        after_raw = raw.get("after", [])
        if after_raw is None:
            after_raw = []
        _expect(after_raw, list, f"{where}.after", "a list of meeting ids")
        after = tuple(dict.fromkeys(_id(x, f"{where}.after[{j}]") for j, x in enumerate(after_raw)))
        required = raw.get("required", True)
        _expect(required, bool, f"{where}.required", "true or false")
        weight = raw.get("weight", 1)
        _expect(weight, int, f"{where}.weight", "an integer")
        if weight < 0:
            raise InstanceError(f"{where}.weight", "must not be negative")
        meetings.append(
            Meeting(
                id=mid,
                participants=(a, b),
                session=session,
                fixed_slot=fixed,
                after=after,
                required=required,
                weight=weight,
            )
        )
    mids = [m.id for m in meetings]
    for i, mid in enumerate(mids):
        if mid in mids[:i]:
            raise InstanceError(f"meetings[{i}].id", f"duplicate meeting id {mid!r}")
    known_meetings = set(mids)
    for i, m in enumerate(meetings):
        for j, other in enumerate(m.after):
            if other not in known_meetings:
                raise InstanceError(f"meetings[{i}].after[{j}]", f"unknown meeting {other!r}")
            if other == m.id:
                raise InstanceError(f"meetings[{i}].after[{j}]", "a meeting cannot come after itself")

    objective = data.get("objective", {})
    if objective is None:
        objective = {}
    _expect(objective, dict, "objective", "an object")
    if objective.get("minimize", "breaks") != "breaks":
        raise InstanceError("objective.minimize", "must be 'breaks'")
    spread = objective.get("max_breaks_spread")
    if spread is not None and _expect(spread, int, "objective.max_breaks_spread", "an integer or null") < 0:
        raise InstanceError("objective.max_breaks_spread", "must not be negative")

    return Instance(
        slots=tuple(slots),
        tables=tuple(tables),
        participants=tuple(participants),
        meetings=tuple(meetings),
        name=name,
        max_breaks_spread=spread,
    )


def parse_schedule(data: Any) -> Schedule:
    """Read ``partnerhub-b2b-schedule/1`` data (structure only; the checker judges the content)."""
    try:
        _expect(data, dict, "schedule", "a JSON object")
        if data.get("format") != SCHEDULE_FORMAT:
            raise InstanceError("format", f"must be {SCHEDULE_FORMAT!r}")
        status = data.get("status")
        if status not in STATUSES:
            raise InstanceError("status", f"must be one of {', '.join(STATUSES)}, not {status!r}")
        objective = _expect(data.get("objective") or {}, dict, "objective", "an object")
        bound = data.get("bound")
        if bound is not None:
            _expect(bound, dict, "bound", "an object or null")
            bound_breaks = bound.get("breaks")
            bound = None if bound_breaks is None else _expect(bound_breaks, int, "bound.breaks", "an integer")
        assignments = []
        for i, raw in enumerate(_expect(data.get("assignments", []), list, "assignments", "a list")):
            where = f"assignments[{i}]"
            _expect(raw, dict, where, "an object")
            assignments.append(
                Assignment(
                    meeting=_id(raw.get("meeting"), f"{where}.meeting"),
                    slot=_id(raw.get("slot"), f"{where}.slot"),
                    table=_id(raw.get("table"), f"{where}.table"),
                )
            )
        unscheduled = [
            _id(x, f"unscheduled[{i}]")
            for i, x in enumerate(_expect(data.get("unscheduled", []) or [], list, "unscheduled", "a list"))
        ]
        breaks = objective.get("breaks", 0)
        weight = objective.get("optional_weight", 0)
        explanation = data.get("explanation")
        seconds = data.get("solve_seconds", 0.0)
        moved = data.get("moved")
        reasons = [
            Reason(code=str(r["code"]), params=dict(r.get("params") or {}), text=str(r.get("text", "")))
            for r in data.get("reasons") or []
            if isinstance(r, dict) and "code" in r
        ]
        return Schedule(
            status=status,
            assignments=assignments,
            unscheduled=unscheduled,
            breaks=_expect(breaks if breaks is not None else 0, int, "objective.breaks", "an integer"),
            optional_weight=_expect(weight or 0, int, "objective.optional_weight", "an integer"),
            bound=bound,
            explanation=explanation if isinstance(explanation, str) else None,
            solve_seconds=float(seconds) if isinstance(seconds, int | float) else 0.0,
            moved=moved if isinstance(moved, int) and not isinstance(moved, bool) else None,
            reasons=reasons,
        )
    except ScheduleFormatError:
        raise
    except InstanceError as error:
        raise ScheduleFormatError(error.field, error.problem) from None


def load_json(path: str | Path) -> Any:
    """Read a JSON file; a syntax error becomes an :class:`InstanceError` naming line and column."""
    text = Path(path).read_text(encoding="utf-8")
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise InstanceError(
            str(path), f"is not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})"
        ) from None
