from django import template

from partnerhub.core.templatetags.partnerhub import html_lang, lang_of
from partnerhub.ideas.models import ProjectIdea
from partnerhub.matching.items import LANGUAGE_OF_CODE
from partnerhub.matching.reasons import Explanation, describe, explain

register = template.Library()


@register.filter
def describe_reason(reason: str) -> str:
    """A stored scoring reason as a sentence in the active language (matching/reasons.py)."""
    return describe(reason)


@register.simple_tag
def explain_suggestion(suggestion) -> Explanation:
    """Why the suggestion was made, in the active language: ``{% explain_suggestion s as why %}``."""
    return explain(suggestion)


@register.filter
def item_lang(item) -> str:
    """The ``lang`` attribute of an item's title as shown: a profile's summary, an idea's own language."""
    if isinstance(item, ProjectIdea):
        return html_lang(LANGUAGE_OF_CODE.get(item.language.lower(), item.language))
    return lang_of(getattr(item, "summary", ""))
