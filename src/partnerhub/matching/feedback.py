"""Feedback marks re-weight the structured part of the score (docs/matching-feedback.md).

Marks come from the suggestions themselves:

- a "useful / not useful" answer (``Suggestion.feedback``, by staff or members) is a full mark;
- where nobody answered, the staff review is weaker evidence (``REVIEW_WEIGHT``): accepting means "worth
  showing", not "a good partner"; dismissing may be for reasons unrelated to the fit (already in contact,
  the partner is not taking new work). A member's answer replaces the review of the same suggestion.

Each mark carries the ``parts`` the suggestion was scored with, so the engine
(``partnerhub.engines.matching.learning``) re-scores it under any weights. A refit runs in the background
(``refit_weights``), queued after the commit of a mark once ``REFIT_EVERY`` marks were given or changed
since the last fit; it stores a ``LearnedWeights`` row, and an audit entry when the weights changed.
``current_weights()`` is what the ranking should use: the newest learned weights, or the hand-set
``scoring.WEIGHTS`` while there are not enough marks.
"""

import time

from django.db import transaction
from django.db.models import Q
from django_tasks import task

from partnerhub.core import audit
from partnerhub.engines.matching import learning, scoring
from partnerhub.matching.models import LearnedWeights, Suggestion

REVIEW_WEIGHT = 0.5
REFIT_EVERY = 10  # marks given or changed since the last fit before the next one is queued
CHECK_EVERY = 60.0  # seconds a process trusts its cached weights before asking for a newer row

_cache: dict = {}


def _mark(suggestion: Suggestion) -> learning.Mark | None:
    parts = suggestion.parts or {}
    if "semantic" not in parts:
        return None
    if suggestion.feedback is not None:
        return learning.Mark(parts, bool(suggestion.feedback))
    if suggestion.status == Suggestion.Status.ACCEPTED:
        return learning.Mark(parts, True, REVIEW_WEIGHT)
    if suggestion.status == Suggestion.Status.DISMISSED:
        return learning.Mark(parts, False, REVIEW_WEIGHT)
    return None


def collect_marks() -> list[learning.Mark]:
    """Every marked suggestion as an engine mark, in a fixed order (the fit is then reproducible)."""
    rows = Suggestion.objects.filter(~Q(feedback=None) | ~Q(status=Suggestion.Status.NEW)).order_by("pk")
    marks = (_mark(s) for s in rows.only("pk", "parts", "feedback", "status"))
    return [m for m in marks if m is not None]


def latest() -> LearnedWeights | None:
    return LearnedWeights.objects.order_by("-fitted_at", "-pk").first()


def marks_since_last_fit() -> int:
    """Suggestions whose mark or review was given or changed after the newest fit (all, before the first)."""
    last = latest()
    if last is None:
        return Suggestion.objects.filter(~Q(feedback_at=None) | ~Q(reviewed_at=None)).count()
    when = last.fitted_at
    return Suggestion.objects.filter(Q(feedback_at__gt=when) | Q(reviewed_at__gt=when)).count()


def current_weights() -> dict:
    """The weights in force: the newest ``LearnedWeights`` or ``scoring.WEIGHTS``.

    Cached per process; ``store_weights`` empties the cache of the process that stores, other processes
    look for a newer row at most every ``CHECK_EVERY`` seconds (one indexed query).
    """
    now = time.monotonic()
    if _cache and now - _cache["checked"] < CHECK_EVERY:
        return _cache["weights"]
    newest = LearnedWeights.objects.order_by("-fitted_at", "-pk").values_list("pk", flat=True).first()
    if not _cache or _cache["pk"] != newest:
        row = LearnedWeights.objects.get(pk=newest) if newest is not None else None
        _cache.update(pk=newest, weights=_complete(row.weights if row is not None else {}))
    _cache["checked"] = now
    cached = _cache["weights"]
    return {**cached, "penalties": dict(cached["penalties"])}  # a copy: callers cannot change the cache


def _complete(learned: dict) -> dict:
    """Stored weights over the hand-set ones, so a weight added to ``scoring.WEIGHTS`` after a fit has a value."""
    penalties = {**scoring.WEIGHTS["penalties"], **learned.get("penalties", {})}
    return {**scoring.WEIGHTS, **learned, "penalties": penalties}


def clear_cache() -> None:
    _cache.clear()


@transaction.atomic
def store_weights(learned: learning.Learned, *, actor=None) -> LearnedWeights:
    """A new row in force; an audit entry when its weights differ from the ones in force before."""
    previous = latest()
    in_force = previous.weights if previous is not None else scoring.WEIGHTS
    row = LearnedWeights.objects.create(
        weights=learned.weights,
        marks=learned.marks,
        good=learned.good,
        not_relevant=learned.not_relevant,
        before=learned.before.as_dict(),
        after=learned.after.as_dict(),
    )
    if learned.weights != in_force:
        changes = {
            name: [learning.weight_of(in_force, name), learning.weight_of(learned.weights, name)]
            for name in learning.LEARNED
            if learning.weight_of(in_force, name) != learning.weight_of(learned.weights, name)
        }
        audit.record(actor, "matching.weights_learned", row, marks=learned.marks, changes=changes)
    transaction.on_commit(clear_cache)
    clear_cache()
    return row


def refit(*, force: bool = False) -> LearnedWeights | None:
    """Fit on every mark and store the result; None when not due (fewer than ``REFIT_EVERY`` new marks,
    unless ``force``) or when there are not enough marks to learn from."""
    if not force and marks_since_last_fit() < REFIT_EVERY:
        return None
    learned = learning.fit_weights(collect_marks())
    return store_weights(learned) if learned is not None else None


@task()
def refit_weights() -> int | None:
    """Background refit; returns the new row's id (None when nothing was stored)."""
    row = refit()
    return row.pk if row is not None else None


def _enqueue_if_due() -> None:
    if marks_since_last_fit() >= REFIT_EVERY:
        refit_weights.enqueue()


def mark_recorded() -> None:
    """Called by the review services inside their transaction: queue a refit once it commits, when due."""
    transaction.on_commit(_enqueue_if_due)
