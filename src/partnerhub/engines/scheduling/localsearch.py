"""Local search on a complete agenda: move one meeting, or swap the slots of two meetings of one person.

Moves are scored by ``Agenda.cost``: first the fairness excess, then breaks, then idle slots inside
agendas (which guides towards compact agendas when breaks alone do not change). First improvement, in an
order drawn from the seeded generator; ``budget`` counts evaluated moves, so the result does not depend on
the machine's speed.
"""

from __future__ import annotations

import random

from .agenda import Agenda, placement_cost


def improve(agenda: Agenda, budget: int, rng: random.Random) -> None:
    problem = agenda.problem
    meetings = [m for m in range(len(problem.meetings)) if problem.meetings[m].fixed_slot is None]
    people = list(range(len(problem.participant_ids)))
    improved = True
    while improved and budget > 0:
        improved = False
        rng.shuffle(meetings)
        for m in meetings:
            if budget <= 0:
                break
            s = agenda.slot[m]
            if s is None:
                if problem.required(m) or not problem.meetings[m].weight:
                    continue
                spots = agenda.options(m)
                budget -= len(spots) + 1
                if spots:
                    agenda.place(m, min(spots, key=lambda t: placement_cost(agenda, m, t)))
                    improved = True
                continue
            agenda.remove(m)
            here = placement_cost(agenda, m, s)[:3]
            spots = agenda.options(m)
            budget -= len(spots) + 1
            # No slot at all: the start already breaks an ``after`` link here (a fixed meeting the
            # sweep placed first); the repairs deal with that, so leave the meeting where it was.
            best = min(spots, key=lambda t: placement_cost(agenda, m, t), default=s)
            if best != s and placement_cost(agenda, m, best)[:3] < here:
                agenda.place(m, best)
                improved = True
            else:
                agenda.place(m, s)
        rng.shuffle(people)
        for p in people:
            if budget <= 0:
                break
            mine = [
                m
                for m in problem.of_participant[p]
                if agenda.slot[m] is not None and problem.meetings[m].fixed_slot is None
            ]
            for i, m1 in enumerate(mine):
                for m2 in mine[i + 1 :]:
                    budget -= 1
                    if swap(agenda, m1, m2):
                        improved = True


def swap(agenda: Agenda, m1: int, m2: int) -> bool:
    """Exchange the slots of two meetings if that lowers the cost; report whether it did."""
    problem = agenda.problem
    s1, s2 = agenda.slot[m1], agenda.slot[m2]
    if s1 is None or s2 is None or s1 == s2:
        return False
    if s2 not in problem.allowed[m1] or s1 not in problem.allowed[m2]:
        return False
    if m2 in problem.preds[m1] or m1 in problem.preds[m2]:
        return False
    lo1, hi1 = agenda.window(m1)
    lo2, hi2 = agenda.window(m2)
    if not (lo1 <= s2 <= hi1 and lo2 <= s1 <= hi2):
        return False
    changes: dict[int, int] = {}
    for m, s in ((m1, s1), (m2, s2)):
        for p in problem.pairs[m]:
            changes[p] = changes.get(p, agenda.mask[p]) & ~(1 << s)
    for m, s in ((m1, s2), (m2, s1)):
        for p in problem.pairs[m]:
            if changes[p] & 1 << s:
                return False
            changes[p] |= 1 << s
    if agenda.cost(changes) >= (0, 0, 0):
        return False
    agenda.remove(m1)
    agenda.remove(m2)
    agenda.place(m1, s2)
    agenda.place(m2, s1)
    return True
