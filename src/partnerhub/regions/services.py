"""State changes of regions (reference data kept by staff in the admin)."""

from django.db import transaction

from partnerhub.core import audit
from partnerhub.regions.models import Region


@transaction.atomic
def save_region(region: Region, *, actor) -> Region:
    created = region.pk is None
    region.full_clean(exclude=["strength_sectors"])
    region.save()
    audit.record(actor, "region.created" if created else "region.updated", region, slug=region.slug)
    return region
