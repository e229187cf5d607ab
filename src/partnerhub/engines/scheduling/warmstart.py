"""A quick schedule to start from: a sweep through the day, a little repair, then local search.

Its uses: a complete hint for CP-SAT (which then starts from a good incumbent instead of searching for a
first one — on 1,000 participants that first search alone can take most of the time limit), and a fallback
answer when CP-SAT finds nothing better in time (only if :func:`problem.violations` finds nothing wrong).

The sweep fills the slots in time order the way a desk would: people already in a run of meetings keep
going, people who need every remaining slot go first, and the others start when the day's load calls for
it (about the average number of meetings per remaining slot). A few seeded sweeps with different noise are
tried and the best kept. A re-schedule instead starts from the previous slots and inserts the rest.

Agendas are bit masks (bit ``s`` set: busy in slot ``s``), so breaks are two integer operations. The work is
bounded by counting evaluated moves, not by the clock, so the result depends only on the instance, the
``previous`` slots and the seed — not on the machine's speed.
"""

from __future__ import annotations

import heapq
import math
import random
from collections.abc import Sequence

from ortools.sat.python import cp_model

from .problem import Problem


def breaks_of_mask(mask: int) -> int:
    runs = (mask & ~(mask << 1)).bit_count()
    return runs - 1 if runs > 1 else 0


def idle_of_mask(mask: int) -> int:
    if not mask:
        return 0
    low = (mask & -mask).bit_length() - 1
    return mask.bit_length() - low - mask.bit_count()


class Agenda:
    """A partial schedule with incremental bookkeeping."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.slot: list[int | None] = [None] * len(problem.meetings)
        self.mask = [0] * len(problem.participant_ids)
        self.load = [0] * problem.n_slots
        self.succs: list[list[int]] = [[] for _ in problem.meetings]
        for m, preds in enumerate(problem.preds):
            for a in preds:
                self.succs[a].append(m)
        self.histogram = [0] * (problem.n_slots + 1)  # participants per breaks value
        self.histogram[0] = len(problem.participant_ids)

    def window(self, m: int) -> tuple[int, int]:
        """Slots ``m`` may take given the placed meetings it must follow or precede."""
        lo, hi = 0, self.problem.n_slots - 1
        for a in self.problem.preds[m]:
            s = self.slot[a]
            if s is not None:
                lo = max(lo, s + 1)
        for c in self.succs[m]:
            s = self.slot[c]
            if s is not None:
                hi = min(hi, s - 1)
        return lo, hi

    def fits(self, m: int, s: int) -> bool:
        a, b = self.problem.pairs[m]
        bit = 1 << s
        return (
            self.load[s] < self.problem.n_tables
            and not self.mask[a] & bit
            and not self.mask[b] & bit
            and s in self.problem.allowed[m]
        )

    def options(self, m: int) -> list[int]:
        lo, hi = self.window(m)
        return [s for s in self.problem.allowed[m] if lo <= s <= hi and self.fits(m, s)]

    def _set(self, p: int, mask: int) -> None:
        self.histogram[breaks_of_mask(self.mask[p])] -= 1
        self.mask[p] = mask
        self.histogram[breaks_of_mask(mask)] += 1

    def place(self, m: int, s: int) -> None:
        self.slot[m] = s
        self.load[s] += 1
        for p in self.problem.pairs[m]:
            self._set(p, self.mask[p] | 1 << s)

    def remove(self, m: int) -> None:
        s = self.slot[m]
        assert s is not None
        self.slot[m] = None
        self.load[s] -= 1
        for p in self.problem.pairs[m]:
            self._set(p, self.mask[p] & ~(1 << s))

    def cost(self, changes: dict[int, int]) -> tuple[int, int, int]:
        """(fairness excess, breaks, idle) change if participants take the masks in ``changes``."""
        d_breaks = d_idle = 0
        for p, mask in changes.items():
            d_breaks += breaks_of_mask(mask) - breaks_of_mask(self.mask[p])
            d_idle += idle_of_mask(mask) - idle_of_mask(self.mask[p])
        if self.problem.spread is None:
            return 0, d_breaks, d_idle
        before = self.excess()
        for p, mask in changes.items():
            self.histogram[breaks_of_mask(self.mask[p])] -= 1
            self.histogram[breaks_of_mask(mask)] += 1
        after = self.excess()
        for p, mask in changes.items():
            self.histogram[breaks_of_mask(mask)] -= 1
            self.histogram[breaks_of_mask(self.mask[p])] += 1
        return after - before, d_breaks, d_idle

    def excess(self) -> int:
        used = [v for v, n in enumerate(self.histogram) if n]
        if not used or self.problem.spread is None:
            return 0
        return max(0, used[-1] - used[0] - self.problem.spread)


def placement_cost(agenda: Agenda, m: int, s: int) -> tuple[int, int, int, int]:
    """How much placing ``m`` in ``s`` costs: (fairness excess, breaks, idle − neighbours, slot)."""
    changes = {p: agenda.mask[p] | 1 << s for p in agenda.problem.pairs[m]}
    excess, d_breaks, d_idle = agenda.cost(changes)
    touching = sum(1 for p in agenda.problem.pairs[m] if agenda.mask[p] & (0b101 << s >> 1))
    return excess, d_breaks, d_idle - touching, s


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


def _sweep(
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
            agenda = _sweep(problem, rng, 0.3 * k, latest, exact=k < sweeps)
            _complete(agenda, order)
            if best is None or _score(agenda) < _score(best):
                best = agenda
        assert best is not None
    if improve:
        local_search(best, effort, rng)  # type: ignore[arg-type]
    return best.slot  # type: ignore[union-attr]


def placed_all_required(problem: Problem, slots: Sequence[int | None]) -> bool:
    return all(s is not None or not problem.required(m) for m, s in enumerate(slots))
