"""CP-SAT solves with a shared clock: one objective at a time, and the two-sided search on breaks.

Minimising breaks from above on the whole model rarely proves anything (its LP bound stays near the sum
of the per-participant bounds) and, beyond a hundred participants, hardly improves a schedule either.
:meth:`Search.breaks` therefore works from both sides. From above: Kempe-chain annealing (``anneal.py``,
compiled in ``kempe.py``) for the first ``ANNEAL_SHARE`` of the phase — millions of valid moves a second,
where a CP-SAT neighbourhood takes a tenth of a second — then neighbourhood search (``lns.py``: a few dozen
meetings re-solved exactly at a time) to polish. From below: probes "is there a schedule with at most
``lb`` breaks?" on the whole model — infeasible raises ``lb`` by one, feasible is optimal. With two or more
workers the probe runs on its own core beside the search from above; with one they take turns. Probes are
skipped on days of more than ``MAX_PROBED_MEETINGS`` meetings, where they never finished.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ortools.sat.python import cp_model

from .anneal import Annealer
from .formulation import Formulation, make_solver
from .kempe import KempeAnnealer, make_annealer
from .lns import STEP_SECONDS, Neighbourhoods
from .problem import Problem, objective, violations

Slots = list[int | None]
MAX_PROBED_MEETINGS = 2000  # beyond this a whole-model probe has never paid off in the benchmark
ANNEAL_SHARE = 0.85  # of the breaks phase: Kempe-chain annealing first, then CP-SAT neighbourhoods
ANNEAL_CHUNK = 0.5  # seconds between looks at the probe and progress reports


@dataclass
class Outcome:
    """What a phase achieved: the best slots so far, whether it is proven, and the proven bound."""

    best: Slots | None
    proven: bool = False
    infeasible: bool = False  # proven for the model as given (the caller knows what that model held)
    bound: int | None = None


@dataclass
class Trace:
    first_solution: float | None = None
    events: list[tuple[float, int | None, int | None]] = field(default_factory=list)  # (s, breaks, bound)


class _Callback(cp_model.CpSolverSolutionCallback):
    def __init__(self, search: Search, floor: int, record: bool) -> None:
        super().__init__()
        self.search, self.floor, self.record = search, floor, record

    def on_solution_callback(self) -> None:
        if self.record:
            now = round(time.monotonic() - self.search.started, 3)
            trace = self.search.trace
            if trace.first_solution is None:
                trace.first_solution = now
            bound = max(self.floor, int(self.best_objective_bound))
            trace.events.append((now, int(self.objective_value), bound))


class Search:
    def __init__(
        self,
        problem: Problem,
        *,
        started: float,
        time_limit: float,
        workers: int,
        seed: int,
        progress: Callable[[int], None] | None,
    ) -> None:
        self.problem = problem
        self.started = started
        self.time_limit = time_limit
        self.workers = workers
        self.seed = seed
        self.progress = progress
        self.trace = Trace()
        self.last_tick = 0.0

    def left(self) -> float:
        return self.time_limit - (time.monotonic() - self.started)

    def run(
        self,
        f: Formulation,
        seconds: float,
        hint: Slots | None,
        *,
        floor: int = 0,
        record: bool = False,
        stop_at_first: bool = False,
        local: bool = False,
    ) -> tuple[int, cp_model.CpSolver]:
        """One CP-SAT solve; ``progress`` is called from this thread twice a second meanwhile."""
        if hint is not None:
            f.hint(hint)
        else:
            f.model.clear_hints()  # type: ignore[no-untyped-call]
        solver = make_solver(seconds, 1 if local else self.workers, self.seed)
        solver.parameters.stop_after_first_solution = stop_at_first
        solver.parameters.use_ls_only = local
        callback = _Callback(self, floor, record)
        if self.progress is None:
            return int(solver.solve(f.model, callback)), solver
        result: list[int] = []
        worker = threading.Thread(target=lambda: result.append(int(solver.solve(f.model, callback))))
        worker.start()
        while worker.is_alive():
            worker.join(0.5)
            self.progress(min(99, int(100 * (time.monotonic() - self.started) / max(self.time_limit, 0.01))))
        return result[0], solver

    def tick(self) -> None:
        """Report progress (the share of the time limit used), at most twice a second."""
        now = time.monotonic()
        if self.progress is not None and now - self.last_tick >= 0.5:
            self.last_tick = now
            self.progress(min(99, int(100 * (now - self.started) / max(self.time_limit, 0.01))))

    def valid(self, slots: Slots) -> bool:
        return not violations(self.problem, slots)

    def optimise(
        self, f: Formulation, expr: Any, maximise: bool, best: Slots | None, seconds: float
    ) -> Outcome:
        """Optimise one objective (the earlier ones already held by constraints in ``f``)."""
        if maximise:
            f.model.maximize(expr)
        else:
            f.model.minimize(expr)
        status, solver = self.run(f, seconds, best)
        if status == cp_model.INFEASIBLE:
            return Outcome(best=best, infeasible=True)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            found = f.read(solver)
            if self.valid(found):
                return Outcome(best=found, proven=status == cp_model.OPTIMAL)
        return Outcome(best=best)

    def first(self, f: Formulation, seconds: float) -> Outcome:
        """Any valid schedule: CP-SAT's local search alone first (one worker, deterministic, and on the
        tight days much quicker to a first schedule than the full portfolio), then the full search."""
        f.model.minimize(f.breaks)
        deadline = time.monotonic() + seconds
        for local in (True, False):
            left = deadline - time.monotonic()
            status, solver = self.run(
                f, 0.4 * left if local else left, None, floor=f.lower_bound, stop_at_first=True, local=local
            )
            if status == cp_model.INFEASIBLE:
                return Outcome(best=None, infeasible=True)
            if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                found = f.read(solver)
                if self.valid(found):
                    return Outcome(best=found, proven=status == cp_model.OPTIMAL)
        return Outcome(best=None)

    def breaks(self, f: Formulation, best: Slots, budget: float, *, neighbourhoods: bool = True) -> Outcome:
        """Fewest breaks from a valid schedule: annealing, then neighbourhood search, and probes at the bound.

        Without ``neighbourhoods`` (when other objectives are held that the sub-problems do not know),
        CP-SAT improves the whole model from above instead.
        """
        deadline = time.monotonic() + budget
        lb = f.lower_bound
        top = max(f.lower_bound, f.max_breaks)
        probing = len(self.problem.meetings) <= MAX_PROBED_MEETINGS
        lns = Neighbourhoods(f.problem, best, self.seed)

        def value(slots: Slots) -> int:
            return objective(self.problem, slots)[1]

        def accept(slots: Slots) -> None:
            nonlocal best
            if value(slots) < value(best) and self.valid(slots):
                best = list(slots)
                self._note(value(best), lb)

        self._note(value(best), lb)
        anneal_until = time.monotonic() + ANNEAL_SHARE * budget
        if neighbourhoods and probing and self.workers > 1:
            best, lb = self._side_by_side(f, best, lb, deadline, anneal_until)
        elif neighbourhoods:
            best = self._anneal(f, best, lb, anneal_until)
            lns = Neighbourhoods(f.problem, best, self.seed)
        rounds = 0
        while value(best) > lb and not (neighbourhoods and probing and self.workers > 1):
            left = deadline - time.monotonic()
            if left <= 0.05:
                break
            # Growing slices, each probe twice as long as the search before it: quick proofs come first,
            # hard probes get long runs later, and a probe that succeeds is the optimum.
            share = min(left, max(0.5, 0.04 * budget * 2**rounds))
            rounds += 1
            if neighbourhoods:
                lns.run(
                    time.monotonic() + (share if probing else left),
                    accept,
                    self.seed + 1000 * rounds,
                    tick=self.tick,
                )
            else:
                f.set_range(lb, top)
                f.model.minimize(f.breaks)
                status, solver = self.run(f, share, best, floor=lb, record=True)
                if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                    accept(f.read(solver))
                    if status == cp_model.OPTIMAL:
                        lb = value(best)
                elif status == cp_model.UNKNOWN:
                    lb = max(lb, min(int(solver.best_objective_bound), value(best)))
            if not probing or value(best) <= lb:
                continue
            # From below: is there a schedule with only ``lb`` breaks?
            left = deadline - time.monotonic()
            if left <= 0.05:
                break
            f.set_range(lb, lb)
            f.model.minimize(f.breaks)
            # No hint: it has more breaks than the probe allows, and CP-SAT 9.15 with interleave_search
            # aborts the process (a failed CHECK) on an infeasible probe that carries a hint.
            status, solver = self.run(f, min(left, 2 * share), None)
            if status == cp_model.INFEASIBLE:
                lb += 1
            elif status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                accept(f.read(solver))
            self._note(value(best), lb)
        f.set_range(lb, top)
        if value(best) <= lb:
            return Outcome(best=best, proven=True, bound=value(best))
        return Outcome(best=best, bound=lb)

    def _anneal(self, f: Formulation, best: Slots, lb: int, until: float) -> Slots:
        """Kempe-chain annealing (``kempe.py``, else ``anneal.py``) from ``best`` until ``until`` or down to ``lb``."""
        annealer = make_annealer(f.problem, best, self.seed)
        while time.monotonic() < until - 0.05 and annealer.best_total > lb:
            self.tick()
            annealer.run(min(until, time.monotonic() + ANNEAL_CHUNK), on_best=self._noting(lb), floor=lb)
        return self._better(best, annealer.best)

    def _noting(self, lb: int) -> Callable[[Slots], None]:
        return lambda slots: self._note(objective(self.problem, slots)[1], lb)

    def _better(self, best: Slots, found: Slots) -> Slots:
        if objective(self.problem, found)[1] < objective(self.problem, best)[1] and self.valid(found):
            return list(found)
        return best

    def _side_by_side(
        self, f: Formulation, best: Slots, lb: int, deadline: float, anneal_until: float
    ) -> tuple[Slots, int]:
        """With two or more workers: the probe at ``lb`` runs on one core for as long as it takes while
        the neighbourhood search runs on the other; a refuted probe restarts one higher.

        Which of the two reaches a proven optimum first decides which optimal schedule is returned, so
        with several workers even a proven result can differ between runs (the objective cannot).
        """
        top = max(f.lower_bound, f.max_breaks)
        probe: threading.Thread | None = None
        solver: cp_model.CpSolver | None = None
        result: list[int] = []
        step = 0
        annealer: Annealer | KempeAnnealer | None = make_annealer(f.problem, best, self.seed)
        lns: Neighbourhoods | None = None

        def value(slots: Slots) -> int:
            return objective(self.problem, slots)[1]

        while value(best) > lb and time.monotonic() < deadline - 0.05:
            if probe is None:
                f.set_range(lb, lb)
                f.model.minimize(f.breaks)
                f.model.clear_hints()  # type: ignore[no-untyped-call]
                solver = make_solver(deadline - time.monotonic(), 1, self.seed)
                result = []
                probe = threading.Thread(
                    target=lambda s=solver, r=result: r.append(int(s.solve(f.model))), daemon=True
                )
                probe.start()
            self.tick()
            if annealer is not None and time.monotonic() < anneal_until:
                annealer.run(
                    min(anneal_until, time.monotonic() + ANNEAL_CHUNK), on_best=self._noting(lb), floor=lb
                )
                best = self._better(best, annealer.best)
            else:
                annealer = None
                if lns is None:
                    lns = Neighbourhoods(f.problem, best, self.seed)
                before = lns.breaks()
                lns.step(min(STEP_SECONDS, deadline - time.monotonic()), self.seed + step)
                step += 1
                if lns.breaks() < before and lns.breaks() < value(best) and self.valid(lns.slots):
                    best = list(lns.slots)
                    self._note(value(best), lb)
            if result:
                probe.join()
                assert solver is not None
                if result[0] == cp_model.INFEASIBLE:
                    lb += 1
                elif result[0] in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                    found = f.read(solver)
                    if self.valid(found) and value(found) < value(best):
                        best = found
                probe = None
                self._note(value(best), lb)
        if probe is not None and solver is not None:
            solver.stop_search()
            probe.join()
        f.set_range(lb, top)
        return best, lb

    def _note(self, breaks: int | None, bound: int) -> None:
        now = round(time.monotonic() - self.started, 3)
        if breaks is not None and self.trace.first_solution is None:
            self.trace.first_solution = now
        self.trace.events.append((now, breaks, bound))
