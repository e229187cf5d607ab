"""Recording audit entries; called by service functions, never by views."""

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from partnerhub.core.models import AuditEntry


def record(actor: Any, action: str, target: models.Model, **data: Any) -> AuditEntry:
    """Write one audit entry for ``target``; ``actor`` may be None (the system) or anonymous."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEntry.objects.create(
        actor=user,
        action=action,
        target_type=ContentType.objects.get_for_model(target),
        target_id=str(target.pk),
        data=_jsonable(data),
    )


def history(target: models.Model):
    """The audit entries of one record, newest first."""
    return AuditEntry.objects.filter(
        target_type=ContentType.objects.get_for_model(target), target_id=str(target.pk)
    ).select_related("actor")


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if hasattr(value, "data") and isinstance(value.data, dict | str):  # LazyI18nString
        return value.data
    return str(value)
