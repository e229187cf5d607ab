"""Sentences for the audit actions of delegation trips, registration and meetings (DelegationsConfig.ready)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from partnerhub.core.history import as_datetime, listed, record, sentence

participant = record("delegations.Registration")


def _registration_status(value, entry=None, reader=None) -> str:
    from partnerhub.delegations.models import Registration

    return str(dict(Registration.Status.choices).get(value, value))


def _scheduler_outcome(value, entry=None, reader=None) -> str:
    return _("a schedule") if value in ("optimal", "feasible") else _("no schedule")


sentence("delegation.created", _l("%(actor)s created the delegation trip."))
sentence("delegation.updated", _l("%(actor)s changed the delegation trip."))
sentence(
    "delegation.member_added",
    _l("%(actor)s added %(person)s to the delegation."),
    person=record("organisations.Person"),
)
sentence("delegation.reminder_sent", _l("A reminder e-mail went out to the participant."))
sentence("registration_question.created", _l("%(actor)s added a registration question."))
sentence("registration_question.updated", _l("%(actor)s changed a registration question."))
sentence(
    "registration.created",
    _l("%(actor)s registered the participant (%(status)s)."),
    status=_registration_status,
)
sentence("registration.moved_up", _l("A seat became free: the participant moved up from the waiting list."))
sentence("registration.participant_linked", _l("%(actor)s linked the registration to their account."))
sentence("registration.approved", _l("%(actor)s approved the registration."))
sentence("registration.declined", _l("%(actor)s declined the registration: %(reason)s"))
sentence(
    "registration.cancelled",
    lambda data: (
        _l("The participant cancelled the registration.")
        if data.get("by_participant")
        else _l("%(actor)s cancelled the registration.")
    ),
)
sentence(
    "meetings.request_sent",
    _l("%(actor)s asked %(recipient)s for a meeting."),
    recipient=participant,
)
sentence("meetings.request_accepted", _l("%(actor)s accepted the meeting request."))
sentence("meetings.request_declined", _l("%(actor)s declined the meeting request."))
sentence("meetings.request_withdrawn", _l("%(actor)s withdrew the meeting request."))
sentence(
    "meetings.unavailable",
    _l("%(actor)s marked the participant unavailable from %(starts_at)s to %(ends_at)s."),
    starts_at=as_datetime,
    ends_at=as_datetime,
)
sentence(
    "meetings.available_again",
    _l("%(actor)s marked the participant available again from %(starts_at)s."),
    starts_at=as_datetime,
)
sentence(
    "meetings.suggested",
    _l("%(actor)s suggested a meeting of %(requester)s with %(recipient)s."),
    requester=participant,
    recipient=participant,
)
sentence("meetings.tables_set", _l("%(actor)s set the meeting tables: %(tables)s."), tables=listed)
sentence(
    "meetings.fixed",
    _l("%(actor)s fixed a meeting at %(starts_at)s, table %(table)s."),
    starts_at=as_datetime,
)
sentence(
    "meetings.moved",
    _l("%(actor)s moved a meeting to %(starts_at)s, table %(table)s."),
    starts_at=as_datetime,
)
sentence("meetings.scheduler_started", _l("%(actor)s started planning the B2B meetings."))
sentence(
    "meetings.scheduler_finished",
    _l("The meeting planner finished with %(status)s: %(scheduled)s of %(meetings)s meetings placed."),
    status=_scheduler_outcome,
)
sentence(
    "meetings.schedule_published",
    _l("%(actor)s published the meeting schedule (clashes: %(clashes)s)."),
)
