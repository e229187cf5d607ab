"""State changes of agencies."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from partnerhub.agencies.models import Agency
from partnerhub.core import audit


@transaction.atomic
def save_agency(agency: Agency, *, actor) -> Agency:
    created = agency.pk is None
    ancestor = agency.parent
    while ancestor is not None:
        if ancestor.pk == agency.pk:
            raise ValidationError({"parent": _("An agency cannot be part of itself.")})
        ancestor = ancestor.parent
    agency.full_clean()
    agency.save()
    audit.record(actor, "agency.created" if created else "agency.updated", agency, slug=agency.slug)
    return agency
