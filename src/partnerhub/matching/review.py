"""Staff review of suggestions, feedback on them, and the numbers an evaluation starts from."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerhub.core import audit
from partnerhub.matching import feedback
from partnerhub.matching.models import Suggestion

Status = Suggestion.Status


def _require(queryset, obj, message: str, actor) -> None:
    if actor is not None and not queryset.filter(pk=obj.pk).exists():
        raise PermissionDenied(message)


def record_step(actor, action: str, suggestion: Suggestion, **data) -> None:
    """The audit entry on both pipeline items, so the step shows in each one's history."""
    data = {"suggestion": suggestion.pk, **data}
    for item in (suggestion.source, suggestion.target):
        if item is not None:
            audit.record(actor, action, item, **data)


@transaction.atomic
def review(suggestion: Suggestion, decision: str, *, actor, reason: str = "") -> Suggestion:
    """Staff of the agency running the source item accept a suggestion (members then see it) or dismiss it."""
    _require(
        Suggestion.objects.reviewable_by(actor),
        suggestion,
        _("Only staff of the agency that runs this item may review its suggestions."),
        actor,
    )
    reason = (reason or "").strip()
    if decision == "accept":
        suggestion.status, suggestion.dismiss_reason = Status.ACCEPTED, ""
    elif decision == "dismiss":
        if not reason:
            raise ValidationError({"reason": _("Please say why the suggestion is dismissed.")})
        suggestion.status, suggestion.dismiss_reason = Status.DISMISSED, reason
    else:
        raise ValidationError(_("Choose to accept or to dismiss."))
    suggestion.reviewed_by = actor if getattr(actor, "is_authenticated", False) else None
    suggestion.reviewed_at = timezone.now()
    suggestion.save(update_fields=["status", "dismiss_reason", "reviewed_by", "reviewed_at", "updated_at"])
    record_step(actor, f"matching.suggestion_{suggestion.status}", suggestion, reason=reason)
    feedback.mark_recorded()
    return suggestion


@transaction.atomic
def record_feedback(suggestion: Suggestion, useful: bool | None, *, actor) -> Suggestion:
    """Whoever sees a suggestion says whether it was useful (None takes the answer back)."""
    _require(Suggestion.objects.visible_to(actor), suggestion, _("You cannot see this suggestion."), actor)
    suggestion.feedback = useful
    suggestion.feedback_by = actor if getattr(actor, "is_authenticated", False) else None
    suggestion.feedback_at = timezone.now()
    suggestion.save(update_fields=["feedback", "feedback_by", "feedback_at", "updated_at"])
    feedback.mark_recorded()
    return suggestion


def evaluation(suggestions: models.QuerySet) -> dict:
    """What reviews and feedback say about the suggestions: the numbers an evaluation starts from."""
    counts = suggestions.aggregate(
        total=Count("pk"),
        accepted=Count("pk", filter=Q(status=Status.ACCEPTED)),
        dismissed=Count("pk", filter=Q(status=Status.DISMISSED)),
        useful=Count("pk", filter=Q(feedback=True)),
        not_useful=Count("pk", filter=Q(feedback=False)),
    )
    reviewed = counts["accepted"] + counts["dismissed"]
    rated = counts["useful"] + counts["not_useful"]
    counts["acceptance_rate"] = round(counts["accepted"] / reviewed, 2) if reviewed else None
    counts["useful_rate"] = round(counts["useful"] / rated, 2) if rated else None
    return counts


def review_queue(user) -> models.QuerySet:
    """The suggestions a user reviews, new ones first, then by score."""
    first = Case(When(status=Status.NEW, then=Value(0)), default=Value(1), output_field=IntegerField())
    return Suggestion.objects.reviewable_by(user).annotate(_new_first=first).order_by("_new_first", "-score")
