"""Why no schedule exists, in the reader's language and with the trip's names.

The engine explains an infeasible day with structured reasons (``engines.scheduling.model.Reason``: a
stable code, the ids involved, an English sentence). A scheduler run stores them; this turns each into a
sentence through gettext, with participants shown by name, meetings as "A – B" and slots as local times.
An unknown code (a newer engine) falls back to the engine's English sentence rather than to nothing.
"""

import datetime
from collections.abc import Iterable

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from partnerhub.delegations.meetings import services
from partnerhub.delegations.models import Delegation, Meeting, MeetingRequest, Registration


class Names:
    """Display names for the engine's ids of one trip: ``r<registration>``, ``q<request>``, ``m<meeting>``."""

    def __init__(self, delegation: Delegation) -> None:
        self.delegation = delegation
        self._slots = {slot.id: slot for slot in services.slots_of(delegation)}

    def person(self, pid: str) -> str:
        registration = Registration.objects.filter(pk=_number(pid), delegation=self.delegation).first()
        return str(registration) if registration else pid

    def meeting(self, mid: str) -> str:
        if mid.startswith("q"):
            request = (
                MeetingRequest.objects.filter(pk=_number(mid), delegation=self.delegation)
                .select_related("requester", "recipient")
                .first()
            )
            if request is not None:
                return f"{request.requester} – {request.recipient}"
        elif mid.startswith("m"):
            meeting = Meeting.objects.filter(pk=_number(mid), delegation=self.delegation).first()
            if meeting is not None:
                return str(meeting)
        return mid

    def meetings(self, ids: Iterable[str]) -> str:
        return "; ".join(self.meeting(mid) for mid in ids)

    def slot(self, sid: object) -> str:
        slot = self._slots.get(str(sid))
        if slot is None:
            return str(sid)
        local = timezone.localtime(slot.starts_at, _zone(slot.time_zone))
        return formats.date_format(local, "SHORT_DATETIME_FORMAT")

    def slots(self, ids: Iterable[object]) -> str:
        return ", ".join(self.slot(sid) for sid in ids)


def _number(value: str) -> int:
    digits = value[1:]
    return int(digits) if digits.isdigit() else -1


def _zone(name: str) -> datetime.tzinfo:
    from zoneinfo import ZoneInfo

    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):
        return datetime.UTC


def session(value: object) -> str:
    return {"morning": _("morning"), "afternoon": _("afternoon"), "any": _("any time")}.get(
        str(value), str(value)
    )


def describe(reason: dict, names: Names) -> str:  # noqa: C901, PLR0911 — one branch per code, on purpose
    """One stored reason (``{"code", "params", "text"}``) as a sentence in the active language."""
    code, p = reason.get("code"), reason.get("params") or {}
    fallback = str(reason.get("text") or code)
    try:
        if code == "participant_overloaded":
            return ngettext(
                "%(person)s has %(meetings)d fixed or required meetings but is available in only %(slots)d slot.",
                "%(person)s has %(meetings)d fixed or required meetings but is available in only %(slots)d slots.",
                p["slots"],
            ) % {"person": names.person(p["participant"]), "meetings": p["meetings"], "slots": p["slots"]}
        if code == "participant_overloaded_in_session":
            return _(
                "%(person)s has %(meetings)d required meetings in the %(session)s but is available in only "
                "%(slots)d slots then."
            ) % {
                "person": names.person(p["participant"]),
                "meetings": p["meetings"],
                "session": session(p["session"]),
                "slots": p["slots"],
            }
        if code == "participant_meetings_do_not_fit":
            return _(
                "The required meetings of %(person)s (%(meetings)s) can only take these slots: %(slots)s — "
                "too few for all of them."
            ) % {
                "person": names.person(p["participant"]),
                "meetings": names.meetings(p["meetings"]),
                "slots": names.slots(p["slots"]) or _("none"),
            }
        if code == "fixed_slot_unavailable":
            return _(
                "The meeting %(meeting)s is fixed to %(slot)s, but %(person)s is not available then."
            ) % {
                "meeting": names.meeting(p["meeting"]),
                "slot": names.slot(p["slot"]),
                "person": names.person(p["participant"]),
            }
        if code == "fixed_slot_wrong_session":
            return _(
                "The meeting %(meeting)s is fixed to %(slot)s (%(slot_session)s), but it must take place in "
                "the %(session)s."
            ) % {
                "meeting": names.meeting(p["meeting"]),
                "slot": names.slot(p["slot"]),
                "slot_session": session(p["slot_session"]),
                "session": session(p.get("meeting_session") or p.get("session")),
            }
        if code == "fixed_clash":
            return _("%(person)s has several meetings fixed to %(slot)s: %(meetings)s.") % {
                "person": names.person(p["participant"]),
                "slot": names.slot(p["slot"]),
                "meetings": names.meetings(p["meetings"]),
            }
        if code == "fixed_over_tables":
            return _("%(meetings)d meetings are fixed to %(slot)s, but there are only %(tables)d tables.") % {
                "meetings": p["meetings"],
                "slot": names.slot(p["slot"]),
                "tables": p["tables"],
            }
        if code == "fixed_order_contradiction":
            return _(
                "The meeting %(meeting)s must come after %(before)s, but the fixed times put it first."
            ) % {"meeting": names.meeting(p["meeting"]), "before": names.meeting(p["before"])}
        if code == "no_possible_slot":
            return _(
                "The meeting %(meeting)s has no possible slot: its two participants are never free at the "
                "same time (in the %(session)s)."
            ) % {"meeting": names.meeting(p["meeting"]), "session": session(p.get("session"))}
        if code == "tables_overloaded":
            return _(
                "There are %(meetings)d required meetings but only %(tables)d tables × %(slots)d slots."
            ) % {"meetings": p["meetings"], "tables": p["tables"], "slots": p["slots"]}
        if code == "session_tables_overloaded":
            return _(
                "The %(session)s has %(meetings)d meetings that must take place then, but only %(tables)d "
                "tables × %(slots)d slots."
            ) % {
                "session": session(p["session"]),
                "meetings": p["meetings"],
                "tables": p["tables"],
                "slots": p["slots"],
            }
        if code == "precedence_cycle":
            return _("These meetings must each come after the other, in a circle: %(meetings)s.") % {
                "meetings": names.meetings(p["meetings"])
            }
        if code == "precedence_chain_too_long":
            return _(
                "These meetings must follow one another, but there are not enough slots: %(meetings)s."
            ) % {"meetings": names.meetings(p["meetings"])}
        if code == "spread_unattainable":
            return _("No schedule keeps everybody's number of gaps within %(spread)d of each other.") % {
                "spread": p["spread"]
            }
        if code == "meetings_conflict":
            return _(
                "These required meetings cannot all take place (tables, availability and fixed times leave "
                "no room): %(meetings)s."
            ) % {"meetings": names.meetings(p["meetings"])}
        if code == "no_schedule":
            return _(
                "No schedule satisfies every rule (proven), but the cause could not be narrowed down in time."
            )
    except (KeyError, TypeError, ValueError):
        return fallback
    return fallback


def explain(delegation: Delegation, reasons: Iterable[dict]) -> list[str]:
    names = Names(delegation)
    return [describe(reason, names) for reason in reasons]
