"""E-mail reminders before a trip and before each day with B2B meetings, each sent once.

"Once" is remembered in the audit trail (action ``delegation.reminder_sent`` on the registration), not in
a model field: the history then also shows a participant's page which reminders went out and when. Run
daily or more often (`partnerhub trip_reminders`, or the tasks below); a run that comes late or twice sends
nothing twice.
"""

import datetime
import zoneinfo

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from partnerhub.core import audit
from partnerhub.core.timezones import differs, local
from partnerhub.delegations.agenda import services as agenda
from partnerhub.delegations.models import Delegation, Meeting, Registration
from partnerhub.notifications.services import notify, url_in

ACTION = "delegation.reminder_sent"
TRIP_REMINDER_DAYS = 3


def already_sent(registration: Registration, kind: str, **data) -> bool:
    lookups = {f"data__{key}": value for key, value in {"kind": kind, **data}.items()}
    return audit.history(registration).filter(action=ACTION, **lookups).exists()


def _links(registration: Registration, language: str) -> dict:
    return {
        "agenda_url": url_in(language, "delegations:agenda", registration.access_token),
        "calendar_url": url_in(language, "delegations:agenda_calendar", registration.calendar_token),
    }


def _send_once(registration: Registration, kind: str, template: str, context: dict, **data) -> bool:
    """Record and send in one transaction; the row lock keeps two overlapping runs from both sending."""
    with transaction.atomic():
        Registration.objects.select_for_update().filter(pk=registration.pk).first()
        if already_sent(registration, kind, **data):
            return False
        audit.record(None, ACTION, registration, kind=kind, **data)
        language = agenda.language_of(registration)
        notify(registration.email, language, template, {**context, **_links(registration, language)})
    return True


def _with_own_time(entry: agenda.AgendaEntry, viewer_zone: str) -> dict:
    """An entry with the participant's own time beside it when their zone shows another wall-clock time."""
    try:
        own = differs(entry.starts_at, entry.time_zone, viewer_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        own = False
    return {
        "entry": entry,
        "start": entry.local_start,
        "end": entry.local_end,
        "own_start": local(entry.starts_at, viewer_zone) if own else None,
        "own_end": local(entry.ends_at, viewer_zone) if own else None,
    }


def send_trip_reminders(now: datetime.datetime | None = None) -> int:
    """Remind everyone holding a seat, once, when their trip starts within three days."""
    now = now or timezone.now()
    # A day's slack either side: "today" depends on the trip's zone, checked exactly below.
    trips = Delegation.objects.exclude(status=Delegation.Status.CANCELLED).filter(
        start_date__gte=(now - datetime.timedelta(days=1)).date(),
        start_date__lte=(now + datetime.timedelta(days=TRIP_REMINDER_DAYS + 1)).date(),
    )
    sent = 0
    for trip in trips:
        days = (trip.start_date - now.astimezone(trip.zone).date()).days
        if not 0 <= days <= TRIP_REMINDER_DAYS:
            continue
        for registration in trip.registrations.seated().select_related("delegation"):
            context = {"registration": registration, "trip": trip, "days": days}
            # Keyed by the start date, so a trip that is postponed is announced again.
            if _send_once(
                registration, "trip", "reminder_trip", context, starts_on=trip.start_date.isoformat()
            ):
                sent += 1
    return sent


def send_meeting_day_reminders(now: datetime.datetime | None = None) -> int:
    """The day before each day with published meetings: that day's meetings, once per participant and day."""
    now = now or timezone.now()
    soon = Meeting.objects.filter(
        delegation__schedule_published_at__isnull=False,
        starts_at__gte=now,
        starts_at__lt=now + datetime.timedelta(days=3),
    ).exclude(delegation__status=Delegation.Status.CANCELLED)
    ids = {pk for pair in soon.values_list("first_id", "second_id") for pk in pair}
    sent = 0
    for registration in Registration.objects.seated().filter(pk__in=ids).select_related("delegation"):
        language = agenda.language_of(registration)
        for day, meetings in agenda.by_day(agenda.meeting_entries(registration, language)):
            # "Tomorrow" where the meetings take place, not on the server or at the participant's home.
            if (day - now.astimezone(meetings[0].zone).date()).days != 1:
                continue
            context = {
                "registration": registration,
                "trip": registration.delegation,
                "day": day,
                "meetings": [_with_own_time(entry, registration.time_zone) for entry in meetings],
                "viewer_zone": registration.time_zone,
            }
            if _send_once(registration, "meeting_day", "reminder_meeting_day", context, day=day.isoformat()):
                sent += 1
    return sent


@task()
def trip_reminders_task() -> int:
    return send_trip_reminders()


@task()
def meeting_day_reminders_task() -> int:
    return send_meeting_day_reminders()
