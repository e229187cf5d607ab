"""The optimal B2B scheduler: CP-SAT on the slot formulation, one phase per objective.

Steps:

1. :func:`precheck.precheck` — a reason found means ``infeasible`` at once, with names.
2. A warm start (``warmstart.py``: a sweep through the day with an exact matching per slot, then local
   search). If it left required meetings out or broke the fairness limit, it is mended by annealing with
   those as costs (``mend.py``), or else their surroundings are re-solved (``lns.Neighbourhoods.repair`` /
   ``fair``); optional meetings left out are then fitted in where re-solving their two people's days
   allows (``insert``).
3. Phases, in lexicographic order, each holding the earlier objectives at the values reached:

   * ``stability="secondary"`` (default): maximise optional weight; minimise breaks; minimise moved
     meetings (only with a previous schedule);
   * ``stability="first"``: minimise moved meetings; maximise optional weight; minimise breaks —
     ``optimal`` then means optimal for that order.

   The weight and moved phases are one CP-SAT solve each (skipped when there is nothing to gain, e.g. every
   optional meeting already in). Once every optional meeting of positive weight is in, they count as
   required from then on, which strengthens the bounds. The breaks phase (``search.py``) improves the
   schedule by Kempe-chain annealing and then neighbourhood search, beside probes "at most ``lb``
   breaks?" on the whole model; where the per-participant bound is 0 it first asks whether there is a
   schedule without any break (``stretches.py``).

The schedule is ``optimal`` only when every phase was proven. ``bound`` is the breaks phase's proven lower
bound (valid for the lexicographic optimum, because the earlier objectives are held at values the optimum
also reaches) or the sum of the per-participant bounds (``bounds.min_runs``) when that phase did not run.

Determinism (the format: "deterministic for a given seed and worker count"): the search is measured in
counted work, not in seconds (``clock.py``): annealing moves, CP-SAT's deterministic time and the size of
the models it builds, converted to *virtual seconds* at fixed rates. Every budget — the phases, the
mending, the neighbourhoods, the probes — is a share of the virtual seconds, which are ``WORK_SHARE`` of
the time limit. CP-SAT gets ``num_workers=workers``, ``random_seed=seed`` and, with several workers,
``interleave_search`` (a fixed order of batches); annealing and mending draw from generators seeded with
``seed``; the warm start counts its work. With two or more workers the probes and the search from above run
side by side in rounds of equal counted work and meet at the end of each round (``search.py``). So the same
instance, time limit, seed and worker count give the same schedule on any machine — proven or not — as
long as the work ends before the wall clock reaches the time limit, which is only a safety net: on a
machine much slower or busier than the reference machine (2 cores, ``bench/scheduling``) the search is cut
there, and that result depends on how far it got. ``solve_seconds`` is the only field that varies.

The function never returns a schedule that breaks a hard constraint: whatever it is about to return is
re-checked by :func:`problem.violations`, and a failure there leaves ``unknown``.
"""

from __future__ import annotations

import dataclasses
import functools
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from . import diagnose
from .bounds import total_lower_bound
from .clock import WARM_START_PER_MEETING_SLOT, Clock
from .formulation import Formulation
from .lns import Neighbourhoods
from .mend import mend
from .model import Instance, Schedule
from .problem import Problem, assign_tables, index, moved, objective, violations
from .search import MAX_PROBED_MEETINGS, Outcome, Search, Slots
from .warmstart import warm_start

ENGINE_NAME = "cpsat/1"
STABILITY = ("secondary", "first")


@dataclass
class Report:
    """A schedule and how the search went (the benchmark prints these)."""

    schedule: Schedule
    warm_start_seconds: float | None = None  # when the warm start was ready, if it was a valid schedule
    first_solution_seconds: float | None = None  # the first valid schedule of the breaks phase
    trace: list[tuple[float, int | None, int | None]] = field(default_factory=list)  # (s, breaks, bound)


def _previous(problem: Problem, previous: Schedule | None) -> tuple[dict[int, int | None], dict[int, str]]:
    """Old slot (−1 for a slot that no longer exists) and old table of each meeting still in the instance."""
    if previous is None:
        return {}, {}
    m_of = {m.id: i for i, m in enumerate(problem.meetings)}
    s_of = {sid: i for i, sid in enumerate(problem.slot_ids)}
    slots: dict[int, int | None] = {}
    tables: dict[int, str] = {}
    for a in previous.assignments:
        if a.meeting in m_of:
            slots[m_of[a.meeting]] = s_of.get(a.slot, -1)
            tables[m_of[a.meeting]] = a.table
    return slots, tables


def _all_wanted_required(problem: Problem) -> Problem:
    """The same problem with every optional meeting of positive weight required.

    Used once the weight phase has placed all of them: the optimum must keep them all, and knowing that
    lets the per-participant bounds and the contiguity model count them.
    """
    meetings = tuple(
        dataclasses.replace(m, required=True) if not m.required and m.weight > 0 else m
        for m in problem.meetings
    )
    return dataclasses.replace(problem, meetings=meetings)


def solve(
    instance: Instance,
    *,
    time_limit: float = 10.0,
    workers: int = 2,
    seed: int = 0,
    progress: Callable[[int], None] | None = None,
    previous: Schedule | None = None,
    stability: str = "secondary",
) -> Schedule:
    """The best schedule found within ``time_limit`` seconds (format ``partnerhub-b2b-schedule/1``).

    ``previous``: the schedule being revised; meetings that keep their slot count as not moved, ``moved``
    is reported, and ``stability`` says whether fewer moves come after (``"secondary"``) or before
    (``"first"``) the format's objective. ``progress`` receives 0..100 (share of the time limit used).
    """
    return solve_report(
        instance,
        time_limit=time_limit,
        workers=workers,
        seed=seed,
        progress=progress,
        previous=previous,
        stability=stability,
    ).schedule


def solve_report(
    instance: Instance,
    *,
    time_limit: float = 10.0,
    workers: int = 2,
    seed: int = 0,
    progress: Callable[[int], None] | None = None,
    previous: Schedule | None = None,
    stability: str = "secondary",
) -> Report:
    """:func:`solve` with the search's timings (first valid schedule, bound over time)."""
    if stability not in STABILITY:
        raise ValueError(f"stability must be one of {', '.join(STABILITY)}, not {stability!r}")
    started = time.monotonic()
    clock = Clock(time_limit)
    if progress is not None:
        progress(0)
    problem = index(instance)
    structural = functools.cache(lambda: total_lower_bound(problem))  # asked for at most twice
    report = Report(schedule=Schedule(status="unknown"))
    search = Search(problem, clock=clock, workers=workers, seed=seed, progress=progress)

    def finish(schedule: Schedule) -> Report:
        schedule.solve_seconds = round(time.monotonic() - started, 2)
        report.first_solution_seconds = search.trace.first_solution
        report.trace = search.trace.events
        if progress is not None:
            progress(100)
        report.schedule = schedule
        return report

    def infeasible() -> Report:
        reasons = diagnose.explain(problem, seconds=max(1.0, clock.left()), workers=workers, seed=seed)
        return finish(
            Schedule(status="infeasible", explanation=diagnose.explanation_text(reasons), reasons=reasons)
        )

    reasons = diagnose.precheck(problem)
    if reasons:
        return finish(
            Schedule(status="infeasible", explanation=diagnose.explanation_text(reasons), reasons=reasons)
        )

    old_slots, old_tables = _previous(problem, previous)
    keep = stability == "first" and previous is not None
    effort = int(min(200_000, 20_000 * time_limit))
    warm: Slots = warm_start(problem, previous=old_slots, seed=seed, effort=effort, improve=not keep)
    clock.charge(WARM_START_PER_MEETING_SLOT * len(problem.meetings) * problem.n_slots)
    best: Slots | None = list(warm) if search.valid(warm) else None
    # The sweep may leave a few required meetings out, or break the fairness limit: anneal with those
    # as costs (``mend.py``), and if that does not do it in time, re-solve the surroundings of each such
    # meeting and of each participant with too many breaks.
    repairable = best is None and all(
        v.startswith(("required meeting", "breaks spread")) for v in violations(problem, warm)
    )
    if repairable:
        mended = mend(problem, warm, seed, clock, 0.15 * clock.budget)
        if mended is not None and search.valid(mended):
            best = mended
    if best is None and repairable:
        mender = Neighbourhoods(problem, warm, seed, clock)
        deadline = 0.3 * clock.budget
        if mender.repair(deadline, seed) and mender.fair(deadline, seed) and search.valid(mender.slots):
            best = list(mender.slots)
    if best is not None:
        report.warm_start_seconds = round(time.monotonic() - started, 3)
        search.note(objective(problem, best)[1], structural())
    if best is not None and stability != "first":
        # Optional meetings left out: fit them in where re-solving their two people's days allows.
        inserter = Neighbourhoods(problem, best, seed, clock)
        inserter.insert(0.15 * clock.budget, seed)
        if (
            search.valid(inserter.slots)
            and objective(problem, inserter.slots)[0] > objective(problem, best)[0]
        ):
            best = list(inserter.slots)

    total_weight = sum(m.weight for m in problem.meetings if not m.required)
    shifted = any(old is not None for old in old_slots.values())
    order = ["moved", "weight", "breaks"] if stability == "first" else ["weight", "breaks", "moved"]
    order = [p for p in order if (p != "weight" or total_weight) and (p != "moved" or shifted)]
    held: dict[str, int] = {}
    proven = True
    bound: int | None = None
    model_problem = problem
    for i, name in enumerate(order):
        left = clock.left()
        if name == "breaks" and i + 1 < len(order):
            budget = 0.75 * left
        elif name == "breaks" or i + 1 == len(order):
            budget = left
        else:
            # On a large day a whole-model CP-SAT run rarely adds an optional meeting that the
            # insertion above could not; its time is better spent on breaks.
            budget = (0.3 if len(problem.meetings) <= MAX_PROBED_MEETINGS else 0.1) * left
        phase_started = clock.now()
        if held.get("weight") == total_weight and total_weight:
            model_problem = _all_wanted_required(problem)
        f = Formulation(model_problem, previous=old_slots)
        if "weight" in held and model_problem is problem:
            f.model.add(f.weight >= held["weight"])
        if "moved" in held:
            f.model.add(f.moved <= held["moved"])
        if "breaks" in held:
            f.set_range(f.lower_bound, max(f.lower_bound, held["breaks"]))
        if name == "breaks":
            outcome = Outcome(best=best)
            if best is None:
                outcome = search.first(f, budget)
            if outcome.best is not None and not outcome.infeasible:
                left = budget - (clock.now() - phase_started)
                outcome = search.breaks(f, outcome.best, left, neighbourhoods=not keep)
                bound = outcome.bound
        elif name == "weight" and best is not None and objective(problem, best)[0] == total_weight:
            outcome = Outcome(best=best, proven=True)  # every optional meeting is in: nothing to gain
        elif name == "moved" and best is not None and moved(old_slots, best) == 0:
            outcome = Outcome(best=best, proven=True)
        else:
            expr = f.weight if name == "weight" else f.moved
            outcome = search.optimise(f, expr, name == "weight", best, budget)
        if outcome.infeasible and i == 0:
            return infeasible()
        best = outcome.best
        proven = proven and outcome.proven
        if best is None:
            continue  # nothing to hold; the breaks phase looks for a first schedule with the time left
        weight, breaks = objective(problem, best)
        held[name] = {"weight": weight, "moved": moved(old_slots, best), "breaks": breaks}[name]

    if best is None or violations(problem, best):
        return finish(
            Schedule(
                status="unknown",
                explanation=f"No schedule was found within {time_limit:g} seconds; that does not prove "
                "that none exists. A longer time limit may find one.",
            )
        )
    weight, breaks = objective(problem, best)
    if bound is None or bound > breaks:
        bound = min(structural(), breaks)
    return finish(
        Schedule(
            status="optimal" if proven else "feasible",
            # Only a meeting that kept its slot keeps its table: one that moved must not take the table of
            # a meeting that stayed in its new slot.
            assignments=assign_tables(
                problem, best, keep={m: t for m, t in old_tables.items() if old_slots.get(m) == best[m]}
            ),
            unscheduled=[problem.meetings[m].id for m, s in enumerate(best) if s is None],
            breaks=breaks,
            optional_weight=weight,
            bound=breaks if proven else bound,
            moved=moved(old_slots, best) if previous is not None else None,
        )
    )
