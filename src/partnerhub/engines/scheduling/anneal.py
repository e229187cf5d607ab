"""Simulated annealing with Kempe-chain moves: fast improvement of a valid schedule's breaks.

A *Kempe chain* between slots ``s`` and ``t`` is a connected set of meetings in those two slots, linked by
shared participants (everyone has at most one meeting per slot, so the chain is a path or a cycle).
Swapping the slots of the whole chain never double-books anyone, and only the people at the chain's ends
change which slots they are busy in — people inside it are busy in both slots before and after. So a
move's effect on breaks is a few bit operations on two or so agendas; a plain move of one meeting to a slot
where both people are free is the shortest chain. The other rules are checked per move and kept hard:
tables (the chain may carry one meeting more into a slot than out of it), allowed slots, fixed meetings,
``after`` links and the fairness spread. Every state the search passes through is therefore a valid
schedule, and so is the best one it returns.

Moves are drawn mostly around people with breaks (one of their meetings, towards a slot next to one of
their runs), otherwise at random; they are accepted by the Metropolis rule on the change in breaks, with a
small pull towards shorter gaps (idle slots inside an agenda) to move across plateaus. The temperature
falls geometrically and is raised again when nothing improved for a while. Timetabling solvers have used
Kempe chains for decades (exam and course timetabling); on the tight days they are far quicker per step
than re-solving neighbourhoods with CP-SAT.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable

from .agenda import breaks_of_mask, idle_of_mask
from .problem import Problem

Slots = list[int | None]
START_TEMPERATURE, FLOOR_TEMPERATURE, COOLING, STALL_STEPS = 0.3, 0.02, 0.99995, 20_000
IDLE_WEIGHT = 0.02  # a gap slot less is worth this fraction of a break: a tie-breaker across plateaus


class Annealer:
    """A valid slot assignment under Kempe-chain moves, with its best state so far."""

    def __init__(self, problem: Problem, slots: Slots, seed: int) -> None:
        self.problem = problem
        self.rng = random.Random(seed)
        self.slots = list(slots)
        n_p, n_s = len(problem.participant_ids), problem.n_slots
        self.at = [[-1] * n_s for _ in range(n_p)]
        self.mask = [0] * n_p
        self.load = [0] * n_s
        for m, s in enumerate(self.slots):
            if s is not None:
                self.load[s] += 1
                for p in problem.pairs[m]:
                    self.at[p][s] = m
                    self.mask[p] |= 1 << s
        self.per = [breaks_of_mask(x) for x in self.mask]
        self.counted = [problem.counts(p) and len(problem.of_participant[p]) > 1 for p in range(n_p)]
        self.histogram = [0] * (n_s + 2)
        for p in range(n_p):
            self.histogram[self.per[p]] += 1
        self.succs: list[list[int]] = [[] for _ in problem.meetings]
        for m, preds in enumerate(problem.preds):
            for a in preds:
                self.succs[a].append(m)
        self.allowed = [frozenset(a) for a in problem.allowed]
        self.movable = [
            m
            for m in range(len(problem.meetings))
            if self.slots[m] is not None and len(problem.allowed[m]) > 1
        ]
        self.total = sum(self.per)
        self.best = list(self.slots)
        self.best_total = self.total
        self.temperature = START_TEMPERATURE
        self.since = 0  # steps since the best improved
        self.steps = 0

    def _chain(self, m: int, s: int, t: int) -> list[int] | None:
        """The Kempe chain of ``m`` (in ``s``) between ``s`` and ``t``; None if some member cannot move."""
        at, pairs, allowed, slots = self.at, self.problem.pairs, self.allowed, self.slots
        chain = [m]
        seen = {m}
        i = 0
        while i < len(chain):
            x = chain[i]
            i += 1
            here = slots[x]
            other = t if here == s else s
            if other not in allowed[x]:
                return None
            for p in pairs[x]:
                y = at[p][other]
                if y >= 0 and y not in seen:
                    seen.add(y)
                    chain.append(y)
        return chain

    def _ordered(self, chain: list[int], s: int, t: int) -> bool:
        """Every ``after`` link of the chain's meetings holds once the chain has swapped."""
        slots = self.slots
        members = set(chain)

        def new(x: int) -> int | None:
            old = slots[x]
            if x in members:
                return t if old == s else s
            return old

        for x in chain:
            n = new(x)
            assert n is not None
            for a in self.problem.preds[x]:
                sa = new(a)
                if sa is not None and sa >= n:
                    return False
            for c in self.succs[x]:
                sc = new(c)
                if sc is not None and sc <= n:
                    return False
        return True

    def _try(self, m: int, t: int, temperature: float) -> bool:
        s = self.slots[m]
        if s is None or s == t:
            return False
        chain = self._chain(m, s, t)
        if chain is None:
            return False
        into_t = sum(1 for x in chain if self.slots[x] == s)
        into_s = len(chain) - into_t
        if self.load[t] + into_t - into_s > self.problem.tables_in(t):
            return False
        if self.load[s] + into_s - into_t > self.problem.tables_in(s):
            return False
        bit_s, bit_t = 1 << s, 1 << t
        changed: dict[int, int] = {}
        for x in chain:
            for p in self.problem.pairs[x]:
                if p not in changed:
                    mask = self.mask[p]
                    has_s, has_t = mask & bit_s, mask & bit_t
                    if bool(has_s) != bool(has_t):
                        changed[p] = mask ^ bit_s ^ bit_t
        delta = 0
        idle = 0
        new_per: dict[int, int] = {}
        for p, mask in changed.items():
            if not self.counted[p]:
                continue
            b = breaks_of_mask(mask)
            new_per[p] = b
            delta += b - self.per[p]
            idle += idle_of_mask(mask) - idle_of_mask(self.mask[p])
        score = delta + IDLE_WEIGHT * idle
        if score > 0 and (temperature <= 0 or self.rng.random() >= math.exp(-score / temperature)):
            return False
        if new_per and self.problem.spread is not None and not self._fair(new_per):
            return False
        if not self._ordered(chain, s, t):
            return False
        self._apply(chain, s, t, changed, new_per)
        self.total += delta
        return True

    def _fair(self, new_per: dict[int, int]) -> bool:
        hist = self.histogram
        for p, b in new_per.items():
            hist[self.per[p]] -= 1
            hist[b] += 1
        used = [v for v, n in enumerate(hist) if n]
        ok = not used or used[-1] - used[0] <= (self.problem.spread or 0)
        for p, b in new_per.items():
            hist[b] -= 1
            hist[self.per[p]] += 1
        return ok

    def _apply(
        self, chain: list[int], s: int, t: int, changed: dict[int, int], new_per: dict[int, int]
    ) -> None:
        pairs = self.problem.pairs
        moves = [(x, s, t) if self.slots[x] == s else (x, t, s) for x in chain]
        for x, old, _ in moves:
            for p in pairs[x]:
                if self.at[p][old] == x:
                    self.at[p][old] = -1
        for x, old, new in moves:
            self.slots[x] = new
            self.load[old] -= 1
            self.load[new] += 1
            for p in pairs[x]:
                self.at[p][new] = x
        for p, mask in changed.items():
            self.mask[p] = mask
        for p, b in new_per.items():
            self.histogram[self.per[p]] -= 1
            self.histogram[b] += 1
            self.per[p] = b

    def _draw(self) -> tuple[int, int] | None:
        """A meeting and a target slot: mostly next to a run of someone with breaks."""
        problem, rng = self.problem, self.rng
        if rng.random() < 0.7:
            p = rng.randrange(len(self.per))
            if self.per[p] == 0:
                p = rng.randrange(len(self.per))
            mine = [m for m in problem.of_participant[p] if self.slots[m] is not None]
            if not mine:
                return None
            m = rng.choice(mine)
            mask = self.mask[p]
            # Slots next to one of p's runs, where p is idle: filling one may join two runs.
            edge = ((mask << 1) | (mask >> 1)) & ~mask & ((1 << problem.n_slots) - 1)
            targets = [t for t in problem.allowed[m] if edge >> t & 1]
            if targets and rng.random() < 0.8:
                return m, rng.choice(targets)
            return m, rng.choice(problem.allowed[m])
        if not self.movable:
            return None
        m = rng.choice(self.movable)
        return m, rng.choice(problem.allowed[m])

    def step(self) -> bool:
        """One drawn move at the current temperature; True if it was made."""
        drawn = self._draw()
        return drawn is not None and self._try(drawn[0], drawn[1], self.temperature)

    def run(self, deadline: float, *, on_best: Callable[[Slots], None] | None = None) -> Slots:
        """Anneal until ``deadline`` (or a schedule with no break); returns the best slots found.

        May be called again to go on from where the last call stopped (temperature included).
        """
        if not self.movable:
            return self.best
        steps = 0
        while self.best_total > 0:
            if steps & 255 == 0 and time.monotonic() >= deadline:
                break
            steps += 1
            self.step()
            if self.total < self.best_total:
                self.best_total = self.total
                self.best = list(self.slots)
                self.since = 0
                if on_best is not None:
                    on_best(self.best)
            else:
                self.since += 1
            self.temperature *= COOLING
            if self.temperature < FLOOR_TEMPERATURE or self.since > STALL_STEPS:
                self.temperature, self.since = START_TEMPERATURE, 0
        self.steps += steps
        return self.best
