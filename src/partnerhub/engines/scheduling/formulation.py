"""The CP-SAT model: which meeting takes which slot (tables are given out afterwards, exactly).

Variables and constraints (``x[m,s]`` exists only for slots ``m`` may take, see ``Problem.allowed``):

* ``sum_s x[m,s] == 1`` for a required meeting, ``<= 1`` for an optional one;
* ``sum_m x[m,s] <= |tables|`` per slot — tables are interchangeable, so this is the whole table rule;
* per participant and slot at most one meeting; ``busy[p,s]`` is that sum (a literal);
* ``start[p,s] <=> busy[p,s] and not busy[p,s-1]`` (exact, not just bounded: the fairness rule compares
  participants' breaks with each other, so an over-counted break would loosen it); ``runs[p]`` is their sum
  and ``b[p] = runs[p] - 1`` for someone with a required meeting, ``max(runs[p] - 1, 0)`` otherwise, ``0``
  for someone who can have at most one meeting;
* ``runs[p] >= min_runs(p)`` (``bounds.py``), redundant but it gives the objective a strong lower bound;
* precedence ``a`` before ``m``: for every slot ``s`` of ``m``, ``x[m,s] + sum_{t >= s} x[a,t] <= 1`` — exact
  for optional meetings too (a left-out meeting has all its ``x`` at 0, so the constraint is void);
* fairness ``b[p] <= lowest + d`` and ``lowest <= b[q]`` for all ``p, q``; when somebody's ``b`` is
  constantly 0 the minimum is 0 and this becomes ``b[p] <= d``;
* duplicates (the same pair, interchangeable in every respect) take their slots in list order.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from ortools.sat.python import cp_model

from .bounds import min_runs
from .problem import Problem, SlotAssignment, busy_slots, runs_breaks

Expr = Any  # cp_model's linear expressions (ints, literals and sums) do not share one nominal type


class Formulation:
    """One CP-SAT model of a :class:`Problem`, with the expressions the phases optimise."""

    def __init__(
        self,
        problem: Problem,
        *,
        fairness: bool = True,
        symmetry: bool = True,
        required_literals: bool = False,
        previous: dict[int, int | None] | None = None,
        outside: tuple[int, int] | None = None,
    ) -> None:
        """``outside``: the fewest and most breaks of participants not in ``problem`` (sub-problems)."""
        self.problem = problem
        self.model = cp_model.CpModel()
        model = self.model
        n_slots = problem.n_slots
        self.x: dict[tuple[int, int], cp_model.IntVar] = {}
        self.placed: list[Expr] = []
        # With ``required_literals`` a required meeting is required only under its literal; diagnosis
        # passes them as assumptions and asks CP-SAT which of them it needed for the proof.
        self.requirement: dict[int, cp_model.IntVar] = {}
        by_slot: list[list[cp_model.IntVar]] = [[] for _ in range(n_slots)]
        for m, allowed in enumerate(problem.allowed):
            lits = [model.new_bool_var(f"x{m}_{s}") for s in allowed]
            for s, lit in zip(allowed, lits, strict=True):
                self.x[m, s] = lit
                by_slot[s].append(lit)
            if problem.required(m) and required_literals:
                self.requirement[m] = model.new_bool_var(f"req{m}")
                model.add_at_most_one(lits)
                model.add_bool_or(lits).only_enforce_if(self.requirement[m])
            elif problem.required(m):
                model.add_exactly_one(lits)
            else:
                model.add_at_most_one(lits)
            self.placed.append(sum(lits))
        for s, lits in enumerate(by_slot):
            if len(lits) > problem.tables_in(s):
                model.add(sum(lits) <= problem.tables_in(s))

        self.busy: list[list[cp_model.IntVar | None]] = []
        self.aux_busy: list[tuple[cp_model.IntVar, int, int]] = []
        for p, mine in enumerate(problem.of_participant):
            row: list[cp_model.IntVar | None] = []
            for s in range(n_slots):
                lits = [self.x[m, s] for m in mine if (m, s) in self.x]
                if not lits:
                    row.append(None)
                elif len(lits) == 1:
                    row.append(lits[0])
                else:
                    model.add_at_most_one(lits)
                    y = model.new_bool_var(f"y{p}_{s}")
                    model.add(y == sum(lits))
                    self.aux_busy.append((y, p, s))
                    row.append(y)
            self.busy.append(row)

        self.aux_start: list[tuple[cp_model.IntVar, int, int]] = []
        self.aux_breaks: list[tuple[cp_model.IntVar, int]] = []
        self.aux_whole: list[tuple[cp_model.IntVar, dict[int, cp_model.IntVar], int]] = []
        self.breaks_of: list[Expr] = []  # None: a participant whose breaks do not count here
        self.lower_bound = 0  # sum of the per-participant bounds: a proven bound on total breaks
        for p, row in enumerate(self.busy):
            starts: list[Expr] = []
            for s, y in enumerate(row):  # type: ignore[assignment]
                if y is None:
                    continue
                before = row[s - 1] if s > 0 else None
                if before is None:
                    starts.append(y)
                    continue
                start = model.new_bool_var(f"start{p}_{s}")
                model.add_implication(start, y)
                model.add_implication(start, before.Not())
                model.add_bool_or([start, y.Not(), before])
                self.aux_start.append((start, p, s))
                starts.append(start)
            schedulable = [m for m in problem.of_participant[p] if problem.allowed[m]]
            runs = sum(starts)
            if not problem.counts(p):
                self.breaks_of.append(None)
                continue
            if len(schedulable) <= 1:
                self.breaks_of.append(0)
                continue
            # A requirement under an assumption literal may be dropped; then the bound need not hold.
            lowest = 0 if required_literals else min_runs(problem, p)
            has_required = any(problem.required(m) for m in schedulable) and not required_literals
            if has_required:
                if lowest > 1:
                    model.add(runs >= lowest)
                    self.lower_bound += lowest - 1
                self.breaks_of.append(runs - 1)
                if all(problem.required(m) for m in problem.of_participant[p]):
                    self._contiguity(p, runs - 1)
            else:
                top = min(len(schedulable) - 1, (n_slots - 1) // 2)
                b = model.new_int_var(0, top, f"b{p}")
                model.add_max_equality(b, [runs - 1, 0])
                self.aux_breaks.append((b, p))
                self.breaks_of.append(b)

        for m, preds in enumerate(problem.preds):
            for a in preds:
                for s in problem.allowed[m]:
                    later = [self.x[a, t] for t in problem.allowed[a] if t >= s]
                    if later:
                        model.add_at_most_one([self.x[m, s], *later])

        self.lowest: cp_model.IntVar | None = None
        self.outside = outside
        if fairness and problem.spread is not None:
            self._fairness(problem.spread, outside)

        self.previous = previous or {}
        if symmetry and not required_literals:
            self._order_duplicates()

        self.weight: Expr = sum(
            problem.meetings[m].weight * self.placed[m]
            for m in range(len(problem.meetings))
            if not problem.required(m) and problem.meetings[m].weight
        )
        self.max_breaks = sum(
            max(0, min(len(problem.of_participant[p]) - 1, n_slots // 2)) for p in range(len(self.busy))
        )
        # One variable holds the total so that its domain can be narrowed between solves (``set_range``).
        self.breaks = model.new_int_var(self.lower_bound, max(self.lower_bound, self.max_breaks), "breaks")
        model.add(self.breaks == sum(b for b in self.breaks_of if b is not None))
        self._slot_floor()
        self.moved: Expr = sum(
            1 - self.x[m, old] if (m, old) in self.x else 1
            for m, old in self.previous.items()
            if old is not None
        )
        self.max_weight = sum(
            problem.meetings[m].weight for m in range(len(problem.meetings)) if not problem.required(m)
        )
        self.max_moved = sum(1 for old in self.previous.values() if old is not None)

    def _fairness(self, d: int, outside: tuple[int, int] | None) -> None:
        """``b[p] <= lowest + d`` with ``lowest`` the fewest breaks of anybody (outside included)."""
        varying = [b for b in self.breaks_of if b is not None and not isinstance(b, int)]
        constant = [b for b in self.breaks_of if isinstance(b, int)]
        if outside is not None:
            constant += list(outside)
        if not varying:
            return
        ceiling = min(constant, default=self.problem.n_slots)
        self.lowest = self.model.new_int_var(0, ceiling, "lowest")
        for b in varying:
            self.model.add(self.lowest <= b)
            self.model.add(b <= self.lowest + d)
        if constant:
            self.model.add(max(constant) <= self.lowest + d)

    def _contiguity(self, p: int, breaks: Expr) -> None:
        """Someone whose number of meetings is fixed has no break iff busy in one stretch of that length.

        ``whole[p]`` says "no break"; the stretch is chosen among the ``start`` candidates. Redundant, but
        CP-SAT then propagates a whole agenda at once instead of slot by slot, and the LP sees that a
        person with few possible stretches must pay for leaving them.
        """
        model = self.model
        row = self.busy[p]
        d = len(self.problem.of_participant[p])
        starts = [
            a for a in range(self.problem.n_slots - d + 1) if all(row[s] is not None for s in range(a, a + d))
        ]
        whole = model.new_bool_var(f"whole{p}")
        model.add(breaks >= 1 - whole)
        if not starts:
            model.add(whole == 0)
            return
        stretch = {a: model.new_bool_var(f"stretch{p}_{a}") for a in starts}
        model.add(sum(stretch.values()) == whole)
        for s, y in enumerate(row):
            if y is None:
                continue
            cover = [stretch[a] for a in starts if a <= s < a + d]
            model.add(y >= sum(cover))
            model.add(y <= sum(cover)).only_enforce_if(whole)
        self.aux_whole.append((whole, stretch, p))

    def _slot_floor(self) -> None:
        """With nearly every place needed, each slot must hold a least number of the required meetings."""
        problem = self.problem
        required = sum(1 for m in range(len(problem.meetings)) if problem.required(m))
        floor = required - problem.n_tables * (problem.n_slots - 1)
        if floor <= 0:
            return
        for s in range(problem.n_slots):
            lits = [lit for (m, t), lit in self.x.items() if t == s]
            self.model.add(sum(lits) >= floor)

    def set_range(self, low: int, high: int) -> None:
        """Narrow (or widen) the total breaks allowed in the next solve."""
        domain = self.model.proto.variables[self.breaks.index].domain
        domain[0], domain[1] = low, high

    def _order_duplicates(self) -> None:
        """Interchangeable meetings (same pair and same everything else) take slots in list order."""
        problem = self.problem
        linked = {a for preds in problem.preds for a in preds}
        groups: dict[tuple[object, ...], list[int]] = defaultdict(list)
        for m, meeting in enumerate(problem.meetings):
            if m in linked or problem.preds[m] or not problem.allowed[m]:
                continue
            key = (
                tuple(sorted(problem.pairs[m])),
                problem.allowed[m],
                meeting.required,
                meeting.weight,
            )
            groups[key].append(m)
        for members in groups.values():
            # Swapping two duplicates changes which of them "moved": keep them free when re-scheduling.
            if len(members) < 2 or any(self.previous.get(m) is not None for m in members):
                continue
            for first, second in zip(members, members[1:], strict=False):
                pos1 = sum((s + 1) * self.x[first, s] for s in self.problem.allowed[first])
                pos2 = sum((s + 1) * self.x[second, s] for s in self.problem.allowed[second])
                if problem.required(first):
                    self.model.add(pos1 + 1 <= pos2)
                else:
                    placed2 = self.model.new_bool_var(f"placed{second}")
                    self.model.add(self.placed[second] == placed2)
                    self.model.add(self.placed[first] >= placed2)
                    self.model.add(pos1 + 1 <= pos2).only_enforce_if(placed2)

    def canonical(self, slots: SlotAssignment) -> list[int | None]:
        """The same schedule with duplicates in list order (what :meth:`_order_duplicates` demands)."""
        result = list(slots)
        problem = self.problem
        seen: dict[tuple[object, ...], list[int]] = defaultdict(list)
        linked = {a for preds in problem.preds for a in preds}
        for m, meeting in enumerate(problem.meetings):
            if m in linked or problem.preds[m] or not problem.allowed[m]:
                continue
            seen[
                tuple(sorted(problem.pairs[m])), problem.allowed[m], meeting.required, meeting.weight
            ].append(m)
        for members in seen.values():
            if len(members) < 2 or any(self.previous.get(m) is not None for m in members):
                continue
            taken = sorted(s for m in members if (s := result[m]) is not None)
            for i, m in enumerate(members):
                result[m] = taken[i] if i < len(taken) else None
        return result

    def hint(self, slots: SlotAssignment) -> None:
        """Give CP-SAT a complete starting point (every variable, so it need not repair anything)."""
        model = self.model
        model.clear_hints()  # type: ignore[no-untyped-call]
        slots = self.canonical(slots)
        for (m, s), lit in self.x.items():
            model.add_hint(lit, slots[m] == s)
        busy = [set(b) for b in busy_slots(self.problem, slots)]
        for y, p, s in self.aux_busy:
            model.add_hint(y, s in busy[p])
        for start, p, s in self.aux_start:
            model.add_hint(start, s in busy[p] and s - 1 not in busy[p])
        per = [runs_breaks(sorted(b)) for b in busy]
        for b, p in self.aux_breaks:
            model.add_hint(b, per[p])
        if self.lowest is not None:
            counted = [per[p] for p, b in enumerate(self.breaks_of) if b is not None]
            model.add_hint(self.lowest, min(counted + list(self.outside or ())))
        for whole, stretch, p in self.aux_whole:
            first = min(busy[p]) if busy[p] and per[p] == 0 else None
            model.add_hint(whole, first is not None)
            for a, lit in stretch.items():
                model.add_hint(lit, a == first)
        model.add_hint(self.breaks, sum(per[p] for p, b in enumerate(self.breaks_of) if b is not None))

    def read(self, solver: cp_model.CpSolver | cp_model.CpSolverSolutionCallback) -> list[int | None]:
        """The slot assignment of the solver's current (or last) solution."""
        slots: list[int | None] = [None] * len(self.problem.meetings)
        for (m, s), lit in self.x.items():
            if solver.boolean_value(lit):
                slots[m] = s
        return slots


def make_solver(seconds: float, workers: int, seed: int) -> cp_model.CpSolver:
    """A CP-SAT solver with the engine's parameters (see ``solver.py`` on determinism)."""
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.01, seconds)
    solver.parameters.num_workers = max(1, workers)
    solver.parameters.random_seed = seed
    # Several workers run CP-SAT's portfolio in a fixed order of batches (deterministic for a seed); one
    # worker is deterministic anyway and runs the plain LP-guided search, the best single search here.
    solver.parameters.interleave_search = workers > 1
    return solver
