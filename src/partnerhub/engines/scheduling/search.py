"""CP-SAT solves with a shared clock: one objective at a time, and the two-sided search on breaks.

Minimising breaks from above on the whole model rarely proves anything (its LP bound stays near the sum
of the per-participant bounds) and, beyond a hundred participants, hardly improves a schedule either.
:meth:`Search.breaks` therefore works from both sides. From above: Kempe-chain annealing (``anneal.py``,
compiled in ``kempe.py``) for the first ``ANNEAL_SHARE`` of the phase — millions of valid moves a second,
where a CP-SAT neighbourhood takes a tenth of a second — then neighbourhood search (``lns.py``: a few dozen
meetings re-solved exactly at a time) to polish. From below: probes "is there a schedule with at most
``lb`` breaks?" on the whole model — infeasible raises ``lb`` by one, feasible is optimal. With two or more
workers the probes run on their own core beside the search from above, in rounds of equal counted work
(``clock.py``) that meet at their ends, so which side finishes first in real time does not change the
result; with one worker they take turns. Probes are skipped on days of more than ``MAX_PROBED_MEETINGS``
meetings, where they never finished. When the per-participant bound is 0, the question "is there a
schedule without any break?" (``stretches.py``, decided by a relaxation across people and cuts) takes the
probes' place until it is answered: a schedule without any break is optimal, and "none" makes the bound 1.
Every budget here is in virtual seconds of the search's ``Clock``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ortools.sat.python import cp_model

from .anneal import Annealer
from .clock import Clock, cost
from .formulation import Formulation
from .kempe import KempeAnnealer, make_annealer
from .lns import STEP_SECONDS, Neighbourhoods
from .problem import Problem, objective, violations
from .stretches import NoBreak

Slots = list[int | None]
MAX_PROBED_MEETINGS = 2000  # beyond this a whole-model probe has never paid off in the benchmark
ANNEAL_SHARE = 0.85  # of the breaks phase: Kempe-chain annealing first, then CP-SAT neighbourhoods
ANNEAL_CHUNK = 0.5  # virtual seconds between progress reports
STRETCH_SHARE = 0.3  # of the breaks phase with one worker: "a schedule without any break?" (``stretches.py``)
FIRST_ROUND = 1.0  # virtual seconds of the first round of probe beside annealing; later rounds double
LAST_ROUND = 8.0


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
        clock: Clock,
        workers: int,
        seed: int,
        progress: Callable[[int], None] | None,
    ) -> None:
        self.problem = problem
        self.clock = clock
        self.started = time.monotonic()
        self.workers = workers
        self.seed = seed
        self.progress = progress
        self.trace = Trace()
        self.last_tick = 0.0

    def share(self) -> int:
        """Progress: the share of the virtual budget used, 0..99."""
        return min(99, int(100 * self.clock.now() / max(self.clock.budget, 0.01)))

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
        """One CP-SAT solve of ``seconds`` virtual seconds (charged to the clock); ``progress`` is called
        from this thread twice a second meanwhile."""
        if hint is not None:
            f.hint(hint)
        else:
            f.model.clear_hints()  # type: ignore[no-untyped-call]
        solver = self.clock.solver(seconds, 1 if local else self.workers, self.seed)
        solver.parameters.stop_after_first_solution = stop_at_first
        solver.parameters.use_ls_only = local
        callback = _Callback(self, floor, record)
        if self.progress is None:
            status = int(solver.solve(f.model, callback))
        else:
            result: list[int] = []
            worker = threading.Thread(target=lambda: result.append(int(solver.solve(f.model, callback))))
            worker.start()
            begun = time.monotonic()
            while worker.is_alive():
                worker.join(0.5)
                during = int(100 * (time.monotonic() - begun) / max(self.clock.budget, 0.01))
                self.progress(min(99, self.share() + during))
            status = result[0]
        self.clock.solved(solver, f.model)
        return status, solver

    def tick(self) -> None:
        """Report progress (the share of the virtual budget used), at most twice a second."""
        now = time.monotonic()
        if self.progress is not None and now - self.last_tick >= 0.5:
            self.last_tick = now
            self.progress(self.share())

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
        deadline = self.clock.now() + seconds
        for local in (True, False):
            left = self.clock.left(deadline)
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
        clock = self.clock
        deadline = clock.now() + budget
        lb = f.lower_bound
        top = max(f.lower_bound, f.max_breaks)
        probing = len(self.problem.meetings) <= MAX_PROBED_MEETINGS
        # Is there a schedule without any break (``stretches.py``)? With two workers it is worked on beside
        # the annealing instead of the first probes. Not while other objectives are held (it ignores them).
        asked = neighbourhoods and lb == 0 and probing and objective(self.problem, best)[1] > 0
        nobreak = NoBreak(f.problem) if asked else None
        if nobreak is not None and nobreak.open and not (neighbourhoods and self.workers > 1):
            clock.charge(nobreak.run(clock, STRETCH_SHARE * budget, self.seed))
        if nobreak is not None:
            best, lb = self._answered(nobreak, best, lb)
        lns = Neighbourhoods(f.problem, best, self.seed, clock)

        def value(slots: Slots) -> int:
            return objective(self.problem, slots)[1]

        def accept(slots: Slots) -> None:
            nonlocal best
            if value(slots) < value(best) and self.valid(slots):
                best = list(slots)
                self.note(value(best), lb)

        self.note(value(best), lb)
        anneal_until = clock.now() + ANNEAL_SHARE * budget
        if neighbourhoods and probing and self.workers > 1:
            best, lb = self._side_by_side(f, best, lb, deadline, anneal_until, nobreak)
        elif neighbourhoods:
            best = self._anneal(f, best, lb, anneal_until)
            lns = Neighbourhoods(f.problem, best, self.seed, clock)
        rounds = 0
        while value(best) > lb and not (neighbourhoods and probing and self.workers > 1):
            left = clock.left(deadline)
            if left <= 0.05 or clock.expired():
                break
            # Growing slices, each probe twice as long as the search before it: quick proofs come first,
            # hard probes get long runs later, and a probe that succeeds is the optimum.
            share = min(left, max(0.5, 0.04 * budget * 2**rounds))
            rounds += 1
            if neighbourhoods:
                lns.run(
                    clock.now() + (share if probing else left),
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
            left = clock.left(deadline)
            if left <= 0.05 or clock.expired():
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
            self.note(value(best), lb)
        f.set_range(lb, top)
        if value(best) <= lb:
            return Outcome(best=best, proven=True, bound=value(best))
        return Outcome(best=best, bound=lb)

    def _anneal(self, f: Formulation, best: Slots, lb: int, until: float) -> Slots:
        """Kempe-chain annealing (``kempe.py``, else ``anneal.py``) from ``best`` until ``until`` or down to ``lb``."""
        annealer = make_annealer(f.problem, best, self.seed)
        clock = self.clock
        while (
            annealer.can_move
            and clock.left(until) > 0.01
            and annealer.best_total > lb
            and not clock.expired()
        ):
            self.tick()
            annealer.run(clock, min(until, clock.now() + ANNEAL_CHUNK), on_best=self._noting(lb), floor=lb)
        return self._better(best, annealer.best)

    def _noting(self, lb: int) -> Callable[[Slots], None]:
        return lambda slots: self.note(objective(self.problem, slots)[1], lb)

    def _better(self, best: Slots, found: Slots) -> Slots:
        if objective(self.problem, found)[1] < objective(self.problem, best)[1] and self.valid(found):
            return list(found)
        return best

    def _answered(self, nobreak: NoBreak, best: Slots, lb: int) -> tuple[Slots, int]:
        """What the question "a schedule without any break?" has answered so far: a bound or a schedule."""
        if nobreak.impossible:
            lb = max(lb, 1)
        if nobreak.found is not None:
            best = self._better(best, nobreak.found)
            self.note(objective(self.problem, best)[1], lb)
        return best, lb

    def _side_by_side(
        self,
        f: Formulation,
        best: Slots,
        lb: int,
        deadline: float,
        anneal_until: float,
        nobreak: NoBreak | None = None,
    ) -> tuple[Slots, int]:
        """With two or more workers: rounds in which probes run on one core while the annealing (then the
        neighbourhood search) runs on the other, for the same virtual seconds each.

        A round's probes start at the bound the round started with and raise it while they refute it; the
        search from above stops early only on reaching that starting bound (then the schedule is proven
        optimal). Both sides do counted work and meet at the end of the round, so the outcome does not
        depend on which of them the machine runs faster. A probe left unfinished at the end of a round
        starts again in the next, which lasts twice as long (up to ``LAST_ROUND``).
        """
        clock = self.clock
        annealer: Annealer | KempeAnnealer | None = make_annealer(f.problem, best, self.seed)
        lns: Neighbourhoods | None = None
        length = FIRST_ROUND
        step = 0

        def value(slots: Slots) -> int:
            return objective(self.problem, slots)[1]

        while value(best) > lb and clock.left(deadline) > 0.05 and not clock.expired():
            end = clock.now() + min(length, clock.left(deadline))
            length = min(LAST_ROUND, 2 * length)
            probe = _ProbeChain(f, lb, value(best), end - clock.now(), self.seed, clock, nobreak)
            probe.start()
            while clock.left(end) > 0.01 and value(best) > lb and not clock.expired():
                self.tick()
                if annealer is not None and annealer.can_move and clock.left(anneal_until) > 0.01:
                    until = min(end, anneal_until, clock.now() + ANNEAL_CHUNK)
                    annealer.run(clock, until, on_best=self._noting(lb), floor=lb)
                    best = self._better(best, annealer.best)
                    continue
                annealer = None
                if lns is None:
                    lns = Neighbourhoods(f.problem, best, self.seed, clock)
                before = lns.breaks()
                lns.step(min(STEP_SECONDS, clock.left(end)), self.seed + step)
                step += 1
                if lns.breaks() < before and lns.breaks() < value(best) and self.valid(lns.slots):
                    best = list(lns.slots)
                    self.note(value(best), lb)
            if value(best) <= lb:  # proven by the search from above: the probes' work is not needed
                probe.stop()
                break
            probe.join()  # it may be behind in real time; its work is counted, not timed
            lb = max(lb, probe.bound)
            if nobreak is not None:
                best, lb = self._answered(nobreak, best, lb)
            if probe.found is not None:
                best = self._better(best, probe.found)
            self.note(value(best), lb)
        f.set_range(lb, max(f.lower_bound, f.max_breaks))
        return best, lb

    def note(self, breaks: int | None, bound: int) -> None:
        """Record a schedule's breaks and the proven bound in the trace, in real seconds since the start."""
        now = round(time.monotonic() - self.started, 3)
        if breaks is not None and self.trace.first_solution is None:
            self.trace.first_solution = now
        self.trace.events.append((now, breaks, bound))


class _ProbeChain(threading.Thread):
    """Probes "at most ``lb`` breaks?" one after another on one core, within ``seconds`` virtual seconds:
    each refuted one raises the bound by one, a feasible one is an optimum (``found``). The chain's work is
    counted by CP-SAT's deterministic time, so where it gets to does not depend on the machine."""

    def __init__(
        self,
        f: Formulation,
        lb: int,
        best: int,
        seconds: float,
        seed: int,
        clock: Clock,
        nobreak: NoBreak | None,
    ) -> None:
        super().__init__(daemon=True)
        self.f, self.bound, self.best, self.seconds, self.seed, self.clock = f, lb, best, seconds, seed, clock
        self.nobreak = nobreak  # while it is open, the round's work goes to it instead of the probes
        self.found: Slots | None = None
        self._solver: cp_model.CpSolver | None = None
        self._stopped = threading.Event()

    def run(self) -> None:
        f, spent = self.f, 0.0
        if self.nobreak is not None and self.nobreak.open:
            spent = self.nobreak.run(self.clock, self.seconds, self.seed)
            if self.nobreak.found is not None:
                return
            if self.nobreak.impossible:
                self.bound = max(self.bound, 1)
        while self.bound < self.best and self.seconds - spent > 0.01 and not self._stopped.is_set():
            f.set_range(self.bound, self.bound)
            f.model.minimize(f.breaks)
            # No hint: it has more breaks than the probe allows, and CP-SAT 9.15 with interleave_search
            # aborts the process (a failed CHECK) on an infeasible probe that carries a hint.
            f.model.clear_hints()  # type: ignore[no-untyped-call]
            self._solver = solver = self.clock.solver(self.seconds - spent, 1, self.seed)
            if self._stopped.is_set():
                return
            status = solver.solve(f.model)
            spent += cost(solver, f.model)
            if status == cp_model.INFEASIBLE:
                self.bound += 1
            elif status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                self.found = f.read(solver)
                return
            else:
                return

    def stop(self) -> None:
        self._stopped.set()
        if self.nobreak is not None:
            self.nobreak.stop()
        if self._solver is not None:
            self._solver.stop_search()
        self.join()
