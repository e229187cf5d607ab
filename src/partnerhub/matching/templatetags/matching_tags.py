from django import template

from partnerhub.matching.reasons import describe

register = template.Library()


@register.filter
def describe_reason(reason: str) -> str:
    """A stored scoring reason as a sentence in the active language (matching/reasons.py)."""
    return describe(reason)
