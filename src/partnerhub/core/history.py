"""History in sentences: every audit action has a sentence in the reader's language, never a raw code.

Each app registers the sentences of its own actions where it records them (module level, at import):

    from partnerhub.core.history import sentence
    sentence("agreement.signed", _("%(actor)s recorded the signing on %(signed_on)s."))

The text is a lazy translation with ``%(actor)s`` (who did it), ``%(object)s`` (the record) and any key of the
entry's data. ``<kind>.created`` / ``.updated`` / ``.deleted`` have general sentences that name the record's
kind, so a simple save needs no entry of its own.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

SENTENCES: dict[str, Any] = {}


def sentence(action: str, text: Any) -> None:
    """Register the sentence for ``action`` (a lazy translation)."""
    SENTENCES[action] = text


class _Safe(dict):
    """Formatting data: a key the entry lacks reads as an empty text rather than breaking the page."""

    def __missing__(self, key):
        return ""


def describe(entry, *, object_label: str = "") -> str:
    """The sentence for one audit entry, in the active language."""
    actor = entry.actor.get_full_name() or entry.actor.get_username() if entry.actor_id else _("partnerhub")
    data = _Safe({k: v for k, v in (entry.data or {}).items() if isinstance(v, str | int | float)})
    data.update(actor=actor, object=object_label)
    text = SENTENCES.get(entry.action)
    if text is not None:
        return str(text) % data
    verb = entry.action.rsplit(".", 1)[-1]
    general = {
        "created": _("%(actor)s created this record."),
        "updated": _("%(actor)s changed this record."),
        "deleted": _("%(actor)s deleted this record."),
    }.get(verb)
    return general % data if general else _("%(actor)s changed this record.") % data
