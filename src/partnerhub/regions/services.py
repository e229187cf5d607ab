"""State changes of regions: created and kept by staff in the workspace (and the admin)."""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from partnerhub.accounts.permissions import can_edit, require_save
from partnerhub.core import audit, editing
from partnerhub.core.deletion import refuse_if_used
from partnerhub.core.services import save_audited
from partnerhub.organisations.models import NaceActivity
from partnerhub.regions.models import Region


def _check_parent(region: Region) -> None:
    if region.pk is not None and region.parent_id is not None:
        if region.parent_id == region.pk or region.parent_id in region.descendant_ids():
            raise ValidationError(
                {"parent": _("A region cannot be part of itself or of a region within it.")}
            )


@transaction.atomic
def save_region(
    region: Region,
    *,
    actor,
    sector_codes: Iterable[str] | None = None,
    version: str | None = None,
) -> Region:
    """Create or change a region with its strong sectors (NACE codes; None leaves them as they are).

    ``version`` is what the editor's form saw (core/editing.py): a region saved since is not overwritten."""
    require_save(actor, region)
    editing.ensure_current(region, version)
    _check_parent(region)
    region = save_audited(region, actor=actor, kind="region", exclude=["strength_sectors"], slug=region.slug)
    if sector_codes is not None:
        region.strength_sectors.set(NaceActivity.objects.filter(code__in=list(sector_codes)))
    return region


@transaction.atomic
def delete_region(region: Region, *, actor) -> None:
    """Delete a region nothing refers to (no subdivision, partnership, agency, organisation, trip…)."""
    if actor is not None and not can_edit(actor, region):
        raise PermissionDenied(_("You may change only your own agency's records."))
    refuse_if_used(region)
    audit.record(actor, "region.deleted", region, slug=region.slug)
    region.delete()
