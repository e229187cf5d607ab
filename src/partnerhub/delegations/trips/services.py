"""State changes of delegation trips: the trip, its itinerary (stops, travel legs), programme and members.

Stops, legs and programme items have no write rule of their own: whoever may edit the trip
(``Delegation.editable_q``) may change them. Their audit entries are recorded on the trip, so its history
tells the whole story. Every function checks the right, validates, writes and records in one transaction.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partnerhub.accounts.permissions import can_edit, require_save
from partnerhub.core import audit, editing
from partnerhub.core.history import sentence
from partnerhub.delegations.models import Delegation, DelegationMember, ProgrammeItem, Stop, TravelLeg

RESERVED_SLUGS = {"new"}  # trips/urls.py: "new/" is the page that creates a trip

sentence("delegation.itinerary_saved", gettext_lazy("%(actor)s changed the itinerary: %(cities)s."))
sentence("delegation.leg_added", gettext_lazy("%(actor)s added the travel leg %(leg)s."))
sentence("delegation.leg_changed", gettext_lazy("%(actor)s changed the travel leg %(leg)s."))
sentence("delegation.leg_removed", gettext_lazy("%(actor)s removed the travel leg %(leg)s."))
sentence("delegation.item_added", gettext_lazy("%(actor)s added “%(title)s” to the programme."))
sentence("delegation.item_changed", gettext_lazy("%(actor)s changed “%(title)s” in the programme."))
sentence("delegation.item_removed", gettext_lazy("%(actor)s removed “%(title)s” from the programme."))
sentence("delegation.member_added", gettext_lazy("%(actor)s added a member to the delegation."))
sentence("registration.moved_up", gettext_lazy("%(actor)s moved this registration up from the waiting list."))


def require_trip_editor(actor, trip: Delegation) -> None:
    """The parts of a trip are changed by those who may change the trip (``actor`` None: the platform)."""
    if actor is not None and not can_edit(actor, trip):
        raise PermissionDenied(_("Only staff of the organising agency may change this trip."))


def unique_slug(title, start: datetime.date, exclude_pk: int | None = None) -> str:
    """A readable short name from the title (any language with Latin letters) and the year."""
    data = getattr(title, "data", title)
    texts = list(data.values()) if isinstance(data, dict) else [str(data or "")]
    base = next((slugify(t)[:40].strip("-") for t in texts if slugify(t or "")), "") or "trip"
    base = f"{base}-{start.year}" if start and not base.endswith(str(start.year)) else base
    slug, number = base, 2
    taken = Delegation.objects.exclude(pk=exclude_pk)
    while slug in RESERVED_SLUGS or taken.filter(slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug


def _check_parts_inside(trip: Delegation) -> None:
    """Changing a trip's dates must not leave stops outside it."""
    if trip.pk is None or not (trip.start_date and trip.end_date):
        return
    outside = [
        str(stop.region)
        for stop in trip.stops.select_related("region")
        if stop.arrival < trip.start_date or stop.departure > trip.end_date
    ]
    if outside:
        raise ValidationError(
            _(
                "These stops of the itinerary lie outside the new dates: %(stops)s. Change the itinerary first."
            )
            % {"stops": ", ".join(outside)}
        )


@transaction.atomic
def save_trip(
    trip: Delegation, *, actor, version: str | None = None, shared_with: Iterable | None = None
) -> Delegation:
    """Create or change a trip. ``version`` is what the editor's form saw (core/editing.py)."""
    created = trip.pk is None
    require_save(actor, trip)
    editing.ensure_current(trip, version)
    if created and not trip.slug and trip.start_date:
        trip.slug = unique_slug(trip.title, trip.start_date)
    trip.full_clean(exclude=["destinations", "shared_with"])
    _check_parts_inside(trip)
    trip.save()
    if shared_with is not None:
        trip.shared_with.set(shared_with)
    audit.record(actor, f"delegation.{'created' if created else 'updated'}", trip, title=str(trip.title))
    if not created:
        from partnerhub.delegations.registration.services import promote_waiting

        promote_waiting(trip)  # more seats (or an automatic waiting list again): people waiting move up
    return trip


def save_delegation(delegation: Delegation, *, actor) -> Delegation:
    """The admin's save: no version (the admin has no optimistic locking)."""
    return save_trip(delegation, actor=actor)


# --- itinerary ----------------------------------------------------------------------------------------------


def _route(trip: Delegation) -> str:
    return " → ".join(str(stop.region) for stop in trip.stops.select_related("region")) or "—"


@transaction.atomic
def save_itinerary(
    trip: Delegation, stops: list[Stop], *, actor, deleted: Iterable[Stop] = (), version: str | None = None
) -> list[Stop]:
    """Replace the trip's stops by ``stops`` (new and changed) without ``deleted``; the order is the order
    of arrival. The trip's destinations follow its stops. Removing a stop removes its travel legs; its
    programme items stay, without a stop."""
    require_trip_editor(actor, trip)
    editing.ensure_current(trip, version)
    for stop in deleted:
        if stop.pk is not None and stop.delegation_id == trip.pk:
            stop.delete()
    for stop in stops:
        if stop.pk is not None and stop.delegation_id != trip.pk:
            raise PermissionDenied(_("This stop belongs to another trip."))
        stop.delegation = trip
        stop.full_clean(exclude=["delegation", "position"])
        if stop.arrival < trip.start_date or stop.departure > trip.end_date:
            raise ValidationError(
                _("The stop %(stop)s lies outside the trip (%(start)s – %(end)s).")
                % {"stop": stop.region, "start": trip.start_date, "end": trip.end_date}
            )
    kept = [s for s in trip.stops.all() if s.pk not in {x.pk for x in stops}] + list(stops)
    for position, stop in enumerate(sorted(kept, key=lambda s: (s.arrival, s.departure, s.position))):
        stop.position = position
        stop.save()
    trip.destinations.set({stop.region_id for stop in kept})
    audit.record(actor, "delegation.itinerary_saved", trip, cities=_route(trip))
    return kept


def _check_leg(trip: Delegation, leg: TravelLeg) -> None:
    for name in ("origin", "destination"):
        stop = getattr(leg, name, None)
        if stop is not None and stop.delegation_id != trip.pk:
            raise ValidationError({name: _("Choose a stop of this trip.")})
    if leg.origin_id and leg.origin_id == leg.destination_id:
        raise ValidationError({"destination": _("The destination must be another stop than the origin.")})
    leg.full_clean(exclude=["delegation"])


@transaction.atomic
def save_leg(leg: TravelLeg, *, actor, version: str | None = None) -> TravelLeg:
    trip = leg.delegation
    require_trip_editor(actor, trip)
    created = leg.pk is None
    editing.ensure_current(leg, version)
    _check_leg(trip, leg)
    leg.save()
    audit.record(actor, "delegation.leg_added" if created else "delegation.leg_changed", trip, leg=str(leg))
    return leg


@transaction.atomic
def remove_leg(leg: TravelLeg, *, actor) -> None:
    trip = leg.delegation
    require_trip_editor(actor, trip)
    label = str(leg)
    leg.delete()
    audit.record(actor, "delegation.leg_removed", trip, leg=label)


# --- programme ----------------------------------------------------------------------------------------------


def _check_item(trip: Delegation, item: ProgrammeItem) -> None:
    if item.stop is not None and item.stop.delegation_id != trip.pk:
        raise ValidationError({"stop": _("Choose a stop of this trip.")})
    item.full_clean(exclude=["delegation"])
    zone = item.zone
    first, last = item.starts_at.astimezone(zone).date(), item.ends_at.astimezone(zone).date()
    if first < trip.start_date or last > trip.end_date:
        raise ValidationError(
            {
                "starts_at": _("The item lies outside the trip's dates (%(start)s – %(end)s).")
                % {"start": trip.start_date, "end": trip.end_date}
            }
        )
    stop = item.stop
    if stop is not None and (first < stop.arrival or last > stop.departure):
        raise ValidationError(
            {
                "stop": _("The group is in %(stop)s only from %(arrival)s to %(departure)s.")
                % {"stop": stop.region, "arrival": stop.arrival, "departure": stop.departure}
            }
        )


@transaction.atomic
def save_programme_item(item: ProgrammeItem, *, actor, version: str | None = None) -> ProgrammeItem:
    trip = item.delegation
    require_trip_editor(actor, trip)
    created = item.pk is None
    editing.ensure_current(item, version)
    _check_item(trip, item)
    item.save()
    action = "delegation.item_added" if created else "delegation.item_changed"
    audit.record(actor, action, trip, title=str(item.title), item=item.pk)
    return item


@transaction.atomic
def remove_programme_item(item: ProgrammeItem, *, actor) -> None:
    trip = item.delegation
    require_trip_editor(actor, trip)
    title = str(item.title)
    item.delete()
    audit.record(actor, "delegation.item_removed", trip, title=title)


# --- members ------------------------------------------------------------------------------------------------


@transaction.atomic
def add_member(delegation: Delegation, person, *, actor, is_leader: bool = False) -> DelegationMember:
    member, created = DelegationMember.objects.get_or_create(
        delegation=delegation, person=person, defaults={"is_leader": is_leader}
    )
    if created:
        audit.record(actor, "delegation.member_added", delegation, person=person.pk)
    return member
