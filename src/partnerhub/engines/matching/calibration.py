"""From a pair's total score to a 0–100 "fit": the chance, in per cent, that the pair is a counterpart.

A total (semantic similarity plus structure, scoring.py) means little to a reader, and the same total
means different things for different kinds of pairs: with one curve for all, research–research pairs were
promised 23% on average where 8% were counterparts, offer–request pairs 7% where 11% were. So the fit is a
logistic curve on the total per ranking path (a model's cosines have their own scale) and kind of pair,
``100 / (1 + exp(-(slope * total + intercept)))``, fitted by maximum likelihood on the labelled sets
(bench/data: profile_pairs_* and sector_pairs_*): for each query its counterpart is a positive, the other
candidates of its shortlist through the one ranking path (ranking.py) negatives — the pairs a member would
actually be shown. ``bench/bench_matching_calibration.py`` refits and prints the constants below and how
well they hold per language pair and per kind of pair. The labelled sets have no same-language
counterparts, so a same-language pair's fit is an extrapolation.

``MIN_FIT``: below it, nothing is stored or shown.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Curve:
    """A fitted logistic curve for one ranking path (first model, with or without the second)."""

    slope: float
    intercept: float

    def fit(self, total: float) -> int:
        """The 0–100 fit of a pair's total score (monotone: a higher total never has a lower fit)."""
        if not math.isfinite(total):
            return 0
        z = self.slope * total + self.intercept
        return int(round(100 / (1 + math.exp(-z)))) if z > -700 else 0


GROUPS = ("offer-request", "research-research")  # kinds of pair with a curve of their own


def pair_group(query_kind: str | None, candidate_kind: str | None) -> str:
    """The kind of pair a curve is fitted for: an offer and its request, two research cooperations, or
    anything else (``all``: no counterpart of that kind in the labelled sets, so the curve of all pairs)."""
    if query_kind == candidate_kind == "research_cooperation":
        return "research-research"
    ends = {str(query_kind).rsplit("_", 1)[-1], str(candidate_kind).rsplit("_", 1)[-1]}
    if ends == {"offer", "request"} and str(query_kind).split("_")[0] == str(candidate_kind).split("_")[0]:
        return "offer-request"
    return "all"


# Fitted by bench/bench_matching_calibration.py (see there for the data and the per-group check), by the
# first model's name family and whether the second re-scored the shortlist, then by kind of pair. A model
# not listed (the fake embedder of the tests, a model being tried) has no calibration: its pairs get no fit
# and no threshold.
CURVES: dict[str, dict[str, Curve]] = {
    "use": {
        "all": Curve(slope=13.66, intercept=-9.06),
        "offer-request": Curve(slope=16.88, intercept=-9.86),
        "research-research": Curve(slope=23.12, intercept=-17.06),
    },
    "use+e5": {
        "all": Curve(slope=14.26, intercept=-9.04),
        "offer-request": Curve(slope=18.87, intercept=-10.37),
        "research-research": Curve(slope=26.88, intercept=-18.89),
    },
}
# Keeps 95% of the counterparts the shortlists contain and drops 88% of the other pairs (use+e5 on the
# 417 labelled pairs above; 10 would drop 93% but lose 13% of the counterparts).
MIN_FIT = 5


def curve_for(first: str, second: str | None = None, group: str = "all") -> Curve | None:
    """The curve for a ranking path by model names (``use-m3@0.2.1``, ``e5-small-q4@0.3.0``) and kind of
    pair (``pair_group``), or None when that path was never calibrated."""
    family = first.split("-")[0].split("@")[0]
    if second is not None:
        family += "+" + second.split("-")[0].split("@")[0]
    curves = CURVES.get(family)
    if curves is None:
        return None
    return curves.get(group, curves["all"])


def fit_logistic(totals: Sequence[float], labels: Sequence[int], iterations: int = 50) -> tuple[float, float]:
    """(slope, intercept) maximising the likelihood of ``labels`` (1 counterpart, 0 not) given ``totals``.

    Newton's method with a tiny ridge term, so perfectly separable data still gives finite constants.
    """
    x = np.asarray(totals, dtype=np.float64)
    y = np.asarray(labels, dtype=np.float64)
    if x.shape != y.shape or x.size == 0 or y.min() == y.max():
        raise ValueError("need totals with both labels present")
    design = np.stack([x, np.ones_like(x)], axis=1)
    beta = np.zeros(2)
    ridge = 1e-3 * np.eye(2)
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-(design @ beta)))
        gradient = design.T @ (y - p) - ridge @ beta
        hessian = design.T @ (design * (p * (1 - p))[:, None]) + ridge
        step = np.linalg.solve(hessian, gradient)
        beta += step
        if np.abs(step).max() < 1e-9:
            break
    return float(beta[0]), float(beta[1])
