"""The engine's clock: counted work in *virtual seconds*, so that a run gives the same schedule every time.

The format promises that ``solve`` is deterministic for a given seed and worker count, and that it stops
within its time limit. A search that stops when the wall clock says so cannot keep the first promise: how
far it got depends on the machine and on what else runs on it. So every part of the search that can go on
for a while measures its work instead, converted to virtual seconds at fixed rates measured on the
reference machine (2 cores; ``bench/scheduling``):

* the annealers count moves (``COMPILED_MOVES_PER_SECOND`` for ``kempe.py``, ``PYTHON_MOVES_PER_SECOND``
  for ``anneal.py`` and ``mend.py``);
* CP-SAT is given a deterministic time limit (``max_deterministic_time``) and charged the deterministic time
  it reports, at ``DTIME_PER_SECOND`` per virtual second and worker, plus the building of its model by the
  model's size (many small neighbourhoods cost more in Python than in CP-SAT).

Every budget of the search (phases, probes, neighbourhoods, repairs) is a share of the virtual seconds
left, so two runs with the same instance, seed, workers and time limit do the same work and return the
same schedule. The wall clock stays as a safety net: when ``time_limit`` real seconds have passed, the
search stops wherever it is (and only then does its result depend on the machine). The warm start is
charged by the day's size; the rates are the slowest measured; and the Python between the counted parts
takes real time too, so the virtual budget is ``WORK_SHARE`` of the time limit: on the reference machine
the work ends before the wall clock does.

No Django here.
"""

from __future__ import annotations

import time

from ortools.sat.python import cp_model

from .formulation import make_solver

COMPILED_MOVES_PER_SECOND = 2_200_000  # kempe.py: 2.2 (1,000 participants) to 3.0 million a second measured
PYTHON_MOVES_PER_SECOND = 120_000  # anneal.py and mend.py: 100,000-250,000 a second
DTIME_PER_SECOND = 0.3  # CP-SAT's deterministic time per second and worker: 0.32-0.57 measured on the probes
# Building a model and starting CP-SAT on it: 11-16 microseconds a variable and about 10 ms a solve.
OVERHEAD_PER_VARIABLE = 2e-5
SOLVE_OVERHEAD = 0.01
# The warm start's sweeps and local search are bounded by counting; charged by the day's size (measured
# 89-283 microseconds per meeting and slot on the benchmark days).
WARM_START_PER_MEETING_SLOT = 1e-4
WORK_SHARE = 0.9  # of the time limit: the budget in virtual seconds


class Clock:
    """Virtual seconds spent and left, and the wall-clock safety net (``expired``)."""

    def __init__(self, time_limit: float, *, share: float | None = None) -> None:
        self.budget = (WORK_SHARE if share is None else share) * time_limit
        self.spent = 0.0
        self.wall_deadline = time.monotonic() + time_limit

    def now(self) -> float:
        """Virtual seconds spent so far."""
        return self.spent

    def left(self, until: float | None = None) -> float:
        """Virtual seconds left until ``until`` (a virtual time) or the end of the budget."""
        return (self.budget if until is None else min(until, self.budget)) - self.spent

    def expired(self) -> bool:
        """The wall-clock safety net: the time limit has passed in real seconds."""
        return time.monotonic() >= self.wall_deadline

    def wall_left(self) -> float:
        return self.wall_deadline - time.monotonic()

    def charge(self, seconds: float) -> None:
        self.spent += max(0.0, seconds)

    def moves(self, count: int, *, compiled: bool) -> None:
        """Charge ``count`` annealing moves."""
        self.charge(count / (COMPILED_MOVES_PER_SECOND if compiled else PYTHON_MOVES_PER_SECOND))

    @staticmethod
    def moves_in(seconds: float, *, compiled: bool) -> int:
        """How many annealing moves ``seconds`` virtual seconds buy."""
        rate = COMPILED_MOVES_PER_SECOND if compiled else PYTHON_MOVES_PER_SECOND
        return max(0, int(seconds * rate))

    def solver(self, seconds: float, workers: int, seed: int) -> cp_model.CpSolver:
        """A CP-SAT solver limited to ``seconds`` virtual seconds (and, as a safety net, the wall clock)."""
        solver = make_solver(max(0.01, self.wall_left()), workers, seed)
        solver.parameters.max_deterministic_time = max(0.001, seconds) * DTIME_PER_SECOND * max(1, workers)
        return solver

    def solved(self, solver: cp_model.CpSolver, model: cp_model.CpModel) -> None:
        """Charge a finished solve (:func:`cost`)."""
        self.charge(cost(solver, model))


def cost(solver: cp_model.CpSolver, model: cp_model.CpModel) -> float:
    """Virtual seconds of a finished solve: the deterministic time it reported, and building and setting
    up its model (by the model's size, ``SOLVE_OVERHEAD`` and ``OVERHEAD_PER_VARIABLE``)."""
    workers = max(1, solver.parameters.num_workers)
    overhead = SOLVE_OVERHEAD + OVERHEAD_PER_VARIABLE * len(model.proto.variables)
    return float(solver.deterministic_time / (DTIME_PER_SECOND * workers) + overhead)
