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


@register.filter
def zone_name(zone) -> str:
    """A time zone by its name in the reader's language ("Berlin (Mitteleuropäische Zeit)", "上海（中国时间）")."""
    from partnerhub.core.timezones import zone_label

    return zone_label(zone) if zone else ""


@register.inclusion_tag("partnerhub/_event_time.html", takes_context=True)
def event_time(context, moment, zone, end=None):
    """A time in the zone of the place, with the viewer's own time beside it when that differs.

    ``{% event_time item.starts_at item.time_zone item.ends_at %}``
    """
    from partnerhub.core.timezones import differs, local, viewer_zone, zone_label

    viewer = viewer_zone(context.get("request"))
    return {
        "start": local(moment, zone),
        "end": local(end, zone) if end else None,
        "zone_name": zone_label(zone),
        "viewer_start": local(moment, viewer) if differs(moment, zone, viewer) else None,
        "viewer_end": local(end, viewer) if end and differs(moment, zone, viewer) else None,
        "viewer_zone": zone_label(viewer),
    }
