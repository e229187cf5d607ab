from django import template
from django.utils import translation

from partnerhub.core.i18n import shown_language

register = template.Library()


@register.filter
def lang_of(value) -> str:
    """The BCP 47 code of the language a multilingual value is shown in, for a ``lang`` attribute."""
    code = shown_language(value)
    if not code:
        return translation.get_language() or "en"
    return "zh-Hans" if code == "zh-hans" else code


@register.filter
def html_lang(code: str) -> str:
    return "zh-Hans" if code == "zh-hans" else code
