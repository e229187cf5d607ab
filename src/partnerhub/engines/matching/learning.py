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

The optimiser is projected Newton on (slope, intercept, weights), started from the hand-set weights:
coordinates at a bound the gradient pushes against stay there, the step is damped when the Hessian is not
positive definite, clipped to the bounds and halved until the loss does not increase. There is no
randomness: the same marks always give the same weights (0.01 s for 1,000 marks, 0.6 s for 100,000).
"""

from __future__ import annotations

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
ITERATIONS = 100
TOLERANCE = 1e-9


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
    """Weighted share of (good, not relevant) pairs ordered right; ties count half. O(n log n): by the
    rank of each total among the distinct ones, not over all pairs."""
    t = np.asarray(totals, dtype=np.float64)
    y = np.asarray(labels, dtype=bool)
    c = np.ones_like(t) if weights is None else np.asarray(weights, dtype=np.float64)
    good_weight, bad_weight = float(c[y].sum()), float(c[~y].sum())
    if not y.any() or y.all() or good_weight <= 0 or bad_weight <= 0:
        return float("nan")
    values, position = np.unique(t, return_inverse=True)
    bad_at = np.bincount(position, weights=np.where(y, 0.0, c), minlength=values.size)
    bad_below = np.cumsum(bad_at) - bad_at
    right = (bad_below[position] + 0.5 * bad_at[position])[y]
    return float((c[y] * right).sum() / (good_weight * bad_weight))


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


def _bounds(problem: _Problem) -> tuple[np.ndarray, np.ndarray]:
    n = len(problem.free)
    low = np.array([SLOPE_BOUNDS[0], -np.inf, *([0.0] * n)])
    high = np.array([SLOPE_BOUNDS[1], np.inf, *([UPPER] * n)])
    return low, high


def _gradient_and_hessian(problem: _Problem, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Of the loss in theta = (slope, intercept, free weights…); z = slope · total + intercept."""
    a, b, w = theta[0], theta[1], theta[2:]
    t = problem.totals(w)
    p = 1.0 / (1.0 + np.exp(-(a * t + b)))
    residual = problem.c * (p - problem.y)
    curvature = problem.c * p * (1.0 - p)
    jacobian = np.column_stack([t, np.ones_like(t), a * problem.x])
    gradient = jacobian.T @ residual
    hessian = jacobian.T @ (jacobian * curvature[:, None])
    # z is bilinear in slope and weights: d²z/(d slope d w_k) = x_k
    cross = problem.x.T @ residual
    hessian[0, 2:] += cross
    hessian[2:, 0] += cross
    k = len(problem.free)
    gradient[2:] += 2 * PRIOR * (w - problem.prior) / PRIOR_SCALE**2
    hessian[2:, 2:] += np.eye(k) * 2 * PRIOR / PRIOR_SCALE**2
    return gradient, hessian


def _loss(problem: _Problem, theta: np.ndarray) -> float:
    return problem.loss(float(theta[0]), float(theta[1]), theta[2:])


def _minimise(problem: _Problem, a: float = 10.0, b: float = 0.0) -> tuple[float, float, np.ndarray]:
    """Projected Newton: coordinates held at a bound the gradient pushes against stay there, the others
    take a (damped, if need be) Newton step, clipped to the bounds and halved until the loss decreases."""
    low, high = _bounds(problem)
    theta = np.clip(np.array([a, b, *problem.prior]), low, high)
    loss = _loss(problem, theta)
    for _ in range(ITERATIONS):
        gradient, hessian = _gradient_and_hessian(problem, theta)
        held = ((theta <= low) & (gradient > 0)) | ((theta >= high) & (gradient < 0))
        free = ~held
        if not free.any():
            break
        h = hessian[np.ix_(free, free)]
        damping = 0.0
        while True:  # Levenberg damping until the step is a descent direction
            try:
                np.linalg.cholesky(h + damping * np.eye(h.shape[0]))
                break
            except np.linalg.LinAlgError:
                damping = max(1e-6, 10 * damping)
        step = np.zeros_like(theta)
        step[free] = -np.linalg.solve(h + damping * np.eye(h.shape[0]), gradient[free])
        scale, improved = 1.0, False
        for _ in range(40):
            candidate = np.clip(theta + scale * step, low, high)
            new_loss = _loss(problem, candidate)
            if new_loss <= loss:
                improved = True
                break
            scale /= 2
        if not improved:
            break
        moved = np.abs(candidate - theta).max()
        theta, previous, loss = candidate, loss, new_loss
        if moved < TOLERANCE or previous - loss < 1e-12 * max(1.0, abs(loss)):
            break
    return float(theta[0]), float(theta[1]), theta[2:].copy()


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
