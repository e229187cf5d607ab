"""Setting up a trip's B2B meeting days: the sessions (B2B blocks), the meeting length and the tables.

A *session* is a ``ProgrammeItem`` of kind ``b2b_block``; it is typed in the local time of its stop (the
trip's zone when it has no stop) and stored in UTC. ``services.slots_of`` cuts the sessions into slots of
``Delegation.meeting_minutes``; the scheduler (``tasks.build_instance``) reads those slots and the tables.
So the rules here keep the slots meaningful: a session lies within the trip and the stay at its stop, ends
after it starts, holds at least one meeting and overlaps no other session at that stop; the meeting length
does not change under meetings already placed; a table with meetings is not removed.
Tables are written through ``services.set_tables`` (the manage page's list of tables), renames here.
"""

from __future__ import annotations

import datetime
import zoneinfo
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partnerhub.accounts.permissions import can_edit
from partnerhub.core import audit, editing
from partnerhub.core.history import as_date, as_datetime, sentence
from partnerhub.core.timezones import zone_label
from partnerhub.delegations.meetings import services
from partnerhub.delegations.models import Delegation, ProgrammeItem, Stop, Table

B2B = ProgrammeItem.Kind.B2B_BLOCK
MIN_MINUTES, MAX_MINUTES = 5, 240

sentence("meetings.day_added", gettext_lazy("%(actor)s added a B2B meeting day on %(day)s."), day=as_date)
sentence(
    "meetings.session_changed",
    gettext_lazy("%(actor)s changed the B2B session starting %(starts_at)s."),
    starts_at=as_datetime,
)
sentence(
    "meetings.session_removed",
    gettext_lazy("%(actor)s removed the B2B session starting %(starts_at)s."),
    starts_at=as_datetime,
)
sentence(
    "meetings.length_set", gettext_lazy("%(actor)s set the length of a B2B meeting to %(minutes)s minutes.")
)
sentence("meetings.table_renamed", gettext_lazy("%(actor)s renamed the table %(old)s to %(name)s."))


def _organiser(actor, delegation: Delegation) -> None:
    if actor is not None and not can_edit(actor, delegation):
        raise PermissionDenied(_("Only the organisers of this trip can do that."))


def zone_for(delegation: Delegation, stop: Stop | None) -> zoneinfo.ZoneInfo:
    """Where a session happens: its stop's zone, else the trip's."""
    return zoneinfo.ZoneInfo(stop.time_zone if stop is not None else delegation.time_zone)


def sessions_of(delegation: Delegation):
    return delegation.programme.filter(kind=B2B).select_related("stop").order_by("starts_at", "pk")


def _when(item: ProgrammeItem) -> str:
    """A session as a message names it: its local day and times and the zone's name in the reader's language."""
    start, end = item.starts_at.astimezone(item.zone), item.ends_at.astimezone(item.zone)
    day = formats.date_format(start, "SHORT_DATE_FORMAT")
    return f"{day} {start:%H:%M}–{end:%H:%M} ({zone_label(item.zone)})"


# --- reading: the page's days ----------------------------------------------------------------------------


@dataclass
class Session:
    item: ProgrammeItem
    starts: datetime.datetime  # local time of the place
    ends: datetime.datetime
    slots: int


@dataclass
class Day:
    day: datetime.date
    stop: Stop | None
    sessions: list[Session] = field(default_factory=list)

    @property
    def slots(self) -> int:
        return sum(s.slots for s in self.sessions)


def meeting_days(delegation: Delegation) -> list[Day]:
    """Sessions grouped by local day and stop, each with the slots it gives (as the scheduler sees them)."""
    slots = services.slots_of(delegation)
    days: dict[tuple, Day] = {}
    for item in sessions_of(delegation):
        starts, ends = item.starts_at.astimezone(item.zone), item.ends_at.astimezone(item.zone)
        count = sum(1 for s in slots if item.starts_at <= s.starts_at and s.ends_at <= item.ends_at)
        key = (starts.date(), item.stop_id)
        days.setdefault(key, Day(starts.date(), item.stop)).sessions.append(
            Session(item, starts, ends, count)
        )
    return list(days.values())


# --- validation ----------------------------------------------------------------------------------------


def check_session(
    delegation: Delegation,
    stop: Stop | None,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    *,
    exclude: set[int] = frozenset(),
    others: list[tuple[datetime.datetime, datetime.datetime]] = (),
) -> list[str]:
    """What is wrong with a session at this stop and time (empty: nothing), in the user's language."""
    zone = zone_for(delegation, stop)
    day = starts_at.astimezone(zone).date()
    problems = []
    if ends_at <= starts_at:
        return [_("The session must end after it starts.")]
    if ends_at.astimezone(zone).date() != day:
        problems.append(_("A session starts and ends on the same day."))
    if not delegation.start_date <= day <= delegation.end_date:
        problems.append(
            _("The day must lie within the trip (%(start)s – %(end)s).")
            % {"start": delegation.start_date.isoformat(), "end": delegation.end_date.isoformat()}
        )
    if stop is not None and not stop.arrival <= day <= stop.departure:
        problems.append(
            _("The group is in %(stop)s only from %(arrival)s to %(departure)s.")
            % {"stop": stop, "arrival": stop.arrival.isoformat(), "departure": stop.departure.isoformat()}
        )
    minutes = delegation.meeting_minutes or 30
    if ends_at - starts_at < datetime.timedelta(minutes=minutes):
        problems.append(
            _("The session is shorter than one meeting (%(minutes)s minutes).") % {"minutes": minutes}
        )
    taken = [
        (item.starts_at, item.ends_at)
        for item in sessions_of(delegation).filter(stop=stop).exclude(pk__in=exclude)
    ] + list(others)
    if any(start < ends_at and starts_at < end for start, end in taken):
        problems.append(_("The session overlaps another B2B session at this stop."))
    return problems


def _sessions_title() -> dict[str, str]:
    title = {}
    for language in ("en", "de", "zh-hans"):
        with translation.override(language):
            title[language] = _("B2B meetings")
    return title


# --- writing -------------------------------------------------------------------------------------------


@transaction.atomic
def add_meeting_day(
    delegation: Delegation,
    *,
    actor,
    day: datetime.date,
    stop: Stop | None,
    times: list[tuple[datetime.time, datetime.time]],
    venue=None,
) -> list[ProgrammeItem]:
    """One day of B2B meetings at one stop: one session per (start, end) in the place's local time."""
    delegation = Delegation.objects.select_for_update().get(pk=delegation.pk)
    _organiser(actor, delegation)
    if stop is not None and stop.delegation_id != delegation.pk:
        raise ValidationError({"stop": _("Choose a stop of this trip.")})
    if not times:
        raise ValidationError(_("Give at least one session with its start and end."))
    zone = zone_for(delegation, stop)
    errors: dict[str, list[str]] = {}
    planned: list[tuple[datetime.datetime, datetime.datetime]] = []
    for number, (start, end) in enumerate(times, start=1):
        starts_at = datetime.datetime.combine(day, start, tzinfo=zone)
        ends_at = datetime.datetime.combine(day, end, tzinfo=zone)
        problems = check_session(delegation, stop, starts_at, ends_at, others=planned)
        if problems:
            errors[f"end_{number}"] = problems
        planned.append((starts_at, ends_at))
    if errors:
        raise ValidationError(errors)
    items = []
    title = _sessions_title()
    for starts_at, ends_at in planned:
        item = ProgrammeItem(
            delegation=delegation, stop=stop, kind=B2B, title=title, venue=venue or "",
            starts_at=starts_at, ends_at=ends_at, time_zone=str(zone),
        )  # fmt: skip
        item.full_clean()
        item.save()
        items.append(item)
    audit.record(actor, "meetings.day_added", delegation, day=day.isoformat(), sessions=[i.pk for i in items])
    return items


def _session_meetings(item: ProgrammeItem):
    return item.delegation.meetings.filter(starts_at__lt=item.ends_at, ends_at__gt=item.starts_at)


@transaction.atomic
def save_session(item: ProgrammeItem, *, actor, version: str | None = None) -> ProgrammeItem:
    """A changed session (its times already set by the form in the place's zone)."""
    delegation = Delegation.objects.select_for_update().get(pk=item.delegation_id)
    _organiser(actor, delegation)
    editing.ensure_current(item, version)
    stored = ProgrammeItem.objects.get(pk=item.pk)
    if stored.kind != B2B:
        raise ValidationError(_("This is not a B2B session."))
    if item.stop_id is not None and item.stop.delegation_id != delegation.pk:
        raise ValidationError({"stop": _("Choose a stop of this trip.")})
    problems = check_session(delegation, item.stop, item.starts_at, item.ends_at, exclude={item.pk})
    if problems:
        raise ValidationError({"ends_at": problems})
    moved = (stored.starts_at, stored.ends_at) != (item.starts_at, item.ends_at)
    if moved and _session_meetings(stored).exclude(starts_at__gte=item.starts_at, ends_at__lte=item.ends_at):
        raise ValidationError(
            _("Meetings are placed in the part of the session you left out. Move them first.")
        )
    item.kind = B2B
    item.time_zone = str(zone_for(delegation, item.stop))
    item.full_clean()
    item.save()
    audit.record(actor, "meetings.session_changed", delegation, session=item.pk, starts_at=item.starts_at)
    return item


@transaction.atomic
def remove_session(item: ProgrammeItem, *, actor) -> None:
    delegation = Delegation.objects.select_for_update().get(pk=item.delegation_id)
    _organiser(actor, delegation)
    count = _session_meetings(item).count()
    if count:
        raise ValidationError(
            _("This session cannot be removed: %(count)s meeting(s) are placed in it. Move them first.")
            % {"count": count}
        )
    starts_at = item.starts_at
    item.delete()
    audit.record(actor, "meetings.session_removed", delegation, starts_at=starts_at)


@transaction.atomic
def set_meeting_length(
    delegation: Delegation, minutes: int, *, actor, version: str | None = None
) -> Delegation:
    """The length of one meeting; every session must still hold one, and placed meetings keep theirs."""
    _organiser(actor, delegation)
    editing.ensure_current(delegation, version)
    delegation = Delegation.objects.get(pk=delegation.pk)
    if not MIN_MINUTES <= minutes <= MAX_MINUTES:
        raise ValidationError(
            {"meeting_minutes": _("A meeting lasts between %(min)s and %(max)s minutes.")
             % {"min": MIN_MINUTES, "max": MAX_MINUTES}}
        )  # fmt: skip
    if minutes == delegation.meeting_minutes:
        return delegation
    if delegation.meetings.exists():
        raise ValidationError(
            {"meeting_minutes": _("Meetings are already placed in the current slots; remove them first.")}
        )
    short = [
        s for s in sessions_of(delegation) if s.ends_at - s.starts_at < datetime.timedelta(minutes=minutes)
    ]
    if short:
        raise ValidationError(
            {"meeting_minutes": _("These sessions are shorter than one meeting of that length: %(sessions)s.")
             % {"sessions": ", ".join(_when(s) for s in short)}}
        )  # fmt: skip
    Delegation.objects.filter(pk=delegation.pk).update(meeting_minutes=minutes)
    delegation.meeting_minutes = minutes
    audit.record(actor, "meetings.length_set", delegation, minutes=minutes)
    return delegation


# --- tables ---------------------------------------------------------------------------------------------


def _names(delegation: Delegation) -> list[str]:
    return list(delegation.tables.values_list("name", flat=True))


def add_table(delegation: Delegation, name: str, *, actor) -> list[Table]:
    return services.set_tables(delegation, [*_names(delegation), name], actor=actor)


def move_table(table: Table, *, actor, up: bool) -> list[Table]:
    names = _names(table.delegation)
    index = names.index(table.name)
    other = index - 1 if up else index + 1
    if 0 <= other < len(names):
        names[index], names[other] = names[other], names[index]
    return services.set_tables(table.delegation, names, actor=actor)


def remove_table(table: Table, *, actor) -> list[Table]:
    """Refused while meetings sit at the table (``set_tables`` says so)."""
    return services.set_tables(
        table.delegation, [n for n in _names(table.delegation) if n != table.name], actor=actor
    )


@transaction.atomic
def rename_table(table: Table, *, actor, version: str | None = None) -> Table:
    """A new name for the table (set by the form); its meetings stay at it."""
    _organiser(actor, table.delegation)
    editing.ensure_current(table, version)
    old = Table.objects.get(pk=table.pk).name
    table.name = table.name.strip()
    if not table.name:
        raise ValidationError({"name": _("Give the table a name.")})
    if table.delegation.tables.exclude(pk=table.pk).filter(name__iexact=table.name).exists():
        raise ValidationError({"name": _("Each table needs its own name.")})
    table.full_clean(validate_constraints=False)
    table.save()
    audit.record(actor, "meetings.table_renamed", table.delegation, old=old, name=table.name)
    return table
