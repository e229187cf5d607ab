"""Answers that identify a person to the authorities — passport numbers — and who may read them.

The decision is ``docs/decisions/0019-passport-numbers.md``: the organising agency (staff of the agency family
that runs the trip, who write the visa invitation letters) and the platform's operators read them in full.
Everyone else who may see a registration — partner agencies the trip is shared with, the members of the
participant's organisation, the participant through their personal link — sees them masked.
"""

from __future__ import annotations

from partnerhub.delegations.models import Delegation, Registration

SENSITIVE_ANSWERS = frozenset({"passport_number"})
"""Question keys whose answers only the organisers read in full."""


def may_read_sensitive(user, delegation: Delegation) -> bool:
    """Whether ``user`` reads passport numbers of this trip's registrations: its organisers only."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return Delegation.objects.editable_by(user).filter(pk=delegation.pk).exists()


def mask(value) -> str:
    """The last two characters, so a participant can tell which passport they gave: ``••••••42``."""
    text = str(value)
    return "•" * max(len(text) - 2, 4) + text[-2:] if len(text) > 2 else "••••"


def answers_for(registration: Registration, user, *, full: bool | None = None) -> dict:
    """The registration's answers as ``user`` may read them (``full`` decides, when already known)."""
    if full is None:
        full = may_read_sensitive(user, registration.delegation)
    answers = dict(registration.answers or {})
    if not full:
        for key in SENSITIVE_ANSWERS & answers.keys():
            answers[key] = mask(answers[key])
    return answers
