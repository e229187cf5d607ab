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
from collections.abc import Callable

from .agenda import breaks_of_mask, idle_of_mask
from .clock import Clock
from .problem import Problem

Slots = list[int | None]
START_TEMPERATURE, FLOOR_TEMPERATURE = 0.3, 0.02
# Steps from the start temperature down to the floor, per meeting (at least MIN_CYCLE). The temperature
# is raised again at the floor, and on days small enough for the shortest cycle also after MIN_STALL steps
# without a new best: early reheats did best on the tight days, whole cycles on the 150- and
# 1,000-participant days (about 206 breaks instead of 224 after 40 s of annealing on the large day).
CYCLE_PER_MEETING, MIN_CYCLE, MIN_STALL = 150, 50_000, 20_000
IDLE_WEIGHT = 0.02
# Moves start from someone with breaks (BROKEN_FOCUS), from anyone (up to FOCUS), else from any meeting.
BROKEN_FOCUS, FOCUS = 0.5, 0.7
COMPOUND_TRIES = 3  # meetings tried for the balancing chain of a move that overfills a slot  # a gap slot less is worth this fraction of a break: a tie-breaker across plateaus


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
        self.in_slot: list[list[int]] = [[] for _ in range(n_s)]
        self.position = [0] * len(problem.meetings)
        for m, s in enumerate(self.slots):
            if s is not None:
                self.position[m] = len(self.in_slot[s])
                self.in_slot[s].append(m)
        self.total = sum(self.per)
        self.broken = [p for p in range(n_p) if self.per[p]]  # people with breaks, to draw from
        self.rank = [0] * n_p
        for i, p in enumerate(self.broken):
            self.rank[p] = i
        self.best = list(self.slots)
        self.best_total = self.total
        self.temperature = START_TEMPERATURE
        cycle = max(MIN_CYCLE, CYCLE_PER_MEETING * len(problem.meetings))
        self.cooling = math.exp(math.log(FLOOR_TEMPERATURE / START_TEMPERATURE) / cycle)
        self.stall = cycle if cycle > MIN_CYCLE else MIN_STALL
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
        net = 2 * into_t - len(chain)  # meetings gained by t
        if self.load[t] + net > self.problem.tables_in(t) or self.load[s] - net > self.problem.tables_in(s):
            return self._compound(chain, s, t, temperature)
        bit_s, bit_t = 1 << s, 1 << t
        changed: dict[int, int] = {}
        for x in chain:
            for p in self.problem.pairs[x]:
                if p not in changed:
                    mask = self.mask[p]
                    if bool(mask & bit_s) != bool(mask & bit_t):
                        changed[p] = mask ^ bit_s ^ bit_t
        delta, score, new_per = self._score({p: self.mask[p] for p in changed}, changed)
        if not self._accept(score, temperature, new_per) or not self._ordered(chain, s, t):
            return False
        self._swap(chain, s, t)
        self._commit(new_per, delta)
        return True

    def _compound(self, chain: list[int], s: int, t: int, temperature: float) -> bool:
        """A chain that would overfill a slot, balanced by a second chain back out of that slot.

        On days with nearly every table taken most single chains fail on tables; pairing one with a
        chain that carries a meeting the other way keeps both slots within their tables.
        """
        net = 2 * sum(1 for x in chain if self.slots[x] == s) - len(chain)
        over, under = (t, s) if net > 0 else (s, t)
        before: dict[int, int] = {}
        for x in chain:
            for p in self.problem.pairs[x]:
                before.setdefault(p, self.mask[p])
        self._swap(chain, s, t)
        members = set(chain)
        second: list[int] | None = None
        for _ in range(COMPOUND_TRIES):
            y = self.rng.choice(self.in_slot[over])
            if y in members:
                continue
            second = self._chain(y, over, under)
            if second is None or members.intersection(second):
                second = None
                continue
            out = 2 * sum(1 for x in second if self.slots[x] == over) - len(second)
            if self.load[over] - out <= self.problem.tables_in(over) and self.load[
                under
            ] + out <= self.problem.tables_in(under):
                break
            second = None
        if second is None:
            self._swap(chain, s, t)
            return False
        for x in second:
            for p in self.problem.pairs[x]:
                before.setdefault(p, self.mask[p])
        self._swap(second, over, under)
        after = {p: self.mask[p] for p in before}
        delta, score, new_per = self._score(before, after)
        if not (self._accept(score, temperature, new_per) and self._in_order(chain + second)):
            self._swap(second, over, under)
            self._swap(chain, s, t)
            return False
        self._commit(new_per, delta)
        return True

    def _score(self, before: dict[int, int], after: dict[int, int]) -> tuple[int, float, dict[int, int]]:
        """Change in breaks, the annealing score, and the new breaks of the counted people changed."""
        delta = idle = 0
        new_per: dict[int, int] = {}
        for p, mask in after.items():
            if not self.counted[p] or mask == before[p]:
                continue
            b = breaks_of_mask(mask)
            new_per[p] = b
            delta += b - self.per[p]
            idle += idle_of_mask(mask) - idle_of_mask(before[p])
        return delta, delta + IDLE_WEIGHT * idle, new_per

    def _accept(self, score: float, temperature: float, new_per: dict[int, int]) -> bool:
        if score > 0 and (temperature <= 0 or self.rng.random() >= math.exp(-score / temperature)):
            return False
        return not (new_per and self.problem.spread is not None and not self._fair(new_per))

    def _in_order(self, moved: list[int]) -> bool:
        """Every ``after`` link of the moved meetings holds in the current slots."""
        slots = self.slots
        for x in moved:
            here = slots[x]
            assert here is not None
            for a in self.problem.preds[x]:
                sa = slots[a]
                if sa is not None and sa >= here:
                    return False
            for c in self.succs[x]:
                sc = slots[c]
                if sc is not None and sc <= here:
                    return False
        return True

    def _commit(self, new_per: dict[int, int], delta: int) -> None:
        for p, b in new_per.items():
            if b and not self.per[p]:
                self.rank[p] = len(self.broken)
                self.broken.append(p)
            elif self.per[p] and not b:
                last, i = self.broken[-1], self.rank[p]
                self.broken[i] = last
                self.rank[last] = i
                self.broken.pop()
            self.histogram[self.per[p]] -= 1
            self.histogram[b] += 1
            self.per[p] = b
        self.total += delta

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

    def _swap(self, chain: list[int], s: int, t: int) -> None:
        """Move every meeting of the chain to the other of ``s`` and ``t`` (twice restores the state)."""
        pairs, at, mask = self.problem.pairs, self.at, self.mask
        moves = [(x, s, t) if self.slots[x] == s else (x, t, s) for x in chain]
        for x, old, _ in moves:
            for p in pairs[x]:
                if at[p][old] == x:
                    at[p][old] = -1
                mask[p] &= ~(1 << old)
            self.load[old] -= 1
            self._leave(x, old)
        for x, _, new in moves:
            self.slots[x] = new
            for p in pairs[x]:
                at[p][new] = x
                mask[p] |= 1 << new
            self.load[new] += 1
            self.in_slot[new].append(x)
            self.position[x] = len(self.in_slot[new]) - 1

    def _leave(self, x: int, s: int) -> None:
        row = self.in_slot[s]
        i, last = self.position[x], row[-1]
        row[i] = last
        self.position[last] = i
        row.pop()

    def _draw(self) -> tuple[int, int] | None:
        """A meeting and a target slot: mostly next to a run of someone with breaks."""
        problem, rng = self.problem, self.rng
        draw = rng.random()
        if draw < FOCUS:
            p = (
                rng.choice(self.broken)
                if self.broken and draw < BROKEN_FOCUS
                else rng.randrange(len(self.per))
            )
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

    @property
    def can_move(self) -> bool:
        """False when every meeting is fixed (or none is placed): ``run`` then has nothing to do."""
        return bool(self.movable)

    def step(self) -> bool:
        """One drawn move at the current temperature; True if it was made."""
        drawn = self._draw()
        return drawn is not None and self._try(drawn[0], drawn[1], self.temperature)

    def run(
        self, clock: Clock, until: float, *, on_best: Callable[[Slots], None] | None = None, floor: int = 0
    ) -> Slots:
        """Anneal until the virtual time ``until`` (``clock.py``) or a schedule with at most ``floor``
        breaks; the best slots found. The moves are charged to ``clock``.

        May be called again to go on from where the last call stopped (temperature included).
        """
        if not self.movable:
            return self.best
        allowed = clock.moves_in(clock.left(until), compiled=False)
        steps = 0
        while self.best_total > floor and steps < allowed:
            if steps & 255 == 0 and clock.expired():
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
            self.temperature *= self.cooling
            if self.temperature < FLOOR_TEMPERATURE or self.since > self.stall:
                self.temperature, self.since = START_TEMPERATURE, 0
        self.steps += steps
        clock.moves(steps, compiled=False)
        return self.best
