"""Can every participant's meetings lie in one unbroken stretch? Decided by a relaxation and cuts.

The per-participant bounds (``bounds.py``) look at one person at a time, so on a day where each person on
their own could meet without a break they say 0, and a probe "at most 0 breaks" on the whole model is
left undecided by CP-SAT for minutes on the tight days. :class:`NoBreak` decides that question another way,
a logic-based Benders decomposition:

* the *master* keeps only what a schedule without any break implies about people's stretches: each
  participant with ``n`` meetings is busy in exactly one stretch of ``n`` consecutive slots, each of which
  some meeting of theirs may take, and which meets the possible slots of each of their meetings (a fixed
  meeting's slot, a session); in every slot the number of busy participants is twice the number of
  meetings there (even, and at most twice the tables); two participants who meet ``k`` times share at least
  ``k`` slots of their stretches in which one of those meetings may take place. It leaves out which meeting
  takes which slot, the part that makes the whole model hard, and CP-SAT solves it in well under a second
  (a boolean per participant and possible stretch);
* each stretch choice it proposes is checked: first per participant (can their meetings get distinct slots
  of their stretch that their partner's stretch also covers? a bipartite matching), then as a whole (the
  meetings given slots with every stretch fixed: a small CP-SAT model). A participant that fails adds a
  cut forbidding their stretch together with their partners' current ones; a whole that fails adds a cut
  over the participants in CP-SAT's infeasible core and their partners.

It ends with a schedule without any break (then it is optimal, and all the engine needs), with a proof
that none exists (the master has no solution: every schedule has a break, so the bound is at least 1), or
undecided when its budget runs out. It applies only when every meeting must be scheduled (then each
participant's number of meetings is fixed) and everyone's breaks count.

No Django here.
"""

from __future__ import annotations

from collections import defaultdict

from ortools.sat.python import cp_model

from .bounds import distinct_slots
from .clock import Clock, cost
from .problem import Problem

Stretches = dict[int, dict[int, cp_model.IntVar]]  # participant -> first slot -> literal


def _model(problem: Problem) -> tuple[cp_model.CpModel, Stretches] | None:
    """The master's model, or None when some participant has no possible stretch at all."""
    model = cp_model.CpModel()
    n_slots = problem.n_slots
    stretch: Stretches = {}
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
    return model, stretch


def _shared(possible: set[int], first: range, second: range) -> int:
    """Slots of both stretches in which one of the two participants' meetings may take place."""
    return sum(1 for s in possible if s in first and s in second)


class NoBreak:
    """Decides "is there a schedule without any break?" in steps that can be resumed (``run``).

    ``impossible`` becomes True when it is proven that every schedule has a break; ``found`` holds a slot
    assignment without any break once one is found. Both stay unset while undecided, and always when the
    question does not apply (``applies`` is False).
    """

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.impossible = False
        self.found: list[int | None] | None = None
        self.applies = (
            not problem.counted
            and all(problem.required(m) for m in range(len(problem.meetings)))
            and all(problem.allowed)
        )
        built = _model(problem) if self.applies else None
        if self.applies and built is None:
            self.impossible = True  # someone cannot have their meetings in one stretch
        self.model, self.stretch = built if built is not None else (cp_model.CpModel(), {})
        self._solver: cp_model.CpSolver | None = None
        self._stopped = False
        self.partners = [
            sorted({q for m in mine for q in problem.pairs[m] if q != p})
            for p, mine in enumerate(problem.of_participant)
        ]

    @property
    def open(self) -> bool:
        return self.applies and not self.impossible and self.found is None

    def run(self, clock: Clock, seconds: float, seed: int) -> float:
        """Work on the question for about ``seconds`` virtual seconds; returns the virtual seconds spent
        (the caller charges them: this may run beside the main search, on its own core)."""
        spent = 0.0
        while self.open and seconds - spent > 0.01 and not clock.expired() and not self._stopped:
            self._solver = solver = clock.solver(seconds - spent, 1, seed)
            status = solver.solve(self.model)
            spent += cost(solver, self.model)
            if status == cp_model.INFEASIBLE:
                self.impossible = True
            elif status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                first = {
                    p: next(a for a, z in zs.items() if solver.boolean_value(z))
                    for p, zs in self.stretch.items()
                }
                if self._cut_participants(first):
                    continue
                checked, cut = self._check_whole(first, clock, seconds - spent, seed)
                spent += checked
                if not cut and self.found is None:
                    break  # the check ran out of time; the same stretches would come back
            else:
                break
        return spent

    def stop(self) -> None:
        """End a ``run`` in another thread early (its result is then not used)."""
        self._stopped = True
        if self._solver is not None:
            self._solver.stop_search()

    def _stretches(self, first: dict[int, int]) -> dict[int, range]:
        return {p: range(a, a + len(self.problem.of_participant[p])) for p, a in first.items()}

    def _cut(self, people: set[int] | list[int], first: dict[int, int]) -> None:
        """Forbid these participants' current stretches together."""
        self.model.add_bool_or([self.stretch[p][first[p]].Not() for p in sorted(people)])

    def _cut_participants(self, first: dict[int, int]) -> bool:
        """A cut for each participant whose meetings cannot get distinct slots shared with their
        partners' stretches; whether any was added."""
        problem, span = self.problem, self._stretches(first)
        cut = False
        for p in self.stretch:
            options = []
            for m in problem.of_participant[p]:
                q = sum(problem.pairs[m]) - p
                options.append([s for s in problem.allowed[m] if s in span[p] and s in span[q]])
            if not distinct_slots(options):
                self._cut({p, *self.partners[p]}, first)
                cut = True
        return cut

    def _check_whole(
        self, first: dict[int, int], clock: Clock, seconds: float, seed: int
    ) -> tuple[float, bool]:
        """Give the meetings slots with every stretch fixed; a schedule ends the search, a failure adds a
        cut over the participants CP-SAT needed for the proof. Returns the virtual seconds spent and
        whether a cut was added."""
        problem, span = self.problem, self._stretches(first)
        model = cp_model.CpModel()
        x: dict[tuple[int, int], cp_model.IntVar] = {}
        of_slot: dict[int, list[cp_model.IntVar]] = defaultdict(list)
        of_person: dict[tuple[int, int], list[cp_model.IntVar]] = defaultdict(list)
        for m, (a, b) in enumerate(problem.pairs):
            lits = []
            for s in problem.allowed[m]:
                if s in span[a] and s in span[b]:
                    x[m, s] = lit = model.new_bool_var(f"x{m}_{s}")
                    lits.append(lit)
                    of_slot[s].append(lit)
                    of_person[a, s].append(lit)
                    of_person[b, s].append(lit)
            model.add_exactly_one(lits)
        assume = {p: model.new_bool_var(f"whole{p}") for p in self.stretch}
        for p, lit in assume.items():
            for s in span[p]:
                model.add(sum(of_person[p, s]) == 1).only_enforce_if(lit)
        for s, lits in of_slot.items():
            model.add(sum(lits) <= problem.tables_in(s))
        for m, preds in enumerate(problem.preds):
            for a in preds:
                for s in problem.allowed[m]:
                    later = [x[a, t] for t in problem.allowed[a] if t >= s and (a, t) in x]
                    if (m, s) in x and later:
                        model.add_at_most_one([x[m, s], *later])
        model.add_assumptions(list(assume.values()))
        self._solver = solver = clock.solver(seconds, 1, seed)
        status = solver.solve(model)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            slots: list[int | None] = [None] * len(problem.meetings)
            for (m, s), lit in x.items():
                if solver.boolean_value(lit):
                    slots[m] = s
            self.found = slots
        elif status == cp_model.INFEASIBLE:
            needed = set(solver.sufficient_assumptions_for_infeasibility())
            core = {p for p, lit in assume.items() if lit.index in needed} or set(self.stretch)
            self._cut(core | {q for p in core for q in self.partners[p]}, first)
            return cost(solver, model), True
        return cost(solver, model), False
