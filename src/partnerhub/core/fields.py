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


class TagListFormField(forms.CharField):
    """Edits a list of short texts as one line, separated by commas (also the Chinese ，and 、)."""

    SEPARATORS = (",", "，", "、", ";", "；")

    def prepare_value(self, value):
        if isinstance(value, list):
            return ", ".join(str(v) for v in value)
        return value

    def to_python(self, value):
        text = super().to_python(value) or ""
        for separator in self.SEPARATORS[1:]:
            text = text.replace(separator, ",")
        items = [item.strip() for item in text.split(",")]
        return list(dict.fromkeys(item for item in items if item))


class TagListField(models.JSONField):
    """A list of keywords or technologies stored as JSON, typed as a comma-separated line."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default", list)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def formfield(self, **kwargs):
        return TagListFormField(
            required=not self.blank,
            label=self.verbose_name,
            help_text=self.help_text or _("Separate entries with commas."),
        )


#: Model admins' ``formfield_overrides`` entry: a website typed without a scheme means https (Django 6's default).
HTTPS_URLS = {models.URLField: {"assume_scheme": "https"}}


def https_formfield(db_field, **kwargs):
    """``formfield_callback`` of model forms: a URL typed without a scheme gets ``https://``, as in Django 6."""
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return db_field.formfield(**kwargs)
