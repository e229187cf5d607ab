"""Seeded generators of scheduling instances, for tests, benchmarks and anyone trying the engine.

Two families, each deterministic for a seed (``random.Random(seed)``, nothing else):

``realistic``
    A brokerage day: 50 to 1,000 participants with 2 to 30 meetings each (a heavy tail, capped by the
    participant's usable slots), 8 to 24 slots split into morning and afternoon, 1-5 % of participant-slots
    unavailable, some meetings restricted to a session, fixed to a slot, ordered (``after``) or optional
    with a weight, and a quarter more tables than the busiest slot of the plant needs.
``tight``
    A small forum: 40 to 80 participants, 120 to 300 meetings, 8 to 22 slots, a third to a half of the
    participants booked in every slot, tables for exactly the busiest slot (so most slots are full) and
    ``max_breaks_spread`` 2. First come, first served fails on most of them.

Both are built around a hidden valid schedule (the *plant*): meetings are created slot by slot between
participants free at that time, every constraint is drawn so that the plant keeps it, then ids and the
meeting list are shuffled so the plant is not visible. Every instance is therefore feasible, including the
fairness limit, and :func:`generate_planted` returns the plant as a schedule that the checker accepts.
Participants, meetings and slots left as None are drawn within the family's ranges; given values may lie
outside them (small instances for tests), within what the family's construction can honour.

No Django here.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from statistics import NormalDist

from .check import participant_breaks
from .model import Assignment, Instance, Meeting, Participant, Schedule, Slot

FAMILIES = ("realistic", "tight")
MAX_MEETINGS_PER_PARTICIPANT = 30
SIGMA = 0.8  # spread of log(meetings per participant): most have a few, some many
DAY = datetime(2026, 9, 16, tzinfo=timezone(timedelta(hours=8)))
SLOT_MINUTES = 20

# Shares of meetings (of the plant) that receive each kind of constraint.
REALISTIC_SHARES = {"session": 0.10, "fixed": 0.02, "after": 0.03, "optional": 0.10}
TIGHT_SHARES = {"session": 0.10, "fixed": 0.03, "after": 0.03, "optional": 0.05}


@dataclass(frozen=True)
class Planted:
    """An instance and the hidden valid schedule it was built around."""

    instance: Instance
    plant: Schedule


@dataclass
class _Draft:
    """A plant before dressing: participant indices, slot indices, meetings as (a, b, slot)."""

    n: int
    slots: int
    meetings: list[tuple[int, int, int]]
    unavailable: list[set[int]]


def generate(
    family: str,
    *,
    seed: int,
    participants: int | None = None,
    meetings: int | None = None,
    slots: int | None = None,
) -> Instance:
    """An instance of ``family`` ("realistic" or "tight"); the same arguments give the same instance."""
    return generate_planted(
        family, seed=seed, participants=participants, meetings=meetings, slots=slots
    ).instance


def generate_planted(
    family: str,
    *,
    seed: int,
    participants: int | None = None,
    meetings: int | None = None,
    slots: int | None = None,
) -> Planted:
    """Like :func:`generate`, with the hidden valid schedule (status ``feasible``) that it was built around.

    Raises ``ValueError`` for a family it does not know or sizes it cannot build.
    """
    rng = random.Random(f"partnerhub-b2b-{family}-{seed}")
    if family == "realistic":
        draft = _realistic(rng, participants, meetings, slots)
        return _dress(rng, draft, family, seed, REALISTIC_SHARES, spare_tables=True, spread=None)
    if family == "tight":
        draft = _tight(rng, participants, meetings, slots)
        return _dress(rng, draft, family, seed, TIGHT_SHARES, spare_tables=False, spread=2)
    raise ValueError(f"unknown family {family!r}; choose one of {', '.join(FAMILIES)}")


# --- realistic ---------------------------------------------------------------------------------------


def _realistic(rng: random.Random, n: int | None, m: int | None, k: int | None) -> _Draft:
    if n is None:
        n = round(math.exp(rng.uniform(math.log(50), math.log(1000))))
    if k is None:
        k = rng.randint(8, 24)
    if n < 2 or k < 2:
        raise ValueError("a realistic day needs at least 2 participants and 2 slots")
    rate = rng.uniform(0.01, 0.05)
    unavailable = [{s for s in range(k) if rng.random() < rate} for _ in range(n)]
    caps = [min(MAX_MEETINGS_PER_PARTICIPANT, k - len(u), n - 1) for u in unavailable]
    if m is None:
        m = round(n * rng.uniform(3.0, min(12.0, 0.6 * k)) / 2)
    if m < 1 or 2 * m > sum(caps):
        raise ValueError(f"{m} meetings do not fit {n} participants in {k} slots (at most {sum(caps) // 2})")
    demand = _heavy_tailed_degrees(rng, caps, 2 * m)

    # Slot by slot, the participants who most need a slot meet; those already in a run of meetings keep
    # going, so agendas come out compact (small breaks, small spread) like a well-run desk's.
    per_slot = math.ceil(m / k)
    met: set[tuple[int, int]] = set()
    planted: list[tuple[int, int, int]] = []
    busy_before: set[int] = set()
    for s in range(k):
        scored = []
        for i in range(n):
            if demand[i] <= 0 or s in unavailable[i]:
                continue
            left = sum(1 for t in range(s, k) if t not in unavailable[i])
            urgency = demand[i] / left
            scored.append((urgency >= 1.0, i in busy_before, urgency + rng.random() * 0.3, i))
        scored.sort(reverse=True)
        forced = sum(1 for row in scored if row[0])
        chosen = [row[3] for row in scored[: max(2 * per_slot, forced)]]
        busy_before = set()
        for a, b in _pairing(rng, chosen, met):
            planted.append((a, b, s))
            demand[a] -= 1
            demand[b] -= 1
            busy_before.update((a, b))
    return _Draft(n=n, slots=k, meetings=planted, unavailable=unavailable)


def _heavy_tailed_degrees(rng: random.Random, caps: list[int], total: int) -> list[int]:
    """Meetings per participant: log-normal (a few take many), between 2 and the cap, summing to ``total``.

    The log-normal is truncated at each cap rather than clipped, so caps do not collect the whole tail:
    a participant booked in every usable slot stays the exception it is at real brokerage events.
    """
    normal = NormalDist()
    u = [rng.random() for _ in caps]

    def degrees(mu: float) -> list[int]:
        result = []
        for share, cap in zip(u, caps, strict=True):
            top = normal.cdf((math.log(cap + 0.5) - mu) / SIGMA)
            x = math.exp(mu + SIGMA * normal.inv_cdf(min(max(share * top, 1e-12), 1 - 1e-12)))
            result.append(max(min(2, cap), min(cap, round(x))))
        return result

    low, high = -3.0, 8.0
    for _ in range(50):
        mid = (low + high) / 2
        if sum(degrees(mid)) < total:
            low = mid
        else:
            high = mid
    result = degrees(high)
    # Rounding leaves the sum a little off: trim or add one meeting at a time, largest degrees first.
    surplus = sum(result) - total
    order = sorted(range(len(caps)), key=lambda i: (-result[i], rng.random()))
    j = 0
    while surplus != 0 and j < 10 * len(order):
        i = order[j % len(order)]
        if surplus > 0 and result[i] > 2:
            result[i] -= 1
            surplus -= 1
        elif surplus < 0 and result[i] < caps[i]:
            result[i] += 1
            surplus += 1
        j += 1
    return result


def _pairing(rng: random.Random, people: list[int], met: set[tuple[int, int]]) -> list[tuple[int, int]]:
    """A random pairing of ``people`` (one left over when odd) that avoids pairs who already met."""
    best: list[tuple[int, int]] = []
    best_repeats = math.inf
    for _ in range(8):
        pool = list(people)
        rng.shuffle(pool)
        pairs: list[tuple[int, int]] = []
        repeats = 0
        while len(pool) >= 2:
            a = pool.pop()
            j = next(
                (j for j in range(len(pool) - 1, -1, -1) if (min(a, pool[j]), max(a, pool[j])) not in met),
                None,
            )
            if j is None:
                j = len(pool) - 1
                repeats += 1
            pairs.append((a, pool.pop(j)))
        if repeats < best_repeats:
            best, best_repeats = pairs, repeats
        if repeats == 0:
            break
    met.update((min(a, b), max(a, b)) for a, b in best)
    return best


# --- tight -------------------------------------------------------------------------------------------


def _tight(rng: random.Random, n: int | None, m: int | None, k: int | None) -> _Draft:
    drawn = n is None and m is None and k is None
    while True:
        n_ = n if n is not None else rng.randint(40, 80)
        k_ = k if k is not None else rng.randint(8, 22)
        if m is not None:
            per_slot = math.ceil(m / k_)
            m_ = m
        else:
            per_slot = rng.randint(math.ceil(n_ / 6), n_ // 4)
            m_ = k_ * per_slot - rng.randint(0, max(1, k_ // 5))
        if not drawn or 120 <= m_ <= 300:
            break
    n, m, k = n_, m_, k_
    if k < 2 or m < 1 or 2 * per_slot > n:
        raise ValueError(f"{m} meetings in {k} slots need {2 * per_slot} of {n} participants in a slot")
    if 2 * m < n:
        raise ValueError(f"{m} meetings cannot give each of {n} participants a meeting")
    # Slots with one meeting fewer than the busiest (the "nearly" of "nearly full").
    short = set(rng.sample(range(k), k * per_slot - m))

    # Tracks: 2 * per_slot lanes through the day; a lane is idle where its slot is short. Each lane's runs
    # are cut into segments, each segment is one participant's unbroken run of meetings.
    lanes = 2 * per_slot
    segments: list[tuple[int, int]] = []  # (first slot, length)
    for lane in range(lanes):
        start = None
        for s in range(k + 1):
            idle = s == k or (s in short and lane >= lanes - 2)
            if idle and start is not None:
                segments.append((start, s - start))
                start = None
            elif not idle and start is None:
                start = s
    extra = max(0, min(round(0.3 * n), 2 * m - n))
    while len(segments) < n + extra:
        splittable = [i for i, (_, length) in enumerate(segments) if length >= 4] or [
            i for i, (_, length) in enumerate(segments) if length >= 2
        ]
        if not splittable:
            break
        i = rng.choice(splittable)
        first, length = segments[i]
        cut = rng.randint(2, length - 2) if length >= 4 else 1
        segments[i] = (first, cut)
        segments.append((first + cut, length - cut))
    if len(segments) < n:
        raise ValueError(f"{m} meetings in {k} slots cannot be shared among {n} participants")

    owner_slots = _assign_segments(rng, segments, n)
    busy: list[list[int]] = [[] for _ in range(k)]
    for person, owned in enumerate(owner_slots):
        for s in owned:
            busy[s].append(person)
    met: set[tuple[int, int]] = set()
    planted = [(a, b, s) for s in range(k) for a, b in _pairing(rng, sorted(busy[s]), met)]

    # 1-5 % of all participant-slots unavailable, all of them where the plant leaves the person idle.
    free = [(p, s) for p in range(n) for s in range(k) if s not in owner_slots[p]]
    away = rng.sample(free, min(len(free), round(rng.uniform(0.01, 0.05) * n * k)))
    unavailable: list[set[int]] = [set() for _ in range(n)]
    for p, s in away:
        unavailable[p].add(s)
    return _Draft(n=n, slots=k, meetings=planted, unavailable=unavailable)


def _assign_segments(rng: random.Random, segments: list[tuple[int, int]], n: int) -> list[set[int]]:
    """Share the segments out so that each of the ``n`` participants gets at least one.

    In order of start, a segment goes to a new participant (always when the new ones left would otherwise
    outnumber the segments left), or to someone whose meetings ended before it starts (a break), or to the
    one it directly follows (a longer run). Nobody gets more than three runs: the plant's spread stays <= 2.
    """
    owned: list[set[int]] = []
    ordered = sorted(segments, key=lambda seg: (seg[0], rng.random()))
    for done, (first, length) in enumerate(ordered):
        cells = set(range(first, first + length))
        fresh_left, segments_left = n - len(owned), len(ordered) - done
        if fresh_left and (fresh_left >= segments_left or rng.random() < fresh_left / segments_left):
            owned.append(cells)
            continue
        later = [p for p in range(len(owned)) if max(owned[p]) < first - 1 and _runs(owned[p]) < 3]
        follows = [p for p in range(len(owned)) if max(owned[p]) == first - 1 and _runs(owned[p]) <= 3]
        choices = later if later and (rng.random() < 0.6 or not follows) else follows
        if choices:
            owned[rng.choice(choices)] |= cells
        elif fresh_left:
            owned.append(cells)
        else:
            raise ValueError("the meetings cannot be shared out without double-booking someone")
    return owned


def _runs(cells: set[int]) -> int:
    return sum(1 for c in cells if c - 1 not in cells)


# --- dressing: ids, constraints, tables, shuffling -----------------------------------------------------


def _dress(
    rng: random.Random,
    draft: _Draft,
    family: str,
    seed: int,
    shares: dict[str, float],
    *,
    spare_tables: bool,
    spread: int | None,
) -> Planted:
    n, k = draft.n, draft.slots
    morning = math.ceil(k / 2)
    slots = tuple(
        Slot(
            id=str(s + 1),
            session="morning" if s < morning else "afternoon",
            start=(DAY.replace(hour=9) if s < morning else DAY.replace(hour=14))
            + timedelta(minutes=SLOT_MINUTES * (s if s < morning else s - morning)),
            minutes=SLOT_MINUTES,
        )
        for s in range(k)
    )
    names = list(range(1, n + 1))
    rng.shuffle(names)
    pid = [f"p{names[i]}" for i in range(n)]
    participants = tuple(
        Participant(id=pid[i], unavailable=tuple(str(s + 1) for s in sorted(draft.unavailable[i])))
        for i in sorted(range(n), key=lambda i: names[i])
    )

    planted = list(draft.meetings)
    rng.shuffle(planted)
    mid = [f"m{j + 1}" for j in range(len(planted))]
    by_person: dict[int, list[int]] = {}
    for j, (a, b, _) in enumerate(planted):
        by_person.setdefault(a, []).append(j)
        by_person.setdefault(b, []).append(j)

    meetings = []
    for j, (a, b, s) in enumerate(planted):
        after: tuple[str, ...] = ()
        if rng.random() < shares["after"]:
            # Meeting someone after a meeting one of the two already has (a briefing, a follow-up).
            earlier = [i for p in (a, b) for i in by_person[p] if planted[i][2] < s]
            if earlier:
                after = (mid[rng.choice(earlier)],)
        optional = rng.random() < shares["optional"]
        pair = (pid[a], pid[b]) if rng.random() < 0.5 else (pid[b], pid[a])
        meetings.append(
            Meeting(
                id=mid[j],
                participants=pair,
                session=slots[s].session if rng.random() < shares["session"] else "any",
                fixed_slot=slots[s].id if rng.random() < shares["fixed"] else None,
                after=after,
                required=not optional,
                weight=rng.randint(1, 5) if optional else 1,
            )
        )

    busiest = max((sum(1 for *_, s in planted if s == t) for t in range(k)), default=0)
    n_tables = max(1, busiest + (math.ceil(0.25 * busiest) + 1 if spare_tables else 0))
    tables = tuple(f"T{t + 1}" for t in range(n_tables))

    used = [0] * k
    assignments = []
    busy: dict[str, list[str]] = {}
    for j, (a, b, s) in enumerate(planted):
        assignments.append(Assignment(meeting=mid[j], slot=slots[s].id, table=tables[used[s]]))
        used[s] += 1
        busy.setdefault(pid[a], []).append(slots[s].id)
        busy.setdefault(pid[b], []).append(slots[s].id)

    if spread is None:
        spread = max(2, _spread(participants, busy, slots))
    instance = Instance(
        slots=slots,
        tables=tables,
        participants=participants,
        meetings=tuple(meetings),
        name=f"{family}-{seed}-{n}p-{len(meetings)}m-{k}s",
        max_breaks_spread=spread,
    )
    per_participant = participant_breaks(instance, busy)
    plant = Schedule(
        status="feasible",
        assignments=assignments,
        unscheduled=[],
        breaks=sum(per_participant.values()),
        optional_weight=sum(m.weight for m in meetings if not m.required),
        explanation="the hidden schedule the instance was generated around",
    )
    return Planted(instance=instance, plant=plant)


def _spread(
    participants: tuple[Participant, ...], busy: dict[str, list[str]], slots: tuple[Slot, ...]
) -> int:
    probe = Instance(slots=slots, tables=(), participants=participants, meetings=())
    values = participant_breaks(probe, busy).values()
    return max(values) - min(values) if values else 0
