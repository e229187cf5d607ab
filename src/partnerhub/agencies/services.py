"""State changes of agencies: staff keep their own family's records, operators add partner authorities."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from partnerhub.accounts.permissions import can_edit, require_save
from partnerhub.agencies.models import Agency
from partnerhub.core import audit, editing
from partnerhub.core.deletion import refuse_if_used
from partnerhub.core.services import save_audited


@transaction.atomic
def save_agency(agency: Agency, *, actor, version: str | None = None) -> Agency:
    """Create or change an agency. A new one without a parent (a partner authority) needs an operator;
    ``version`` is what the editor's form saw (core/editing.py)."""
    require_save(actor, agency)
    editing.ensure_current(agency, version)
    ancestor = agency.parent
    while ancestor is not None:
        if ancestor.pk == agency.pk:
            raise ValidationError({"parent": _("An agency cannot be part of itself.")})
        ancestor = ancestor.parent
    return save_audited(agency, actor=actor, kind="agency", slug=agency.slug)


@transaction.atomic
def delete_agency(agency: Agency, *, actor) -> None:
    """Delete an agency nothing refers to: no unit, staff account, partnership, organisation or stage."""
    if actor is not None and not can_edit(actor, agency):
        raise PermissionDenied(_("You may change only your own agency's records."))
    refuse_if_used(agency)
    audit.record(actor, "agency.deleted", agency, slug=agency.slug)
    agency.delete()
