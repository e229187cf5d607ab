"""The warm start's sweep through the day: in each slot an exact weighted matching picks the meetings.

See :func:`sweep` for the weights. A greedy pick with the same weights is kept as a second start.
"""

from __future__ import annotations

import math
import random

from ortools.sat.python import cp_model

from .agenda import Agenda
from .problem import Problem


def latest_slots(problem: Problem) -> list[int]:
    """Per meeting, the last slot that leaves room for its required successors (chains of them)."""
    latest = [max(a) if a else -1 for a in problem.allowed]
    succs: list[list[int]] = [[] for _ in problem.meetings]
    for m, preds in enumerate(problem.preds):
        if problem.required(m):
            for a in preds:
                succs[a].append(m)
    for _ in range(problem.n_slots):  # chains are at most n_slots long where they are feasible
        changed = False
        for m, after in enumerate(succs):
            for c in after:
                bound = max((s for s in problem.allowed[m] if s < latest[c]), default=-1)
                if bound < latest[m]:
                    latest[m], changed = bound, True
        if not changed:
            break
    return latest


def sweep(
    problem: Problem, rng: random.Random, noise: float, latest: list[int], exact: bool = True
) -> Agenda:
    """Fill the slots in time order; in each slot the best set of meetings is an exact weighted matching.

    A meeting's weight adds, for each of its two people: a lot if the person needs every remaining slot,
    much if the person met in the slot before (the run goes on), some if the person is resuming after a
    break, else the person's need per remaining slot. Meetings between people none of those apply to are
    capped at the day's average load per slot, so people do not all start at once. The greedy version of
    the same rule left three times the breaks on the tight days; the matching is what makes the sweep work.
    """
    agenda = Agenda(problem)
    wanted = [problem.required(m) or problem.meetings[m].weight > 0 for m in range(len(problem.meetings))]
    fixed_at: list[list[int]] = [[] for _ in range(problem.n_slots)]
    for m, meeting in enumerate(problem.meetings):
        if meeting.fixed_slot is not None and problem.allowed[m]:
            fixed_at[problem.allowed[m][0]].append(m)
    can_meet = [{s for m in mine for s in problem.allowed[m]} for mine in problem.of_participant]
    room = [len(slots) for slots in can_meet]  # per person: slots from now on in which it could meet
    need = [sum(1 for m in mine if wanted[m]) for mine in problem.of_participant]
    open_meetings = [
        m for m in range(len(problem.meetings)) if wanted[m] and problem.meetings[m].fixed_slot is None
    ]
    left = sum(wanted)

    def place(m: int, s: int) -> None:
        nonlocal left
        agenda.place(m, s)
        left -= 1
        for p in problem.pairs[m]:
            need[p] -= 1

    for s in range(problem.n_slots):
        bit = 1 << s
        for m in fixed_at[s]:
            if agenda.fits(m, s):
                place(m, s)
        candidates: list[tuple[int, int, bool]] = []
        for m in open_meetings:
            if agenda.slot[m] is not None or s not in problem.allowed[m] or s > latest[m]:
                continue
            a, b = problem.pairs[m]
            if (agenda.mask[a] | agenda.mask[b]) & bit:
                continue
            last_chance = not any(t > s for t in problem.allowed[m] if t <= latest[m])
            ready = all(
                (agenda.slot[x] is not None and agenda.slot[x] < s)  # type: ignore[operator]
                or (last_chance and not problem.required(x))
                for x in problem.preds[m]
            )
            if ready:
                weight, plain = _weight(agenda, need, room, (a, b), s)
                candidates.append((m, weight + int(noise * 10 * rng.random()), plain))
        pick = _matching if exact else _greedy_matching
        chosen = pick(
            problem, candidates, problem.n_tables - agenda.load[s], math.ceil(left / (problem.n_slots - s))
        )
        for m in chosen:
            if agenda.fits(m, s):
                place(m, s)
        for p, slots in enumerate(can_meet):
            if s in slots:
                room[p] -= 1
    return agenda


def _weight(
    agenda: Agenda, need: list[int], room: list[int], pair: tuple[int, int], s: int
) -> tuple[int, bool]:
    weight, plain = 0, True
    for p in pair:
        if need[p] >= room[p]:
            weight, plain = weight + 1000, False
        elif agenda.mask[p] & (1 << s >> 1):
            weight, plain = weight + 100, False
        elif agenda.mask[p]:
            weight += 20
        else:
            weight += int(10 * need[p] / max(room[p], 1))
    return weight, plain


def _greedy_matching(
    problem: Problem, candidates: list[tuple[int, int, bool]], tables: int, plain_cap: int
) -> list[int]:
    """The same choice made greedily, heaviest first: a different start, kept as a second opinion."""
    taken: set[int] = set()
    chosen: list[int] = []
    plain = 0
    for m, _, is_plain in sorted(candidates, key=lambda c: (-c[1], c[0])):
        if len(chosen) >= tables:
            break
        if (is_plain and plain >= plain_cap) or taken & set(problem.pairs[m]):
            continue
        chosen.append(m)
        taken.update(problem.pairs[m])
        plain += is_plain
    return chosen


def _matching(
    problem: Problem, candidates: list[tuple[int, int, bool]], tables: int, plain_cap: int
) -> list[int]:
    """The heaviest set of candidate meetings with one per person, ``tables`` in all, ``plain_cap`` plain."""
    if not candidates or tables <= 0:
        return []
    model = cp_model.CpModel()
    chosen = [model.new_bool_var(f"c{i}") for i in range(len(candidates))]
    per: dict[int, list[cp_model.IntVar]] = {}
    for lit, (m, _, _) in zip(chosen, candidates, strict=True):
        for p in problem.pairs[m]:
            per.setdefault(p, []).append(lit)
    for lits in per.values():
        model.add_at_most_one(lits)
    model.add(sum(chosen) <= tables)
    model.add(sum(lit for lit, c in zip(chosen, candidates, strict=True) if c[2]) <= plain_cap)
    model.maximize(sum(c[1] * lit for lit, c in zip(chosen, candidates, strict=True)))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    # A deterministic limit keeps the sweep reproducible; the wall-clock one is only a safety net.
    solver.parameters.max_deterministic_time = 0.5
    solver.parameters.max_time_in_seconds = 2.0
    if solver.solve(model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return []
    return [c[0] for lit, c in zip(chosen, candidates, strict=True) if solver.boolean_value(lit)]
