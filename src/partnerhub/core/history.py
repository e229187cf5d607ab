"""History in sentences: every audit action has a sentence in the reader's language, never a raw code.

Each app registers the sentences of its own actions in its ``history.py``, imported from the app's
``AppConfig.ready()``:

    from partnerhub.core.history import as_date, sentence
    sentence("agreement.signed", _("%(actor)s recorded the signing on %(signed_on)s."), signed_on=as_date)

The text is a lazy translation with ``%(actor)s`` (who did it), ``%(object)s`` (the record) and any key of the
entry's data. A keyword names a *formatter* for that key: it turns the stored value (a stage key, an ISO date,
a primary key) into words in the active language. Where the words depend on the data (a leader set or
removed), the text may instead be a function of the data returning the lazy translation to use.
``<kind>.created`` / ``.updated`` / ``.deleted`` have general sentences, so a simple save needs no entry.

Formatters that name records look them up through ``visible_to(reader)``: history never tells a reader the
name of a record they could not open.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.utils import formats, timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

Formatter = Callable[[Any, Any, Any], str]  # (value, entry, reader) -> words
SENTENCES: dict[str, tuple[Any, dict[str, Formatter]]] = {}


def sentence(action: str, text: Any, **formatters: Formatter) -> None:
    """Register the sentence for ``action``: a lazy translation, or a function of the data returning one."""
    SENTENCES[action] = (text, formatters)


def has_sentence(action: str) -> bool:
    return action in SENTENCES or action.rsplit(".", 1)[-1] in GENERAL_VERBS


GENERAL_VERBS = ("created", "updated", "deleted")


class _Safe(dict):
    """Formatting data: a key the entry lacks reads as an empty text rather than breaking the page."""

    def __missing__(self, key):
        return ""


# --- formatters ------------------------------------------------------------------------------------------


def as_date(value, entry=None, reader=None) -> str:
    """An ISO date in the reader's language ("7. Dezember 2026", "2026年12月7日")."""
    day = value if isinstance(value, datetime.date) else parse_date(str(value or ""))
    return formats.date_format(day, "DATE_FORMAT") if day else _("no date")


def as_datetime(value, entry=None, reader=None) -> str:
    """An ISO date and time, shown in the active time zone."""
    moment = value if isinstance(value, datetime.datetime) else parse_datetime(str(value or ""))
    if moment is None:
        return _("no time")
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, datetime.UTC)
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def choice(choices) -> Formatter:
    """The translated label of a choice value (``Model.Status``), or the value itself if it is unknown."""
    labels = dict(choices.choices) if hasattr(choices, "choices") else dict(choices)

    def label(value, entry=None, reader=None) -> str:
        return str(labels.get(value, value))

    return label


def yes_no(value, entry=None, reader=None) -> str:
    return _("yes") if value else _("no")


def listed(value, entry=None, reader=None) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def record(model_label: str, field: str = "pk", *, label: Callable[[Any], str] = str) -> Formatter:
    """Name the record of ``model_label`` ("organisations.Organisation") whose ``field`` is the value.

    Through ``visible_to(reader)`` where the model has it: a record the reader may not see stays unnamed.
    """

    def name(value, entry=None, reader=None) -> str:
        from django.apps import apps

        if value in (None, ""):
            return _("nobody")
        model = apps.get_model(model_label)
        manager = model._default_manager
        queryset = manager.visible_to(reader) if hasattr(manager, "visible_to") else manager.all()
        obj = queryset.filter(**{field: value}).first()
        if obj is None:
            return _("a record you cannot see")
        return label(obj)

    return name


def user_by_email(value, entry=None, reader=None) -> str:
    """A user named by the address stored in the entry (full name, else the address)."""
    if not value:
        return _("nobody")
    from django.contrib.auth import get_user_model

    user = get_user_model()._default_manager.filter(email__iexact=value).first()
    return (user.get_full_name() or user.email) if user else str(value)


# --- describing ------------------------------------------------------------------------------------------


def actor_name(entry) -> str:
    if not entry.actor_id:
        return _("partnerhub (automatically)")
    return entry.actor.get_full_name() or entry.actor.get_username()


def describe(entry, *, reader=None, object_label: str = "") -> str:
    """The sentence for one audit entry, in the active language, for ``reader`` (who may see what)."""
    raw = entry.data or {}
    data = _Safe({k: v for k, v in raw.items() if isinstance(v, str | int | float)})
    registered = SENTENCES.get(entry.action)
    if registered is not None:
        text, formatters = registered
        for key, formatter in formatters.items():
            data[key] = formatter(raw.get(key), entry, reader)
        data.update(actor=actor_name(entry), object=object_label)
        chosen = text(raw) if callable(text) else text
        return str(chosen) % data
    data.update(actor=actor_name(entry), object=object_label)
    verb = entry.action.rsplit(".", 1)[-1]
    general = {
        "created": _("%(actor)s created this record."),
        "updated": _("%(actor)s changed this record."),
        "deleted": _("%(actor)s deleted this record."),
    }.get(verb)
    return general % data if general else _("%(actor)s changed this record.") % data
