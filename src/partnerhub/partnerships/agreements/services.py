"""Agreements written in the staff workspace: the text with its parties and signatories, its status and sharing
in one save, and its documents with their versions and audiences.

Each function checks the write permission, validates, writes and records the audit entry in one transaction.
The single steps (signing, a status change, sharing, attaching a document) are the ones in
``partnerships/services.py``; this module calls them rather than writing those fields itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partnerhub.accounts.permissions import require_save
from partnerhub.core import audit, editing
from partnerhub.core.history import record, sentence
from partnerhub.partnerships import services as agreement_steps
from partnerhub.partnerships.models import (
    Agreement,
    AgreementDocument,
    AgreementParty,
    DocumentVersion,
    Signatory,
)

_document = record("partnerships.AgreementDocument")
sentence(
    "agreement.unshared",
    gettext_lazy("%(actor)s stopped sharing the agreement with %(agency)s."),
    agency=record("agencies.Agency", "slug"),
)
sentence(
    "agreement.document_versioned",
    gettext_lazy("%(actor)s uploaded version %(number)s of the document %(document)s."),
    document=_document,
)
sentence(
    "agreement.document_changed",
    gettext_lazy("%(actor)s changed the title or the audience of the document %(document)s."),
    document=_document,
)


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _stored_status(agreement: Agreement) -> str | None:
    if agreement.pk is None:
        return None
    return Agreement.objects.filter(pk=agreement.pk).values_list("status", flat=True).first()


def _save_rows(
    agreement: Agreement,
    parties: Sequence[AgreementParty],
    removed_parties: Iterable[AgreementParty],
    signatories: Sequence[Signatory],
    removed_signatories: Iterable[Signatory],
) -> list[str]:
    """Write the nested rows; returns the kinds of rows that changed (for the audit entry)."""
    changed: set[str] = set()
    removed_party_ids = {p.pk for p in removed_parties if p.pk}
    for signatory in signatories:
        if signatory.party_id in removed_party_ids:
            raise ValidationError(
                _("The signatory %(name)s signs for a party that is being removed.")
                % {"name": signatory.name}
            )
    for row in removed_signatories:
        if row.pk:
            row.delete()
            changed.add("signatory")
    for row in removed_parties:
        if row.pk:
            row.delete()
            changed.add("agreementparty")
    for party in parties:
        party.agreement = agreement
        party.full_clean(exclude=["agreement"])
        party.save()
        changed.add("agreementparty")
    for signatory in signatories:
        signatory.agreement = agreement
        party = signatory.party if Signatory.party.is_cached(signatory) or signatory.party_id else None
        if party is not None:
            signatory.party = party  # a party saved just above now has its key
        if party is not None and party.agreement_id != agreement.pk:
            raise ValidationError({"party": _("The party must belong to the same agreement.")})
        signatory.full_clean()
        signatory.save()
        changed.add("signatory")
    return sorted(changed)


def _change_status(agreement: Agreement, new: str, *, actor) -> None:
    """A status other than the stored one goes through the signing or status-change step."""
    if new == Agreement.Status.SIGNED and agreement.status == Agreement.Status.DRAFT:
        if not agreement.signed_on:
            raise ValidationError({"signed_on": _("A signed agreement needs its date of signing.")})
        agreement_steps.sign_agreement(
            agreement, signed_on=agreement.signed_on, place=agreement.signed_at_place, actor=actor
        )
    else:
        agreement_steps.change_agreement_status(agreement, new, actor=actor)


def _share(agreement: Agreement, agencies, *, actor) -> None:
    wanted = {a.pk: a for a in agencies}
    current = {a.pk: a for a in agreement.shared_with.all()}
    for pk, agency in wanted.items():
        if pk not in current:
            agreement_steps.share_agreement(agreement, agency, actor=actor)
    for pk, agency in current.items():
        if pk not in wanted:
            agreement.shared_with.remove(agency)
            audit.record(actor, "agreement.unshared", agreement, agency=agency.slug)


@transaction.atomic
def save_agreement_with_parts(
    agreement: Agreement,
    *,
    actor,
    version: str | None = None,
    parties: Sequence[AgreementParty] = (),
    removed_parties: Iterable[AgreementParty] = (),
    signatories: Sequence[Signatory] = (),
    removed_signatories: Iterable[Signatory] = (),
    shared_with=None,
) -> Agreement:
    """Create or change an agreement with its parties and signatories, its status and who it is shared with.

    ``parties`` and ``signatories`` are the rows to write (new or changed; a signatory may point to a party of
    the same list that is not saved yet); ``removed_*`` the stored rows to delete. A change of status goes
    through signing or the allowed transitions; a changed list of agencies through sharing.
    """
    require_save(actor, agreement)
    editing.ensure_current(agreement, version)
    wanted_status = agreement.status
    stored_status = _stored_status(agreement)
    if stored_status is not None:
        agreement.status = stored_status
    agreement_steps.save_agreement(agreement, actor=actor)
    changed = _save_rows(agreement, parties, removed_parties, signatories, removed_signatories)
    if changed:
        audit.record(actor, "agreement.details_changed", agreement, parts=changed)
    if stored_status is not None and wanted_status != stored_status:
        _change_status(agreement, wanted_status, actor=actor)
    if shared_with is not None:
        _share(agreement, shared_with, actor=actor)
    return agreement


def add_document(agreement: Agreement, uploaded, *, title, language: str, visibility: str, actor):
    """A new document (its first version)."""
    return agreement_steps.attach_document(
        agreement, uploaded, title=title, language=language, visibility=visibility, actor=actor
    )


@transaction.atomic
def add_document_version(document: AgreementDocument, uploaded, *, actor) -> AgreementDocument:
    """Upload a newer version: the current file is kept as an older version, the new one becomes current."""
    require_save(actor, document)
    agreement_steps.check_document(uploaded)
    document = AgreementDocument.objects.select_for_update().get(pk=document.pk)
    DocumentVersion.objects.create(
        document=document,
        number=document.number,
        file=document.file.name,
        uploaded_at=document.uploaded_at,
        uploaded_by=document.uploaded_by,
    )
    document.file.save(uploaded.name, uploaded, save=False)
    document.number += 1
    document.uploaded_at = timezone.now()
    document.uploaded_by = _user(actor)
    document.save()
    audit.record(
        actor,
        "agreement.document_versioned",
        document.agreement,
        document=document.pk,
        number=document.number,
    )
    return document


@transaction.atomic
def save_document(document: AgreementDocument, *, actor, version: str | None = None) -> AgreementDocument:
    """Change a document's title, language or audience."""
    require_save(actor, document)
    editing.ensure_current(document, version)
    document.full_clean(exclude=["file"])
    document.save(update_fields=["title", "language", "visibility"])
    audit.record(actor, "agreement.document_changed", document.agreement, document=document.pk)
    return document
