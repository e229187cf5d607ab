from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class ChoiceListField(models.JSONField):
    """A list of choice values stored as JSON (works on SQLite and PostgreSQL alike), edited as checkboxes."""

    def __init__(self, *args, choices_enum=None, **kwargs):
        self.choices_enum = choices_enum
        kwargs.setdefault("default", list)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        return name, path, args, kwargs

    def validate(self, value, model_instance):
        super().validate(value, model_instance)
        if self.choices_enum is not None:
            unknown = [v for v in value or [] if v not in self.choices_enum.values]
            if unknown:
                raise ValidationError(
                    _("Unknown value(s): %(values)s"), params={"values": ", ".join(unknown)}
                )

    def formfield(self, **kwargs):
        if self.choices_enum is None:
            return super().formfield(**kwargs)
        return forms.TypedMultipleChoiceField(
            choices=self.choices_enum.choices,
            required=not self.blank,
            label=self.verbose_name,
            help_text=self.help_text,
            widget=forms.CheckboxSelectMultiple,
        )

    def labels(self, value):
        mapping = dict(self.choices_enum.choices) if self.choices_enum else {}
        return [mapping.get(v, v) for v in value or []]
