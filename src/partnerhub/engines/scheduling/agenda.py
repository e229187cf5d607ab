"""A partial schedule as bit masks, for the heuristics (warm start, local search, neighbourhood search).

Bit ``s`` of a participant's mask is set when they meet in slot ``s``, so breaks and idle slots are a few
integer operations; the agenda also keeps table loads and a histogram of breaks (for the fairness excess).
"""

from __future__ import annotations

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
