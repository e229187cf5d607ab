"""Bad input gets a clear message in the user's language, and what was typed stays in the form."""

import pytest
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db

# Django's own translated message for an invalid choice, in each language.
INVALID_CHOICE = {
    "de": "Bitte eine gültige Auswahl treffen.",
    "en": "Select a valid choice.",
    "zh-hans": "选择一个有效的选项",
}
WRONG_LOGIN = {
    "de": "Die E-Mail-Adresse und/oder das Passwort sind leider falsch.",
    "en": "The email address and/or password you specified are not correct.",
    "zh-hans": "您提供的电子邮件地址和/或密码不正确。",
}


def url(name, language):
    with translation.override(language):
        return reverse(name)


@pytest.mark.parametrize("language", ["de", "en", "zh-hans"])
def test_directory_with_invalid_filter_explains_and_keeps_the_query(client, world, language):
    response = client.get(
        url("organisations:directory", language), {"q": "Robotik 机器人", "size": "gigantic"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert INVALID_CHOICE[language] in html
    assert 'value="Robotik 机器人"' in html


def test_directory_search_finds_german_and_chinese_names(client, world):
    html = client.get(url("organisations:directory", "en"), {"q": "maschinenbau"}).content.decode()
    assert "Öffentliche Maschinenbau GmbH" in html
    assert "Verborgene Sensorik GmbH" not in html


def test_directory_filters_by_sector_and_size(client, world):
    from partnerhub.organisations.services import save_organisation

    world.public_org.headcount = 5
    save_organisation(world.public_org, actor=None, sector_codes=["28.41"])
    html = client.get(url("organisations:directory", "en"), {"sector": "C", "size": "micro"}).content.decode()
    assert "Öffentliche Maschinenbau GmbH" in html
    html = client.get(
        url("organisations:directory", "en"), {"sector": "62", "size": "micro"}
    ).content.decode()
    assert "Öffentliche Maschinenbau GmbH" not in html


def test_directory_answers_htmx_with_the_results_only(client, world):
    response = client.get(url("organisations:directory", "en"), {"q": "maschinenbau"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html
    assert "Öffentliche Maschinenbau GmbH" in html


def test_too_long_search_is_reported(client, world):
    html = client.get(url("organisations:directory", "en"), {"q": "x" * 300}).content.decode()
    assert "Ensure this value has at most 200 characters" in html


@pytest.mark.parametrize("language", ["de", "en", "zh-hans"])
def test_wrong_password_explains_in_the_users_language_and_keeps_the_email(
    client, world, agency_staff, language
):
    response = client.post(
        url("account_login", language), {"login": "staff@home.example.org", "password": "wrong"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert WRONG_LOGIN[language] in html
    assert 'value="staff@home.example.org"' in html


def test_correct_password_signs_in(client, world, agency_staff):
    response = client.post(
        url("account_login", "en"), {"login": "staff@home.example.org", "password": "correct-horse-battery"}
    )
    assert response.status_code == 302
    assert client.get(url("partnerships:list", "en")).content.decode().count("Secret plans") == 1


def test_valid_filters_still_apply_when_another_filter_is_invalid(client, world):
    html = client.get(
        url("organisations:directory", "en"), {"q": "maschinenbau", "size": "gigantic"}
    ).content.decode()
    assert "Select a valid choice." in html
    assert "Öffentliche Maschinenbau GmbH" in html
    assert "Verborgene Sensorik GmbH" not in html


@pytest.mark.parametrize(
    ("app", "model", "field"),
    [
        ("agencies", "Agency", "website"),
        ("organisations", "Organisation", "website"),
        ("ideas", "ProjectIdea", "organisation_website"),
    ],
)
def test_a_website_typed_without_a_scheme_means_https_in_the_admin(app, model, field, rf, agency_staff):
    import warnings

    from django.apps import apps
    from django.contrib import admin

    model_class = apps.get_model(app, model)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # Django 5.2 warns about the http default it drops in 6.0
        form_field = admin.site._registry[model_class].formfield_for_dbfield(
            model_class._meta.get_field(field), request=rf.get("/")
        )
    assert form_field.clean("example.org") == "https://example.org"
    assert form_field.clean("http://example.org") == "http://example.org"


def test_a_website_typed_without_a_scheme_means_https_on_the_idea_form():
    from partnerhub.ideas.forms import IdeaForm

    assert IdeaForm.base_fields["organisation_website"].clean("firma.de") == "https://firma.de"
