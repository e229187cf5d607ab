"""Select boxes written by partnerhub's form renderer are exactly what Django's templates write."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates

from partnerhub.core.rendering import FormRenderer


class Sample(forms.Form):
    one = forms.ChoiceField(choices=[("", "—"), ("a&b", "A & <b>"), ("2", "Zwei")], initial="a&b")
    many = forms.MultipleChoiceField(
        choices=[("Fruit", [("1", "Äpfel"), ("2", "梨")]), ("3", "Other")],
        widget=forms.SelectMultiple(attrs={"size": 4, "data-x": 'say "hi"', "disabled": False}),
        required=False,
    )
    typed = forms.TypedChoiceField(choices=[(1465, "1465"), (None, "none")], coerce=int, initial=1465)


class CustomOption(forms.Select):
    option_template_name = "django/forms/widgets/input_option.html"


@pytest.mark.parametrize("data", [None, {"one": "2", "many": ["1", "3"], "typed": "1465"}])
def test_selects_are_rendered_byte_for_byte_like_djangos_templates(data):
    ours = Sample(data, renderer=FormRenderer()).as_div()
    django = Sample(data, renderer=DjangoTemplates()).as_div()
    assert ours == django
    assert "<option" in ours and "&amp;" in ours and "&lt;b&gt;" in ours and "梨" in ours


def test_a_select_whose_options_use_another_template_goes_through_the_templates():
    widget = CustomOption(choices=[("x", "X")])
    ours = widget.render("f", "x", renderer=FormRenderer())
    assert ours == widget.render("f", "x", renderer=DjangoTemplates())


def test_the_setting_uses_it():
    from django.forms.renderers import get_default_renderer

    assert isinstance(get_default_renderer(), FormRenderer)
