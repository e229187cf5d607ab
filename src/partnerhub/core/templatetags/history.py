"""``{% history_sentence entry %}``: one audit entry as a sentence in the reader's language."""

from django import template

from partnerhub.core.history import describe

register = template.Library()


@register.simple_tag(takes_context=True)
def history_sentence(context, entry, object_label: str = "") -> str:
    request = context.get("request")
    return describe(entry, reader=getattr(request, "user", None), object_label=object_label)
