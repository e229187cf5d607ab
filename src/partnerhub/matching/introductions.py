"""Introductions by double opt-in: one side is interested, the other side's agency forwards, the other side
accepts; only then do both contact persons get each other's details, each in their own language."""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerhub.accounts.visibility import viewer_for
from partnerhub.matching.items import LANGUAGE_OF_CODE, LANGUAGE_OF_COUNTRY
from partnerhub.matching.models import Introduction, Suggestion
from partnerhub.matching.review import record_step
from partnerhub.notifications.services import notify, url_in
from partnerhub.organisations.models import Person

Status = Suggestion.Status
State = Introduction.State
Side = Introduction.Side


def is_family_staff(actor, agency_id: int) -> bool:
    viewer = viewer_for(actor)
    return viewer.is_superuser or (viewer.is_agency_staff and agency_id in viewer.agency_family)


def _member(actor, organisation_id: int | None) -> bool:
    return organisation_id is not None and viewer_for(actor).organisation_id == organisation_id


def _side_ids(suggestion: Suggestion, side: str) -> tuple[int, int | None]:
    """(agency id, organisation id) of one side of a suggestion."""
    if side == Side.SOURCE:
        return suggestion.source_agency_id, suggestion.source_organisation_id
    return suggestion.target_agency_id, suggestion.target_organisation_id


def acts_for(actor, suggestion: Suggestion, side: str) -> bool:
    """A member of that side's organisation, or staff of the agency family running that side's item."""
    if actor is None:
        return True
    agency_id, organisation_id = _side_ids(suggestion, side)
    return _member(actor, organisation_id) or is_family_staff(actor, agency_id)


@dataclass(frozen=True)
class Contact:
    name: str
    organisation: str
    email: str
    phone: str
    role: str
    language: str
    via_agency: bool = False


def _agency_contact(agency, organisation_name: str) -> Contact:
    while agency is not None and not agency.email:
        agency = agency.parent
    if agency is None:
        return Contact("", organisation_name, "", "", "", settings.LANGUAGE_CODE, via_agency=True)
    return Contact(
        str(agency.name), organisation_name, agency.email, "", "", agency.language, via_agency=True
    )


def contact_for(suggestion: Suggestion, side: str) -> Contact:
    """Who speaks for one side: the organisation's first person who agreed to be contacted and has an
    e-mail address, in their language; the submitter of an idea; else the agency's public address."""
    item = suggestion.source if side == Side.SOURCE else suggestion.target
    organisation = item.organisation
    if organisation is None:  # an idea not yet linked to the directory: its submitter agreed to be contacted
        language = LANGUAGE_OF_CODE.get(item.language.lower(), settings.LANGUAGE_CODE)
        return Contact(
            item.contact_name,
            item.organisation_name,
            item.contact_email,
            item.contact_phone,
            item.contact_role,
            language,
        )
    person = (
        Person.objects.filter(organisation=organisation, consent=Person.Consent.GRANTED)
        .exclude(email="")
        .order_by("pk")
        .first()
    )
    if person is None:
        return _agency_contact(item.agency, organisation.display_name)
    spoken = [LANGUAGE_OF_CODE[c.lower()] for c in person.languages if c.lower() in LANGUAGE_OF_CODE]
    language = (
        spoken[0] if spoken else LANGUAGE_OF_COUNTRY.get(str(organisation.country), settings.LANGUAGE_CODE)
    )
    return Contact(
        person.full_name,
        organisation.display_name,
        person.email,
        person.phone,
        str(person.role or ""),
        language,
    )


def _introductions_url(language: str) -> str:
    return url_in(language, "matching:introductions")


def _item_of(suggestion: Suggestion, side: str):
    return suggestion.source if side == Side.SOURCE else suggestion.target


@transaction.atomic
def express_interest(suggestion: Suggestion, *, actor) -> Introduction:
    """One side asks to be introduced to the other; the other side's agency is told."""
    if suggestion.status != Status.ACCEPTED:
        raise ValidationError(_("Only a suggestion the agency has accepted can lead to an introduction."))
    if acts_for(actor, suggestion, Side.SOURCE):
        side = Side.SOURCE
    elif acts_for(actor, suggestion, Side.TARGET):
        side = Side.TARGET
    else:
        raise PermissionDenied(_("Only the organisations concerned and their agencies may ask for this."))
    if Introduction.objects.filter(suggestion=suggestion).exists():
        raise ValidationError(_("An introduction has already been asked for."))
    introduction = Introduction.objects.create(
        suggestion=suggestion,
        requested_by=side,
        interest_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    record_step(actor, "matching.interest_expressed", suggestion, side=side)
    asked = _item_of(suggestion, introduction.receiving_side)
    agency = _agency_contact(asked.agency, "")
    if agency.email:
        context = {
            "item": _item_of(suggestion, side),
            "asked": asked,
            "url": _introductions_url(agency.language),
        }
        notify(agency.email, agency.language, "introduction_interest", context)
    return introduction


@transaction.atomic
def forward(introduction: Introduction, *, actor) -> Introduction:
    """The agency of the side that is asked passes the interest on to its organisation."""
    suggestion = introduction.suggestion
    agency_id, _organisation = _side_ids(suggestion, introduction.receiving_side)
    if actor is not None and not is_family_staff(actor, agency_id):
        raise PermissionDenied(_("Only staff of the agency of the side that is asked may forward this."))
    if introduction.state != State.INTEREST_EXPRESSED:
        raise ValidationError(_("This introduction has already been forwarded."))
    introduction.state = State.FORWARDED
    introduction.forwarded_by = actor if getattr(actor, "is_authenticated", False) else None
    introduction.forwarded_at = timezone.now()
    introduction.save(update_fields=["state", "forwarded_by", "forwarded_at"])
    record_step(actor, "matching.introduction_forwarded", suggestion)
    asked = contact_for(suggestion, introduction.receiving_side)
    if asked.email:
        context = {
            "item": _item_of(suggestion, introduction.requested_by),
            "own": _item_of(suggestion, introduction.receiving_side),
            "url": _introductions_url(asked.language),
        }
        notify(asked.email, asked.language, "introduction_forwarded", context)
    return introduction


def _require_asked_side(introduction: Introduction, actor) -> None:
    if not acts_for(actor, introduction.suggestion, introduction.receiving_side):
        raise PermissionDenied(_("Only the organisation that is asked, or its agency for it, may answer."))
    if introduction.state != State.FORWARDED:
        raise ValidationError(_("This introduction is not waiting for an answer."))


@transaction.atomic
def accept_introduction(introduction: Introduction, *, actor) -> Introduction:
    """The asked side agrees: both contact persons get each other's details, each in their language."""
    _require_asked_side(introduction, actor)
    introduction.state = State.ACCEPTED
    introduction.answered_by = actor if getattr(actor, "is_authenticated", False) else None
    introduction.answered_at = timezone.now()
    introduction.save(update_fields=["state", "answered_by", "answered_at"])
    suggestion = introduction.suggestion
    record_step(actor, "matching.introduction_accepted", suggestion)
    source, target = contact_for(suggestion, Side.SOURCE), contact_for(suggestion, Side.TARGET)
    for own, other, side in ((source, target, Side.SOURCE), (target, source, Side.TARGET)):
        if own.email:
            context = {"contact": own, "other": other, "item": _item_of(suggestion, side)}
            notify(
                own.email,
                own.language,
                "introduction_accepted",
                context,
                reply_to=[other.email] if other.email else None,
            )
    return introduction


@transaction.atomic
def decline_introduction(introduction: Introduction, *, actor, reason: str = "") -> Introduction:
    """The asked side does not want to be introduced; no contact details are exchanged."""
    _require_asked_side(introduction, actor)
    introduction.state = State.DECLINED
    introduction.answered_by = actor if getattr(actor, "is_authenticated", False) else None
    introduction.answered_at = timezone.now()
    introduction.save(update_fields=["state", "answered_by", "answered_at"])
    record_step(
        actor, "matching.introduction_declined", introduction.suggestion, reason=(reason or "").strip()
    )
    return introduction


def contacts_visible(introduction: Introduction, user) -> dict | None:
    """Both contacts, for the people involved, only once the introduction is accepted."""
    if not introduction.contacts_exchanged:
        return None
    suggestion = introduction.suggestion
    if not (acts_for(user, suggestion, Side.SOURCE) or acts_for(user, suggestion, Side.TARGET)):
        return None
    return {"source": contact_for(suggestion, Side.SOURCE), "target": contact_for(suggestion, Side.TARGET)}
