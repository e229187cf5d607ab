"""The Kempe-chain annealer of ``anneal.py``, compiled: the same moves, about fifty times as many a second.

:class:`anneal.Annealer` explains the search; this module runs it as one numba-compiled loop over flat
arrays (a meeting's slot, who meets whom in which slot, bit masks of busy slots, table loads, the breaks
histogram for the fairness rule) with its own seeded generator, so a run is reproducible for a seed and
independent of how its time is sliced. :class:`KempeAnnealer` has the interface of ``Annealer`` (``run``,
``best``, ``best_total``, ``steps``); :func:`make_annealer` picks it whenever numba imports and a day has at
most ``MAX_SLOTS`` slots (a participant's busy slots are one 64-bit word), else the Python annealer.

The compiled code is cached beside this file (numba's ``cache=True``): the first run on a machine
compiles it for a few seconds, later processes load it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from .anneal import (
    BROKEN_FOCUS,
    COMPOUND_TRIES,
    CYCLE_PER_MEETING,
    FLOOR_TEMPERATURE,
    FOCUS,
    IDLE_WEIGHT,
    MIN_CYCLE,
    MIN_STALL,
    START_TEMPERATURE,
    Annealer,
)
from .clock import Clock
from .problem import Problem

try:  # numba is a dependency; without it (an unsupported platform) the Python annealer runs instead
    from numba import njit
except ImportError:  # pragma: no cover - exercised only where numba has no wheel
    njit = None  # type: ignore[assignment]

Slots = list[int | None]
MAX_SLOTS = 62  # a participant's busy slots are bits of one signed 64-bit word, with room for a shift
FIRST_BATCH = 2_000  # steps in the first compiled call; later calls are sized to about BATCH_SECONDS
BATCH_SECONDS = 0.05

# Indices into the kernel's integer and float state arrays.
TOTAL, BEST_TOTAL, SINCE, STALL, N_BROKEN, RNG, EPOCH, IMPROVED, MADE = range(9)
TEMPERATURE, COOLING, START, FLOOR, IDLE, FOCUSED, ON_BROKEN, NEXT_TO = range(8)
NEXT_TO_RUN = 0.8  # of focused moves: towards a slot next to one of the person's runs

_POP16 = np.array([bin(i).count("1") for i in range(1 << 16)], dtype=np.int64)


def available() -> bool:
    return njit is not None


def make_annealer(problem: Problem, slots: Slots, seed: int) -> Annealer | KempeAnnealer:
    """The compiled annealer where it can run, else the Python one (same moves, same rules)."""
    if available() and problem.n_slots <= MAX_SLOTS:
        return KempeAnnealer(problem, slots, seed)
    return Annealer(problem, slots, seed)


def _csr(rows: Any) -> tuple[np.ndarray, np.ndarray]:
    ptr = np.zeros(len(rows) + 1, dtype=np.int64)
    for i, row in enumerate(rows):
        ptr[i + 1] = ptr[i] + len(row)
    flat = np.fromiter((x for row in rows for x in row), dtype=np.int64, count=int(ptr[-1]))
    return ptr, flat


class KempeAnnealer:
    """A valid slot assignment under compiled Kempe-chain moves, with its best state so far."""

    def __init__(
        self, problem: Problem, slots: Slots, seed: int, *, cycle: int | None = None, stall: int | None = None
    ) -> None:
        if not available():  # pragma: no cover
            raise RuntimeError("numba is not installed")
        if problem.n_slots > MAX_SLOTS:
            raise ValueError(f"at most {MAX_SLOTS} slots; use anneal.Annealer")
        self.problem = problem
        n_m, n_p, n_s = len(problem.meetings), len(problem.participant_ids), problem.n_slots
        i64 = np.int64
        self.pa = np.array([a for a, _ in problem.pairs], dtype=i64)
        self.pb = np.array([b for _, b in problem.pairs], dtype=i64)
        self.allowed_mask = np.array([sum(1 << s for s in row) for row in problem.allowed], dtype=i64)
        self.al_ptr, self.al_idx = _csr(problem.allowed)
        self.of_ptr, self.of_idx = _csr(problem.of_participant)
        succs: list[list[int]] = [[] for _ in range(n_m)]
        for m, preds in enumerate(problem.preds):
            for a in preds:
                succs[a].append(m)
        self.pr_ptr, self.pr_idx = _csr(problem.preds)
        self.su_ptr, self.su_idx = _csr(succs)
        self.cap = np.array([problem.tables_in(s) for s in range(n_s)], dtype=i64)
        self.counted = np.array(
            [problem.counts(p) and len(problem.of_participant[p]) > 1 for p in range(n_p)], dtype=np.bool_
        )
        self.spread = -1 if problem.spread is None else problem.spread

        self.slot = np.array([-1 if s is None else s for s in slots], dtype=i64)
        self.at = np.full((n_p, n_s), -1, dtype=i64)
        self.mask = np.zeros(n_p, dtype=i64)
        self.load = np.zeros(n_s, dtype=i64)
        self.in_slot = np.zeros((n_s, max(1, n_m)), dtype=i64)
        self.position = np.zeros(max(1, n_m), dtype=i64)
        for m, s in enumerate(slots):
            if s is not None:
                self.in_slot[s, self.load[s]] = m
                self.position[m] = self.load[s]
                self.load[s] += 1
                for p in problem.pairs[m]:
                    self.at[p, s] = m
                    self.mask[p] |= 1 << s
        self.movable = np.array(
            [m for m in range(n_m) if slots[m] is not None and len(problem.allowed[m]) > 1], dtype=i64
        )
        self.per = np.array([_breaks_py(int(x)) for x in self.mask], dtype=i64)
        self.hist = np.zeros(n_s + 2, dtype=i64)
        for b in self.per:
            self.hist[b] += 1
        self._broken = np.zeros(max(1, n_p), dtype=i64)
        self.rank = np.zeros(max(1, n_p), dtype=i64)
        n_broken = 0
        for p in range(n_p):
            if self.per[p]:
                self._broken[n_broken] = p
                self.rank[p] = n_broken
                n_broken += 1
        self.best_slots = self.slot.copy()
        if cycle is None:
            cycle = max(MIN_CYCLE, CYCLE_PER_MEETING * n_m)
        if stall is None:
            stall = cycle if cycle > MIN_CYCLE else MIN_STALL
        total = int(self.per.sum())
        # The generator's state must be odd-free of zero; any 64-bit value other than 0 will do.
        state = (seed * 0x9E3779B97F4A7C15 + 0x632BE59BD9B4E019) & 0x7FFF_FFFF_FFFF_FFFF or 1
        self.ints = np.array([total, total, 0, stall, n_broken, state, 0, 0, 0], dtype=i64)
        cooling = math.exp(math.log(FLOOR_TEMPERATURE / START_TEMPERATURE) / cycle)
        self.floats = np.array(
            [START_TEMPERATURE, cooling, START_TEMPERATURE, FLOOR_TEMPERATURE, IDLE_WEIGHT, FOCUS]
            + [BROKEN_FOCUS, NEXT_TO_RUN],
            dtype=np.float64,
        )
        # Scratch space of the kernel: a chain (and a second one), stamps, participants a move changes.
        self.chain = np.zeros(max(1, n_m), dtype=i64)
        self.chain2 = np.zeros(max(1, n_m), dtype=i64)
        self.seen_m = np.zeros(max(1, n_m), dtype=i64)
        self.seen2 = np.zeros(max(1, n_m), dtype=i64)
        self.seen_p = np.zeros(max(1, n_p), dtype=i64)
        self.changed = np.zeros(max(1, n_p), dtype=i64)
        self.before = np.zeros(max(1, n_p), dtype=i64)
        self.newb = np.zeros(max(1, n_p), dtype=i64)
        self.steps = 0
        self._batch = FIRST_BATCH

    @property
    def can_move(self) -> bool:
        """False when every meeting is fixed (or none is placed): ``run`` then has nothing to do."""
        return bool(len(self.movable))

    @property
    def best_total(self) -> int:
        return int(self.ints[BEST_TOTAL])

    @property
    def total(self) -> int:
        return int(self.ints[TOTAL])

    @property
    def broken(self) -> list[int]:
        """People with breaks now (in no particular order)."""
        return [int(p) for p in self._broken[: self.ints[N_BROKEN]]]

    @property
    def temperature(self) -> float:
        return float(self.floats[TEMPERATURE])

    @temperature.setter
    def temperature(self, value: float) -> None:
        self.floats[TEMPERATURE] = value

    def step(self) -> bool:
        """One drawn move at the current temperature (the temperature does not fall); True if it was made."""
        made, temperature = int(self.ints[MADE]), self.temperature
        _anneal(1, -1, *self._arrays())
        self.temperature = temperature
        self.steps += 1
        return int(self.ints[MADE]) > made

    @property
    def best(self) -> Slots:
        return [None if s < 0 else int(s) for s in self.best_slots]

    @property
    def slots(self) -> Slots:
        return [None if s < 0 else int(s) for s in self.slot]

    def run(
        self, clock: Clock, until: float, *, on_best: Callable[[Slots], None] | None = None, floor: int = 0
    ) -> Slots:
        """Anneal until the virtual time ``until`` (``clock.py``) or a schedule with at most ``floor``
        breaks; the best slots found.

        May be called again to go on where the last call stopped. The moves are counted and charged to
        ``clock``, so where a run stops does not depend on the machine (unless the wall-clock safety net
        ends it). ``on_best`` is called after each compiled batch that found a new best (not after every
        single improvement, as ``Annealer`` does).
        """
        if not len(self.movable):
            return self.best
        allowed = clock.moves_in(clock.left(until), compiled=True)
        while self.best_total > floor and allowed > 0 and not clock.expired():
            started = time.monotonic()
            self.ints[IMPROVED] = 0
            done = int(_anneal(min(self._batch, allowed), floor, *self._arrays()))
            spent = time.monotonic() - started
            self.steps += done
            allowed -= done
            clock.moves(done, compiled=True)
            if self.ints[IMPROVED] and on_best is not None:
                on_best(self.best)
            # Size the next batch to about BATCH_SECONDS (the moves made do not depend on the batches).
            self._batch = int(max(1_000, self._batch / max(spent, 1e-4) * BATCH_SECONDS))
        return self.best

    def _arrays(self) -> tuple[Any, ...]:
        return (
            self.pa, self.pb, self.allowed_mask, self.al_ptr, self.al_idx, self.of_ptr, self.of_idx,
            self.pr_ptr, self.pr_idx, self.su_ptr, self.su_idx, self.movable, self.cap, self.counted,
            self.spread, self.problem.n_slots, _POP16,
            self.slot, self.at, self.mask, self.load, self.in_slot, self.position, self.per, self.hist,
            self._broken, self.rank, self.best_slots, self.ints, self.floats,
            self.chain, self.chain2, self.seen_m, self.seen2, self.seen_p, self.changed, self.before,
            self.newb,
        )  # fmt: skip


def _breaks_py(mask: int) -> int:
    runs = (mask & ~(mask << 1)).bit_count()
    return runs - 1 if runs > 1 else 0


def _jit(function: Any) -> Any:
    return njit(cache=True, nogil=True)(function) if njit is not None else function


# --- the compiled kernel -------------------------------------------------------------------------------
# Plain functions over arrays; numba compiles them. Masks are int64 with at most MAX_SLOTS bits.


@_jit
def _pop(x: int, pop16: np.ndarray) -> Any:
    return (
        pop16[x & 0xFFFF] + pop16[(x >> 16) & 0xFFFF] + pop16[(x >> 32) & 0xFFFF] + pop16[(x >> 48) & 0xFFFF]
    )


@_jit
def _breaks(mask: int, pop16: np.ndarray) -> Any:
    runs = _pop(mask & ~(mask << 1), pop16)
    return runs - 1 if runs > 1 else 0


@_jit
def _idle(mask: int, pop16: np.ndarray) -> Any:
    if mask == 0:
        return 0
    low = _pop((mask & -mask) - 1, pop16)
    y = mask | (mask >> 1)
    y |= y >> 2
    y |= y >> 4
    y |= y >> 8
    y |= y >> 16
    y |= y >> 32
    return _pop(y, pop16) - low - _pop(mask, pop16)


@_jit
def _next(ints: np.ndarray) -> Any:
    """A 62-bit random integer: a 64-bit linear congruential step, high bits taken."""
    x = ints[RNG] * 6364136223846793005 + 1442695040888963407
    ints[RNG] = x
    return (x >> 2) & 0x3FFF_FFFF_FFFF_FFFF


@_jit
def _below(ints: np.ndarray, n: int) -> Any:
    return ((_next(ints) >> 20) & 0x3FF_FFFF_FFFF) % n


@_jit
def _uniform(ints: np.ndarray) -> Any:
    return ((_next(ints) >> 9) & ((1 << 53) - 1)) / 9007199254740992.0


@_jit
def _swap(chain, n, s, t, pa, pb, slot, at, mask, load, in_slot, position):  # type: ignore[no-untyped-def]
    for i in range(n):
        x = chain[i]
        old = slot[x]
        for p in (pa[x], pb[x]):
            if at[p, old] == x:
                at[p, old] = -1
            mask[p] &= ~(1 << old)
        j = position[x]
        last = in_slot[old, load[old] - 1]
        in_slot[old, j] = last
        position[last] = j
        load[old] -= 1
    for i in range(n):
        x = chain[i]
        new = t if slot[x] == s else s
        slot[x] = new
        for p in (pa[x], pb[x]):
            at[p, new] = x
            mask[p] |= 1 << new
        in_slot[new, load[new]] = x
        position[x] = load[new]
        load[new] += 1


@_jit
def _build(m, s, t, stamp, seen, chain, pa, pb, allowed_mask, slot, at):  # type: ignore[no-untyped-def]
    """The Kempe chain of ``m`` between ``s`` and ``t`` into ``chain``; its length, or -1."""
    chain[0] = m
    seen[m] = stamp
    n, i = 1, 0
    while i < n:
        x = chain[i]
        i += 1
        other = t if slot[x] == s else s
        if not (allowed_mask[x] >> other) & 1:
            return -1
        for p in (pa[x], pb[x]):
            y = at[p, other]
            if y >= 0 and seen[y] != stamp:
                seen[y] = stamp
                chain[n] = y
                n += 1
    return n


@_jit
def _net(chain, n, slot, s):  # type: ignore[no-untyped-def]
    """Meetings the chain's swap carries out of ``s`` into the other slot, less those it carries in."""
    leaving = 0
    for i in range(n):
        if slot[chain[i]] == s:
            leaving += 1
    return 2 * leaving - n


@_jit
def _in_order(chain, n, slot, pr_ptr, pr_idx, su_ptr, su_idx):  # type: ignore[no-untyped-def]
    for i in range(n):
        x = chain[i]
        here = slot[x]
        for k in range(pr_ptr[x], pr_ptr[x + 1]):
            sa = slot[pr_idx[k]]
            if sa >= 0 and sa >= here:
                return False
        for k in range(su_ptr[x], su_ptr[x + 1]):
            sc = slot[su_idx[k]]
            if sc >= 0 and sc <= here:
                return False
    return True


@_jit
def _note(chain, n, stamp, pa, pb, seen_p, changed, before, mask, k):  # type: ignore[no-untyped-def]
    """Adds the people of the chain's meetings, with their current masks, to ``changed``; its new length."""
    for i in range(n):
        x = chain[i]
        for p in (pa[x], pb[x]):
            if seen_p[p] != stamp:
                seen_p[p] = stamp
                changed[k] = p
                before[k] = mask[p]
                k += 1
    return k


@_jit
def _judge(k, changed, before, newb, mask, counted, per, hist, spread, temperature, ints, floats, pop16):  # type: ignore[no-untyped-def]
    """Whether the current masks of the ``k`` changed people are accepted; ``newb`` gets their breaks.

    The Metropolis rule on the change in breaks plus ``floats[IDLE]`` per idle slot, then the fairness spread.
    """
    delta = 0
    idle = 0
    any_counted = False
    for i in range(k):
        p = changed[i]
        m = mask[p]
        if not counted[p] or m == before[i]:
            newb[i] = per[p]
            continue
        any_counted = True
        b = _breaks(m, pop16)
        newb[i] = b
        delta += b - per[p]
        idle += _idle(m, pop16) - _idle(before[i], pop16)
    score = delta + floats[IDLE] * idle
    if score > 0:
        if temperature <= 0 or _uniform(ints) >= math.exp(-score / temperature):
            return False
    if any_counted and spread >= 0:
        for i in range(k):
            p = changed[i]
            hist[per[p]] -= 1
            hist[newb[i]] += 1
        lo = -1
        hi = -1
        for v in range(len(hist)):
            if hist[v]:
                if lo < 0:
                    lo = v
                hi = v
        for i in range(k):
            p = changed[i]
            hist[newb[i]] -= 1
            hist[per[p]] += 1
        if lo >= 0 and hi - lo > spread:
            return False
    return True


@_jit
def _commit(k, changed, newb, per, hist, broken, rank, ints):  # type: ignore[no-untyped-def]
    for i in range(k):
        p = changed[i]
        b = newb[i]
        old = per[p]
        if b == old:
            continue
        if b and not old:
            rank[p] = ints[N_BROKEN]
            broken[ints[N_BROKEN]] = p
            ints[N_BROKEN] += 1
        elif old and not b:
            last = broken[ints[N_BROKEN] - 1]
            j = rank[p]
            broken[j] = last
            rank[last] = j
            ints[N_BROKEN] -= 1
        hist[old] -= 1
        hist[b] += 1
        per[p] = b
        ints[TOTAL] += b - old
    ints[MADE] += 1


@_jit
def _anneal(  # type: ignore[no-untyped-def]
    n_steps, floor,
    pa, pb, allowed_mask, al_ptr, al_idx, of_ptr, of_idx, pr_ptr, pr_idx, su_ptr, su_idx, movable, cap,
    counted, spread, n_slots, pop16,
    slot, at, mask, load, in_slot, position, per, hist, broken, rank, best, ints, floats,
    chain, chain2, seen_m, seen2, seen_p, changed, before, newb,
):  # fmt: skip
    """Up to ``n_steps`` annealing steps (fewer if the best reaches ``floor``); the number made."""
    full = (1 << n_slots) - 1
    n_p = len(per)
    done = 0
    while done < n_steps and ints[BEST_TOTAL] > floor:
        done += 1
        temperature = floats[TEMPERATURE]
        # --- draw a meeting m and a target slot t
        m = -1
        t = -1
        r = _uniform(ints)
        if r < floats[FOCUSED]:
            if ints[N_BROKEN] > 0 and r < floats[ON_BROKEN]:
                p = broken[_below(ints, ints[N_BROKEN])]
            else:
                p = _below(ints, n_p)
            degree = of_ptr[p + 1] - of_ptr[p]
            if degree > 0:
                for _ in range(4):
                    x = of_idx[of_ptr[p] + _below(ints, degree)]
                    if slot[x] >= 0:
                        m = x
                        break
            if m >= 0:
                my = mask[p]
                targets = allowed_mask[m] & ((my << 1) | (my >> 1)) & ~my & full
                if targets and _uniform(ints) < floats[NEXT_TO]:
                    j = _below(ints, _pop(targets, pop16))
                    for _ in range(j):
                        targets &= targets - 1
                    t = _pop((targets & -targets) - 1, pop16)
                else:
                    t = al_idx[al_ptr[m] + _below(ints, al_ptr[m + 1] - al_ptr[m])]
        elif len(movable):
            m = movable[_below(ints, len(movable))]
            t = al_idx[al_ptr[m] + _below(ints, al_ptr[m + 1] - al_ptr[m])]
        # --- try the move
        if m >= 0 and slot[m] >= 0 and slot[m] != t:
            s = slot[m]
            ints[EPOCH] += 1
            stamp = ints[EPOCH]
            n = _build(m, s, t, stamp, seen_m, chain, pa, pb, allowed_mask, slot, at)
            if n > 0:
                net = _net(chain, n, slot, s)
                k = _note(chain, n, stamp, pa, pb, seen_p, changed, before, mask, 0)
                if load[t] + net <= cap[t] and load[s] - net <= cap[s]:
                    _swap(chain, n, s, t, pa, pb, slot, at, mask, load, in_slot, position)
                    ok = _judge(k, changed, before, newb, mask, counted, per, hist, spread, temperature, ints, floats, pop16)  # fmt: skip  # noqa: E501
                    if ok and _in_order(chain, n, slot, pr_ptr, pr_idx, su_ptr, su_idx):
                        _commit(k, changed, newb, per, hist, broken, rank, ints)
                    else:
                        _swap(chain, n, s, t, pa, pb, slot, at, mask, load, in_slot, position)
                else:
                    # Balance a chain that overfills a slot by a second chain back out of that slot.
                    over, under = (t, s) if net > 0 else (s, t)
                    _swap(chain, n, s, t, pa, pb, slot, at, mask, load, in_slot, position)
                    n2 = -1
                    for _ in range(COMPOUND_TRIES):
                        if load[over] == 0:
                            break
                        y = in_slot[over, _below(ints, load[over])]
                        if seen_m[y] == stamp:
                            continue
                        ints[EPOCH] += 1
                        n2 = _build(
                            y, over, under, ints[EPOCH], seen2, chain2, pa, pb, allowed_mask, slot, at
                        )
                        if n2 > 0:
                            for i in range(n2):
                                if seen_m[chain2[i]] == stamp:
                                    n2 = -1
                                    break
                        if n2 > 0:
                            out = _net(chain2, n2, slot, over)
                            if load[over] - out <= cap[over] and load[under] + out <= cap[under]:
                                break
                        n2 = -1
                    if n2 < 0:
                        _swap(chain, n, s, t, pa, pb, slot, at, mask, load, in_slot, position)
                    else:
                        # The second chain's people not yet noted: the first swap left their masks alone.
                        k = _note(chain2, n2, stamp, pa, pb, seen_p, changed, before, mask, k)
                        _swap(chain2, n2, over, under, pa, pb, slot, at, mask, load, in_slot, position)
                        ok = _judge(k, changed, before, newb, mask, counted, per, hist, spread, temperature, ints, floats, pop16)  # fmt: skip  # noqa: E501
                        ok = ok and _in_order(chain, n, slot, pr_ptr, pr_idx, su_ptr, su_idx)
                        if ok and _in_order(chain2, n2, slot, pr_ptr, pr_idx, su_ptr, su_idx):
                            _commit(k, changed, newb, per, hist, broken, rank, ints)
                        else:
                            _swap(chain2, n2, over, under, pa, pb, slot, at, mask, load, in_slot, position)
                            _swap(chain, n, s, t, pa, pb, slot, at, mask, load, in_slot, position)
        # --- the best so far, and the temperature
        if ints[TOTAL] < ints[BEST_TOTAL]:
            ints[BEST_TOTAL] = ints[TOTAL]
            best[:] = slot
            ints[SINCE] = 0
            ints[IMPROVED] = 1
        else:
            ints[SINCE] += 1
        temperature *= floats[COOLING]
        if temperature < floats[FLOOR] or ints[SINCE] > ints[STALL]:
            temperature = floats[START]
            ints[SINCE] = 0
        floats[TEMPERATURE] = temperature
    return done


def warm() -> float:
    """Compiles the kernel (or loads it from numba's cache) on a tiny day; the seconds it took."""
    from .generate import generate_planted
    from .problem import index

    started = time.monotonic()
    planted = generate_planted("tight", seed=0, participants=10, meetings=12, slots=6)
    problem = index(planted.instance)
    where = {a.meeting: problem.slot_ids.index(a.slot) for a in planted.plant.assignments}
    annealer = KempeAnnealer(problem, [where.get(m.id) for m in problem.meetings], 0)
    annealer.step()
    return time.monotonic() - started
