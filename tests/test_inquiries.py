"""Inquiries: the public form resists abuse, lands in the right inbox once, and is answered by e-mail."""

import uuid

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from partnerhub.core.audit import history
from partnerhub.inquiries import services
from partnerhub.inquiries.models import Inquiry, InquiryReply
from partnerhub.partnerships.services import save_partnership
from tests import factories as f
from tests.conftest import PERSONAS

pytestmark = pytest.mark.django_db

LANGUAGES = ["de", "en", "zh-hans"]
HTML_LANG = {"de": "de", "en": "en", "zh-hans": "zh-Hans"}
PARTNERSHIP_TITLE = {"de": "Heim und Partner", "en": "Home and Partner", "zh-hans": "家乡与伙伴"}
# Django's own translated messages: our new strings are translated later, Django's already are.
REQUIRED = {
    "de": "Dieses Feld ist zwingend erforderlich.",
    "en": "This field is required.",
    "zh-hans": "这个字段是必填项。",
}
TOO_LONG = {
    "de": "Bitte sicherstellen, dass der Wert aus höchstens 5000 Zeichen besteht.",
    "en": "Ensure this value has at most 5000 characters",
    "zh-hans": "确保该变量包含不超过 5000 字符",
}
SENDER_EMAIL = "li.wei@example.cn"
CONTACT_EMAIL = "contact@home.example.org"
STAFF_ANSWER = "Thank you, we will introduce you to the chamber next week."


def url(name, language, *args):
    with translation.override(language):
        return reverse(name, args=args)


def form_data(**overrides):
    data = {
        "sender_name": "李伟",
        "sender_email": SENDER_EMAIL,
        "sender_organisation": "扬州新材料有限公司",
        "subject": "Cooperation in battery recycling",
        "message": "We are looking for a partner for battery recycling in the home region.",
        "website_url": "",
        "submission_key": str(uuid.uuid4()),
    }
    data.update(overrides)
    return data


@pytest.fixture
def contact(world):
    """The partnership's contact person, who reads Chinese (tagged "zh") and English but not French."""
    person = f.PersonFactory(
        organisation=world.public_org,
        family_name="Schmidt",
        email=CONTACT_EMAIL,
        languages=["fr", "zh", "en"],
    )
    world.partnership.contact = person
    save_partnership(world.partnership, actor=None)
    return person


@pytest.fixture(autouse=True)
def fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


def submit(world, language="en", **overrides):
    data = form_data(**overrides)
    inquiry, _created = services.submit_inquiry(
        world.partnership, data, language=language, submission_key=uuid.UUID(data["submission_key"])
    )
    return inquiry


# The public form


@pytest.mark.parametrize("language", LANGUAGES)
def test_public_form_renders_in_every_language(client, world, language):
    response = client.get(url("inquiries:new", language, world.partnership.slug))
    html = response.content.decode()
    assert response.status_code == 200
    assert f'<html lang="{HTML_LANG[language]}">' in html
    assert PARTNERSHIP_TITLE[language] in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert 'name="submission_key"' in html
    assert 'name="website_url"' in html


def test_each_showing_of_the_form_gets_its_own_submission_key(client, world):
    first = client.get(url("inquiries:new", "en", world.partnership.slug)).context["form"]
    second = client.get(url("inquiries:new", "en", world.partnership.slug)).context["form"]
    assert first.initial["submission_key"] != second.initial["submission_key"]


def test_public_form_of_a_private_partnership_is_not_found(client, world):
    response = client.get(url("inquiries:new", "en", world.private_partnership.slug))
    assert response.status_code == 404


def test_agency_staff_may_open_the_form_of_their_private_partnership(client, world, agency_staff):
    client.force_login(agency_staff)
    assert client.get(url("inquiries:new", "en", world.private_partnership.slug)).status_code == 200


def test_valid_submission_creates_one_inquiry_and_redirects_to_thanks(client, world):
    response = client.post(url("inquiries:new", "de", world.partnership.slug), form_data())
    assert response.status_code == 302
    assert response["Location"] == url("inquiries:thanks", "de")
    inquiry = Inquiry.objects.get()
    assert inquiry.partnership == world.partnership
    assert inquiry.sender_email == SENDER_EMAIL
    assert inquiry.language == "de"
    assert inquiry.status == Inquiry.Status.NEW
    assert [e.action for e in history(inquiry)] == ["inquiry.submitted"]
    thanks = client.get(response["Location"])
    assert thanks.status_code == 200
    assert PARTNERSHIP_TITLE["de"] in thanks.content.decode()


def test_reposting_the_same_submission_creates_no_second_inquiry(
    client, world, contact, mailoutbox, django_capture_on_commit_callbacks
):
    data = form_data()
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url("inquiries:new", "en", world.partnership.slug), data)
        second = client.post(url("inquiries:new", "en", world.partnership.slug), data)
    assert first.status_code == second.status_code == 302
    assert second["Location"] == url("inquiries:thanks", "en")
    assert Inquiry.objects.count() == 1
    assert len(mailoutbox) == 2  # the contact and the confirmation, once


def test_submitting_is_idempotent_by_submission_key(world):
    key = uuid.uuid4()
    first, created = services.submit_inquiry(
        world.partnership, form_data(), language="en", submission_key=key
    )
    again, created_again = services.submit_inquiry(
        world.partnership, form_data(subject="Changed"), language="en", submission_key=key
    )
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert Inquiry.objects.get().subject == "Cooperation in battery recycling"


def test_filled_honeypot_is_rejected_with_a_message_and_nothing_saved(client, world):
    response = client.post(
        url("inquiries:new", "en", world.partnership.slug), form_data(website_url="http://spam.example")
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "This form was filled in automatically and was not accepted." in html
    assert 'class="form-errors"' in html
    assert 'value="Cooperation in battery recycling"' in html
    assert not Inquiry.objects.exists()


def test_over_the_rate_limit_is_refused_with_a_message_and_keeps_the_values(client, world, settings):
    settings.PUBLIC_FORM_RATE_PER_HOUR = 1
    cache.clear()
    assert client.post(url("inquiries:new", "en", world.partnership.slug), form_data()).status_code == 302
    response = client.post(
        url("inquiries:new", "en", world.partnership.slug), form_data(subject="A second question")
    )
    html = response.content.decode()
    assert response.status_code == 429
    assert "Too many inquiries have been sent from your network" in html
    assert 'value="A second question"' in html
    assert "We are looking for a partner for battery recycling" in html
    assert Inquiry.objects.count() == 1


def test_a_double_click_does_not_count_against_the_rate_limit(client, world, settings):
    settings.PUBLIC_FORM_RATE_PER_HOUR = 1
    data = form_data()
    client.post(url("inquiries:new", "en", world.partnership.slug), data)
    assert client.post(url("inquiries:new", "en", world.partnership.slug), data).status_code == 302


@pytest.mark.parametrize("language", LANGUAGES)
def test_too_long_message_is_reported_in_the_users_language_and_values_kept(client, world, language):
    response = client.post(
        url("inquiries:new", language, world.partnership.slug), form_data(message="x" * 5001)
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert TOO_LONG[language] in html
    assert 'value="李伟"' in html
    assert 'value="Cooperation in battery recycling"' in html
    assert not Inquiry.objects.exists()


@pytest.mark.parametrize("language", LANGUAGES)
def test_missing_fields_are_reported_in_the_users_language(client, world, language):
    response = client.post(
        url("inquiries:new", language, world.partnership.slug), form_data(subject="", message="")
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count(REQUIRED[language]) >= 2
    assert 'value="扬州新材料有限公司"' in html
    assert not Inquiry.objects.exists()


def test_a_mangled_submission_key_still_lets_the_person_send(client, world):
    response = client.post(url("inquiries:new", "en", world.partnership.slug), form_data(submission_key="x"))
    assert response.status_code == 302
    assert Inquiry.objects.count() == 1


# E-mails on submission


def test_submission_tells_the_contact_in_their_language_and_confirms_to_the_sender(
    client, world, contact, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("inquiries:new", "de", world.partnership.slug), form_data())
    by_recipient = {tuple(m.to): m for m in mailoutbox}
    assert set(by_recipient) == {(CONTACT_EMAIL,), (SENDER_EMAIL,)}
    to_contact = by_recipient[(CONTACT_EMAIL,)]
    assert PARTNERSHIP_TITLE["zh-hans"] in to_contact.subject  # "zh" in their languages → Chinese
    assert "We are looking for a partner for battery recycling" in to_contact.body
    assert SENDER_EMAIL in to_contact.body
    assert f"/zh-hans/inquiries/{Inquiry.objects.get().pk}/" in to_contact.body
    confirmation = by_recipient[(SENDER_EMAIL,)]
    assert PARTNERSHIP_TITLE["de"] in confirmation.subject  # the language the inquiry was written in
    # Nothing the sender typed goes back to an address nobody has confirmed.
    assert "battery recycling" not in confirmation.subject + confirmation.body


def test_submission_also_tells_the_agency_in_its_working_language(
    world, contact, mailoutbox, django_capture_on_commit_callbacks
):
    world.home_agency.email = "info@home.example.org"
    world.home_agency.language = "de"
    world.home_agency.save()
    with django_capture_on_commit_callbacks(execute=True):
        submit(world, language="en")
    to_agency = next(m for m in mailoutbox if m.to == ["info@home.example.org"])
    assert PARTNERSHIP_TITLE["de"] in to_agency.subject  # the agency works in German
    assert len(mailoutbox) == 3


def test_a_contact_who_withdrew_consent_is_not_written_to(
    world, contact, mailoutbox, django_capture_on_commit_callbacks
):
    contact.consent = contact.Consent.WITHDRAWN
    contact.save()
    with django_capture_on_commit_callbacks(execute=True):
        submit(world)
    assert [m.to for m in mailoutbox] == [[SENDER_EMAIL]]


@pytest.mark.parametrize(
    ("tags", "language"),
    [(["fr", "zh"], "zh-hans"), (["de-AT", "en"], "de"), (["EN"], "en"), (["fr"], "en"), ([], "en")],
)
def test_contact_language_is_the_first_they_speak_that_we_write(tags, language):
    assert services.person_language(f.PersonFactory.build(languages=tags)) == language


# The staff inbox


INBOX_VISIBLE_TO = {"agency_staff", "superuser"}


@pytest.mark.parametrize("persona_name", PERSONAS)
def test_inquiries_are_visible_only_to_the_partnerships_agency(world, request, persona_name):
    inquiry = submit(world)
    user = request.getfixturevalue(persona_name)
    visible = Inquiry.objects.visible_to(user).filter(pk=inquiry.pk).exists()
    assert visible == (persona_name in INBOX_VISIBLE_TO)


@pytest.mark.parametrize("persona_name", [p for p in PERSONAS if p != "anonymous"])
def test_inbox_and_detail_follow_visibility(client, world, request, persona_name):
    inquiry = submit(world, subject="Visible only to the home agency")
    client.force_login(request.getfixturevalue(persona_name))
    inbox = client.get(url("inquiries:inbox", "en"))
    detail = client.get(url("inquiries:detail", "en", inquiry.pk))
    assert inbox.status_code == 200
    if persona_name in INBOX_VISIBLE_TO:
        assert "Visible only to the home agency" in inbox.content.decode()
        assert detail.status_code == 200
        assert "We are looking for a partner" in detail.content.decode()
    else:
        assert "Visible only to the home agency" not in inbox.content.decode()
        assert detail.status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, world):
    inquiry = submit(world)
    for response in (
        client.get(url("inquiries:inbox", "en")),
        client.get(url("inquiries:detail", "en", inquiry.pk)),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith(url("account_login", "en"))


def test_inbox_filters_by_status_newest_first(client, world, agency_staff):
    older = submit(world, subject="Older question")
    newer = submit(world, subject="Newer question")
    services.close_inquiry(older, actor=agency_staff)
    client.force_login(agency_staff)
    html = client.get(url("inquiries:inbox", "en")).content.decode()
    assert html.index("Newer question") < html.index("Older question")
    new_only = client.get(url("inquiries:inbox", "en"), {"status": "new"})
    assert list(new_only.context["page"]) == [newer]
    closed_only = client.get(url("inquiries:inbox", "en"), {"status": "closed"})
    assert list(closed_only.context["page"]) == [older]


@pytest.mark.parametrize("language", LANGUAGES)
def test_inbox_and_detail_render_in_every_language(client, world, agency_staff, language):
    inquiry = submit(world)
    client.force_login(agency_staff)
    for response in (
        client.get(url("inquiries:inbox", language)),
        client.get(url("inquiries:detail", language, inquiry.pk)),
    ):
        assert response.status_code == 200
        assert f'<html lang="{HTML_LANG[language]}">' in response.content.decode()


# Answering and closing


def test_answering_emails_the_sender_with_replies_to_the_staff_member(
    client, world, agency_staff, mailoutbox, django_capture_on_commit_callbacks
):
    inquiry = submit(world, language="zh-hans")
    client.force_login(agency_staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("inquiries:answer", "en", inquiry.pk),
            {"body": STAFF_ANSWER, "submission_key": str(uuid.uuid4())},
        )
    assert response.status_code == 302
    [mail] = mailoutbox
    assert mail.to == [SENDER_EMAIL]
    assert mail.reply_to == [agency_staff.email]
    assert STAFF_ANSWER in mail.body
    assert PARTNERSHIP_TITLE["zh-hans"] in mail.body  # in the language the inquiry was written in
    inquiry.refresh_from_db()
    assert inquiry.status == Inquiry.Status.ANSWERED
    assert inquiry.answered_by == agency_staff
    assert inquiry.answered_at is not None
    assert inquiry.replies.get().body == STAFF_ANSWER
    assert history(inquiry).first().action == "inquiry.answered"
    assert history(inquiry).first().actor == agency_staff


def test_a_double_posted_answer_is_sent_once(
    client, world, agency_staff, mailoutbox, django_capture_on_commit_callbacks
):
    inquiry = submit(world)
    client.force_login(agency_staff)
    data = {"body": STAFF_ANSWER, "submission_key": str(uuid.uuid4())}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("inquiries:answer", "en", inquiry.pk), data)
        client.post(url("inquiries:answer", "en", inquiry.pk), data)
    assert InquiryReply.objects.count() == 1
    assert len(mailoutbox) == 1


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_empty_answer_is_reported_in_the_users_language(client, world, agency_staff, language):
    inquiry = submit(world)
    client.force_login(agency_staff)
    response = client.post(url("inquiries:answer", language, inquiry.pk), {"body": "   "})
    assert response.status_code == 200
    assert REQUIRED[language] in response.content.decode()
    assert not InquiryReply.objects.exists()


def test_partner_staff_cannot_answer(world, partner_staff, mailoutbox, django_capture_on_commit_callbacks):
    inquiry = submit(world)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(PermissionDenied):
        services.answer_inquiry(inquiry, STAFF_ANSWER, actor=partner_staff)
    assert not InquiryReply.objects.exists()
    assert mailoutbox == []


@pytest.mark.parametrize("persona_name", ["partner_staff", "member_a", "other_staff"])
def test_others_posting_an_answer_find_nothing_and_send_nothing(
    client, world, request, persona_name, mailoutbox, django_capture_on_commit_callbacks
):
    inquiry = submit(world)
    client.force_login(request.getfixturevalue(persona_name))
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(url("inquiries:answer", "en", inquiry.pk), {"body": STAFF_ANSWER})
        close = client.post(url("inquiries:close", "en", inquiry.pk))
    assert answer.status_code == close.status_code == 404
    inquiry.refresh_from_db()
    assert inquiry.status == Inquiry.Status.NEW
    assert mailoutbox == []


def test_closing_is_audited_and_a_closed_inquiry_cannot_be_answered(client, world, agency_staff):
    inquiry = submit(world)
    client.force_login(agency_staff)
    response = client.post(url("inquiries:close", "en", inquiry.pk))
    assert response.status_code == 302
    inquiry.refresh_from_db()
    assert inquiry.status == Inquiry.Status.CLOSED
    assert history(inquiry).first().action == "inquiry.closed"
    with pytest.raises(ValidationError):
        services.answer_inquiry(inquiry, STAFF_ANSWER, actor=agency_staff)


def test_closing_and_answering_require_post(client, world, agency_staff):
    inquiry = submit(world)
    client.force_login(agency_staff)
    assert client.get(url("inquiries:close", "en", inquiry.pk)).status_code == 405
    assert client.get(url("inquiries:answer", "en", inquiry.pk)).status_code == 405


# The admin


def test_admin_lists_inquiries_read_only_for_the_agency(client, world, agency_staff, partner_staff):
    from django.contrib.auth.models import Permission

    inquiry = submit(world, subject="Seen in the admin")
    permissions = Permission.objects.filter(content_type__app_label="inquiries")
    for user in (agency_staff, partner_staff):
        user.user_permissions.add(*permissions)
    client.force_login(agency_staff)
    assert "Seen in the admin" in client.get(url("admin:inquiries_inquiry_changelist", "en")).content.decode()
    assert client.get(url("admin:inquiries_inquiry_change", "en", inquiry.pk)).status_code == 200
    client.force_login(partner_staff)
    assert (
        "Seen in the admin"
        not in client.get(url("admin:inquiries_inquiry_changelist", "en")).content.decode()
    )
    assert client.get(url("admin:inquiries_inquiry_change", "en", inquiry.pk)).status_code in (302, 404)
