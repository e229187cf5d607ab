"""Why an instance has no schedule, in words staff can act on.

:func:`precheck` (``precheck.py``) runs before the search; each of its checks is a proof on its own.
:func:`explain` runs after CP-SAT has proved infeasibility that no check caught: it first asks whether the
fairness rule is the cause (and the smallest spread that works), else it asks CP-SAT which required meetings
it needed for the proof (assumption literals) and shrinks that set.

Every reason is a :class:`~.model.Reason`: a stable ``code``, ``params`` (ids and counts) for the platform
to translate, and an English ``text``.
"""

from __future__ import annotations

from collections.abc import Sequence

from ortools.sat.python import cp_model

from .clock import Clock
from .formulation import Formulation
from .model import Reason
from .precheck import precheck
from .problem import Problem

MAX_REASONS = 12
__all__ = ["MAX_REASONS", "explain", "explanation_text", "precheck"]


def explanation_text(reasons: Sequence[Reason]) -> str:
    shown = [r.text for r in reasons[:MAX_REASONS]]
    if len(reasons) > MAX_REASONS:
        shown.append(f"({len(reasons) - MAX_REASONS} more reasons of the same kinds.)")
    return " ".join(shown)


# --- after the search ---------------------------------------------------------------------------------


def _status(
    formulation: Formulation, seconds: float, workers: int, seed: int, clock: Clock
) -> tuple[int, cp_model.CpSolver]:
    solver = clock.solver(seconds, workers, seed)
    status = solver.solve(formulation.model)
    clock.solved(solver, formulation.model)
    return status, solver  # type: ignore[return-value]


def _spread(
    problem: Problem, seconds: float, workers: int, seed: int, clock: Clock
) -> tuple[int | None, int | None]:
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
    status, solver = _status(f, seconds, workers, seed, clock)
    if status == cp_model.OPTIMAL:
        return round(solver.objective_value), round(solver.objective_value)
    if status == cp_model.FEASIBLE:
        return None, round(solver.objective_value)
    return None, None


def _core(problem: Problem, clock: Clock, seed: int) -> list[int] | None:
    """A small set of required meetings that cannot all be scheduled (None: not found in time)."""
    f = Formulation(problem, fairness=False, required_literals=True)
    literals = f.requirement
    active = sorted(literals)

    def infeasible_core(members: list[int]) -> list[int] | None:
        f.model.clear_assumptions()
        f.model.add_assumptions([literals[m] for m in members])
        left = clock.left()
        if left <= 0.05 or clock.expired():
            return None
        solver = clock.solver(min(left, 5.0), 1, seed)
        status = solver.solve(f.model)
        clock.solved(solver, f.model)
        if status != cp_model.INFEASIBLE:
            return None
        by_index = {literals[m].index: m for m in members}
        core = [by_index[i] for i in solver.sufficient_assumptions_for_infeasibility() if i in by_index]
        return sorted(core) or members

    core = infeasible_core(active)
    if core is None:
        return None
    # Deletion filter: drop each meeting in turn; keep it out when the rest is still infeasible.
    for m in list(core):
        if m not in core or clock.left() <= 0 or clock.expired():
            continue
        smaller = infeasible_core([x for x in core if x != m])
        if smaller is not None:
            core = smaller
    return core


def explain(problem: Problem, *, seconds: float, workers: int, seed: int) -> list[Reason]:
    """Reasons for a proven infeasibility that :func:`precheck` did not catch, within ``seconds`` of
    counted work (``clock.py``: the same reasons every time, unless the wall clock runs out first)."""
    clock = Clock(seconds, share=1.0)
    if problem.spread is not None:
        status, _ = _status(Formulation(problem, fairness=False), seconds / 3, workers, seed, clock)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            smallest, found = _spread(problem, max(0.1, clock.left() / 2), workers, seed, clock)
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
    core = _core(problem, clock, seed)
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
