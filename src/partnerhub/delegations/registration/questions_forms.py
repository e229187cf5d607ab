"""The staff form for one registration question (label in every language, choices one per line)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from i18nfield.forms import I18nModelForm

from partnerhub.core.editing import VersionedFormMixin
from partnerhub.delegations.models import RegistrationQuestion

CHOICE_LANGUAGES = ("en", "de", "zh-hans")  # the order of the labels on a line of the choices field


def choices_to_text(choices) -> str:
    """The stored choices as lines ``value | English | Deutsch | 中文``."""
    lines = []
    for item in choices or []:
        if isinstance(item, dict):
            label = item.get("label") or {}
            if not isinstance(label, dict):
                label = {"en": str(label)}
            parts = [str(item.get("value", ""))] + [label.get(lang, "") for lang in CHOICE_LANGUAGES]
            while parts and not parts[-1]:
                parts.pop()
            lines.append(" | ".join(parts))
        else:
            lines.append(str(item))
    return "\n".join(lines)


def text_to_choices(text: str) -> list[dict]:
    """Lines back to ``[{"value", "label": {language: text}}]``; raises ValidationError on a bad line."""
    choices, seen = [], set()
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split("|")]
        value = parts[0]
        if not value:
            raise forms.ValidationError(
                _("Line %(line)s: start with the stored value, e.g. “vegetarian | Vegetarian”."),
                params={"line": number},
            )
        if len(value) > 100:
            raise forms.ValidationError(
                _("Line %(line)s: the stored value can have at most 100 characters."), params={"line": number}
            )
        if value.casefold() in seen:
            raise forms.ValidationError(
                _("Line %(line)s: the value “%(value)s” is used twice."),
                params={"line": number, "value": value},
            )
        seen.add(value.casefold())
        labels = {lang: text for lang, text in zip(CHOICE_LANGUAGES, parts[1:], strict=False) if text}
        choices.append({"value": value, "label": labels or {"en": value}})
    return choices


class QuestionForm(VersionedFormMixin, I18nModelForm):
    choices_text = forms.CharField(
        label=_("Choices"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Only for “one of several”: one choice per line, the stored value first, then the label in "
            "English, German and Chinese, separated by “|”, e.g. “vegetarian | Vegetarian | Vegetarisch | 素食”."
        ),
    )

    class Meta:
        model = RegistrationQuestion
        fields = ["label", "key", "kind", "required", "only_outgoing", "depends_on", "depends_value"]

    field_order = [
        "label", "key", "kind", "choices_text", "required", "only_outgoing", "depends_on", "depends_value",
    ]  # fmt: skip

    def __init__(self, *args, trip, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.delegation = trip
        others = trip.questions.all()
        if self.instance.pk is not None:
            others = others.exclude(pk=self.instance.pk)
        self.fields["depends_on"].queryset = others
        self.fields["depends_on"].help_text = _("Leave empty to ask it always.")
        self.fields["depends_value"].help_text = _(
            "The answer that makes this question apply: the stored value of a choice, or “yes” / “no”."
        )
        if not self.is_bound:
            self.initial["choices_text"] = choices_to_text(self.instance.choices)

    def clean_choices_text(self) -> list[dict]:
        return text_to_choices(self.cleaned_data.get("choices_text", ""))

    def validate_unique(self):
        """Uniqueness of the key is checked by the service, with a message naming the key."""

    def clean(self):
        cleaned = super().clean()
        if "choices_text" in cleaned:
            self.instance.choices = cleaned["choices_text"]
        return cleaned
