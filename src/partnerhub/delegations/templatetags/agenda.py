"""Template tags of the personal agenda."""

import zoneinfo

from django import template

from partnerhub.core.timezones import differs, local, zone_label

register = template.Library()


@register.inclusion_tag("partnerhub/_event_time.html")
def agenda_time(moment, zone, end=None, viewer=None):
    """Like ``{% event_time %}``, but beside it the time in a zone given explicitly, not the request's.

    The agenda is opened through a personal link, usually signed out and on a phone abroad: the zone the
    participant gave when registering says more than the browser's or the site's.
    ``{% agenda_time entry.starts_at entry.time_zone entry.ends_at registration.time_zone %}``
    """
    try:
        viewer_zone = zoneinfo.ZoneInfo(str(viewer)) if viewer else None
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        viewer_zone = None
    shift = viewer_zone is not None and differs(moment, zone, viewer_zone)
    return {
        "start": local(moment, zone),
        "end": local(end, zone) if end else None,
        "zone_name": zone_label(zone),
        "viewer_start": local(moment, viewer_zone) if shift else None,
        "viewer_end": local(end, viewer_zone) if shift and end else None,
        "viewer_zone": zone_label(viewer_zone) if viewer_zone else "",
    }
