"""Large neighbourhood search: re-solve a few dozen meetings exactly with CP-SAT, keep the rest.

A neighbourhood is a set of *free* meetings; the participants they involve are re-optimised. The
sub-problem holds every meeting of those participants (the free ones may take any slot they are allowed,
the others are pinned to their slot), table capacity is what the untouched meetings leave, ``after`` links
to untouched meetings become slot limits, and fairness compares with the fewest and most breaks outside.
So any solution of the sub-problem, put back, is a valid schedule; its objective (the breaks of the freed
participants) is never worse than before, because the current slots are a solution too.

Neighbourhoods: a cluster of participants grown along meetings from someone with breaks (or at random),
and a window of consecutive slots whose meetings are shuffled among themselves. Their size adapts: up
when CP-SAT proves the sub-problem within half its deterministic time, down when it runs out of it (so the
sizes, like everything else, follow counted work and not the machine's speed: ``clock.py``).
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable

from ortools.sat.python import cp_model

from .agenda import breaks_of_mask
from .clock import SOLVE_OVERHEAD, Clock
from .formulation import Formulation
from .model import Meeting
from .problem import Problem

Slots = list[int | None]
STEP_SECONDS = 0.15  # per sub-problem: many small steps did better than fewer long ones
WINDOW_SHARE, CLUSTER_SHARE = 0.1, 0.45  # the rest: stars around someone with breaks


class Neighbourhoods:
    def __init__(self, problem: Problem, slots: Slots, seed: int, clock: Clock) -> None:
        """``clock`` (``clock.py``) is charged every solve's deterministic time; deadlines are virtual."""
        self.problem = problem
        self.clock = clock
        self.slots = list(slots)
        self.rng = random.Random(seed)
        self.size = 40.0
        self.last_quick = False  # the last sub-problem took under half its deterministic time
        self.mask = [0] * len(problem.participant_ids)
        self.load = [0] * problem.n_slots
        for m, s in enumerate(self.slots):
            if s is not None:
                self.load[s] += 1
                for p in problem.pairs[m]:
                    self.mask[p] |= 1 << s
        self.succs: list[list[int]] = [[] for _ in problem.meetings]
        for m, preds in enumerate(problem.preds):
            for a in preds:
                self.succs[a].append(m)
        self.partners: list[list[int]] = [
            [q for m in mine for q in problem.pairs[m] if q != p]
            for p, mine in enumerate(problem.of_participant)
        ]

    def breaks(self) -> int:
        return sum(breaks_of_mask(m) for m in self.mask)

    # --- choosing a neighbourhood -------------------------------------------------------------------

    def _cluster(self) -> set[int]:
        problem = self.problem
        broken = [p for p, mask in enumerate(self.mask) if breaks_of_mask(mask)]
        pool = broken if broken and self.rng.random() < 0.8 else range(len(problem.participant_ids))
        start = self.rng.choice(list(pool))
        people, frontier, free = {start}, [start], 0
        while frontier and free < self.size:
            p = frontier.pop(self.rng.randrange(len(frontier)))
            for q in self.partners[p]:
                if q not in people and free < self.size:
                    people.add(q)
                    frontier.append(q)
                    free += sum(1 for m in problem.of_participant[q] if people.issuperset(problem.pairs[m]))
        return {m for p in people for m in problem.of_participant[p] if people.issuperset(problem.pairs[m])}

    def _star(self) -> set[int]:
        """Someone with breaks, and every meeting of them and of some of their partners."""
        problem = self.problem
        broken = [p for p, mask in enumerate(self.mask) if breaks_of_mask(mask)]
        start = self.rng.choice(broken or list(range(len(problem.participant_ids))))
        free = set(problem.of_participant[start])
        partners = list(dict.fromkeys(self.partners[start]))
        self.rng.shuffle(partners)
        for q in partners:
            if len(free) >= self.size:
                break
            free.update(problem.of_participant[q])
        return free

    def _window(self) -> tuple[set[int], range]:
        n = self.problem.n_slots
        width = max(2, min(n, round(self.size / max(1, sum(self.load) / n))))
        first = self.rng.randrange(0, n - width + 1)
        window = range(first, first + width)
        return {m for m, s in enumerate(self.slots) if s is not None and s in window}, window

    # --- the sub-problem ------------------------------------------------------------------------------

    def subproblem(
        self, free: set[int], window: range | None = None, force: int | None = None, loosen: bool = False
    ) -> tuple[Problem, list[int], tuple[int, int]]:
        """The sub-problem of ``free``, its meetings' indices in the whole problem, and the outside breaks."""
        problem, slots = self.problem, self.slots
        people = sorted({p for m in free for p in problem.pairs[m]})
        inside = set(people)
        kept = sorted({m for p in people for m in problem.of_participant[p]})
        kept_set = set(kept)
        others = sorted({q for m in kept for q in problem.pairs[m]} - inside)
        members = people + others
        local = {p: i for i, p in enumerate(members)}
        local_m = {m: i for i, m in enumerate(kept)}
        capacity = [problem.n_tables - load for load in self.load]  # plus the kept meetings, below
        meetings: list[Meeting] = []
        allowed: list[tuple[int, ...]] = []
        of: list[list[int]] = [[] for _ in members]
        for i, m in enumerate(kept):
            s = slots[m]
            meeting = problem.meetings[m]
            if s is not None:
                capacity[s] += 1
            if m in free:
                lo = max(
                    (slots[a] + 1 for a in problem.preds[m] if a not in kept_set and slots[a] is not None),  # type: ignore[operator]
                    default=0,
                )
                hi = min(
                    (slots[c] - 1 for c in self.succs[m] if c not in kept_set and slots[c] is not None),  # type: ignore[operator]
                    default=problem.n_slots,
                )
                options = tuple(
                    t for t in problem.allowed[m] if lo <= t <= hi and (window is None or t in window)
                )
                # Placed optional meetings stay in (weight never drops), except when repairing: an
                # optional predecessor may have to give way to a required meeting.
                required = meeting.required or m == force or (s is not None and not loosen)
            else:
                options = () if s is None else (s,)
                required = s is not None
            meetings.append(dataclasses.replace(meeting, required=required))
            allowed.append(options)
            for p in problem.pairs[m]:
                of[local[p]].append(i)
        sub = dataclasses.replace(
            problem,
            participant_ids=tuple(problem.participant_ids[p] for p in members),
            meetings=tuple(meetings),
            pairs=tuple((local[problem.pairs[m][0]], local[problem.pairs[m][1]]) for m in kept),
            allowed=tuple(allowed),
            of_participant=tuple(tuple(ms) for ms in of),
            preds=tuple(tuple(local_m[a] for a in problem.preds[m] if a in kept_set) for m in kept),
            capacity=tuple(capacity),
            counted=tuple(i < len(people) for i in range(len(members))),
        )
        outside = [breaks_of_mask(mask) for p, mask in enumerate(self.mask) if p not in inside]
        self.members = members  # sub-problem participant i is ``members[i]`` of the whole problem
        return sub, kept, (min(outside, default=0), max(outside, default=0)) if outside else (0, 0)

    def _apply(self, kept: list[int], found: Slots) -> None:
        """Put a sub-problem's slots back (removals first: two meetings of one person may swap)."""
        problem = self.problem
        changed = [(m, s) for m, s in zip(kept, found, strict=True) if self.slots[m] != s]
        for m, _ in changed:
            old = self.slots[m]
            if old is not None:
                self.load[old] -= 1
                for p in problem.pairs[m]:
                    self.mask[p] &= ~(1 << old)
        for m, s in changed:
            if s is not None:
                self.load[s] += 1
                for p in problem.pairs[m]:
                    self.mask[p] |= 1 << s
            self.slots[m] = s

    # --- the search -----------------------------------------------------------------------------------

    def _resolve(
        self,
        free: set[int],
        window: range | None,
        seconds: float,
        seed: int,
        repair: bool,
        force: int | None = None,
    ) -> int:
        """Solve the sub-problem of ``free`` and put its solution back; returns CP-SAT's status."""
        sub, kept, outside = self.subproblem(free, window, force, loosen=repair and force is None)
        # Placing left-out required meetings may start over the fairness limit; ``fair`` deals with that
        # afterwards. Inserting an optional meeting (``force``) starts from a valid schedule and keeps it.
        keep_fair = not repair or force is not None
        f = Formulation(sub, fairness=keep_fair, outside=outside if self.problem.spread is not None else None)
        if not repair:  # the current slots are a solution: only as good or better
            before = sum(
                breaks_of_mask(self.mask[p]) for p in {p for m in free for p in self.problem.pairs[m]}
            )
            f.set_range(f.lower_bound, max(f.lower_bound, before))
            f.model.minimize(f.breaks)
        else:  # keep as much optional weight as the required meetings leave room for
            f.model.minimize(f.breaks - (f.max_breaks + 1) * f.weight)
        f.hint([self.slots[m] for m in kept])
        solver = self.clock.solver(seconds, 1, seed)
        solver.parameters.stop_after_first_solution = repair  # any fit will do; the search improves it
        status = int(solver.solve(f.model))
        self.clock.solved(solver, f.model)
        self.last_quick = solver.deterministic_time < 0.5 * solver.parameters.max_deterministic_time
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            self._apply(kept, f.read(solver))
        return status

    def step(self, seconds: float, seed: int) -> bool:
        """One neighbourhood; True if it lowered the total breaks."""
        window = None
        draw = self.rng.random()
        if draw < WINDOW_SHARE:
            free, window = self._window()
        elif draw < WINDOW_SHARE + CLUSTER_SHARE:
            free = self._cluster()
        else:
            free = self._star()
        if not free:
            self.clock.charge(SOLVE_OVERHEAD)  # the look counts as work, so a loop of them ends
            return False
        total = self.breaks()
        status = self._resolve(free, window, seconds, seed, repair=False)
        if status == cp_model.OPTIMAL and self.last_quick:
            self.size = min(400.0, self.size * 1.15)
        elif status != cp_model.OPTIMAL:
            self.size = max(12.0, self.size * 0.85)
        return self.breaks() < total

    def repair(self, deadline: float, seed: int) -> bool:
        """Place required meetings the warm start left out, re-solving each one's surroundings (until the
        virtual time ``deadline``)."""
        problem = self.problem
        for m in range(len(problem.meetings)):
            if self.slots[m] is not None or not problem.required(m):
                continue
            for radius in (1, 2):
                left = self.clock.left(deadline)
                if left <= 0.05 or self.clock.expired():
                    return False
                # The meetings it must follow or precede may have to move too (a predecessor the sweep
                # put in the last slot leaves no room after it).
                linked = [m, *problem.preds[m], *self.succs[m]]
                people = {p for x in linked for p in problem.pairs[x]}
                for _ in range(radius - 1):
                    people |= {q for p in people for q in self.partners[p]}
                free = {x for p in people for x in problem.of_participant[p]}
                if self._resolve(free, None, min(left, 5.0), seed, repair=True) in (
                    cp_model.OPTIMAL,
                    cp_model.FEASIBLE,
                ):
                    break
            else:
                return False
        return all(s is not None or not problem.required(m) for m, s in enumerate(self.slots))

    def fair(self, deadline: float, seed: int) -> bool:
        """Bring the breaks spread within the fairness limit, one participant with too many at a time.

        Around someone above ``fewest + d`` the sub-problem must lower their breaks by one while nobody
        else in it gets more breaks, or fewer than the fewest anyone has (so the minimum cannot drop).
        """
        problem = self.problem
        d = problem.spread
        if d is None:
            return True
        while True:
            per = [breaks_of_mask(mask) for mask in self.mask]
            low = min(per, default=0)
            over = sorted((p for p, b in enumerate(per) if b > low + d), key=lambda p: (-per[p], p))
            if not over:
                return True
            progress = False
            for p in over:
                left = self.clock.left(deadline)
                if left <= 0.05 or self.clock.expired():
                    return False
                free = set(problem.of_participant[p])
                for q in dict.fromkeys(self.partners[p]):
                    if len(free) >= self.size:
                        break
                    free.update(problem.of_participant[q])
                sub, kept, _ = self.subproblem(free)
                f = Formulation(sub, fairness=False)
                for i, b in enumerate(f.breaks_of):
                    if b is None or isinstance(b, int):
                        continue
                    whole = self.members[i]
                    f.model.add(b <= (per[whole] - 1 if whole == p else max(per[whole], low)))
                    f.model.add(b >= low)
                f.hint([self.slots[m] for m in kept])
                solver = self.clock.solver(min(left, 2.0), 1, seed)
                solver.parameters.stop_after_first_solution = True
                status = solver.solve(f.model)
                self.clock.solved(solver, f.model)
                if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                    self._apply(kept, f.read(solver))
                    per = [breaks_of_mask(mask) for mask in self.mask]
                    progress = True
            if not progress:
                return False

    def insert(self, deadline: float, seed: int) -> None:
        """Try to add each optional meeting left out (heaviest first) by re-solving its two people's days,
        until the virtual time ``deadline``."""
        problem = self.problem
        out = [m for m, s in enumerate(self.slots) if s is None and not problem.required(m)]
        out = [m for m in out if problem.meetings[m].weight > 0 and problem.allowed[m]]
        for m in sorted(out, key=lambda m: (-problem.meetings[m].weight, m)):
            left = self.clock.left(deadline)
            if left <= 0.05 or self.clock.expired():
                return
            free = {x for p in problem.pairs[m] for x in problem.of_participant[p]}
            self._resolve(free, None, min(left, 1.0), seed, repair=True, force=m)

    def run(
        self,
        deadline: float,
        accept: Callable[[Slots], None],
        seed: int,
        tick: Callable[[], None] | None = None,
    ) -> None:
        """Improve until the virtual time ``deadline``; ``accept`` receives every improved schedule,
        ``tick`` is called after every step (for progress reports)."""
        step = 0
        while self.clock.left(deadline) > 0.05 and not self.clock.expired():
            if tick is not None:
                tick()
            left = self.clock.left(deadline)
            if self.step(min(left, STEP_SECONDS), seed + step):
                accept(list(self.slots))
            step += 1
