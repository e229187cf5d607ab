"""The first-come-first-served baseline that the optimal scheduler is measured against.

This is what a desk does by hand: take the meeting requests in the order they arrived (the instance's list
order) and give each the earliest slot in which both participants are free and available, a table is free,
and its session, fixed slot and ``after`` order hold. Fixed meetings are entered first, since their slot is
known before any request is placed, and a meeting that must come after others is booked once they are. It never breaks a hard constraint, and it proves nothing: the status
is ``"feasible"`` when every required meeting found a place and the fairness limit holds, otherwise
``"unknown"`` (no schedule) with an explanation — a failure here does not mean no schedule exists.

No Django here.
"""

from __future__ import annotations

import time

from .model import Assignment, Instance, Meeting, Schedule

ENGINE_NAME = "greedy-fcfs/1"


def _breaks(instance: Instance, assignments: list[Assignment]) -> dict[str, int]:
    position = {s.id: i for i, s in enumerate(instance.slots)}
    pair = {m.id: m.participants for m in instance.meetings}
    busy: dict[str, list[int]] = {p.id: [] for p in instance.participants}
    for a in assignments:
        for pid in pair[a.meeting]:
            busy[pid].append(position[a.slot])
    return {
        pid: sum(1 for x, y in zip(used, used[1:], strict=False) if y - x > 1)
        for pid, used in ((pid, sorted(slots)) for pid, slots in busy.items())
    }


def _chain_depths(instance: Instance) -> dict[str, int]:
    """How many meetings must come strictly before each one (longest ``after`` chain).

    Meetings on an ``after`` cycle, or after one, get the number of slots: no slot fits them.
    """
    impossible = len(instance.slots)
    waiting = {m.id: len(m.after) for m in instance.meetings}
    successors: dict[str, list[str]] = {}
    for m in instance.meetings:
        for earlier in m.after:
            successors.setdefault(earlier, []).append(m.id)
    depth = dict.fromkeys(waiting, 0)
    ready = [mid for mid, n in waiting.items() if n == 0]
    done: set[str] = set()
    while ready:  # Kahn's order: each meeting once all of its predecessors are known
        mid = ready.pop()
        done.add(mid)
        for later in successors.get(mid, ()):
            depth[later] = max(depth[later], depth[mid] + 1)
            waiting[later] -= 1
            if waiting[later] == 0:
                ready.append(later)
    return {mid: min(d, impossible) if mid in done else impossible for mid, d in depth.items()}


def _request_order(instance: Instance) -> list[Meeting]:
    """Fixed meetings first; then the requests in list order, each after its predecessors (``after``).

    A desk books the briefing before the follow-up it was told must come later, even when the follow-up
    was requested first. Predecessors on a cycle are left where the list puts them (no slot fits them).
    """
    by_id = {m.id: m for m in instance.meetings}
    order = [m for m in instance.meetings if m.fixed_slot is not None]
    queued = {m.id for m in order}
    for request in instance.meetings:
        stack: list[tuple[Meeting, int]] = [(request, 0)]
        on_stack = {request.id}
        while stack:  # depth-first over predecessors, without recursion (chains may be long)
            m, i = stack.pop()
            if m.id in queued:
                on_stack.discard(m.id)
                continue
            if i < len(m.after):
                stack.append((m, i + 1))
                earlier = by_id[m.after[i]]
                if earlier.id not in queued and earlier.id not in on_stack:
                    stack.append((earlier, 0))
                    on_stack.add(earlier.id)
            else:
                order.append(m)
                queued.add(m.id)
                on_stack.discard(m.id)
    return order


class _Desk:
    """The state of the placement: who is busy when, which tables are taken, where each meeting went."""

    def __init__(self, instance: Instance) -> None:
        self.instance = instance
        self.position = {s.id: i for i, s in enumerate(instance.slots)}
        self.unavailable = {p.id: {self.position[s] for s in p.unavailable} for p in instance.participants}
        self.busy: dict[str, set[int]] = {p.id: set() for p in instance.participants}
        self.taken = [0] * len(instance.slots)  # tables in use per slot
        self.slot_of: dict[str, int] = {}
        self.successors: dict[str, list[str]] = {}
        for m in instance.meetings:
            for earlier in m.after:
                self.successors.setdefault(earlier, []).append(m.id)
        self.depth = _chain_depths(instance)

    def fits(self, m: Meeting, i: int) -> bool:
        if i < self.depth[m.id]:  # leave a slot for each meeting of the longest chain that must come first
            return False
        slot = self.instance.slots[i]
        if m.session != "any" and slot.session != m.session:
            return False
        if m.fixed_slot is not None and m.fixed_slot != slot.id:
            return False
        if self.taken[i] >= len(self.instance.tables):
            return False
        if any(i in self.unavailable[p] or i in self.busy[p] for p in m.participants):
            return False
        # ``after`` both ways: placed predecessors strictly earlier, placed successors strictly later.
        if any(self.slot_of.get(e, -1) >= i for e in m.after):
            return False
        return all(self.slot_of.get(s, len(self.instance.slots)) > i for s in self.successors.get(m.id, ()))

    def place(self, m: Meeting) -> bool:
        for i in range(len(self.instance.slots)):
            if self.fits(m, i):
                self.taken[i] += 1
                for p in m.participants:
                    self.busy[p].add(i)
                self.slot_of[m.id] = i
                return True
        return False

    def assignments(self) -> list[Assignment]:
        used = [0] * len(self.instance.slots)
        result = []
        for m in self.instance.meetings:
            i = self.slot_of.get(m.id)
            if i is not None:
                table = self.instance.tables[used[i]]
                used[i] += 1
                result.append(Assignment(meeting=m.id, slot=self.instance.slots[i].id, table=table))
        return result


def solve(instance: Instance) -> Schedule:
    """Place every meeting first come, first served; see the module docstring for what it promises."""
    started = time.monotonic()
    desk = _Desk(instance)
    failed = [m for m in _request_order(instance) if not desk.place(m)]
    seconds = round(time.monotonic() - started, 3)
    missing = [m.id for m in failed if m.required]
    if missing:
        shown = ", ".join(missing[:10]) + (f" and {len(missing) - 10} more" if len(missing) > 10 else "")
        return Schedule(
            status="unknown",
            unscheduled=[m.id for m in instance.meetings],
            explanation=f"First come, first served placed {len(desk.slot_of)} of {len(instance.meetings)} "
            f"meetings but found no slot for the required meeting(s) {shown}; that does not prove that no "
            "schedule exists.",
            solve_seconds=seconds,
        )
    assignments = desk.assignments()
    per_participant = _breaks(instance, assignments)
    limit = instance.max_breaks_spread
    if limit is not None and per_participant:
        low = min(per_participant, key=lambda p: per_participant[p])
        high = max(per_participant, key=lambda p: per_participant[p])
        if per_participant[high] - per_participant[low] > limit:
            return Schedule(
                status="unknown",
                unscheduled=[m.id for m in instance.meetings],
                explanation=f"First come, first served placed every required meeting, but participant {high} "
                f"then has {per_participant[high]} breaks and {low} {per_participant[low]}, more than the "
                f"fairness limit of {limit} allows; that does not prove that no fair schedule exists.",
                solve_seconds=seconds,
            )
    return Schedule(
        status="feasible",
        assignments=assignments,
        unscheduled=[m.id for m in failed],
        breaks=sum(per_participant.values()),
        optional_weight=sum(m.weight for m in instance.meetings if not m.required and m.id in desk.slot_of),
        bound=None,
        explanation=None,
        solve_seconds=seconds,
    )
