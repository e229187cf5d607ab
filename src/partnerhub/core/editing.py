"""Optimistic locking for the staff pages, and the one helper that saves a form through a service.

A form shows a record as it was when the page opened; the form carries that state's *version* (a hash of the
stored values). The service checks the version inside its transaction, with the row locked, before it writes:
if someone saved the record in the meantime, the save is refused with :class:`StaleEdit`, and the page shows
the user's own input (still in the form) beside the newer stored values of every field that differs. Nothing
is overwritten and nothing typed is lost (decisions/0020).

A hash rather than a version column: every model the workspace edits gets the protection without a
migration, and a change made anywhere — the admin, a command, another page — changes the hash.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

VERSION_FIELD = "version"
SKIPPED = (models.AutoField, models.BigAutoField)


def _stored_values(model: type[models.Model], pk: Any, names: list[str], lock: bool) -> dict | None:
    queryset = model._base_manager.filter(pk=pk)
    if lock:
        queryset = queryset.select_for_update()
    row = queryset.values(*names).first()
    return row


def edited_fields(model: type[models.Model]) -> list[str]:
    """The stored columns a version covers: every concrete field but the primary key, automatic times and
    the columns the model names in ``VERSION_IGNORES`` (derived or bookkeeping values that change without
    anyone editing the text, e.g. a search document or a reminder's time)."""
    ignored = set(getattr(model, "VERSION_IGNORES", ()))
    names = []
    for field in model._meta.concrete_fields:
        if (
            isinstance(field, SKIPPED)
            or field.primary_key
            or field.name in ignored
            or field.attname in ignored
        ):
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            continue
        names.append(field.attname)
    return names


def _plain(value: Any) -> Any:
    """Every language of a multilingual value (str() would give only the current one), else its text."""
    data = getattr(value, "data", None)
    return data if isinstance(data, dict | str) else str(value)


def _digest(values: dict, extra: Iterable[Any] = ()) -> str:
    payload = json.dumps([values, list(extra)], sort_keys=True, default=_plain, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


def _related(obj: models.Model) -> Iterable[Any]:
    """Rows that belong to the record (a trip's itinerary, an agreement's signatories, a profile's sectors):
    a model lists them in ``version_parts()`` so that a change to them counts as a change of the record."""
    parts = getattr(obj, "version_parts", None)
    return parts() if callable(parts) else ()


def version_of(obj: models.Model) -> str:
    """The version of ``obj`` as stored now ("" for a record not saved yet)."""
    if obj.pk is None:
        return ""
    model = type(obj)
    values = _stored_values(model, obj.pk, edited_fields(model), lock=False)
    if values is None:
        return ""
    return _digest(values, _related(model._base_manager.get(pk=obj.pk)))


@dataclass
class Difference:
    """One field that someone else changed: its label and the value now stored."""

    name: str
    label: str
    stored: str


class StaleEdit(ValidationError):
    """Raised by a service when the record changed after the form was opened."""

    def __init__(self, obj: models.Model, differences: list[Difference] | None = None):
        self.obj = obj
        self.differences = differences or []
        super().__init__(
            _(
                "Someone else saved this record while you were editing it, so your changes were not saved. "
                "Your text is still in the form; the newer saved text is shown beside each field that "
                "differs. Combine them and save again."
            ),
            code="stale",
        )


def ensure_current(obj: models.Model, version: str | None) -> None:
    """Inside the service's transaction: lock the stored row and refuse the save if it changed since
    ``version`` was read. ``version`` None means the caller does not take part (a command, a workflow
    action that changes one field on purpose); a new record has nothing to compare."""
    if version is None or obj.pk is None:
        return
    model = type(obj)
    values = _stored_values(model, obj.pk, edited_fields(model), lock=True)
    if values is None:
        raise ValidationError(_("This record was deleted while you were editing it."), code="deleted")
    stored = model._base_manager.get(pk=obj.pk)
    if _digest(values, _related(stored)) != version:
        raise StaleEdit(stored)


class VersionedFormMixin(forms.Form):
    """Adds the hidden version field; the view passes ``form.version`` to the service."""

    version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = getattr(self, "instance", None)
        if instance is not None and instance.pk is not None and not self.is_bound:
            self.initial[VERSION_FIELD] = version_of(instance)

    @property
    def seen_version(self) -> str | None:
        """The version the user saw, or "" for a new record."""
        if not self.is_bound:
            return None
        return self.data.get(self.add_prefix(VERSION_FIELD), "")

    def describe_conflict(self, stale: StaleEdit) -> list[Difference]:
        """The fields whose stored value now differs from what the user submitted, with the stored value as
        the form would show it; the form keeps the user's values."""
        differences = []
        stored = stale.obj
        for name, field in self.fields.items():
            if name == VERSION_FIELD or not hasattr(stored, name):
                continue
            try:
                stored_value = getattr(stored, name)
            except Exception:  # a relation that cannot be read plainly is left out
                continue
            if isinstance(stored_value, models.Manager):
                stored_value = ", ".join(str(item) for item in stored_value.all())
            mine = self.cleaned_data.get(name) if hasattr(self, "cleaned_data") else None
            if _display(stored_value) != _display(mine):
                differences.append(Difference(name, str(field.label or name), _display(stored_value)))
        return differences

    def refresh_version(self, obj: models.Model) -> None:
        """After a conflict: the next save is checked against the version now stored, so saving again
        (after reading the other text) is a deliberate overwrite of that version only."""
        data = self.data.copy()
        data[self.add_prefix(VERSION_FIELD)] = version_of(obj)
        self.data = data


def _display(value: Any) -> str:
    if value is None:
        return ""
    data = getattr(value, "data", None)  # a LazyI18nString: every language's text
    if isinstance(data, dict):
        return " / ".join(f"{lang}: {text}" for lang, text in sorted(data.items()) if text)
    if isinstance(value, models.QuerySet | list | tuple | set):
        return ", ".join(sorted(str(item) for item in value))
    if isinstance(value, models.Model):
        return str(value)
    return str(value)


def save_through(form: forms.BaseForm, call: Callable[[], Any]) -> tuple[Any, list[Difference] | None]:
    """Run ``call`` (a service); its validation errors become the form's errors, a stale version becomes
    the conflict list. Returns (result or None, differences or None). A missing right stays a 403."""
    try:
        return call(), None
    except StaleEdit as stale:
        differences = form.describe_conflict(stale) if isinstance(form, VersionedFormMixin) else []
        if isinstance(form, VersionedFormMixin):
            form.refresh_version(stale.obj)
        form.add_error(None, stale.messages)
        return None, differences
    except PermissionDenied:
        raise
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, exc.messages)
        return None, None
