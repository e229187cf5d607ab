from django import template

from partnerhub.delegations.meetings import explanations as schedule_explanations

register = template.Library()


@register.simple_tag
def schedule_reasons(trip, run) -> list[str]:
    """The reasons of an infeasible scheduler run as sentences in the active language."""
    reasons = (run.summary or {}).get("reasons") or [] if run is not None else []
    return schedule_explanations.explain(trip, reasons)


@register.filter
def gap_percent(summary: dict) -> float | None:
    """How far the schedule's gaps may be from the best possible, in per cent of its gaps (None: unknown)."""
    breaks, bound = (summary or {}).get("breaks"), (summary or {}).get("bound")
    if breaks is None or bound is None:
        return None
    if breaks == 0:
        return 0.0
    return round(100 * max(0, breaks - bound) / breaks, 1)
