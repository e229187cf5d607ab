"""Showing a moment in the time zone of the place where it happens, and in the viewer's own."""

import datetime
import zoneinfo

from babel import Locale, UnknownLocaleError
from babel.dates import get_timezone, get_timezone_location, get_timezone_name
from django.conf import settings
from django.utils import translation

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


def _babel_locale(language: str | None) -> Locale:
    code = (language or translation.get_language() or settings.LANGUAGE_CODE).lower()
    try:
        if code.startswith("zh"):
            return Locale.parse("zh_Hans_CN")
        return Locale.parse(code.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


def zone_label(zone: str | zoneinfo.ZoneInfo, language: str | None = None, *, city: bool = False) -> str:
    """A zone as a reader names it, from the CLDR data — never the database name ``Europe/Berlin``:
    "Mitteleuropäische Zeit", "中国时间"; with ``city`` (for a list to choose from, where two zones may share
    a name): "Berlin (Mitteleuropäische Zeit)", "上海（中国时间）"."""
    name = str(zone)
    if name in ("UTC", "Etc/UTC", "GMT"):
        return "UTC"
    locale = _babel_locale(language)
    try:
        long_name = get_timezone_name(get_timezone(name), width="long", locale=locale)
        place = get_timezone_location(name, locale=locale, return_city=True) if city else ""
    except LookupError:
        return name.replace("_", " ")
    if not place:
        return long_name
    return f"{place}（{long_name}）" if locale.language == "zh" else f"{place} ({long_name})"
