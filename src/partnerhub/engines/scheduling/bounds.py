"""Combinatorial facts about one participant that hold in every schedule.

* :func:`hall_violation`: the participant's required meetings cannot get distinct slots (a set of ``k``
  meetings whose possible slots number fewer than ``k``) — a proof of infeasibility with names in it.
* :func:`min_runs`: the least number of busy runs the participant's required meetings need. A run of busy
  slots lies inside a *window* (a maximal stretch of slots in which some meeting of the participant may
  take place), so the runs needed are at least the fewest windows whose slots can hold every required
  meeting (a bipartite matching, each meeting into a slot it allows). ``min_runs - 1`` is a lower bound on
  the participant's breaks; the formulation adds it as a redundant constraint, which is what lets CP-SAT
  prove optimality on instances where many people have forced gaps.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations

from .problem import Problem

MAX_WINDOWS_ENUMERATED = 10


def _matching(options: Sequence[Sequence[int]], usable: set[int] | None = None) -> tuple[int, list[int]]:
    """Maximum matching of items into slots (Kuhn); returns its size and the unmatched items."""
    owner: dict[int, int] = {}

    def augment(item: int, seen: set[int]) -> bool:
        for s in options[item]:
            if (usable is None or s in usable) and s not in seen:
                seen.add(s)
                if s not in owner or augment(owner[s], seen):
                    owner[s] = item
                    return True
        return False

    unmatched = [i for i in range(len(options)) if not augment(i, set())]
    return len(options) - len(unmatched), unmatched


def distinct_slots(options: Sequence[Sequence[int]]) -> bool:
    """Whether every item gets a slot of its own among its options."""
    return _matching(options)[0] == len(options)


def hall_violation(options: Sequence[Sequence[int]]) -> tuple[list[int], list[int]] | None:
    """``(items, slots)`` with more items than slots, every item's options among those slots; or None.

    From an unmatched item of a maximum matching, the items reachable by alternating paths form a Hall
    violator: their options are exactly the slots matched to the others of them.
    """
    owner: dict[int, int] = {}

    def augment(item: int, seen: set[int]) -> bool:
        for s in options[item]:
            if s not in seen:
                seen.add(s)
                if s not in owner or augment(owner[s], seen):
                    owner[s] = item
                    return True
        return False

    for i in range(len(options)):
        if not augment(i, set()):
            items, slots, todo = {i}, set(), [i]
            while todo:
                for s in options[todo.pop()]:
                    if s not in slots:
                        slots.add(s)
                        if owner[s] not in items:
                            items.add(owner[s])
                            todo.append(owner[s])
            return sorted(items), sorted(slots)
    return None


def windows(slots: set[int]) -> list[list[int]]:
    """Maximal stretches of consecutive slot indices."""
    result: list[list[int]] = []
    for s in sorted(slots):
        if result and result[-1][-1] == s - 1:
            result[-1].append(s)
        else:
            result.append([s])
    return result


def min_runs(problem: Problem, p: int) -> int:
    """The fewest busy runs that can hold participant ``p``'s required meetings (0 without any)."""
    mine = problem.of_participant[p]
    options = [problem.allowed[m] for m in mine if problem.required(m)]
    if not options:
        return 0
    if any(not o for o in options):
        return 1  # infeasible anyway; the diagnosis names it
    stretches = windows({s for m in mine for s in problem.allowed[m]})
    sizes = sorted((len(w) for w in stretches), reverse=True)
    # Counting alone: the k largest windows must have room for every required meeting.
    k = next((k for k in range(1, len(sizes) + 1) if sum(sizes[:k]) >= len(options)), len(sizes))
    if len(stretches) > MAX_WINDOWS_ENUMERATED or k == len(stretches):
        return k
    for size in range(k, len(stretches)):
        for chosen in combinations(stretches, size):
            usable = {s for w in chosen for s in w}
            if len(usable) >= len(options) and _matching(options, usable)[0] == len(options):
                return size
    return len(stretches)


def total_lower_bound(problem: Problem) -> int:
    """Sum over participants of ``min_runs - 1``: a lower bound on total breaks in every schedule."""
    total = 0
    for p, mine in enumerate(problem.of_participant):
        if len([m for m in mine if problem.allowed[m]]) > 1:
            total += max(0, min_runs(problem, p) - 1)
    return total
