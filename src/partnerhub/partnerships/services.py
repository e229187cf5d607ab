"""State changes of partnerships and agreements: validated, written and audited in one transaction."""

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partnerhub.accounts.permissions import can_edit, require_save
from partnerhub.core import audit, editing
from partnerhub.core.deletion import refuse_if_used
from partnerhub.core.history import record, sentence
from partnerhub.core.services import save_audited
from partnerhub.core.uploads import check_upload
from partnerhub.partnerships.models import Agreement, AgreementDocument, Partnership

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024

sentence(
    "partnership.unshared",
    gettext_lazy("%(actor)s stopped sharing the partnership with %(agency)s."),
    agency=record("agencies.Agency", "slug"),
)


@transaction.atomic
def save_partnership(
    partnership: Partnership, *, actor, shared_with: Iterable | None = None, version: str | None = None
) -> Partnership:
    """Create or change a partnership; ``shared_with`` (agencies; None leaves the sharing as it is) is
    applied through :func:`share_partnership` / :func:`unshare_partnership`, each with its audit entry.

    ``version`` is what the editor's form saw (core/editing.py): a partnership saved since is not overwritten."""
    require_save(actor, partnership)
    editing.ensure_current(partnership, version)
    partnership = save_audited(
        partnership, actor=actor, kind="partnership", exclude=["shared_with"], status=partnership.status
    )
    if shared_with is not None:
        wanted = {agency.pk: agency for agency in shared_with}
        current = {agency.pk: agency for agency in partnership.shared_with.all()}
        for pk in wanted.keys() - current.keys():
            share_partnership(partnership, wanted[pk], actor=actor)
        for pk in current.keys() - wanted.keys():
            unshare_partnership(partnership, current[pk], actor=actor)
    return partnership


@transaction.atomic
def share_partnership(partnership: Partnership, agency, *, actor) -> None:
    if agency.pk == partnership.agency_id:
        return
    partnership.shared_with.add(agency)
    audit.record(actor, "partnership.shared", partnership, agency=agency.slug)


@transaction.atomic
def unshare_partnership(partnership: Partnership, agency, *, actor) -> None:
    if actor is not None and not can_edit(actor, partnership):
        raise PermissionDenied(_("You may change only your own agency's records."))
    partnership.shared_with.remove(agency)
    audit.record(actor, "partnership.unshared", partnership, agency=agency.slug)


@transaction.atomic
def delete_partnership(partnership: Partnership, *, actor) -> None:
    """Delete a partnership nothing refers to: no agreement, trip, inquiry or pipeline link."""
    if actor is not None and not can_edit(actor, partnership):
        raise PermissionDenied(_("You may change only your own agency's records."))
    refuse_if_used(partnership)
    audit.record(actor, "partnership.deleted", partnership, slug=partnership.slug)
    partnership.delete()


@transaction.atomic
def save_agreement(agreement: Agreement, *, actor) -> Agreement:
    require_save(actor, agreement)
    return save_audited(
        agreement, actor=actor, kind="agreement", exclude=["shared_with"], status=agreement.status
    )


@transaction.atomic
def sign_agreement(
    agreement: Agreement, *, signed_on: datetime.date, place: dict[str, str], actor
) -> Agreement:
    """Record the signing of a draft: date and place, status 'signed', validity starting that day."""
    if agreement.status != Agreement.Status.DRAFT:
        raise ValidationError(_("Only a draft can be signed."))
    agreement.signed_on = signed_on
    agreement.signed_at_place = place
    agreement.status = Agreement.Status.SIGNED
    if agreement.valid_from is None:
        agreement.valid_from = signed_on
    agreement.full_clean(exclude=["shared_with"])
    agreement.save()
    audit.record(actor, "agreement.signed", agreement, signed_on=signed_on.isoformat())
    return agreement


ALLOWED_TRANSITIONS = {
    Agreement.Status.DRAFT: {Agreement.Status.SIGNED, Agreement.Status.TERMINATED},
    Agreement.Status.SIGNED: {Agreement.Status.ACTIVE, Agreement.Status.EXPIRED, Agreement.Status.TERMINATED},
    Agreement.Status.ACTIVE: {Agreement.Status.EXPIRED, Agreement.Status.TERMINATED},
    Agreement.Status.EXPIRED: {Agreement.Status.ACTIVE},
    Agreement.Status.TERMINATED: set(),
}


@transaction.atomic
def change_agreement_status(agreement: Agreement, status: str, *, actor) -> Agreement:
    if status not in ALLOWED_TRANSITIONS[Agreement.Status(agreement.status)]:
        raise ValidationError(
            _("An agreement cannot go from “%(old)s” to “%(new)s”.")
            % {"old": agreement.get_status_display(), "new": Agreement.Status(status).label}
        )
    old = agreement.status
    agreement.status = status
    agreement.full_clean(exclude=["shared_with"])
    agreement.save(update_fields=["status"])
    audit.record(actor, "agreement.status_changed", agreement, old=old, new=status)
    return agreement


@transaction.atomic
def share_agreement(agreement: Agreement, agency, *, actor) -> None:
    if agency.pk == agreement.partnership.agency_id:
        return
    agreement.shared_with.add(agency)
    audit.record(actor, "agreement.shared", agreement, agency=agency.slug)


def check_document(uploaded) -> None:
    """Reject files that are too large or whose content is not an allowed document type."""
    check_upload(uploaded, MAX_DOCUMENT_BYTES)


@transaction.atomic
def attach_document(
    agreement: Agreement, uploaded, *, title: dict[str, str], language: str, actor, visibility: str = ""
):
    """A new document of the agreement (its version 1), seen by ``visibility`` (default: the agency only)."""
    document = AgreementDocument(agreement=agreement, title=title, language=language)
    document.visibility = visibility or document.visibility
    document.uploaded_by = actor if getattr(actor, "is_authenticated", False) else None
    require_save(actor, document)
    check_document(uploaded)
    document.full_clean(exclude=["file"])
    document.file.save(uploaded.name, uploaded, save=False)
    document.save()
    audit.record(actor, "agreement.document_attached", agreement, document=document.pk)
    return document
