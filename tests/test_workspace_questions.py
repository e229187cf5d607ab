"""Staff pages for registration questions: add, edit, reorder, delete, as the organiser does in the browser."""

import pytest
from django.utils import timezone, translation

from partnerhub.core.audit import history
from partnerhub.delegations.models import Registration, RegistrationQuestion
from partnerhub.delegations.registration import questions
from partnerhub.privacy.models import PrivacyNotice
from tests.clients import signed_in, url
from tests.formdata import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def trip(world):
    PrivacyNotice.objects.get_or_create(version=1, defaults={"text": {"en": "We keep your data."}})
    return world.delegation


def ask(trip, key, **extra):
    extra.setdefault("label", {"en": key.replace("_", " ").capitalize()})
    return questions.save_question(RegistrationQuestion(delegation=trip, key=key, **extra), actor=None)


def answered(trip, key, value="x"):
    return Registration.objects.create(
        delegation=trip, family_name="Muster", organisation_name="Firma", email=f"{key}@example.org",
        answers={key: value}, privacy_notice=PrivacyNotice.current(), consent_given_at=timezone.now(),
    )  # fmt: skip


def fill_question(data, *, de, en, zh, key, kind="text"):
    data["label_0"], data["label_1"], data["label_2"] = de, en, zh
    data["key"] = key
    data["kind"] = kind
    return data


@pytest.mark.parametrize("language", ["de", "zh-hans"])
def test_staff_add_a_choice_question_that_appears_on_the_registration_form(
    client, trip, agency_staff, language
):
    client.force_login(agency_staff)
    page = client.get(url("delegations:question_add", language, trip.slug))
    assert page.status_code == 200
    data = fill_question(form_data(page), de="Ernährung", en="Diet", zh="饮食", key="diet", kind="choice")
    data["choices_text"] = (
        "vegetarian | Vegetarian | Vegetarisch | 素食\nnone | No wishes | Keine Wünsche | 无"
    )
    data["required"] = "on"
    response = client.post(page.request["PATH_INFO"], data)
    assert response.status_code == 302
    question = trip.questions.get(key="diet")
    assert question.required and question.kind == "choice"
    assert question.choices[0] == {
        "value": "vegetarian",
        "label": {"en": "Vegetarian", "de": "Vegetarisch", "zh-hans": "素食"},
    }
    assert history(trip).filter(action="registration_question.created").exists()
    form = client.get(url("delegations:register", language, trip.slug)).content.decode()
    expected = {"de": ("Ernährung", "Vegetarisch"), "zh-hans": ("饮食", "素食")}[language]
    assert all(text in form for text in expected)
    assert 'name="people-0-q_diet"' in form


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("de", "Diese Reise hat schon eine Frage mit dem Schlüssel „diet“."),
        ("zh-hans", "此行程已有键为“diet”的问题。"),
    ],
)
def test_a_duplicate_key_is_refused_in_the_users_language(client, trip, agency_staff, language, message):
    ask(trip, "diet")
    client.force_login(agency_staff)
    page = client.get(url("delegations:question_add", language, trip.slug))
    data = fill_question(form_data(page), de="Essen", en="Food", zh="食物", key="diet")
    response = client.post(page.request["PATH_INFO"], data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert trip.questions.count() == 1


@pytest.mark.parametrize(
    ("language", "message"),
    [("de", "Wählen Sie eine Frage dieser Reise."), ("zh-hans", "请选择此行程的问题。")],
)
def test_a_question_cannot_depend_on_a_question_of_another_trip(trip, language, message):
    from tests.factories import DelegationFactory

    other = ask(DelegationFactory(partnership=trip.partnership), "visa", kind="yes_no")
    question = RegistrationQuestion(
        delegation=trip, key="visa_office", label={"en": "Visa office"}, depends_on=other, depends_value="yes"
    )
    with translation.override(language), pytest.raises(questions.ValidationError) as caught:
        questions.save_question(question, actor=None)
    assert message in caught.value.message_dict["depends_on"]


def test_the_form_offers_only_this_trips_questions_to_depend_on(client, trip, world, agency_staff):
    from tests.factories import DelegationFactory

    ask(DelegationFactory(partnership=trip.partnership), "elsewhere")
    mine = ask(trip, "visa", kind="yes_no")
    client.force_login(agency_staff)
    page = client.get(url("delegations:question_add", "en", trip.slug)).content.decode()
    assert f'<option value="{mine.pk}">' in page and "Elsewhere" not in page


def test_a_dependent_question_is_asked_only_when_the_answer_fits(client, trip, agency_staff):
    visa = ask(trip, "visa", kind="yes_no")
    client.force_login(agency_staff)
    page = client.get(url("delegations:question_add", "de", trip.slug))
    data = fill_question(form_data(page), de="Visastelle", en="Visa office", zh="签证处", key="visa_office")
    data["depends_on"], data["depends_value"] = str(visa.pk), "maybe"
    response = client.post(page.request["PATH_INFO"], data)
    assert response.status_code == 400
    assert "Verwenden Sie eine der Antworten" in response.content.decode()
    data["depends_value"] = "yes"
    assert client.post(page.request["PATH_INFO"], data).status_code == 302
    assert trip.questions.get(key="visa_office").depends_on == visa


def test_staff_reorder_questions(client, trip, agency_staff):
    first, second = ask(trip, "first"), ask(trip, "second")
    client.force_login(agency_staff)
    page = client.get(url("delegations:question_list", "en", trip.slug))
    action = url("delegations:question_move", "en", trip.slug, second.pk)
    client.post(action, form_data(page, action=action))  # the first such form is "up"
    assert [q.key for q in trip.questions.all()] == ["second", "first"]
    assert history(trip).filter(action="registration_question.moved").exists()
    assert first.pk


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("de", "Diese Frage kann nicht gelöscht werden: 1 Anmeldung(en)"),
        ("zh-hans", "无法删除此问题：已有 1 份报名回答了它"),
    ],
)
def test_an_answered_question_is_not_deleted_and_the_page_says_why(
    client, trip, agency_staff, language, message
):
    question = ask(trip, "diet")
    answered(trip, "diet")
    client.force_login(agency_staff)
    response = client.post(url("delegations:question_delete", language, trip.slug, question.pk), follow=True)
    assert message in response.content.decode()
    assert trip.questions.filter(pk=question.pk).exists()


def test_an_unanswered_question_is_deleted(client, trip, agency_staff):
    question = ask(trip, "diet")
    client.force_login(agency_staff)
    client.post(url("delegations:question_delete", "en", trip.slug, question.pk))
    assert not trip.questions.exists()
    assert history(trip).filter(action="registration_question.deleted").exists()


def test_a_question_others_depend_on_is_not_deleted(trip):
    visa = ask(trip, "visa", kind="yes_no")
    ask(trip, "visa_office", depends_on=visa, depends_value="yes")
    with pytest.raises(questions.ValidationError):
        questions.delete_question(visa, actor=None)


def test_a_passport_question_keeps_its_key_and_plain_text(client, trip, agency_staff):
    passport = ask(trip, "passport_number")
    client.force_login(agency_staff)
    page = client.get(url("delegations:question_edit", "de", trip.slug, passport.pk))
    data = form_data(page)
    data["key"], data["kind"] = "pass", "date"
    response = client.post(page.request["PATH_INFO"], data)
    assert response.status_code == 400
    text = response.content.decode()
    assert "Eine Passnummer wird als einfacher Text abgefragt." in text
    passport.refresh_from_db()
    assert passport.key == "passport_number"


def test_no_question_depends_on_a_passport_number(trip):
    passport = ask(trip, "passport_number")
    with pytest.raises(questions.ValidationError) as caught:
        ask(trip, "visa_office", depends_on=passport, depends_value="X1")
    assert "depends_on" in caught.value.message_dict


def test_the_key_of_an_answered_question_stays(client, trip, agency_staff):
    question = ask(trip, "diet")
    answered(trip, "diet")
    client.force_login(agency_staff)
    page = client.get(url("delegations:question_edit", "en", trip.slug, question.pk))
    data = form_data(page)
    data["key"] = "food"
    assert client.post(page.request["PATH_INFO"], data).status_code == 400
    question.refresh_from_db()
    assert question.key == "diet"


@pytest.mark.parametrize("language", ["de", "zh-hans"])
def test_two_staff_editing_one_question_lose_neither_text(trip, agency_staff, language):
    question = ask(trip, "diet", label={"en": "Diet"})
    edit = url("delegations:question_edit", language, trip.slug, question.pk)
    first, second = signed_in(agency_staff), signed_in(agency_staff)
    first_form, second_form = form_data(first.get(edit)), form_data(second.get(edit))
    first_form["label_1"] = "Diet wishes"
    assert first.post(edit, first_form).status_code == 302
    second_form["label_1"] = "Food allergies"
    response = second.post(edit, second_form)
    assert response.status_code == 400
    text = response.content.decode()
    assert "Food allergies" in text and "Diet wishes" in text  # both texts on the page
    assert 'class="card conflict"' in text
    question.refresh_from_db()
    assert question.label.data["en"] == "Diet wishes"


@pytest.mark.parametrize("persona_name", ["partner_staff", "other_staff", "member_a"])
def test_other_roles_cannot_open_or_change_the_questions(client, request, trip, persona_name):
    question = ask(trip, "diet")
    client.force_login(request.getfixturevalue(persona_name))
    for name, args in [("question_list", ()), ("question_add", ()), ("question_edit", (question.pk,))]:
        assert client.get(url(f"delegations:{name}", "en", trip.slug, *args)).status_code in (403, 404)
    assert client.post(url("delegations:question_delete", "en", trip.slug, question.pk)).status_code in (
        403,
        404,
    )
    assert trip.questions.filter(pk=question.pk).exists()


def test_partner_staff_who_see_the_trip_are_refused_not_hidden(client, trip, world, partner_staff):
    trip.shared_with.add(world.partner_agency)
    client.force_login(partner_staff)
    assert client.get(url("delegations:question_list", "en", trip.slug)).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, trip):
    response = client.get(url("delegations:question_list", "en", trip.slug))
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_history_tells_question_changes_in_the_readers_language(trip, agency_staff):
    from partnerhub.core.history import describe

    question = ask(trip, "diet", label={"en": "Diet"})
    questions.delete_question(question, actor=agency_staff)
    entry = history(trip).get(action="registration_question.deleted")
    with translation.override("de"):
        assert describe(entry).endswith("hat die Anmeldefrage „Diet“ gelöscht.")
    with translation.override("zh-hans"):
        assert "删除了报名问题“Diet”" in describe(entry)
