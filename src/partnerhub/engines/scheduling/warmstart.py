"""A quick schedule to start from: sweeps through the day, a little repair, then local search.

It is the search's first incumbent (the neighbourhood search needs one to improve, and on 1,000
participants a whole-model CP-SAT run takes most of the time limit to find any) and the fallback answer.

The sweeps (``sweep.py``) fill the slots in time order the way a desk would — people in a run of meetings
keep going, people who need every remaining slot go first — with an exact matching per slot; a few seeded
sweeps and one greedy sweep are tried and the best kept. A re-schedule instead starts from the previous
slots and inserts the rest. The work is bounded by counting (sweeps, evaluated moves) and the matchings by
CP-SAT's deterministic time, so the result depends only on the instance, the ``previous`` slots and the
seed — not on the machine's speed.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Sequence

from .agenda import Agenda, placement_cost
from .problem import Problem
from .sweep import latest_slots, sweep


def _order(problem: Problem, agenda: Agenda) -> list[int]:
    """Fixed first, then a topological order that takes the least flexible meeting first."""
    degree = [len(ms) for ms in problem.of_participant]
    waiting = [len(p) for p in problem.preds]
    key = [
        (
            problem.meetings[m].fixed_slot is None,
            not problem.required(m),
            len(problem.allowed[m]),
            -degree[problem.pairs[m][0]] - degree[problem.pairs[m][1]],
            m,
        )
        for m in range(len(problem.meetings))
    ]
    ready = [key[m] for m in range(len(problem.meetings)) if not waiting[m]]
    heapq.heapify(ready)
    order: list[int] = []
    while ready:
        m = heapq.heappop(ready)[-1]
        order.append(m)
        for c in agenda.succs[m]:
            waiting[c] -= 1
            if not waiting[c]:
                heapq.heappush(ready, key[c])
    return order  # meetings on a precedence cycle never become ready and stay out


def _eject(agenda: Agenda, m: int) -> bool:
    """Place ``m`` by moving the one or two meetings that block one of its slots elsewhere."""
    problem = agenda.problem
    lo, hi = agenda.window(m)
    a, b = problem.pairs[m]
    for s in problem.allowed[m]:
        if not lo <= s <= hi:
            continue
        # A meeting of the same pair is in both lists: take it once.
        blockers = sorted(
            {
                o
                for o in problem.of_participant[a] + problem.of_participant[b]
                if agenda.slot[o] == s and o != m
            }
        )
        if agenda.load[s] - len(blockers) >= problem.n_tables:
            continue  # freeing the two people would not free a table
        if any(problem.meetings[o].fixed_slot is not None for o in blockers):
            continue
        for o in blockers:
            agenda.remove(o)
        agenda.place(m, s)
        moved = []
        for o in blockers:
            spots = agenda.options(o)
            if not spots:
                break
            agenda.place(o, min(spots, key=lambda t, o=o: placement_cost(agenda, o, t)))  # type: ignore[misc]
            moved.append(o)
        if len(moved) == len(blockers):
            return True
        for o in moved:
            agenda.remove(o)
        agenda.remove(m)
        for o in blockers:
            agenda.place(o, s)
    return False


def _complete(agenda: Agenda, order: list[int]) -> None:
    """Insert the meetings still out at their cheapest slot; a required one may push others aside."""
    problem = agenda.problem
    for m in order:
        if agenda.slot[m] is not None:
            continue
        if not problem.required(m) and not problem.meetings[m].weight:
            continue
        spots = agenda.options(m)
        if spots:
            agenda.place(m, min(spots, key=lambda s: placement_cost(agenda, m, s)))
        elif problem.required(m):
            _eject(agenda, m)


def _score(agenda: Agenda) -> tuple[int, int, int, int]:
    problem = agenda.problem
    missing = sum(1 for m, s in enumerate(agenda.slot) if s is None and problem.required(m))
    weight = sum(problem.meetings[m].weight for m, s in enumerate(agenda.slot) if s is not None)
    breaks = sum(v * n for v, n in enumerate(agenda.histogram))
    return missing, agenda.excess(), -weight, breaks


def warm_start(
    problem: Problem,
    *,
    previous: dict[int, int | None] | None = None,
    seed: int = 0,
    effort: int = 200_000,
    improve: bool = True,
) -> list[int | None]:
    """A slot assignment (``None``: not placed; a required meeting may stay out if all attempts failed).

    ``previous`` slots are kept where they still fit, so a re-schedule starts from the old plan, and
    ``improve=False`` leaves them alone (when moves matter more than breaks). ``effort`` bounds the work:
    the number of sweeps and of moves the local search evaluates.
    """
    from .localsearch import improve as local_search

    rng = random.Random(seed)
    order = _order(problem, Agenda(problem))
    if previous:
        best = Agenda(problem)
        for m in order:
            old = previous.get(m)
            if old is not None and old in best.options(m):
                best.place(m, old)
        _complete(best, order)
    else:
        latest = latest_slots(problem)
        sweeps = max(1, min(3, effort // max(1, 20 * len(problem.meetings))))
        best = None
        for k in range(sweeps + 1):
            # The last sweep is the greedy one: on a few tight days only it leaves a repairable start.
            agenda = sweep(problem, rng, 0.3 * k, latest, exact=k < sweeps)
            _complete(agenda, order)
            if best is None or _score(agenda) < _score(best):
                best = agenda
        assert best is not None
    if improve:
        local_search(best, effort, rng)  # type: ignore[arg-type]
    return best.slot  # type: ignore[union-attr]


def placed_all_required(problem: Problem, slots: Sequence[int | None]) -> bool:
    return all(s is not None or not problem.required(m) for m, s in enumerate(slots))
