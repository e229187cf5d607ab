"""Repairing a start by annealing: required meetings left out and a broken fairness limit become costs.

The sweep of the warm start sometimes leaves a required meeting or two without a slot on the tight days
(every table taken, its two people busy wherever a table is free), or someone with breaks beyond the
fairness limit. :class:`Mender` anneals like :class:`anneal.Annealer` (Kempe chains, tables, allowed slots
and ``after`` links kept hard) but counts a left-out required meeting as ``OUT_PENALTY`` breaks and each
break of fairness excess as ``FAIR_PENALTY``, and adds one move: put a left-out meeting into a slot,
taking out whatever stands in its way there (its two people's meetings in that slot, and one more meeting
if the slot has no free table). Taking one out to put one in costs nothing, so the search walks along
such ejection chains until the meetings left out find room. It stops at the first valid schedule.
"""

from __future__ import annotations

import math

from .anneal import FLOOR_TEMPERATURE, START_TEMPERATURE, Annealer
from .clock import Clock
from .problem import Problem

Slots = list[int | None]
OUT_PENALTY = 4.0  # a required meeting left out, counted in breaks
FAIR_PENALTY = 2.0  # one break of fairness excess
OPTIONAL_PENALTY = 0.5  # an optional meeting taken out to make room (the insertion phase may bring it back)
INSERT_SHARE = 0.3  # of the moves while some required meeting is out
# An attempt either succeeds within a fraction of a second or wanders off improving breaks while the
# meeting stays out: short attempts from the start with fresh seeds did better than one long one.
ATTEMPT_STEPS = 100_000


def mend(problem: Problem, slots: Slots, seed: int, clock: Clock, until: float) -> Slots | None:
    """A valid schedule mended from ``slots`` by attempts with seeds ``seed``, ``seed + 1``, ...; or None
    when the virtual time ``until`` comes first (the moves are charged to ``clock``)."""
    attempt = 0
    while clock.left(until) > 0 and not clock.expired():
        mender = Mender(problem, slots, seed + attempt)
        if mender.mend(clock, until):
            return mender.slots
        attempt += 1
    return None


class Mender(Annealer):
    def __init__(self, problem: Problem, slots: Slots, seed: int) -> None:
        super().__init__(problem, slots, seed)
        self.out = [m for m, s in enumerate(self.slots) if s is None and problem.required(m)]
        self.excess = self._excess()

    def _excess(self) -> int:
        if self.problem.spread is None:
            return 0
        used = [v for v, n in enumerate(self.histogram) if n]
        return max(0, used[-1] - used[0] - self.problem.spread) if used else 0

    def _accept(self, score: float, temperature: float, new_per: dict[int, int]) -> bool:
        """The Metropolis rule, with the change in fairness excess as a cost instead of a rule."""
        extra = 0
        if new_per and self.problem.spread is not None:
            hist = self.histogram
            for p, b in new_per.items():
                hist[self.per[p]] -= 1
                hist[b] += 1
            extra = self._excess() - self.excess
            for p, b in new_per.items():
                hist[b] -= 1
                hist[self.per[p]] += 1
        score += FAIR_PENALTY * extra
        return score <= 0 or (temperature > 0 and self.rng.random() < math.exp(-score / temperature))

    def _commit(self, new_per: dict[int, int], delta: int) -> None:
        super()._commit(new_per, delta)
        self.excess = self._excess()

    def _unplace(self, x: int) -> None:
        s = self.slots[x]
        assert s is not None
        for p in self.problem.pairs[x]:
            self.at[p][s] = -1
            self.mask[p] &= ~(1 << s)
        self.load[s] -= 1
        self._leave(x, s)
        self.slots[x] = None

    def _place(self, x: int, s: int) -> None:
        for p in self.problem.pairs[x]:
            self.at[p][s] = x
            self.mask[p] |= 1 << s
        self.load[s] += 1
        self.position[x] = len(self.in_slot[s])
        self.in_slot[s].append(x)
        self.slots[x] = s

    def _insert(self, temperature: float) -> bool:
        """Put a left-out required meeting into a slot, taking out what blocks it there."""
        problem, rng, slots = self.problem, self.rng, self.slots
        m = rng.choice(self.out)
        lo = max((slots[a] + 1 for a in problem.preds[m] if slots[a] is not None), default=0)  # type: ignore[operator]
        hi = min((slots[c] - 1 for c in self.succs[m] if slots[c] is not None), default=problem.n_slots)  # type: ignore[operator]
        options = [t for t in problem.allowed[m] if lo <= t <= hi]
        if not options:
            return False
        t = rng.choice(options)
        a, b = problem.pairs[m]
        ejected = {x for x in (self.at[a][t], self.at[b][t]) if x >= 0}
        if self.load[t] - len(ejected) + 1 > problem.tables_in(t):
            others = [x for x in self.in_slot[t] if x not in ejected]
            if not others:
                return False
            ejected.add(rng.choice(others))
        if any(problem.meetings[x].fixed_slot is not None for x in ejected):
            return False
        before = {p: self.mask[p] for x in ejected for p in problem.pairs[x]}
        before.setdefault(a, self.mask[a])
        before.setdefault(b, self.mask[b])
        after = dict(before)
        for x in ejected:
            for p in problem.pairs[x]:
                after[p] &= ~(1 << t)
        after[a] |= 1 << t
        after[b] |= 1 << t
        delta, score, new_per = self._score(before, after)
        required_out = sum(1 for x in ejected if problem.required(x))
        score += OUT_PENALTY * (required_out - 1) + OPTIONAL_PENALTY * (len(ejected) - required_out)
        if not self._accept(score, temperature, new_per):
            return False
        for x in ejected:
            self._unplace(x)
        self._place(m, t)
        self.out.remove(m)
        self.out.extend(x for x in ejected if problem.required(x))
        self._commit(new_per, delta)
        return True

    def mend(self, clock: Clock, until: float, steps: int = ATTEMPT_STEPS) -> bool:
        """Anneal until no required meeting is out and fairness holds (True), or until ``steps`` moves or
        the virtual time ``until``; the moves are charged to ``clock``."""
        steps = min(steps, max(1, clock.moves_in(clock.left(until), compiled=False)))
        done = 0
        while self.out or self.excess:
            if done >= steps or done & 4095 == 0 and clock.expired():
                clock.moves(done, compiled=False)
                return False
            done += 1
            if self.out and self.rng.random() < INSERT_SHARE:
                self._insert(self.temperature)
            else:
                self.step()
            self.temperature *= self.cooling
            if self.temperature < FLOOR_TEMPERATURE:
                self.temperature = START_TEMPERATURE
        clock.moves(done, compiled=False)
        return True
