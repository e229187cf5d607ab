"""The scheduler run in the background: the database → the scheduling engine → meetings.

The engine is the optimal CP-SAT scheduler (``engines.scheduling``, docs/decisions/0013). Participants are
``r<registration id>``, meetings ``q<request id>`` (accepted requests, optional, weighted by priority) and
``m<meeting id>`` (meetings staff fixed, required). When the trip already has a published schedule, it goes
in as the previous schedule, so that the new one moves as few meetings as possible (after placing as many
requests and leaving as few gaps as possible).
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from partnerhub.core import audit
from partnerhub.delegations.meetings import services
from partnerhub.delegations.models import Delegation, Meeting, MeetingRequest, ScheduleRun
from partnerhub.engines import scheduling as engine
from partnerhub.engines.scheduling import model


def _progress(run: ScheduleRun, value: int) -> None:
    ScheduleRun.objects.filter(pk=run.pk).update(progress=max(0, min(100, value)))


def build_instance(delegation: Delegation) -> tuple[model.Instance, dict]:
    """The engine's instance for this trip, and the lookups needed to turn its answer into meetings.

    Fixed meetings go in as required meetings fixed to their slot; accepted requests without a fixed meeting
    as optional ones, weighted by their priority, so that as many as fit are placed.
    """
    slots = services.slots_of(delegation)
    slot_by_start = {slot.starts_at: slot for slot in slots}
    tables = list(delegation.tables.all())
    people = {r.pk: r for r in services.participants_of(delegation)}
    fixed = list(delegation.meetings.filter(fixed=True).select_related("request"))
    fixed_requests = {m.request_id for m in fixed if m.request_id}
    requests = [
        r
        for r in delegation.meeting_requests.filter(status=MeetingRequest.Status.ACCEPTED)
        if r.pk not in fixed_requests and r.requester_id in people and r.recipient_id in people
    ]
    problems = [m for m in fixed if m.starts_at not in slot_by_start]
    if problems:
        raise ValueError(
            "Fixed meeting(s) not at the start of a meeting slot: "
            + ", ".join(str(m) for m in problems)
            + ". Move them to a slot first."
        )
    away: dict[int, set[str]] = {pk: set() for pk in people}
    for registration in people.values():
        for entry in registration.unavailabilities.all():
            away[registration.pk] |= {
                s.id for s in slots if entry.starts_at < s.ends_at and s.starts_at < entry.ends_at
            }
    meetings = [
        model.Meeting(
            id=f"m{m.pk}",
            participants=(f"r{m.first_id}", f"r{m.second_id}"),
            fixed_slot=slot_by_start[m.starts_at].id,
        )
        for m in fixed
        if m.first_id in people and m.second_id in people
    ] + [
        model.Meeting(
            id=f"q{r.pk}",
            participants=(f"r{r.requester_id}", f"r{r.recipient_id}"),
            required=False,
            weight=max(1, r.priority),
        )
        for r in requests
    ]
    instance = model.Instance(
        name=delegation.slug,
        slots=tuple(
            model.Slot(id=s.id, session=s.session, start=s.starts_at, minutes=delegation.meeting_minutes)
            for s in slots
        ),
        tables=tuple(str(t.pk) for t in tables),
        participants=tuple(model.Participant(f"r{pk}", tuple(sorted(away[pk]))) for pk in people),
        meetings=tuple(meetings),
    )
    lookups = {
        "slots": {s.id: s for s in slots},
        "tables": {str(t.pk): t for t in tables},
        "requests": {f"q{r.pk}": r for r in requests},
        "fixed": {f"m{m.pk}": m for m in fixed},
        "people": people,
        "slot_by_start": slot_by_start,
    }
    return instance, lookups


def previous_schedule(delegation: Delegation, lookups: dict) -> model.Schedule | None:
    """The published schedule in the engine's terms, or None when nothing was published yet."""
    if delegation.schedule_published_at is None:
        return None
    assignments = []
    for meeting in delegation.meetings.select_related("request"):
        slot = lookups["slot_by_start"].get(meeting.starts_at)
        if slot is None or meeting.table_id is None:
            continue
        key = f"m{meeting.pk}" if meeting.fixed else f"q{meeting.request_id}"
        if key in lookups["fixed"] or key in lookups["requests"]:
            assignments.append(model.Assignment(meeting=key, slot=slot.id, table=str(meeting.table_id)))
    return model.Schedule(status="feasible", assignments=assignments) if assignments else None


def _tables_for_slot(assigned: list[model.Assignment], lookups: dict) -> dict[str, str]:
    """Tables are interchangeable within a slot: fixed meetings keep the table staff chose, the others keep
    the engine's table (which is their previous one where they did not move) unless a fixed meeting took
    it, and then take a free one. Returns meeting id → table id."""
    result: dict[str, str] = {}
    taken = set()
    for a in assigned:
        meeting = lookups["fixed"].get(a.meeting)
        if meeting is not None and meeting.table_id and str(meeting.table_id) not in taken:
            result[a.meeting] = str(meeting.table_id)
            taken.add(str(meeting.table_id))
    for a in assigned:
        if a.meeting not in result and a.table in lookups["tables"] and a.table not in taken:
            result[a.meeting] = a.table
            taken.add(a.table)
    free = [t for t in lookups["tables"] if t not in taken]
    for a in assigned:
        if a.meeting not in result:
            result[a.meeting] = free.pop(0)
    return result


@transaction.atomic
def _write(delegation: Delegation, schedule: model.Schedule, lookups: dict) -> int:
    by_slot: dict[str, list[model.Assignment]] = {}
    for a in schedule.assignments:
        by_slot.setdefault(a.slot, []).append(a)
    delegation.meetings.filter(fixed=False).delete()
    created = 0
    for slot_id, assigned in by_slot.items():
        slot = lookups["slots"][slot_id]
        tables = _tables_for_slot(assigned, lookups)
        for a in assigned:
            table = lookups["tables"][tables[a.meeting]]
            if a.meeting in lookups["fixed"]:
                meeting = lookups["fixed"][a.meeting]
                if meeting.table_id is None:
                    meeting.table = table
                    meeting.save(update_fields=["table"])
                continue
            request = lookups["requests"][a.meeting]
            Meeting.objects.create(
                delegation=delegation,
                request=request,
                first=request.requester,
                second=request.recipient,
                table=table,
                starts_at=slot.starts_at,
                ends_at=slot.starts_at + datetime.timedelta(minutes=delegation.meeting_minutes),
            )
            created += 1
    # A new schedule has to be reviewed and published again before participants see it.
    delegation.schedule_published_at = None
    delegation.save(update_fields=["schedule_published_at"])
    return created


def execute(run: ScheduleRun) -> ScheduleRun:
    delegation = run.delegation
    run.status, run.engine = ScheduleRun.Status.RUNNING, engine.ENGINE_NAME
    run.save(update_fields=["status", "engine"])
    try:
        instance, lookups = build_instance(delegation)
        _progress(run, 10)
        schedule = engine.solve(
            instance,
            time_limit=settings.SCHEDULER_TIME_LIMIT,
            workers=settings.SCHEDULER_WORKERS,
            seed=0,
            previous=previous_schedule(delegation, lookups),
            progress=lambda p: _progress(run, 10 + p * 8 // 10),
        )
        summary = {
            "status": schedule.status,
            "meetings": len(instance.meetings),
            "scheduled": len(schedule.assignments),
            "unscheduled": len(schedule.unscheduled),
            "breaks": schedule.breaks,
            "bound": schedule.bound,
            "moved": schedule.moved,
            "explanation": schedule.explanation,
            "reasons": [reason.to_dict() for reason in schedule.reasons],
            "solve_seconds": schedule.solve_seconds,
        }
        if schedule.status in ("optimal", "feasible"):
            summary["created"] = _write(delegation, schedule, lookups)
            run.status = ScheduleRun.Status.DONE
        else:
            run.status = ScheduleRun.Status.FAILED
    except ValueError as exc:
        summary = {"status": "error", "explanation": str(exc)}
        run.status = ScheduleRun.Status.FAILED
    except Exception:
        ScheduleRun.objects.filter(pk=run.pk).update(
            status=ScheduleRun.Status.FAILED, finished_at=timezone.now(), summary={"status": "error"}
        )
        raise
    run.progress, run.summary, run.finished_at = 100, summary, timezone.now()
    run.save(update_fields=["status", "progress", "summary", "finished_at"])
    audit.record(run.started_by, "meetings.scheduler_finished", delegation, run=run.pk, **summary)
    return run


@task()
def schedule_meetings(run_id: int) -> str:
    """Run the scheduler for one ``ScheduleRun``; progress and result are written to the run."""
    run = ScheduleRun.objects.select_related("delegation", "started_by").get(pk=run_id)
    return execute(run).status
