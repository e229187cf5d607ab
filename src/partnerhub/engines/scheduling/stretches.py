"""A bound across people: can every participant's meetings lie in one unbroken stretch?

The per-participant bounds (``bounds.py``) look at one person at a time, so on a day where each person on
their own could meet without a break they say 0, and a probe "at most 0 breaks" on the whole model is
left undecided by CP-SAT for minutes on the tight days. This relaxation looks at everyone together but
keeps only what a schedule without any break implies:

* each participant with ``n`` meetings is busy in exactly one stretch of ``n`` consecutive slots, each of
  which some meeting of theirs may take, and which meets the possible slots of each of their meetings (a
  fixed meeting's slot, a session);
* in every slot the number of busy participants is twice the number of meetings there: even, and at most
  twice the tables;
* two participants who meet ``k`` times share at least ``k`` slots of their stretches in which one of those
  meetings may take place.

It leaves out which meeting takes which slot, the part that makes the whole model hard, and CP-SAT decides
it in well under a second on the tight benchmark days (a boolean per participant and possible stretch).
When it has no solution, no schedule is without a break, so every schedule has at least one: tight days #3
and #4 of the benchmark, where the per-participant bound is 0. It applies only when every meeting must be
scheduled (then each participant's number of meetings is fixed).

No Django here.
"""

from __future__ import annotations

from collections import defaultdict

from ortools.sat.python import cp_model

from .clock import Clock
from .problem import Problem


def _model(problem: Problem) -> cp_model.CpModel | None:
    """The relaxation's model, or None when some participant has no possible stretch at all."""
    model = cp_model.CpModel()
    n_slots = problem.n_slots
    stretch: dict[int, dict[int, cp_model.IntVar]] = {}
    busy: list[list[cp_model.IntVar]] = [[] for _ in range(n_slots)]
    for p, mine in enumerate(problem.of_participant):
        n = len(mine)
        if not n:
            continue
        usable = {s for m in mine for s in problem.allowed[m]}
        starts = [
            a
            for a in range(n_slots - n + 1)
            if all(s in usable for s in range(a, a + n))
            and all(any(a <= s < a + n for s in problem.allowed[m]) for m in mine)
        ]
        if not starts:
            return None
        stretch[p] = {a: model.new_bool_var(f"stretch{p}_{a}") for a in starts}
        model.add_exactly_one(stretch[p].values())
        for a, lit in stretch[p].items():
            for s in range(a, a + n):
                busy[s].append(lit)
    for s, lits in enumerate(busy):
        meetings = model.new_int_var(0, problem.tables_in(s), f"meetings{s}")
        model.add(sum(lits) == 2 * meetings)
    together: dict[tuple[int, int], list[int]] = defaultdict(list)
    for m, (a, b) in enumerate(problem.pairs):
        together[min(a, b), max(a, b)].append(m)
    for (p, q), ms in together.items():
        possible = set().union(*(problem.allowed[m] for m in ms))
        sp = {a: range(a, a + len(problem.of_participant[p])) for a in stretch[p]}
        sq = {b: range(b, b + len(problem.of_participant[q])) for b in stretch[q]}
        for a, lit in stretch[p].items():
            fits = [z for b, z in stretch[q].items() if _shared(possible, sp[a], sq[b]) >= len(ms)]
            model.add_bool_or(fits).only_enforce_if(lit)
        for b, lit in stretch[q].items():
            fits = [z for a, z in stretch[p].items() if _shared(possible, sp[a], sq[b]) >= len(ms)]
            model.add_bool_or(fits).only_enforce_if(lit)
    return model


def _shared(possible: set[int], first: range, second: range) -> int:
    """Slots of both stretches in which one of the two participants' meetings may take place."""
    return sum(1 for s in possible if s in first and s in second)


def every_schedule_has_a_break(problem: Problem, clock: Clock, seconds: float, seed: int) -> bool:
    """True when it is proven (within ``seconds`` of counted work) that no schedule is without a break.

    False when a schedule without a break may exist, when the proof was not found in time, or when the
    relaxation does not apply (an optional meeting, or a sub-problem in which some people do not count).
    """
    if problem.counted or not all(problem.required(m) for m in range(len(problem.meetings))):
        return False
    if any(not allowed for allowed in problem.allowed):
        return False  # no schedule at all; the diagnosis says why
    model = _model(problem)
    if model is None:
        return True  # someone cannot have their meetings in one stretch
    solver = clock.solver(seconds, 1, seed)
    status = solver.solve(model)
    clock.solved(solver, model)
    return bool(status == cp_model.INFEASIBLE)
