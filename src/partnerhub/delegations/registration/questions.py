"""The organiser's registration questions: add, change, reorder and delete them from the staff pages.

Answers are stored on each registration under the question's ``key`` (``Registration.answers``), so the key
is the link between a question and what people answered: once anyone answered, the key stays, and the
question cannot be deleted (the answers would lose their question and the staff their meaning). Keys in
``sensitive.SENSITIVE_ANSWERS`` (passport numbers, decisions/0019) keep their masking only under that key,
so such a question keeps the key and plain text, and no other question may depend on its answer (the
condition would print the number beside the other question on every registration form).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partnerhub.accounts.permissions import can_edit
from partnerhub.core import audit, editing
from partnerhub.core.history import sentence
from partnerhub.delegations.models import Delegation, Registration, RegistrationQuestion
from partnerhub.delegations.registration.forms import question_choices
from partnerhub.delegations.registration.sensitive import SENSITIVE_ANSWERS

Kind = RegistrationQuestion.Kind

# "registration_question.created" / ".updated" read as the sentences of delegations/history.py.
sentence(
    "registration_question.moved", gettext_lazy("%(actor)s changed the order of the registration questions.")
)
sentence(
    "registration_question.deleted", gettext_lazy("%(actor)s deleted the registration question “%(label)s”.")
)


def require_organiser(actor, delegation: Delegation) -> None:
    """Questions belong to the trip: whoever may edit the trip writes them (``actor=None``: the platform)."""
    if actor is not None and not can_edit(actor, delegation):
        raise PermissionDenied(_("Only the organisers of this trip can do that."))


def answer_count(question: RegistrationQuestion) -> int:
    """How many registrations of the trip hold an answer under this question's key."""
    if question.pk is None:
        return 0
    return Registration.objects.filter(
        delegation_id=question.delegation_id, answers__has_key=question.key
    ).count()


def dependents(question: RegistrationQuestion) -> list[RegistrationQuestion]:
    if question.pk is None:
        return []
    return list(RegistrationQuestion.objects.filter(depends_on=question))


def _validate(question: RegistrationQuestion, stored: RegistrationQuestion | None) -> None:
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    others = RegistrationQuestion.objects.filter(delegation_id=question.delegation_id)
    if question.pk is not None:
        others = others.exclude(pk=question.pk)
    if question.key and others.filter(key=question.key).exists():
        add("key", _("This trip already has a question with the key “%(key)s”.") % {"key": question.key})
    if stored is not None and stored.key != question.key and answer_count(stored):
        add("key", _("The key cannot change: registrations have already answered under “%(key)s”.") % {
            "key": stored.key
        })  # fmt: skip
    if question.key in SENSITIVE_ANSWERS or (stored is not None and stored.key in SENSITIVE_ANSWERS):
        if question.kind != Kind.TEXT:
            add("kind", _("A passport number is asked as a plain text answer."))
        if stored is not None and stored.key != question.key:
            add("key", _("A passport question keeps its key, which keeps its answers masked for others."))
    parent = question.depends_on
    if parent is not None:
        if parent.delegation_id != question.delegation_id:
            add("depends_on", _("Choose a question of this trip."))
        elif question.pk is not None and parent.pk == question.pk:
            add("depends_on", _("A question cannot depend on itself."))
        elif parent.key in SENSITIVE_ANSWERS:
            add("depends_on", _("No question can depend on a passport number."))
        if not question.depends_value.strip():
            add("depends_value", _("Say which answer makes this question apply."))
        elif parent.kind in (Kind.CHOICE, Kind.YES_NO) and parent.delegation_id == question.delegation_id:
            values = {value.casefold() for value, _label in question_choices(parent)}
            if question.depends_value.strip().casefold() not in values:
                add("depends_value", _("Use one of the answers of “%(question)s”: %(values)s.") % {
                    "question": parent.label, "values": ", ".join(v for v, _l in question_choices(parent)),
                })  # fmt: skip
        # A chain back to this question would never be asked (applicable_questions stops cycles).
        seen, step = {question.pk}, parent
        while step is not None and question.pk is not None:
            if step.pk in seen:
                add("depends_on", _("These questions would depend on each other in a circle."))
                break
            seen.add(step.pk)
            step = step.depends_on
    elif question.depends_value.strip():
        add("depends_on", _("Choose the question whose answer decides."))
    if question.kind == Kind.CHOICE and len(question.choices or []) < 2:
        add("choices", _("A question with one of several answers needs at least two choices."))
    if errors:
        raise ValidationError(errors)


def _label(question: RegistrationQuestion) -> str:
    return str(question.label)


@transaction.atomic
def save_question(
    question: RegistrationQuestion, *, actor, version: str | None = None
) -> RegistrationQuestion:
    """Add a question (at the end) or save a changed one; ``version`` is what the editor's form saw."""
    delegation = Delegation.objects.select_for_update().get(pk=question.delegation_id)
    require_organiser(actor, delegation)
    created = question.pk is None
    stored = None
    if not created:
        editing.ensure_current(question, version)
        stored = RegistrationQuestion.objects.get(pk=question.pk)
    if question.kind != Kind.CHOICE:
        question.choices = []
    if question.depends_on is None:
        question.depends_value = ""
    _validate(question, stored)
    if created:
        last = delegation.questions.order_by("-position").values_list("position", flat=True).first()
        question.position = 0 if last is None else last + 1
    question.full_clean(validate_constraints=False)
    question.save()
    action = "registration_question.created" if created else "registration_question.updated"
    audit.record(actor, action, delegation, question=question.pk, key=question.key, label=_label(question))
    return question


@transaction.atomic
def move_question(question: RegistrationQuestion, *, actor, up: bool) -> None:
    """One place up or down; positions are renumbered 0, 1, 2… in the order shown."""
    delegation = Delegation.objects.select_for_update().get(pk=question.delegation_id)
    require_organiser(actor, delegation)
    ordered = list(delegation.questions.all())
    index = next(i for i, q in enumerate(ordered) if q.pk == question.pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(ordered):
        return
    ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, item in enumerate(ordered):
        if item.position != position:
            RegistrationQuestion.objects.filter(pk=item.pk).update(position=position)
    audit.record(actor, "registration_question.moved", delegation, order=[q.key for q in ordered])


@transaction.atomic
def delete_question(question: RegistrationQuestion, *, actor) -> None:
    """Delete a question nobody answered and no other question depends on; otherwise say why not."""
    delegation = Delegation.objects.select_for_update().get(pk=question.delegation_id)
    require_organiser(actor, delegation)
    count = answer_count(question)
    if count:
        raise ValidationError(
            _(
                "This question cannot be deleted: %(count)s registration(s) answered it, and their answers "
                "would lose their question. Make it optional instead, or change its wording."
            )
            % {"count": count}
        )
    children = dependents(question)
    if children:
        raise ValidationError(
            _("This question cannot be deleted: %(questions)s depend on its answer. Change them first.")
            % {"questions": ", ".join(f"“{q.label}”" for q in children)}
        )
    label, key = _label(question), question.key
    question.delete()
    audit.record(actor, "registration_question.deleted", delegation, key=key, label=label)
