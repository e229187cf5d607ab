"""Reasons that prove a day impossible before any search, in words staff can act on.

Each check is a necessary condition the instance breaks — a proof on its own — so when one fires the
solver answers ``infeasible`` at once: a participant with more required meetings than free slots (overall,
per session, or given when each partner is free: a Hall violator of the bipartite matching), fixed slots
that are unavailable, of the wrong session, clashing or over the tables, meetings with no possible slot,
more required meetings than tables × slots (overall or per session), and ``after`` links among required
meetings that form a cycle or a chain no order of slots can hold. Every reason is a
:class:`~.model.Reason` with a stable code and parameters (``delegations/meetings/explanations.py``
translates them).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from .bounds import hall_violation
from .model import Reason
from .problem import Problem


def _ids(values: Sequence[str]) -> str:
    return ", ".join(values)


def _session_phrase(session: str) -> str:
    return "" if session == "any" else f"{session} "


def _fixed(problem: Problem) -> list[Reason]:
    reasons: list[Reason] = []
    slot_of = {sid: i for i, sid in enumerate(problem.slot_ids)}
    away = [set(p.unavailable) for p in problem.instance.participants]
    at: dict[tuple[int, int], list[int]] = defaultdict(list)  # (participant, slot) -> fixed meetings
    per_slot: dict[int, int] = defaultdict(int)
    for m, meeting in enumerate(problem.meetings):
        if meeting.fixed_slot is None or not meeting.required:
            continue
        s = slot_of[meeting.fixed_slot]
        session = problem.slot_session[s]
        if meeting.session not in ("any", session):
            reasons.append(
                Reason(
                    "fixed_slot_wrong_session",
                    {
                        "meeting": meeting.id,
                        "slot": meeting.fixed_slot,
                        "slot_session": session,
                        "meeting_session": meeting.session,
                    },
                    f"Meeting {problem.describe(m)} is fixed to slot {meeting.fixed_slot}, a {session} slot, "
                    f"but it must take place in the {meeting.session}.",
                )
            )
        for p in problem.pairs[m]:
            at[p, s].append(m)
            if meeting.fixed_slot in away[p]:
                pid = problem.participant_ids[p]
                reasons.append(
                    Reason(
                        "fixed_slot_unavailable",
                        {"meeting": meeting.id, "slot": meeting.fixed_slot, "participant": pid},
                        f"Meeting {problem.describe(m)} is fixed to slot {meeting.fixed_slot}, "
                        f"but {pid} is unavailable then.",
                    )
                )
        per_slot[s] += 1
    for (p, s), ms in sorted(at.items()):
        if len(ms) > 1:
            pid, sid = problem.participant_ids[p], problem.slot_ids[s]
            names = [problem.meetings[m].id for m in ms]
            reasons.append(
                Reason(
                    "fixed_clash",
                    {"participant": pid, "slot": sid, "meetings": names},
                    f"{pid} has {len(ms)} required meetings fixed to the same slot {sid}: {_ids(names)}.",
                )
            )
    for s, count in sorted(per_slot.items()):
        if count > problem.n_tables:
            sid = problem.slot_ids[s]
            reasons.append(
                Reason(
                    "fixed_over_tables",
                    {"slot": sid, "meetings": count, "tables": problem.n_tables},
                    f"Slot {sid} has {count} required meetings fixed to it but only {problem.n_tables} "
                    f"table{'s' if problem.n_tables != 1 else ''}.",
                )
            )
    for m, meeting in enumerate(problem.meetings):
        if meeting.fixed_slot is None or not meeting.required:
            continue
        for a in problem.preds[m]:
            before = problem.meetings[a]
            if before.required and before.fixed_slot is not None:
                if slot_of[before.fixed_slot] >= slot_of[meeting.fixed_slot]:
                    reasons.append(
                        Reason(
                            "fixed_order_contradiction",
                            {
                                "meeting": meeting.id,
                                "slot": meeting.fixed_slot,
                                "before": before.id,
                                "before_slot": before.fixed_slot,
                            },
                            f"Meeting {meeting.id} must come after {before.id}, but {meeting.id} is fixed "
                            f"to slot {meeting.fixed_slot} and {before.id} to slot {before.fixed_slot}.",
                        )
                    )
    return reasons


def _no_slot(problem: Problem) -> list[Reason]:
    reasons = []
    for m, meeting in enumerate(problem.meetings):
        if meeting.required and meeting.fixed_slot is None and not problem.allowed[m]:
            a, b = meeting.participants
            session = _session_phrase(meeting.session)
            reasons.append(
                Reason(
                    "no_possible_slot",
                    {"meeting": meeting.id, "participants": [a, b], "session": meeting.session},
                    f"Meeting {problem.describe(m)} has no possible slot: there is no {session}slot in which "
                    f"both {a} and {b} are available.",
                )
            )
    return reasons


def _participants(problem: Problem) -> list[Reason]:
    reasons = []
    slot_of = {sid: i for i, sid in enumerate(problem.slot_ids)}
    for p, pid in enumerate(problem.participant_ids):
        required = [m for m in problem.of_participant[p] if problem.required(m)]
        away = {slot_of[s] for s in problem.instance.participants[p].unavailable}
        free = [s for s in range(problem.n_slots) if s not in away]
        found = False
        if len(required) > len(free):
            found = True
            reasons.append(
                Reason(
                    "participant_overloaded",
                    {"participant": pid, "meetings": len(required), "slots": len(free)},
                    f"{pid} has {len(required)} required meetings but is available in only {len(free)} "
                    f"slot{'s' if len(free) != 1 else ''}.",
                )
            )
        for session in ("morning", "afternoon"):
            bound = [
                m
                for m in required
                if problem.meetings[m].session == session
                or (
                    problem.meetings[m].fixed_slot is not None
                    and problem.slot_session[slot_of[problem.meetings[m].fixed_slot]] == session  # type: ignore[index]
                )
            ]
            room = sum(1 for s in free if problem.slot_session[s] == session)
            if len(bound) > room:
                found = True
                reasons.append(
                    Reason(
                        "participant_overloaded_in_session",
                        {"participant": pid, "session": session, "meetings": len(bound), "slots": room},
                        f"{pid} has {len(bound)} required {session} meetings but is available in only "
                        f"{room} {session} slot{'s' if room != 1 else ''}.",
                    )
                )
        if found or any(not problem.allowed[m] for m in required):
            continue
        violation = hall_violation([problem.allowed[m] for m in required])
        if violation is not None:
            items, slots = violation
            names = [problem.meetings[required[i]].id for i in items]
            sids = [problem.slot_ids[s] for s in slots]
            reasons.append(
                Reason(
                    "participant_meetings_do_not_fit",
                    {"participant": pid, "meetings": names, "slots": sids},
                    f"{pid}'s required meetings {_ids(names)} can only take "
                    f"{'slot' if len(sids) == 1 else 'slots'} {_ids(sids) or '(none)'} (given sessions, "
                    f"fixed slots and when each partner is available): {len(names)} meetings for "
                    f"{len(sids)} slot{'s' if len(sids) != 1 else ''}.",
                )
            )
    return reasons


def _tables(problem: Problem) -> list[Reason]:
    reasons = []
    tables = problem.n_tables
    required = [m for m in range(len(problem.meetings)) if problem.required(m)]
    if len(required) > tables * problem.n_slots:
        reasons.append(
            Reason(
                "tables_overloaded",
                {"meetings": len(required), "tables": tables, "slots": problem.n_slots},
                f"There are {len(required)} required meetings but only {tables} tables × "
                f"{problem.n_slots} slots = {tables * problem.n_slots} places.",
            )
        )
        return reasons
    for session in ("morning", "afternoon"):
        slots = [s for s in range(problem.n_slots) if problem.slot_session[s] == session]
        bound = [m for m in required if problem.allowed[m] and set(problem.allowed[m]) <= set(slots)]
        if len(bound) > tables * len(slots):
            reasons.append(
                Reason(
                    "session_tables_overloaded",
                    {"session": session, "meetings": len(bound), "tables": tables, "slots": len(slots)},
                    f"The {session} session has {len(bound)} required meetings that can only take place "
                    f"then, but only {tables} tables × {len(slots)} slots = {tables * len(slots)} places.",
                )
            )
    return reasons


def _cycle(problem: Problem, required: set[int]) -> list[int] | None:
    """A cycle of ``after`` links among required meetings (as a list of meetings), or None."""
    state: dict[int, int] = {}  # 1: on the path, 2: done
    path: list[int] = []

    def visit(m: int) -> list[int] | None:
        state[m] = 1
        path.append(m)
        for a in problem.preds[m]:
            if a not in required:
                continue
            if state.get(a) == 1:
                return path[path.index(a) :]
            if a not in state and (found := visit(a)) is not None:
                return found
        path.pop()
        state[m] = 2
        return None

    for m in sorted(required):
        if m not in state and (found := visit(m)) is not None:
            return list(reversed(found))
    return None


def _precedence(problem: Problem, reported: set[str]) -> list[Reason]:
    required = {m for m in range(len(problem.meetings)) if problem.required(m) and problem.allowed[m]}
    cycle = _cycle(problem, required)
    if cycle is not None:
        names = [problem.meetings[m].id for m in cycle]
        return [
            Reason(
                "precedence_cycle",
                {"meetings": names},
                f"Required meetings {' → '.join([*names, names[0]])} must each come after the one before: "
                "an order that cannot exist.",
            )
        ]
    # Earliest slots along the "after" links; the earliest-slot assignment satisfies every link, so
    # failing here is exactly "no order of slots exists" (tables and people aside).
    earliest: dict[int, int] = {}
    cause: dict[int, int] = {}  # the predecessor that set a meeting's earliest slot
    reasons = []
    pending = sorted(required)
    while pending:
        waiting = []
        for m in pending:
            preds = [a for a in problem.preds[m] if a in required]
            if any(a not in earliest for a in preds):
                waiting.append(m)
                continue
            after = -1
            for a in preds:
                if earliest[a] > after:
                    after, cause[m] = earliest[a], a
            spots = [s for s in problem.allowed[m] if s > after]
            earliest[m] = spots[0] if spots else problem.n_slots
            if spots or after >= problem.n_slots:
                continue  # placed, or a predecessor's failure already reported
            chain = [m]
            while chain[-1] in cause:
                chain.append(cause[chain[-1]])
            names = [problem.meetings[x].id for x in reversed(chain)]
            if reported & set(names[-2:]):
                continue
            last = problem.slot_ids[problem.allowed[m][-1]]
            reasons.append(
                Reason(
                    "precedence_chain_too_long",
                    {"meetings": names, "last_slot": last},
                    f"Required meetings {' → '.join(names)} must take strictly later slots one after the "
                    f"other, but then {names[-1]} would have to come after slot {problem.slot_ids[after]}, "
                    f"and its last possible slot is {last}.",
                )
            )
        if len(waiting) == len(pending):
            break
        pending = waiting
    return reasons


def precheck(problem: Problem) -> list[Reason]:
    """Reasons that prove infeasibility before any search (empty: nothing obvious)."""
    reasons = _fixed(problem)
    reasons += _no_slot(problem)
    reasons += _participants(problem)
    reasons += _tables(problem)
    reported = {r.params["meeting"] for r in reasons if r.code == "fixed_order_contradiction"} | {
        r.params["before"] for r in reasons if r.code == "fixed_order_contradiction"
    }
    reasons += _precedence(problem, reported)
    return reasons
