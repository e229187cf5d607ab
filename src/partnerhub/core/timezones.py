"""Showing a moment in the time zone of the place where it happens, and in the viewer's own."""

import datetime
import zoneinfo

from django.conf import settings

VIEWER_ZONE_COOKIE = "tz"


def viewer_zone(request) -> zoneinfo.ZoneInfo:
    """The viewer's zone: their account's, else the browser's (cookie set by the page), else the site's."""
    candidates = []
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        candidates.append(getattr(user, "time_zone", ""))
    candidates.append(request.COOKIES.get(VIEWER_ZONE_COOKIE, "") if request is not None else "")
    candidates.append(settings.TIME_ZONE)
    for name in candidates:
        try:
            if name:
                return zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            continue
    return zoneinfo.ZoneInfo("UTC")


def local(moment: datetime.datetime, zone: str | zoneinfo.ZoneInfo) -> datetime.datetime:
    zone = zoneinfo.ZoneInfo(zone) if isinstance(zone, str) else zone
    return moment.astimezone(zone)


def differs(moment: datetime.datetime, zone_a, zone_b) -> bool:
    """Whether two zones show a different wall-clock time at this moment (Berlin vs Shanghai: 6 or 7 hours)."""
    return local(moment, zone_a).utcoffset() != local(moment, zone_b).utcoffset()
