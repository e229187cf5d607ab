"""B2B meetings during a trip's meeting blocks: every state change, and the rules read from the schedule.

Participants (a seated registration the user acts for) send, answer and withdraw meeting requests and say
when they cannot meet. Staff of the organising agency (``Delegation.objects.editable_by``) suggest meetings,
set the tables, fix and move meetings by hand, run the scheduler (``tasks.schedule_meetings``) and publish.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from partnerhub.core import audit
from partnerhub.delegations.models import (
    Delegation,
    Meeting,
    MeetingRequest,
    ProgrammeItem,
    Registration,
    ScheduleRun,
    Table,
    Unavailability,
)
from partnerhub.notifications.services import notify, url_in

# A run still queued or running after this long is taken for dead (a worker that crashed), not blocking.
STALE_RUN = datetime.timedelta(minutes=15)


@dataclass(frozen=True)
class SlotTime:
    """One meeting slot: a B2B block cut into pieces of ``Delegation.meeting_minutes``."""

    id: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    time_zone: str
    session: str  # "morning" or "afternoon", in the local time of the block


def slots_of(delegation: Delegation) -> list[SlotTime]:
    """The slots of all B2B blocks, in time order; a slot overlapping an earlier one is left out."""
    length = datetime.timedelta(minutes=delegation.meeting_minutes or 30)
    slots: list[SlotTime] = []
    blocks = delegation.programme.filter(kind=ProgrammeItem.Kind.B2B_BLOCK).order_by("starts_at", "pk")
    for block in blocks:
        start = block.starts_at
        while start + length <= block.ends_at:
            if not slots or start >= slots[-1].ends_at:
                hour = timezone.localtime(start, block.zone).hour
                session = "morning" if hour < 12 else "afternoon"
                slots.append(SlotTime(str(len(slots) + 1), start, start + length, block.time_zone, session))
            start += length
    return slots


# --- who acts ---------------------------------------------------------------------------------------


def participants_of(delegation: Delegation):
    return delegation.registrations.seated().select_related("organisation")


def registrations_of(user, delegation: Delegation):
    """The seated registrations ``user`` acts for: their own, those they made, and their organisation's.

    "Their own" is the ``participant`` link, set once the user proved the registration's address (decision
    0015) — never a comparison with ``user.email``, which the user can change. The organisation is the one
    the agency linked the account to, and registrations carry the registering member's organisation.
    """
    if not getattr(user, "is_authenticated", False):
        return Registration.objects.none()
    mine = Q(registered_by=user) | Q(participant=user)
    if user.organisation_id:
        mine |= Q(organisation_id=user.organisation_id)
    return participants_of(delegation).filter(mine)


def other_side(registration: Registration):
    """Participants of the other side: another organisation (or organisation name, when none is linked)."""
    others = participants_of(registration.delegation).exclude(pk=registration.pk)
    if registration.organisation_id:
        return others.exclude(organisation_id=registration.organisation_id)
    return others.exclude(organisation__isnull=True, organisation_name__iexact=registration.organisation_name)


def is_other_side(a: Registration, b: Registration) -> bool:
    if a.organisation_id and b.organisation_id:
        return a.organisation_id != b.organisation_id
    if a.organisation_id or b.organisation_id:
        return True
    return a.organisation_name.strip().casefold() != b.organisation_name.strip().casefold()


def _acts_for(actor, registration: Registration) -> None:
    if not registrations_of(actor, registration.delegation).filter(pk=registration.pk).exists():
        raise PermissionDenied(_("You cannot act for this participant."))


def can_manage(actor, delegation: Delegation) -> bool:
    return Delegation.objects.editable_by(actor).filter(pk=delegation.pk).exists()


def _manages(actor, delegation: Delegation) -> None:
    if not can_manage(actor, delegation):
        raise PermissionDenied(_("Only the organisers of this trip can do that."))


# --- participants -------------------------------------------------------------------------------------


def _notify_registration(registration: Registration, template: str, context: dict) -> None:
    language = registration.language or "en"
    url = url_in(language, "delegations:meetings_participant", registration.delegation.slug)
    notify(registration.email, language, template, {"registration": registration, "url": url, **context})


def _check_pair(requester: Registration, recipient: Registration) -> None:
    if requester.delegation_id != recipient.delegation_id or requester.pk == recipient.pk:
        raise ValidationError(_("Choose another participant of this trip."))
    if not (requester.holds_seat and recipient.holds_seat):
        raise ValidationError(_("Only participants with a seat on the trip can meet."))
    if not is_other_side(requester, recipient):
        raise ValidationError(_("Meetings are between participants of different organisations."))
    active = [MeetingRequest.Status.PENDING, MeetingRequest.Status.ACCEPTED]
    if MeetingRequest.objects.filter(
        Q(requester=requester, recipient=recipient) | Q(requester=recipient, recipient=requester),
        status__in=active,
    ).exists():
        raise ValidationError(_("There is already a meeting request between these participants."))


def _open_request(requester, recipient, message: str, suggested_by=None) -> MeetingRequest:
    request, _created = MeetingRequest.objects.update_or_create(
        requester=requester,
        recipient=recipient,
        defaults={
            "delegation": requester.delegation,
            "message": message.strip(),
            "status": MeetingRequest.Status.PENDING,
            "suggested_by": suggested_by,
            "answered_at": None,
        },
    )
    request.full_clean()
    return request


@transaction.atomic
def request_meeting(
    requester: Registration, recipient: Registration, message: str, *, actor
) -> MeetingRequest:
    """A participant asks another participant of the other side for a meeting."""
    _acts_for(actor, requester)
    _check_pair(requester, recipient)
    declined = MeetingRequest.Status.DECLINED
    if MeetingRequest.objects.filter(requester=requester, recipient=recipient, status=declined).exists():
        raise ValidationError(_("This participant has declined your request."))
    request = _open_request(requester, recipient, message)
    audit.record(actor, "meetings.request_sent", request, recipient=recipient.pk)
    _notify_registration(recipient, "meeting_request_received", {"request": request})
    return request


@transaction.atomic
def answer_request(request: MeetingRequest, *, accept: bool, actor) -> MeetingRequest:
    """The recipient accepts or declines a pending request; the requester is told."""
    _acts_for(actor, request.recipient)
    if request.status != MeetingRequest.Status.PENDING:
        raise ValidationError(_("This request has already been answered."))
    request.status = MeetingRequest.Status.ACCEPTED if accept else MeetingRequest.Status.DECLINED
    request.answered_at = timezone.now()
    request.save(update_fields=["status", "answered_at"])
    audit.record(actor, f"meetings.request_{request.status}", request)
    _notify_registration(request.requester, "meeting_request_answered", {"request": request})
    return request


@transaction.atomic
def withdraw_request(request: MeetingRequest, *, actor) -> MeetingRequest:
    """The requester takes a request back; a meeting already planned for it is removed."""
    _acts_for(actor, request.requester)
    if request.status not in (MeetingRequest.Status.PENDING, MeetingRequest.Status.ACCEPTED):
        raise ValidationError(_("This request is no longer open."))
    request.status = MeetingRequest.Status.WITHDRAWN
    request.save(update_fields=["status"])
    Meeting.objects.filter(request=request).delete()
    audit.record(actor, "meetings.request_withdrawn", request)
    return request


@transaction.atomic
def declare_unavailable(
    registration: Registration, starts_at: datetime.datetime, ends_at: datetime.datetime, *, actor
) -> Unavailability:
    _acts_for(actor, registration)
    entry = Unavailability(registration=registration, starts_at=starts_at, ends_at=ends_at)
    entry.full_clean()
    entry.save()
    audit.record(actor, "meetings.unavailable", registration, starts_at=starts_at, ends_at=ends_at)
    return entry


@transaction.atomic
def remove_unavailability(entry: Unavailability, *, actor) -> None:
    _acts_for(actor, entry.registration)
    audit.record(actor, "meetings.available_again", entry.registration, starts_at=entry.starts_at)
    entry.delete()


# --- staff --------------------------------------------------------------------------------------------


@transaction.atomic
def suggest_meeting(
    delegation: Delegation, requester: Registration, recipient: Registration, message: str = "", *, actor
) -> MeetingRequest:
    """Staff propose a meeting (e.g. from matching): a request in the requester's name, marked as theirs."""
    _manages(actor, delegation)
    if requester.delegation_id != delegation.pk:
        raise ValidationError(_("Choose participants of this trip."))
    _check_pair(requester, recipient)
    request = _open_request(requester, recipient, message, suggested_by=actor)
    audit.record(actor, "meetings.suggested", request, requester=requester.pk, recipient=recipient.pk)
    _notify_registration(recipient, "meeting_request_received", {"request": request})
    return request


@transaction.atomic
def set_tables(delegation: Delegation, names: list[str], *, actor) -> list[Table]:
    """The tables in this order; tables left out are removed, unless meetings sit at them."""
    _manages(actor, delegation)
    cleaned = [name.strip() for name in names if name.strip()]
    if len({n.casefold() for n in cleaned}) != len(cleaned):
        raise ValidationError(_("Each table needs its own name."))
    if any(len(n) > 100 for n in cleaned):
        raise ValidationError(_("A table name can have at most 100 characters."))
    busy = delegation.tables.exclude(name__in=cleaned).filter(meeting__isnull=False).distinct()
    if busy:
        # Removing it would leave its meetings without a place while the participants expect them there.
        raise ValidationError(
            _(
                "The table %(tables)s cannot be removed: meetings are placed at it. Move them to another table first."
            )
            % {"tables": ", ".join(t.name for t in busy)}
        )
    delegation.tables.exclude(name__in=cleaned).delete()
    tables = []
    for position, name in enumerate(cleaned):
        table, _created = Table.objects.update_or_create(
            delegation=delegation, name=name, defaults={"position": position}
        )
        tables.append(table)
    audit.record(actor, "meetings.tables_set", delegation, tables=cleaned)
    return tables


def _slot_at(delegation: Delegation, starts_at: datetime.datetime) -> SlotTime:
    for slot in slots_of(delegation):
        if slot.starts_at == starts_at:
            return slot
    raise ValidationError(_("Choose one of the meeting slots."))


def _table_of(delegation: Delegation, table: Table | None) -> Table | None:
    if table is not None and table.delegation_id != delegation.pk:
        raise ValidationError(_("Choose a table of this trip."))
    return table


@transaction.atomic
def fix_meeting(
    request: MeetingRequest, *, starts_at: datetime.datetime, table: Table | None, actor
) -> Meeting:
    """Staff place an accepted request in a slot by hand; the scheduler keeps it there."""
    delegation = request.delegation
    _manages(actor, delegation)
    if request.status != MeetingRequest.Status.ACCEPTED:
        raise ValidationError(_("Only accepted requests can be fixed in the schedule."))
    slot = _slot_at(delegation, starts_at)
    meeting, _created = Meeting.objects.update_or_create(
        request=request,
        defaults={
            "delegation": delegation,
            "first": request.requester,
            "second": request.recipient,
            "starts_at": slot.starts_at,
            "ends_at": slot.ends_at,
            "table": _table_of(delegation, table),
            "fixed": True,
        },
    )
    audit.record(
        actor, "meetings.fixed", delegation, meeting=meeting.pk, starts_at=slot.starts_at, table=table
    )
    return meeting


@transaction.atomic
def move_meeting(meeting: Meeting, *, starts_at: datetime.datetime, table: Table | None, actor) -> Meeting:
    """Staff move a meeting to another slot or table; a meeting moved by hand is fixed from then on."""
    delegation = meeting.delegation
    _manages(actor, delegation)
    slot = _slot_at(delegation, starts_at)
    meeting.starts_at, meeting.ends_at = slot.starts_at, slot.ends_at
    meeting.table = _table_of(delegation, table)
    meeting.fixed = True
    meeting.save()
    audit.record(
        actor, "meetings.moved", delegation, meeting=meeting.pk, starts_at=slot.starts_at, table=table
    )
    return meeting


@transaction.atomic
def run_scheduler(delegation: Delegation, *, actor) -> ScheduleRun:
    """Start a scheduler run in the background (``tasks.schedule_meetings``); the page polls its progress."""
    from partnerhub.delegations.meetings.tasks import schedule_meetings

    _manages(actor, delegation)
    if not delegation.tables.exists():
        raise ValidationError(_("Add at least one table first."))
    if not slots_of(delegation):
        raise ValidationError(_("The programme has no B2B meeting block long enough for one meeting."))
    busy = [ScheduleRun.Status.QUEUED, ScheduleRun.Status.RUNNING]
    if delegation.schedule_runs.filter(status__in=busy, created_at__gt=timezone.now() - STALE_RUN).exists():
        raise ValidationError(_("The scheduler is already running for this trip."))
    run = ScheduleRun.objects.create(delegation=delegation, started_by=actor)
    audit.record(actor, "meetings.scheduler_started", delegation, run=run.pk)
    transaction.on_commit(lambda: schedule_meetings.enqueue(run.pk))
    return run


def meetings_of(registration: Registration):
    return (
        Meeting.objects.filter(Q(first=registration) | Q(second=registration))
        .select_related("first", "second", "table")
        .order_by("starts_at")
    )


@transaction.atomic
def publish_schedule(delegation: Delegation, *, actor) -> Delegation:
    """Show the schedule to the participants and send each their meetings, in their language."""
    _manages(actor, delegation)
    if not delegation.meetings.exists():
        raise ValidationError(_("There are no meetings to publish yet."))
    delegation.schedule_published_at = timezone.now()
    delegation.save(update_fields=["schedule_published_at"])
    audit.record(actor, "meetings.schedule_published", delegation, clashes=len(clashes(delegation)))
    for registration in participants_of(delegation):
        _notify_registration(
            registration,
            "meeting_schedule_published",
            {"trip": delegation, "meetings": list(meetings_of(registration))},
        )
    return delegation


# --- reading the schedule ----------------------------------------------------------------------------


def _when(moment: datetime.datetime, zone) -> str:
    return formats.date_format(timezone.localtime(moment, zone), "SHORT_DATETIME_FORMAT")


def clash_report(delegation: Delegation) -> list[tuple[set[int], str]]:
    """Every problem of the current schedule, with the meetings concerned."""
    zone = delegation.zone
    meetings = list(delegation.meetings.select_related("first", "second", "table"))
    blocks = list(delegation.programme.filter(kind=ProgrammeItem.Kind.B2B_BLOCK))
    away = list(
        Unavailability.objects.filter(registration__delegation=delegation).select_related("registration")
    )
    found: list[tuple[set[int], str]] = []
    for i, a in enumerate(meetings):
        when = _when(a.starts_at, zone)
        for b in meetings[i + 1 :]:
            if a.starts_at >= b.ends_at or b.starts_at >= a.ends_at:
                continue
            for person in {a.first, a.second} & {b.first, b.second}:
                found.append(
                    (
                        {a.pk, b.pk},
                        _("%(person)s has two meetings at %(when)s.") % {"person": person, "when": when},
                    )
                )
            if a.table_id and a.table_id == b.table_id:
                found.append(
                    (
                        {a.pk, b.pk},
                        _("Table %(table)s has two meetings at %(when)s.") % {"table": a.table, "when": when},
                    )
                )
        if not any(block.starts_at <= a.starts_at and a.ends_at <= block.ends_at for block in blocks):
            found.append(
                (
                    {a.pk},
                    _("The meeting %(meeting)s at %(when)s is outside the B2B blocks.")
                    % {"meeting": a, "when": when},
                )
            )
        for entry in away:
            if entry.registration_id in (a.first_id, a.second_id) and (
                entry.starts_at < a.ends_at and a.starts_at < entry.ends_at
            ):
                found.append(
                    (
                        {a.pk},
                        _("%(person)s is not available at %(when)s.")
                        % {"person": entry.registration, "when": when},
                    )
                )
    return found


def clashes(delegation: Delegation) -> list[str]:
    """Human-readable descriptions of every clash: a participant or table twice at once, a meeting outside
    the B2B blocks, a meeting while a participant is not available."""
    return [message for _ids, message in clash_report(delegation)]
