"""Learning the structured part's weights from "good match / not relevant" marks.

A mark is one scored pair as it was shown — its ``parts`` (``scoring.score`` reports the semantic similarity
and each structured contribution before weighting) — and a label. Because a pair's total is linear in its
parts (``total(parts, weights)`` recomputes it exactly), marks stored long ago can be re-scored under any
weights without re-embedding or re-reading the items.

``fit_weights`` fits a logistic model of "good" on the total,
``P(good) = σ(slope · total(parts, weights) + intercept)``, over the weights of ``LEARNED`` (complementarity,
sector, region, kind and the two penalties); the semantic weight stays 1.0 (only ratios matter, and the slope
absorbs the scale) and freshness stays as set by hand (a mark's staleness is that of the day it was
scored, not today's). The loss is the marks' weighted log loss plus a quadratic pull towards the hand-set
``scoring.WEIGHTS``:

- ``PRIOR`` · Σ ((w − w_hand) / ``PRIOR_SCALE``)²: with a slope near 14 (the calibrated one), the pull on a
  weight weighs about as much as 40 marks that carry its part, so a few dozen marks move a weight by a few
  hundredths and a few hundred marks can overrule the hand-set value;
- every weight in [0, ``UPPER``]: a penalty never becomes a bonus nor a bonus a penalty, and no single
  structured signal can outweigh a difference in similarity of more than 0.3 (twice the largest hand-set
  weight; above the spread of 0.1–0.2 among plausible candidates, so structure can re-order them but never
  lift an unrelated text);
- a weight whose part never varies among the marks (or is non-zero in fewer than ``MIN_SUPPORT`` of them)
  says nothing and stays as set by hand.

Nothing is fitted below ``MIN_MARKS`` marks with at least ``MIN_EACH`` of each label (counted by their
weight): the model has up to eight free numbers (six weights, slope, intercept), and with fewer marks one
unlucky afternoon of marks would set them; ten of each label also gives at least a hundred good/not-relevant
pairs for the AUC the fit reports.

The optimiser is cyclic coordinate descent with one-dimensional Newton steps clipped to the bounds and
halved until the loss does not increase: the loss is convex in each coordinate, there is no randomness, and
the same marks always give the same weights.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from partnerhub.engines.matching import scoring

BONUSES = ("complementarity", "sector", "region", "kind")
PENALTIES = ("same_direction", "same_side")
LEARNED = BONUSES + PENALTIES

MIN_MARKS = 30
MIN_EACH = 10
MIN_SUPPORT = 5.0
UPPER = 0.3
PRIOR = 1.0
PRIOR_SCALE = 0.05
SLOPE_BOUNDS = (0.1, 200.0)
SWEEPS = 300
TOLERANCE = 1e-7


@dataclass(frozen=True)
class Mark:
    """One marked pair: its stored ``parts``, whether it was a good match, and how much the mark counts
    (1 for an explicit mark; the platform gives weaker evidence, such as a staff review, less)."""

    parts: Mapping[str, float]
    good: bool
    weight: float = 1.0


@dataclass(frozen=True)
class Figures:
    """How well totals separate the marks: AUC (the share of good/not-relevant pairs in which the good one
    has the higher total; ties count half) and the weighted log loss of the fitted logistic curve."""

    auc: float
    log_loss: float

    def as_dict(self) -> dict[str, float]:
        return {"auc": round(self.auc, 4), "log_loss": round(self.log_loss, 4)}


@dataclass(frozen=True)
class Learned:
    weights: dict[str, Any]  # WEIGHTS-shaped
    moved: tuple[str, ...]  # the weights that were free to move (their parts varied among the marks)
    marks: int
    good: float
    not_relevant: float
    before: Figures
    after: Figures
    slope: float
    intercept: float
    changes: dict[str, tuple[float, float]] = field(default_factory=dict)  # name → (hand-set, learned)


def weight_of(weights: Mapping[str, Any], name: str) -> float:
    return float(weights["penalties"][name] if name in PENALTIES else weights[name])


def with_weight(weights: Mapping[str, Any], name: str, value: float) -> dict[str, Any]:
    copy = dict(weights)
    copy["penalties"] = dict(weights["penalties"])
    if name in PENALTIES:
        copy["penalties"][name] = value
    else:
        copy[name] = value
    return copy


def total(parts: Mapping[str, float], weights: Mapping[str, Any] = scoring.WEIGHTS) -> float:
    """The total ``scoring.score`` gives a pair with these parts under ``weights`` (penalty and freshness
    parts are stored negative, so every term is weight × part)."""
    value = float(weights["semantic"]) * float(parts.get("semantic", 0.0))
    value += float(weights["freshness"]) * float(parts.get("freshness", 0.0))
    for name in LEARNED:
        value += weight_of(weights, name) * float(parts.get(name, 0.0))
    return value


def counts(marks: Sequence[Mark]) -> tuple[float, float]:
    """(good, not relevant), each counted by the marks' weights."""
    good = sum(m.weight for m in marks if m.good)
    return good, sum(m.weight for m in marks if not m.good)


def enough(marks: Sequence[Mark]) -> bool:
    good, bad = counts(marks)
    return good + bad >= MIN_MARKS and good >= MIN_EACH and bad >= MIN_EACH


def auc(
    totals: Sequence[float] | np.ndarray, labels: Sequence[bool], weights: Sequence[float] | None = None
) -> float:
    """Weighted share of (good, not relevant) pairs ordered right; ties count half."""
    t = np.asarray(totals, dtype=np.float64)
    y = np.asarray(labels, dtype=bool)
    c = np.ones_like(t) if weights is None else np.asarray(weights, dtype=np.float64)
    good, bad = t[y], t[~y]
    if good.size == 0 or bad.size == 0:
        return float("nan")
    pair_weight = np.outer(c[y], c[~y])
    right = (good[:, None] > bad[None, :]) + 0.5 * (good[:, None] == bad[None, :])
    return float((pair_weight * right).sum() / pair_weight.sum())


class _Problem:
    """The marks as arrays, and the loss of (slope, intercept, free weights)."""

    def __init__(self, marks: Sequence[Mark], base: Mapping[str, Any], free: Sequence[str]) -> None:
        self.free = list(free)
        self.prior = np.array([weight_of(base, n) for n in self.free])
        self.x = np.array([[float(m.parts.get(n, 0.0)) for n in self.free] for m in marks]).reshape(
            len(marks), len(self.free)
        )
        fixed = base
        for name in self.free:
            fixed = with_weight(fixed, name, 0.0)
        self.offset = np.array([total(m.parts, fixed) for m in marks])
        self.y = np.array([1.0 if m.good else 0.0 for m in marks])
        self.c = np.array([float(m.weight) for m in marks])

    def totals(self, w: np.ndarray) -> np.ndarray:
        return np.asarray(self.offset + self.x @ w)

    def data_loss(self, a: float, b: float, w: np.ndarray) -> float:
        z = a * self.totals(w) + b
        return float((self.c * (np.logaddexp(0.0, z) - self.y * z)).sum())

    def loss(self, a: float, b: float, w: np.ndarray) -> float:
        return self.data_loss(a, b, w) + PRIOR * float((((w - self.prior) / PRIOR_SCALE) ** 2).sum())


def _newton_step(
    problem: _Problem, a: float, b: float, w: np.ndarray, coordinate: int
) -> tuple[float, float, np.ndarray]:
    """One clipped, safeguarded Newton step on one coordinate: 0 slope, 1 intercept, 2+ a free weight."""
    t = problem.totals(w)
    z = a * t + b
    p = 1.0 / (1.0 + np.exp(-z))
    residual = problem.c * (p - problem.y)
    curvature = problem.c * p * (1.0 - p)
    if coordinate == 0:
        g, prior_grad, prior_hess, value, low, high = t, 0.0, 0.0, a, *SLOPE_BOUNDS
    elif coordinate == 1:
        g, prior_grad, prior_hess, value, low, high = np.ones_like(t), 0.0, 0.0, b, -math.inf, math.inf
    else:
        k = coordinate - 2
        g = a * problem.x[:, k]
        prior_grad = 2 * PRIOR * (w[k] - problem.prior[k]) / PRIOR_SCALE**2
        prior_hess = 2 * PRIOR / PRIOR_SCALE**2
        value, low, high = float(w[k]), 0.0, UPPER
    gradient = float(residual @ g) + prior_grad
    hessian = float(curvature @ (g * g)) + prior_hess + 1e-9
    step = -gradient / hessian
    before = problem.loss(a, b, w)
    for _ in range(30):
        new = min(high, max(low, value + step))
        candidate = (new if coordinate == 0 else a, new if coordinate == 1 else b, w.copy())
        if coordinate >= 2:
            candidate[2][coordinate - 2] = new
        if problem.loss(*candidate) <= before + 1e-12:
            return candidate
        step /= 2
    return a, b, w


def _minimise(problem: _Problem, a: float = 10.0, b: float = 0.0) -> tuple[float, float, np.ndarray]:
    w = problem.prior.copy()
    coordinates = [0, 1] + [2 + k for k in range(len(problem.free))]
    for _ in range(SWEEPS):
        previous = np.array([a, b, *w])
        for coordinate in coordinates:
            a, b, w = _newton_step(problem, a, b, w, coordinate)
        if np.abs(np.array([a, b, *w]) - previous).max() < TOLERANCE:
            break
    return a, b, w


def _movable(marks: Sequence[Mark]) -> list[str]:
    free = []
    for name in LEARNED:
        values = np.array([float(m.parts.get(name, 0.0)) for m in marks])
        support = sum(m.weight for m, v in zip(marks, values, strict=True) if v != 0.0)
        if values.size and np.ptp(values) > 0 and support >= MIN_SUPPORT:
            free.append(name)
    return free


def fit_weights(marks: Sequence[Mark], base: Mapping[str, Any] = scoring.WEIGHTS) -> Learned | None:
    """New weights from the marks, or None when there are not enough of them (see the module docstring)."""
    marks = [m for m in marks if m.weight > 0]
    if not enough(marks):
        return None
    labels = [m.good for m in marks]
    weights_of_marks = [m.weight for m in marks]

    hand = _Problem(marks, base, [])
    a0, b0, _ = _minimise(hand)
    before = Figures(
        auc(hand.totals(np.zeros(0)), labels, weights_of_marks),
        hand.data_loss(a0, b0, np.zeros(0)) / sum(weights_of_marks),
    )

    free = _movable(marks)
    problem = _Problem(marks, base, free)
    a, b, w = _minimise(problem, a0, b0)
    learned: dict[str, Any] = with_weight(base, LEARNED[0], weight_of(base, LEARNED[0]))
    for name, value in zip(free, w, strict=True):
        learned = with_weight(learned, name, round(float(value), 4))
    after_w = np.array([weight_of(learned, n) for n in free])
    after = Figures(
        auc(problem.totals(after_w), labels, weights_of_marks),
        problem.data_loss(a, b, after_w) / sum(weights_of_marks),
    )
    good, bad = counts(marks)
    changes = {n: (weight_of(base, n), weight_of(learned, n)) for n in free}
    return Learned(learned, tuple(free), len(marks), good, bad, before, after, a, b, changes)
