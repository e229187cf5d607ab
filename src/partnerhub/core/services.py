"""The shape every simple save shares: validate, write, audit — inside the caller's transaction."""

from typing import Any

from django.db import models

from partnerhub.core import audit


def save_audited(obj: models.Model, *, actor, kind: str, exclude: list[str] | None = None, **data: Any):
    """Validate and save ``obj``, then record ``<kind>.created`` or ``<kind>.updated``."""
    created = obj.pk is None
    obj.full_clean(exclude=exclude)
    obj.save()
    audit.record(actor, f"{kind}.{'created' if created else 'updated'}", obj, **data)
    return obj
