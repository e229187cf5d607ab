"""A participant's personal agenda: the trip's programme and, once published, their own B2B meetings.

Read-only: nothing here changes data. The agenda page, the iCalendar feed and the reminders all build on
``agenda_for`` so that they never disagree. Every entry keeps the aware UTC moments as stored plus the IANA
zone of the place where it happens; showing it in that zone (and in the viewer's beside it) is the caller's
job, the feed hands the zone to the calendar program through TZID and VTIMEZONE.
"""

import datetime
import zoneinfo
from dataclasses import dataclass
from itertools import groupby
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext
from i18nfield.strings import LazyI18nString
from icalendar import Calendar, Event

from partnerhub.delegations.models import Meeting, ProgrammeItem, Registration

PROGRAMME = "programme"
MEETING = "meeting"


@dataclass(frozen=True)
class AgendaEntry:
    kind: str  # PROGRAMME or MEETING
    uid: str  # stable across feed refreshes, so calendar programs update events instead of duplicating them
    title: str  # in the language the agenda was built for
    starts_at: datetime.datetime  # aware, as stored (UTC)
    ends_at: datetime.datetime
    time_zone: str  # IANA name of the place where it happens
    place: str = ""
    counterpart: str = ""  # meetings: the other participant's name and organisation
    table: str = ""  # meetings: table or room
    description: str = ""

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def local_start(self) -> datetime.datetime:
        return self.starts_at.astimezone(self.zone)

    @property
    def local_end(self) -> datetime.datetime:
        return self.ends_at.astimezone(self.zone)

    @property
    def day(self) -> datetime.date:
        """The day it starts on where it happens (not in UTC, not in the viewer's zone)."""
        return self.local_start.date()

    @property
    def is_meeting(self) -> bool:
        return self.kind == MEETING


def language_of(registration: Registration) -> str:
    """The registration's language as one of the site's language codes (stored values may vary in case)."""
    try:
        return translation.get_supported_language_variant(registration.language or settings.LANGUAGE_CODE)
    except LookupError:
        return settings.LANGUAGE_CODE


def agenda_for(registration: Registration, language: str | None = None) -> list[AgendaEntry]:
    """The trip's whole programme plus this participant's meetings, the latter only once published.

    Titles and places are in ``language`` (default: the registration's own). Sorted by the local day, then
    by the moment, so that grouping by day never splits a day when items happen in different zones.
    """
    language = language or language_of(registration)
    programme = list(
        ProgrammeItem.objects.filter(delegation_id=registration.delegation_id).select_related("stop__region")
    )
    entries = [_programme_entry(item, language) for item in programme]
    entries += meeting_entries(registration, language, programme=programme)
    return sorted(entries, key=lambda entry: (entry.day, entry.starts_at, entry.kind, entry.uid))


def meeting_entries(
    registration: Registration, language: str | None = None, programme: list[ProgrammeItem] | None = None
) -> list[AgendaEntry]:
    """The participant's meetings; none while the trip's schedule is unpublished (it may still change)."""
    delegation = registration.delegation
    if delegation.schedule_published_at is None:
        return []
    language = language or language_of(registration)
    if programme is None:
        programme = list(ProgrammeItem.objects.filter(delegation=delegation))
    blocks = [item for item in programme if item.kind == ProgrammeItem.Kind.B2B_BLOCK]
    meetings = (
        Meeting.objects.filter(delegation=delegation)
        .filter(Q(first=registration) | Q(second=registration))
        .select_related("first", "second", "table")
    )
    return [
        _meeting_entry(meeting, registration, blocks, delegation.time_zone, language) for meeting in meetings
    ]


def by_day(entries: list[AgendaEntry]) -> list[tuple[datetime.date, list[AgendaEntry]]]:
    """Entries grouped by the day they start on in their own zone, days in order."""
    ordered = sorted(entries, key=lambda entry: (entry.day, entry.starts_at))
    return [(day, list(group)) for day, group in groupby(ordered, key=lambda entry: entry.day)]


def counterpart_label(registration: Registration) -> str:
    """Name (with its Latin transliteration when written in another script) and organisation."""
    name = str(registration)
    if registration.name_latin and registration.name_latin != name:
        name = f"{name} ({registration.name_latin})"
    return f"{name}, {registration.organisation_name}" if registration.organisation_name else name


def _text(value, language: str) -> str:
    """A multilingual value in ``language``, else English, else whichever language it was written in."""
    if not value:
        return ""
    return (value if isinstance(value, LazyI18nString) else LazyI18nString(value)).localize(language)


def _uid(kind: str, pk: int) -> str:
    host = urlsplit(settings.SITE_URL).hostname or "partnerhub"
    return f"{kind}-{pk}@{host}"


def _programme_entry(item: ProgrammeItem, language: str) -> AgendaEntry:
    place = _text(item.venue, language)
    if item.stop_id is not None:
        region = str(item.stop.region)
        place = f"{place}, {region}" if place and region not in place else (place or region)
    return AgendaEntry(
        kind=PROGRAMME,
        uid=_uid("programme", item.pk),
        title=_text(item.title, language),
        starts_at=item.starts_at,
        ends_at=item.ends_at,
        time_zone=item.time_zone,
        place=place,
        description=_text(item.description, language),
    )


def _meeting_entry(
    meeting: Meeting, registration: Registration, blocks: list[ProgrammeItem], trip_zone: str, language: str
) -> AgendaEntry:
    other = meeting.second if meeting.first_id == registration.pk else meeting.first
    # A meeting happens inside a B2B block: that block says where (venue) and in which zone.
    block = next((b for b in blocks if b.starts_at <= meeting.starts_at < b.ends_at), None)
    counterpart = counterpart_label(other)
    table = meeting.table.name if meeting.table else ""
    with translation.override(language):
        title = gettext("B2B meeting with %(name)s") % {"name": str(other)}
        lines = [gettext("With: %(counterpart)s") % {"counterpart": counterpart}]
        if table:
            lines.append(gettext("Table: %(table)s") % {"table": table})
    return AgendaEntry(
        kind=MEETING,
        uid=_uid("meeting", meeting.pk),
        title=title,
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        time_zone=block.time_zone if block else trip_zone,
        place=_text(block.venue, language) if block else "",
        counterpart=counterpart,
        table=table,
        description="\n".join(lines),
    )


# --- iCalendar ---------------------------------------------------------------------------------------------


def calendar_name(registration: Registration, language: str | None = None) -> str:
    return _text(registration.delegation.title, language or language_of(registration))


def ics_for(registration: Registration, now: datetime.datetime | None = None) -> bytes:
    """The agenda as an iCalendar file (RFC 5545), for the subscription feed and the one-off download.

    Events keep their own zone (DTSTART;TZID=Asia/Shanghai:…) and the file carries a VTIMEZONE for each
    zone used, so a calendar program anywhere shows them at the right moment, across DST changes too.
    """
    language = language_of(registration)
    delegation = registration.delegation
    entries = agenda_for(registration, language)
    stamp = (now or timezone.now()).astimezone(datetime.UTC).replace(microsecond=0)

    calendar = Calendar()
    calendar.add("prodid", "-//partnerhub//delegation agenda//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", calendar_name(registration, language))
    calendar.add("x-wr-timezone", delegation.time_zone)
    # Subscribed calendars should pick up changes to the programme within a few hours.
    calendar.add("refresh-interval", datetime.timedelta(hours=6), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT6H")
    for entry in entries:
        event = Event()
        event.add("uid", entry.uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", entry.local_start)
        event.add("dtend", entry.local_end)
        event.add("summary", entry.title)
        if entry.place:
            event.add("location", entry.place)
        if entry.description:
            event.add("description", entry.description)
        event.add("categories", [MEETING if entry.is_meeting else PROGRAMME])
        calendar.add_component(event)
    if entries:
        # Transitions a year around the trip, not the default 1970–2038: the feed stays small.
        first = min(entry.starts_at for entry in entries).date() - datetime.timedelta(days=366)
        last = max(entry.ends_at for entry in entries).date() + datetime.timedelta(days=366)
        calendar.add_missing_timezones(first_date=first, last_date=last)
    return calendar.to_ical()
