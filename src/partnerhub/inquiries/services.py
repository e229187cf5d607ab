"""State changes of inquiries: submitting, answering, closing — each audited, e-mails sent by a task.

Inquiries come from people without an account, so what goes back to their (unconfirmed) address is kept
to what they need: the confirmation repeats none of the text they typed, so the form cannot be used to
send arbitrary content to somebody else's mailbox.
"""

import uuid
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from partnerhub.core import audit
from partnerhub.inquiries.models import Inquiry, InquiryReply
from partnerhub.notifications.services import notify, url_in
from partnerhub.organisations.models import Person
from partnerhub.partnerships.models import Partnership

SENDER_FIELDS = ("sender_name", "sender_email", "sender_organisation", "subject", "message")

# Tags people put in Person.languages, mapped to the UI languages e-mails can be written in.
_LANGUAGE_TAGS = {
    "de": "de",
    "en": "en",
    "zh": "zh-hans",
    "zh-hans": "zh-hans",
}


def _ui_language(tag: object) -> str | None:
    normalised = str(tag or "").strip().lower().replace("_", "-")
    return _LANGUAGE_TAGS.get(normalised) or _LANGUAGE_TAGS.get(normalised.split("-")[0])


def supported_language(code: str | None) -> str:
    """One of the UI languages for a language code (``zh`` → ``zh-hans``, ``de-AT`` → ``de``), else English."""
    return _ui_language(code) or "en"


def person_language(person: Person) -> str:
    """The first language the person speaks that e-mails can be written in, else English."""
    for tag in person.languages or []:
        language = _ui_language(tag)
        if language:
            return language
    return "en"


def agency_language(partnership: Partnership) -> str:
    """The working language the agency set for e-mails to its address."""
    return partnership.agency.language


def agency_email(partnership: Partnership) -> str:
    """The public address of the agency, or of the agency it belongs to when a unit has none."""
    return partnership.agency.email or partnership.agency.root.email


def _recipients(partnership: Partnership) -> list[tuple[str, str]]:
    """(address, language) of everyone told about a new inquiry: the contact person and the agency."""
    recipients: list[tuple[str, str]] = []
    contact = partnership.contact
    # A contact who withdrew consent to be contacted is not written to; the agency still is.
    if contact is not None and contact.email and contact.consent != Person.Consent.WITHDRAWN:
        recipients.append((contact.email, person_language(contact)))
    address = agency_email(partnership)
    if address and address.lower() not in {a.lower() for a, _language in recipients}:
        recipients.append((address, agency_language(partnership)))
    return recipients


@transaction.atomic
def submit_inquiry(
    partnership: Partnership,
    data: Mapping[str, Any],
    *,
    language: str,
    submission_key: uuid.UUID,
    actor=None,
) -> tuple[Inquiry, bool]:
    """Record an inquiry and tell the partnership's contact, the agency and the sender.

    Idempotent by ``submission_key``: posting the same form again returns the first inquiry and sends
    nothing, so a double click or a reload after submitting creates one record.
    """
    existing = Inquiry.objects.filter(submission_key=submission_key).first()
    if existing is not None:
        return existing, False
    inquiry = Inquiry(
        partnership=partnership,
        language=supported_language(language),
        submission_key=submission_key,
        **{field: (data.get(field) or "").strip() for field in SENDER_FIELDS},
    )
    inquiry.full_clean()
    try:
        with transaction.atomic():
            inquiry.save()
    except IntegrityError:
        # The same form posted twice at the same moment: the other request won the race.
        return Inquiry.objects.get(submission_key=submission_key), False
    audit.record(actor, "inquiry.submitted", inquiry, partnership=partnership.slug, language=inquiry.language)

    for address, recipient_language in _recipients(partnership):
        notify(
            address,
            recipient_language,
            "inquiry_submitted",
            {
                "inquiry": inquiry,
                "partnership": partnership,
                "inbox_url": url_in(recipient_language, "inquiries:detail", inquiry.pk),
            },
        )
    notify(
        inquiry.sender_email,
        inquiry.language,
        "inquiry_confirmation",
        {
            "inquiry": inquiry,
            "partnership": partnership,
            "partnership_url": url_in(inquiry.language, "partnerships:detail", partnership.slug),
        },
    )
    return inquiry, True


def _require_editor(inquiry: Inquiry, actor) -> None:
    if actor is None or not Inquiry.objects.editable_by(actor).filter(pk=inquiry.pk).exists():
        raise PermissionDenied(
            _("Only staff of the agency that runs this partnership may handle its inquiries.")
        )


@transaction.atomic
def answer_inquiry(
    inquiry: Inquiry, body: str, *, actor, submission_key: uuid.UUID | None = None
) -> InquiryReply:
    """E-mail an answer to the sender in the language they wrote in, replies going to the staff member.

    With a ``submission_key``, answering twice with the same form sends one answer.
    """
    _require_editor(inquiry, actor)
    if submission_key is not None:
        existing = InquiryReply.objects.filter(submission_key=submission_key, inquiry=inquiry).first()
        if existing is not None:
            return existing
    inquiry = Inquiry.objects.select_for_update().get(pk=inquiry.pk)
    if not inquiry.is_open:
        raise ValidationError(_("This inquiry is closed; it can no longer be answered."))
    reply = InquiryReply(
        inquiry=inquiry, author=actor, body=(body or "").strip(), submission_key=submission_key
    )
    reply.full_clean()
    try:
        with transaction.atomic():
            reply.save()
    except IntegrityError:
        return InquiryReply.objects.get(submission_key=submission_key)
    inquiry.status = Inquiry.Status.ANSWERED
    inquiry.answered_at = reply.sent_at
    inquiry.answered_by = actor
    inquiry.save(update_fields=["status", "answered_at", "answered_by"])
    audit.record(actor, "inquiry.answered", inquiry, reply=reply.pk)
    notify(
        inquiry.sender_email,
        inquiry.language,
        "inquiry_reply",
        {"inquiry": inquiry, "reply": reply, "partnership": inquiry.partnership, "author": actor},
        reply_to=[actor.email] if actor.email else None,
    )
    return reply


@transaction.atomic
def close_inquiry(inquiry: Inquiry, *, actor) -> Inquiry:
    """Mark an inquiry as done with; closing a closed inquiry changes nothing."""
    _require_editor(inquiry, actor)
    if inquiry.status == Inquiry.Status.CLOSED:
        return inquiry
    old = inquiry.status
    inquiry.status = Inquiry.Status.CLOSED
    inquiry.save(update_fields=["status"])
    audit.record(actor, "inquiry.closed", inquiry, old=old)
    return inquiry
