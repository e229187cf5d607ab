"""Why an instance has no schedule, in words staff can act on.

:func:`precheck` runs before the search. Each check is a proof on its own (a necessary condition that the
instance breaks), so when one fires the solver answers ``infeasible`` at once and names what to change.
:func:`explain` runs after CP-SAT has proved infeasibility that no check caught: it first asks whether the
fairness rule is the cause (and the smallest spread that works), else it asks CP-SAT which required meetings
it needed for the proof (assumption literals) and shrinks that set.

Every reason is a :class:`~.model.Reason`: a stable ``code``, ``params`` (ids and counts) for the platform
to translate, and an English ``text``.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence

from ortools.sat.python import cp_model

from .bounds import hall_violation
from .formulation import Formulation, make_solver
from .model import Reason
from .problem import Problem

MAX_REASONS = 12


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


def explanation_text(reasons: Sequence[Reason]) -> str:
    shown = [r.text for r in reasons[:MAX_REASONS]]
    if len(reasons) > MAX_REASONS:
        shown.append(f"({len(reasons) - MAX_REASONS} more reasons of the same kinds.)")
    return " ".join(shown)


# --- after the search ---------------------------------------------------------------------------------


def _status(
    formulation: Formulation, seconds: float, workers: int, seed: int
) -> tuple[int, cp_model.CpSolver]:
    solver = make_solver(seconds, workers, seed)
    return solver.solve(formulation.model), solver  # type: ignore[return-value]


def _spread(problem: Problem, seconds: float, workers: int, seed: int) -> tuple[int | None, int | None]:
    """(proven smallest spread or None, smallest spread found or None) without the fairness rule."""
    f = Formulation(problem, fairness=False)
    varying = [b for b in f.breaks_of if not isinstance(b, int)]
    if not varying:
        return 0, 0
    top = f.model.new_int_var(0, problem.n_slots, "top")
    low = f.model.new_int_var(0, problem.n_slots, "low")
    for b in f.breaks_of:
        f.model.add(top >= b)
        f.model.add(low <= b)
    f.model.minimize(top - low)
    status, solver = _status(f, seconds, workers, seed)
    if status == cp_model.OPTIMAL:
        return round(solver.objective_value), round(solver.objective_value)
    if status == cp_model.FEASIBLE:
        return None, round(solver.objective_value)
    return None, None


def _core(problem: Problem, deadline: float, seed: int) -> list[int] | None:
    """A small set of required meetings that cannot all be scheduled (None: not found in time)."""
    f = Formulation(problem, fairness=False, required_literals=True)
    literals = f.requirement
    active = sorted(literals)

    def infeasible_core(members: list[int]) -> list[int] | None:
        f.model.clear_assumptions()
        f.model.add_assumptions([literals[m] for m in members])
        left = deadline - time.monotonic()
        if left <= 0.05:
            return None
        solver = make_solver(min(left, 5.0), 1, seed)
        if solver.solve(f.model) != cp_model.INFEASIBLE:
            return None
        by_index = {literals[m].index: m for m in members}
        core = [by_index[i] for i in solver.sufficient_assumptions_for_infeasibility() if i in by_index]
        return sorted(core) or members

    core = infeasible_core(active)
    if core is None:
        return None
    # Deletion filter: drop each meeting in turn; keep it out when the rest is still infeasible.
    for m in list(core):
        if m not in core or time.monotonic() > deadline:
            continue
        smaller = infeasible_core([x for x in core if x != m])
        if smaller is not None:
            core = smaller
    return core


def explain(problem: Problem, *, seconds: float, workers: int, seed: int) -> list[Reason]:
    """Reasons for a proven infeasibility that :func:`precheck` did not catch."""
    deadline = time.monotonic() + seconds
    if problem.spread is not None:
        status, _ = _status(Formulation(problem, fairness=False), seconds / 3, workers, seed)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            smallest, found = _spread(problem, max(0.1, (deadline - time.monotonic()) / 2), workers, seed)
            d = problem.spread
            if smallest is not None:
                tail = f"the smallest spread any schedule can keep is {smallest}."
            elif found is not None:
                tail = f"a spread of {found} is possible (a smaller one was not ruled out in time)."
            else:
                tail = "a larger spread would allow a schedule."
            return [
                Reason(
                    "spread_unattainable",
                    {"spread": d, "smallest": smallest, "found": found},
                    f"Every schedule gives some participant more than {d} breaks above the participant with "
                    f"the fewest; {tail}",
                )
            ]
        if status != cp_model.INFEASIBLE:
            return [_unnamed()]
    core = _core(problem, deadline, seed)
    if not core:
        return [_unnamed()]
    names = [problem.meetings[m].id for m in core]
    people = sorted({p for m in core for p in problem.meetings[m].participants})
    listed = ", ".join(problem.describe(m) for m in core)
    return [
        Reason(
            "meetings_conflict",
            {"meetings": names, "participants": people},
            f"These {len(core)} required meetings cannot all be scheduled together (tables, availability, "
            f"sessions, fixed slots and order leave no room): {listed}.",
        )
    ]


def _unnamed() -> Reason:
    return Reason(
        "no_schedule",
        {},
        "No schedule satisfies every hard constraint (this is proven), but no small set of causes could be "
        "named in time.",
    )
