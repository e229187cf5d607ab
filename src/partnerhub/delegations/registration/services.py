"""Registration for a trip: seats, the waiting list, approval by staff, cancellation.

Every function that changes a registration validates, writes, records an audit entry and queues the
participant's e-mail in one transaction. Whoever decides about a seat first locks the trip row
(``select_for_update``), so two people registering for the last seat at the same moment get one seat and
one place on the waiting list — never two seats. Locks are always taken trip first, registration second.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerhub.accounts.addresses import verified_emails
from partnerhub.core import audit
from partnerhub.core.services import save_audited
from partnerhub.delegations.models import Delegation, Registration, RegistrationQuestion
from partnerhub.delegations.models.trips import validate_time_zone
from partnerhub.engines.transliteration import transliterate_person
from partnerhub.notifications.services import notify, url_in
from partnerhub.privacy.models import PrivacyNotice

PERSON_FIELDS = ["family_name", "given_name", "email", "organisation_name", "time_zone", "person"]
ENDED = (Registration.Status.CANCELLED, Registration.Status.DECLINED)


# Questions -------------------------------------------------------------------------------------------


def answer_text(value) -> str:
    """An answer as the text a ``depends_value`` is compared with (yes/no answers are "yes" / "no")."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value).strip()


def applicable_questions(
    delegation: Delegation, answers: dict, questions: Iterable[RegistrationQuestion] | None = None
) -> list[RegistrationQuestion]:
    """The questions that apply to this trip given these answers, in the organiser's order.

    Dropped: questions only for outgoing trips on an incoming trip, and questions whose ``depends_on``
    question is not asked or was not answered with ``depends_value`` (compared without case).
    """
    questions = list(questions if questions is not None else delegation.questions.all())
    by_pk = {q.pk: q for q in questions}
    outgoing = delegation.direction == Delegation.Direction.OUTGOING
    decided: dict[int, bool] = {}

    def applies(question: RegistrationQuestion, seen: frozenset[int]) -> bool:
        if question.pk in decided:
            return decided[question.pk]
        if question.pk in seen:  # a cycle set up by mistake: never asked rather than endless
            return False
        result = outgoing or not question.only_outgoing
        if result and question.depends_on_id is not None:
            parent = by_pk.get(question.depends_on_id)
            result = (
                parent is not None
                and applies(parent, seen | {question.pk})
                and answer_text(answers.get(parent.key)).casefold()
                == question.depends_value.strip().casefold()
            )
        decided[question.pk] = result
        return result

    return [q for q in questions if applies(q, frozenset())]


def clean_answers(delegation: Delegation, answers: dict, questions=None) -> dict:
    """Keep the answers to applicable questions only; refuse when a required one is missing."""
    asked = applicable_questions(delegation, answers, questions)
    missing = [str(q.label) for q in asked if q.required and answer_text(answers.get(q.key)) == ""]
    if missing:
        raise ValidationError(
            _("Please answer: %(questions)s") % {"questions": "; ".join(missing)}, code="missing_answer"
        )
    return {q.key: answers[q.key] for q in asked if answer_text(answers.get(q.key)) != ""}


@transaction.atomic
def save_question(question: RegistrationQuestion, *, actor) -> RegistrationQuestion:
    """Staff of the organising agency configure the questions of their trips."""
    if (
        actor is not None
        and not Delegation.objects.editable_by(actor).filter(pk=question.delegation_id).exists()
    ):
        raise PermissionDenied(_("Only staff of the organising agency may change this trip."))
    if question.depends_on_id is not None and question.depends_on.delegation_id != question.delegation_id:
        raise ValidationError({"depends_on": _("Choose a question of the same trip.")})
    return save_audited(question, actor=actor, kind="registration_question")


# Seats and the waiting list ----------------------------------------------------------------------------


def _lock_trip(delegation: Delegation) -> Delegation:
    # On SQLite this is a no-op; SQLite serialises writers, so the count below is still consistent.
    return Delegation.objects.select_for_update().get(pk=delegation.pk)


def free_seats(trip: Delegation) -> int | None:
    """Seats not held by a pending or confirmed registration; None when the trip has no limit."""
    if trip.capacity is None:
        return None
    return max(trip.capacity - Registration.objects.filter(delegation=trip).seated().count(), 0)


def waiting_position(registration: Registration) -> int | None:
    """1 for the next person to move up; None when the registration is not on the waiting list."""
    if registration.status != Registration.Status.WAITING:
        return None
    ahead = Registration.objects.filter(
        delegation_id=registration.delegation_id, status=Registration.Status.WAITING
    ).filter(
        Q(waiting_since__lt=registration.waiting_since)
        | Q(waiting_since=registration.waiting_since, pk__lt=registration.pk)
    )
    return ahead.count() + 1


def _status_url(registration: Registration) -> str:
    return url_in(registration.language, "delegations:registration_status", registration.access_token)


def _tell(registration: Registration, template: str, **extra) -> None:
    notify(
        registration.email,
        registration.language,
        template,
        {
            "registration": registration,
            "trip": registration.delegation,
            "status_url": _status_url(registration),
            **extra,
        },
    )


def seated_status(trip: Delegation) -> str:
    """The status of a registration that gets a seat: waiting for approval, or confirmed at once when the
    trip's registrations need no approval."""
    return Registration.Status.PENDING if trip.needs_approval else Registration.Status.CONFIRMED


def _waiting_count(trip: Delegation) -> int:
    return Registration.objects.filter(delegation=trip, status=Registration.Status.WAITING).count()


def _move_up(registration: Registration, trip: Delegation, actor) -> None:
    registration.status = seated_status(trip)
    registration.waiting_since = None
    registration.delegation = trip
    registration.save(update_fields=["status", "waiting_since", "updated_at"])
    audit.record(actor, "registration.moved_up", registration, status=registration.status)
    # Confirmed at once (no approval needed): the confirmation says all a moved-up participant needs.
    pending = registration.status == Registration.Status.PENDING
    _tell(registration, "registration_moved_up" if pending else "registration_confirmed")


def _promote_locked(trip: Delegation) -> list[Registration]:
    """Move the longest-waiting people into free seats; the caller holds the trip lock. On a trip whose
    waiting list staff manage (``Delegation.WaitingList.BY_STAFF``) nobody moves up by themselves."""
    if trip.waiting_list == Delegation.WaitingList.BY_STAFF:
        return []
    free = free_seats(trip)
    waiting = Registration.objects.filter(delegation=trip, status=Registration.Status.WAITING).order_by(
        "waiting_since", "pk"
    )
    if free is not None:
        waiting = waiting[:free]
    promoted = []
    for registration in waiting:
        _move_up(registration, trip, None)
        promoted.append(registration)
    return promoted


@transaction.atomic
def promote_waiting(delegation: Delegation) -> list[Registration]:
    """While seats are free, the oldest waiting registration moves up to "pending" and is told by e-mail."""
    return _promote_locked(_lock_trip(delegation))


def _person_key(submission_key: uuid.UUID | None, index: int) -> uuid.UUID | None:
    # One form registers several people; each registration needs its own unique key, derived from the
    # form's so a re-posted form finds all of them again.
    if submission_key is None:
        return None
    return submission_key if index == 0 else uuid.uuid5(submission_key, str(index))


def _already_registered(submission_key, count: int) -> list[Registration] | None:
    if submission_key is None:
        return None
    keys = [_person_key(submission_key, i) for i in range(count)]
    found = {r.submission_key: r for r in Registration.objects.filter(submission_key__in=keys)}
    if not found:
        return None
    return [found[k] for k in keys if k in found]


def _check_people(trip: Delegation, people: list[dict]) -> None:
    if not people:
        raise ValidationError(_("Please name at least one person."))
    emails = [p.get("email", "").strip().casefold() for p in people]
    twice = sorted({e for e in emails if e and emails.count(e) > 1})
    if twice:
        raise ValidationError(
            _("Each person needs their own e-mail address: %(emails)s") % {"emails": ", ".join(twice)}
        )
    given = [("email__iexact", e) for e in emails if e]
    if not given:
        return  # the model's own validation names the missing address
    taken = sorted(
        Registration.objects.filter(delegation=trip)
        .exclude(status__in=ENDED)
        .filter(Q.create(given, connector=Q.OR))
        .values_list("email", flat=True)
    )
    if taken:
        raise ValidationError(
            _("Already registered for this trip: %(emails)s") % {"emails": ", ".join(taken)},
            code="already_registered",
        )


def register(
    delegation: Delegation,
    people: list[dict],
    *,
    registered_by=None,
    organisation=None,
    language: str,
    submission_key: uuid.UUID | None = None,
    answers_per_person: list[dict] | None = None,
) -> list[Registration]:
    """Register one or several people for a trip; each gets a seat (pending approval) or waits.

    ``people`` are dicts of ``family_name``, ``given_name``, ``email``, ``organisation_name``, ``time_zone``
    (and optionally ``person``). The same ``submission_key`` again returns the registrations created first.
    Consent is to the current privacy notice, now.
    """
    previous = _already_registered(submission_key, len(people))
    if previous:
        return previous
    answers_per_person = answers_per_person or [{} for _person in people]
    user = registered_by if getattr(registered_by, "is_authenticated", False) else None
    own_addresses = verified_emails(user)
    if len(answers_per_person) != len(people):
        raise ValueError("one dict of answers per person")
    try:
        with transaction.atomic():
            trip = _lock_trip(delegation)
            if not trip.registration_is_open():
                raise ValidationError(_("Registration for this trip is closed."), code="closed")
            _check_people(trip, people)
            questions = list(trip.questions.all())
            answers_per_person = [clean_answers(trip, a, questions) for a in answers_per_person]
            _promote_locked(trip)  # people already waiting come before newcomers
            free = free_seats(trip)
            waiting = _waiting_count(trip)
            if trip.waiting_list == Delegation.WaitingList.BY_STAFF and waiting:
                free = 0  # staff give free seats to the people waiting; newcomers queue behind them
            limit = trip.waiting_list_limit
            notice, now = PrivacyNotice.current(), timezone.now()
            created = []
            for index, (data, answers) in enumerate(zip(people, answers_per_person, strict=True)):
                registration = Registration(
                    delegation=trip,
                    organisation=organisation,
                    registered_by=user,
                    language=language,
                    answers=answers,
                    privacy_notice=notice,
                    consent_given_at=now,
                    submission_key=_person_key(submission_key, index),
                    **{name: data[name] for name in PERSON_FIELDS if data.get(name) is not None},
                )
                if registration.email.strip().lower() in own_addresses:
                    registration.participant = user  # registering oneself with a proven address
                if not registration.organisation_name and organisation is not None:
                    registration.organisation_name = organisation.name
                registration.name_latin = transliterate_person(
                    registration.family_name, registration.given_name
                )
                if free is None or free > 0:
                    registration.status = seated_status(trip)
                    free = None if free is None else free - 1
                elif limit is not None and waiting >= limit:
                    raise ValidationError(
                        _("This trip is fully booked and its waiting list is full."), code="full"
                    )
                else:
                    registration.status = Registration.Status.WAITING
                    registration.waiting_since = now
                    waiting += 1
                # Uniqueness is the database's job: a racing insert hits the constraint, handled below.
                registration.full_clean(validate_unique=False, validate_constraints=False)
                validate_time_zone(registration.time_zone)
                registration.save()
                audit.record(
                    registered_by,
                    "registration.created",
                    registration,
                    status=registration.status,
                    language=language,
                    for_others=user is not None and len(people) > 1,
                )
                if registration.status == Registration.Status.WAITING:
                    _tell(registration, "registration_waiting", position=waiting_position(registration))
                elif registration.status == Registration.Status.CONFIRMED:
                    _tell(registration, "registration_confirmed")
                else:
                    _tell(registration, "registration_received")
                created.append(registration)
    except IntegrityError:
        # The same form posted twice at the same moment, or the same address registered by two forms.
        previous = _already_registered(submission_key, len(people))
        if previous:
            return previous
        raise ValidationError(_("This e-mail address is already registered for this trip.")) from None
    return created


# Whose registration it is ----------------------------------------------------------------------------------


@transaction.atomic
def link_participant(user, email: str) -> list[Registration]:
    """``user`` proved ``email`` (followed its confirmation link): registrations with that address become
    theirs. Ones already linked to another account keep their link."""
    email = email.strip()
    if not email or not getattr(user, "is_authenticated", False):
        return []
    found = list(
        Registration.objects.select_for_update().filter(email__iexact=email, participant__isnull=True)
    )
    for registration in found:
        registration.participant = user
        registration.save(update_fields=["participant", "updated_at"])
        audit.record(user, "registration.participant_linked", registration)
    return found


def address_confirmed(sender, request=None, email_address=None, **kwargs) -> None:
    """allauth's ``email_confirmed``, connected in ``DelegationsConfig.ready``."""
    if email_address is not None and email_address.verified:
        link_participant(email_address.user, email_address.email)


# Decisions by staff and by the participant ----------------------------------------------------------------


def _editable(registration: Registration, actor) -> None:
    if actor is None or not Registration.objects.editable_by(actor).filter(pk=registration.pk).exists():
        raise PermissionDenied(_("Only staff of the organising agency may decide about registrations."))


def _locked(registration: Registration) -> tuple[Delegation, Registration]:
    trip = _lock_trip(registration.delegation)
    return trip, Registration.objects.select_for_update().select_related("delegation").get(pk=registration.pk)


@transaction.atomic
def move_up(registration: Registration, *, actor) -> Registration:
    """Staff give a free seat to someone on the waiting list (any of them, not only the first: on a trip
    whose waiting list staff manage, they choose)."""
    _editable(registration, actor)
    trip, current = _locked(registration)
    if current.status != Registration.Status.WAITING:
        raise ValidationError(_("Only a registration on the waiting list can move up."))
    free = free_seats(trip)
    if free is not None and free < 1:
        raise ValidationError(_("No seat is free. Raise the number of seats first."))
    _move_up(current, trip, actor)
    return current


@transaction.atomic
def approve(registration: Registration, *, actor) -> Registration:
    """Staff confirm a pending registration; the participant is told by e-mail."""
    _editable(registration, actor)
    _trip, current = _locked(registration)
    if current.status != Registration.Status.PENDING:
        raise ValidationError(_("Only a registration waiting for approval can be confirmed."))
    current.status = Registration.Status.CONFIRMED
    current.save(update_fields=["status", "updated_at"])
    audit.record(actor, "registration.approved", current)
    _tell(current, "registration_confirmed")
    return current


@transaction.atomic
def decline(registration: Registration, *, actor, reason: str = "") -> Registration:
    """Staff decline a registration; a seat it held goes to the next person waiting."""
    _editable(registration, actor)
    trip, current = _locked(registration)
    if current.status in ENDED:
        raise ValidationError(_("This registration has already ended."))
    held = current.holds_seat
    current.status = Registration.Status.DECLINED
    current.waiting_since = None
    current.save(update_fields=["status", "waiting_since", "updated_at"])
    audit.record(actor, "registration.declined", current, reason=reason)
    _tell(current, "registration_declined", reason=reason.strip())
    if held:
        _promote_locked(trip)
    return current


@transaction.atomic
def cancel(registration: Registration, *, actor=None) -> Registration:
    """Cancelled by the participant (``actor`` None: the view checked their personal link) or by staff."""
    if actor is not None:
        _editable(registration, actor)
    trip, current = _locked(registration)
    if current.status in ENDED:
        return current
    held = current.holds_seat
    current.status = Registration.Status.CANCELLED
    current.waiting_since = None
    current.save(update_fields=["status", "waiting_since", "updated_at"])
    audit.record(actor, "registration.cancelled", current, by_participant=actor is None)
    _tell(current, "registration_cancelled")
    if held:
        _promote_locked(trip)
    return current
