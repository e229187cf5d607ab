"""The registration form: the people registered (one, or several for a leader) and the organiser's questions.

Questions that depend on another answer are always shown (the page works without JavaScript) and are
validated only when they apply, by the same rule the service uses (``registration.applicable_questions``).
"""

from __future__ import annotations

import datetime
import uuid
import zoneinfo

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from i18nfield.strings import LazyI18nString

from partnerhub.core.abuse import HoneypotMixin
from partnerhub.core.timezones import zone_label
from partnerhub.delegations.models import Delegation, RegistrationQuestion
from partnerhub.delegations.registration.services import answer_text, applicable_questions

COMMON_TIME_ZONES = [
    "Europe/Berlin", "Europe/Vienna", "Europe/Zurich", "Europe/Paris", "Europe/London", "Europe/Warsaw",
    "Europe/Istanbul", "Europe/Moscow", "Asia/Dubai", "Asia/Kolkata", "Asia/Bangkok", "Asia/Shanghai",
    "Asia/Hong_Kong", "Asia/Taipei", "Asia/Singapore", "Asia/Seoul", "Asia/Tokyo", "Australia/Sydney",
    "Africa/Johannesburg", "America/Sao_Paulo", "America/New_York", "America/Chicago", "America/Los_Angeles",
    "UTC",
]  # fmt: skip
LEADER_ROWS = 5
MAX_PEOPLE = 30
TEXT_LENGTH = {RegistrationQuestion.Kind.TEXT: 300, RegistrationQuestion.Kind.LONG_TEXT: 2000}
YES_NO = [("yes", _("yes")), ("no", _("no"))]


def time_zone_choices(first: str = "") -> list[tuple[str, str]]:
    """Common zones by their localised name with their current UTC offset; the trip's own zone is always
    among them."""
    now = timezone.now()
    choices = []
    for name in dict.fromkeys([first, *COMMON_TIME_ZONES] if first else COMMON_TIME_ZONES):
        try:
            offset = now.astimezone(zoneinfo.ZoneInfo(name)).strftime("%z")
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            continue
        choices.append((name, f"{zone_label(name, city=True)} · UTC{offset[:3]}:{offset[3:]}"))
    return choices


def _choice_label(label) -> str:
    return str(LazyI18nString(label)) if isinstance(label, dict) else str(label)


def question_choices(question: RegistrationQuestion) -> list[tuple[str, str]]:
    if question.kind == RegistrationQuestion.Kind.YES_NO:
        return [(value, str(label)) for value, label in YES_NO]
    choices = []
    for item in question.choices or []:
        if isinstance(item, dict):
            value = str(item.get("value", ""))
            choices.append((value, _choice_label(item.get("label") or value)))
        else:
            choices.append((str(item), str(item)))
    return choices


def display_answer(question: RegistrationQuestion, value) -> str:
    """An answer as the participant chose it: the label of a choice, "yes"/"no" in the reader's language."""
    text = answer_text(value)
    if question.kind in (RegistrationQuestion.Kind.YES_NO, RegistrationQuestion.Kind.CHOICE):
        return dict(question_choices(question)).get(text, text)
    return text


def question_field(question: RegistrationQuestion, by_pk: dict) -> forms.Field:
    label = str(question.label)
    help_text = ""
    parent = by_pk.get(question.depends_on_id)
    if parent is not None:
        help_text = _("Only if “%(question)s” is answered “%(value)s”.") % {
            "question": str(parent.label),
            "value": display_answer(parent, question.depends_value),
        }
    # A question that depends on another answer is required only where it applies: checked in clean().
    common = {"label": label, "required": question.required and parent is None, "help_text": help_text}
    kind = question.kind
    if kind == RegistrationQuestion.Kind.LONG_TEXT:
        return forms.CharField(
            max_length=TEXT_LENGTH[kind], widget=forms.Textarea(attrs={"rows": 3}), **common
        )
    if kind == RegistrationQuestion.Kind.YES_NO:
        return forms.ChoiceField(choices=question_choices(question), widget=forms.RadioSelect, **common)
    if kind == RegistrationQuestion.Kind.CHOICE:
        return forms.ChoiceField(choices=[("", "—"), *question_choices(question)], **common)
    if kind == RegistrationQuestion.Kind.DATE:
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), **common)
    return forms.CharField(max_length=TEXT_LENGTH[RegistrationQuestion.Kind.TEXT], **common)


def asked_on_form(trip: Delegation) -> list[RegistrationQuestion]:
    """Questions shown on this trip's form: all but those for outgoing trips when the trip is incoming."""
    questions = list(trip.questions.select_related("depends_on"))
    if trip.direction == Delegation.Direction.OUTGOING:
        return questions
    return [q for q in questions if not q.only_outgoing]


class PersonForm(forms.Form):
    """One person: name, address, time zone and the answers to the organiser's questions."""

    family_name = forms.CharField(label=_("Family name"), max_length=100)
    given_name = forms.CharField(label=_("Given name"), max_length=100, required=False)
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    time_zone = forms.ChoiceField(
        label=_("Your time zone"), help_text=_("Times of the programme are also shown in this zone.")
    )

    def __init__(self, *args, trip: Delegation, questions: list[RegistrationQuestion], **kwargs):
        super().__init__(*args, **kwargs)
        self.trip = trip
        self.questions = questions
        self.fields["time_zone"].choices = time_zone_choices(trip.time_zone)
        self.fields["time_zone"].initial = trip.time_zone
        by_pk = {q.pk: q for q in questions}
        for question in questions:
            self.fields[self.answer_field(question)] = question_field(question, by_pk)

    @staticmethod
    def answer_field(question: RegistrationQuestion) -> str:
        return f"q_{question.key}"

    def person_fields(self):
        return [self[name] for name in ("family_name", "given_name", "email", "time_zone")]

    def question_fields(self):
        return [self[self.answer_field(q)] for q in self.questions]

    def clean(self):
        cleaned = super().clean()
        raw = {}
        for question in self.questions:
            value = cleaned.get(self.answer_field(question))
            raw[question.key] = value.isoformat() if isinstance(value, datetime.date) else answer_text(value)
        asked = applicable_questions(self.trip, raw, self.questions)
        for question in asked:
            name = self.answer_field(question)
            if question.required and raw[question.key] == "" and name not in self.errors:
                self.add_error(name, self.fields[name].error_messages["required"])
        cleaned["answers"] = {q.key: raw[q.key] for q in asked if raw[q.key] != ""}
        return cleaned

    def person_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in ("family_name", "given_name", "email", "time_zone")}


class BasePeopleFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        emails = [f.cleaned_data["email"].casefold() for f in self.filled_forms()]
        if len(emails) != len(set(emails)):
            raise forms.ValidationError(_("Each person needs their own e-mail address."))

    def filled_forms(self) -> list[PersonForm]:
        return [f for f in self.forms if f.cleaned_data]


def people_formset(trip: Delegation, *, leader: bool, data=None) -> BasePeopleFormSet:
    """One person for a self-registration; several rows for a delegation leader."""
    formset_class = forms.formset_factory(
        PersonForm,
        formset=BasePeopleFormSet,
        extra=LEADER_ROWS - 1 if leader else 0,
        min_num=1,
        validate_min=True,
        max_num=MAX_PEOPLE if leader else 1,
        validate_max=True,
        absolute_max=MAX_PEOPLE,
    )
    return formset_class(data, prefix="people", form_kwargs={"trip": trip, "questions": asked_on_form(trip)})


def parse_key(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError):
        return None


class RegistrationForm(HoneypotMixin, forms.Form):
    """What is asked once per form: the organisation, the consent, and the protection fields."""

    submission_key = forms.CharField(required=False, widget=forms.HiddenInput)
    organisation_name = forms.CharField(label=_("Organisation"), max_length=300)
    consent = forms.BooleanField(label=_("I agree to the privacy notice above."), required=True)

    field_order = ["organisation_name", "consent"]

    def __init__(self, *args, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organisation is not None:
            # A member registers people of their own organisation: it is known, not typed.
            del self.fields["organisation_name"]
        if not self.is_bound:
            self.initial.setdefault("submission_key", str(uuid.uuid4()))
        self.fields["consent"].error_messages["required"] = _(
            "Please agree to the privacy notice to register."
        )

    def clean_submission_key(self) -> uuid.UUID:
        # A missing or mangled key (an old page, a script) costs only the double-post protection.
        return parse_key(self.cleaned_data.get("submission_key")) or uuid.uuid4()


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)
