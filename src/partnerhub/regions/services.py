"""State changes of regions (reference data kept by staff in the admin)."""

from django.db import transaction

from partnerhub.accounts.permissions import require_save
from partnerhub.core.services import save_audited
from partnerhub.regions.models import Region


@transaction.atomic
def save_region(region: Region, *, actor) -> Region:
    require_save(actor, region)
    return save_audited(region, actor=actor, kind="region", exclude=["strength_sectors"], slug=region.slug)
