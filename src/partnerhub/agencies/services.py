"""State changes of agencies."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from partnerhub.accounts.permissions import require_save
from partnerhub.agencies.models import Agency
from partnerhub.core.services import save_audited


@transaction.atomic
def save_agency(agency: Agency, *, actor) -> Agency:
    require_save(actor, agency)
    ancestor = agency.parent
    while ancestor is not None:
        if ancestor.pk == agency.pk:
            raise ValidationError({"parent": _("An agency cannot be part of itself.")})
        ancestor = ancestor.parent
    return save_audited(agency, actor=actor, kind="agency", slug=agency.slug)
