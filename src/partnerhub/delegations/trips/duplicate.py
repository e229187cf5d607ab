"""Next year's trip from this year's: the same itinerary, programme, questions and tables, moved in time.

Every date moves by the same number of days. A moment (a programme item at 10:00 in Yangzhou, a flight at
13:05 from Frankfurt) keeps its wall-clock time in the zone of its place, even when daylight saving time
starts or ends in between: 10:00 stays 10:00, whatever that is in UTC. Registrations, meetings, the
schedule and the members are not copied; the new trip is planned and unpublished.
"""

from __future__ import annotations

import datetime
import zoneinfo

from django.db import transaction
from django.utils.translation import gettext_lazy

from partnerhub.accounts.permissions import require_save
from partnerhub.core import audit
from partnerhub.core.history import sentence
from partnerhub.delegations.models import Delegation, RegistrationQuestion, Table
from partnerhub.delegations.trips.services import require_trip_editor, unique_slug

sentence(
    "delegation.duplicated",
    gettext_lazy("%(actor)s created this trip as a copy of “%(source)s”, %(days)s days later."),
)

COPIED_FIELDS = [
    "partnership_id",
    "direction",
    "description",
    "time_zone",
    "capacity",
    "leader_id",
    "meeting_minutes",
    "is_public",
    "needs_approval",
    "waiting_list",
    "waiting_list_limit",
]


def shift(moment: datetime.datetime | None, zone: str | zoneinfo.ZoneInfo, days: int):
    """``moment`` ``days`` later at the same wall-clock time in ``zone`` (None stays None)."""
    if moment is None:
        return None
    zone = zoneinfo.ZoneInfo(zone) if isinstance(zone, str) else zone
    wall = moment.astimezone(zone).replace(tzinfo=None) + datetime.timedelta(days=days)
    return wall.replace(tzinfo=zone).astimezone(datetime.UTC)


@transaction.atomic
def duplicate_trip(trip: Delegation, new_start: datetime.date, actor, *, title=None) -> Delegation:
    """A copy of ``trip`` starting on ``new_start`` (``title``: the new title, else the old one)."""
    require_trip_editor(actor, trip)
    days = (new_start - trip.start_date).days
    delta = datetime.timedelta(days=days)
    copy = Delegation(
        title=title or trip.title,
        start_date=trip.start_date + delta,
        end_date=trip.end_date + delta,
        status=Delegation.Status.PLANNED,
        registration_opens=shift(trip.registration_opens, trip.zone, days),
        registration_closes=shift(trip.registration_closes, trip.zone, days),
        **{name: getattr(trip, name) for name in COPIED_FIELDS},
    )
    copy.slug = unique_slug(copy.title, copy.start_date)
    require_save(actor, copy)
    copy.full_clean(exclude=["destinations", "shared_with"])
    copy.save()
    copy.destinations.set(trip.destinations.all())
    copy.shared_with.set(trip.shared_with.all())

    stops = {}
    for stop in trip.stops.all():
        old_pk = stop.pk
        stop.pk = None
        stop.delegation = copy
        stop.arrival += delta
        stop.departure += delta
        stop.save()
        stops[old_pk] = stop
    for leg in trip.legs.all():
        origin, destination = stops[leg.origin_id], stops[leg.destination_id]
        leg.pk = None
        leg.delegation = copy
        leg.departs_at = shift(leg.departs_at, origin.time_zone, days)
        leg.arrives_at = shift(leg.arrives_at, destination.time_zone, days)
        leg.origin, leg.destination = origin, destination
        leg.save()
    for item in trip.programme.all():
        item.pk = None
        item.delegation = copy
        item.stop = stops.get(item.stop_id)
        item.starts_at = shift(item.starts_at, item.time_zone, days)
        item.ends_at = shift(item.ends_at, item.time_zone, days)
        item.save()
    _copy_questions(trip, copy)
    Table.objects.bulk_create(
        Table(delegation=copy, name=table.name, position=table.position) for table in trip.tables.all()
    )
    audit.record(
        actor, "delegation.duplicated", copy, source=str(trip.title), source_slug=trip.slug, days=days
    )
    return copy


def _copy_questions(trip: Delegation, copy: Delegation) -> None:
    questions = list(trip.questions.order_by("pk"))
    new = {}
    for question in questions:
        old_pk = question.pk
        question.pk = None
        question.delegation = copy
        question.depends_on = None
        question.save()
        new[old_pk] = question
    for old in RegistrationQuestion.objects.filter(delegation=trip, depends_on__isnull=False):
        question = new[old.pk]
        question.depends_on = new.get(old.depends_on_id)
        question.save(update_fields=["depends_on"])
