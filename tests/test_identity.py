"""Identity: an address counts for a user only once verified, and a registration belongs to a person by a
link proven that way, never by a match on a changeable field (issue 12, item 1; decision 0015)."""
# ruff: noqa: F811 — the trip fixture is imported from the meetings tests

import re

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse
from django.utils import timezone, translation

from partnerhub.delegations.meetings import services as meetings
from partnerhub.delegations.models import MeetingRequest, Registration
from partnerhub.privacy.models import PrivacyNotice
from tests import factories as f
from tests.test_delegations_meetings import trip  # noqa: F401

pytestmark = pytest.mark.django_db

VICTIM = "wei.zhang@example.cn"


def url(name, language, *args):
    with translation.override(language):
        return reverse(name, args=args)


def seat(trip, family_name, email, *, org=None, participant=None, registered_by=None):
    return Registration.objects.create(
        delegation=trip,
        family_name=family_name,
        organisation=org,
        organisation_name=org.name if org else "Zhang Consulting",
        email=email,
        registered_by=registered_by,
        status=Registration.Status.CONFIRMED,
        privacy_notice=PrivacyNotice.current(),
        consent_given_at=timezone.now(),
        **({"participant": participant} if participant else {}),
    )


@pytest.fixture
def victim_request(trip, world, member_a):
    """Wei Zhang registered without an account; member A's colleague asked them for a meeting."""
    victim = seat(trip, "Zhang", VICTIM)
    alice = seat(trip, "Alice", member_a.email, org=world.private_org)
    return meetings.request_meeting(alice, victim, "Sensors?", actor=member_a)


@pytest.fixture
def mallory(world):
    return f.UserFactory(email="mallory@example.org")


def add_address(client, email, language="en"):
    return client.post(url("account_email", language), {"email": email, "action_add": ""})


# --- the attack from the issue ---------------------------------------------------------------------------


def test_an_added_address_of_someone_else_neither_becomes_primary_nor_opens_their_meetings(
    client, trip, victim_request, mallory
):
    client.force_login(mallory)
    add_address(client, VICTIM)
    client.post(url("account_email", "en"), {"email": VICTIM, "action_primary": ""})

    mallory.refresh_from_db()
    assert mallory.email == "mallory@example.org"
    assert not EmailAddress.objects.filter(email=VICTIM, verified=True).exists()
    page = client.get(url("delegations:meetings_participant", "en", trip.slug))
    assert [t.name for t in page.templates][0] == "delegations/meetings/not_registered.html"
    response = client.post(
        url("delegations:meetings_answer", "en", trip.slug, victim_request.pk), {"answer": "accept"}
    )
    assert response.status_code == 404
    victim_request.refresh_from_db()
    assert victim_request.status == MeetingRequest.Status.PENDING


def test_a_matching_account_address_alone_does_not_make_anyone_a_participant(trip, victim_request, mallory):
    # Even were an address to slip into User.email unproven, the string no longer decides who acts.
    type(mallory).objects.filter(pk=mallory.pk).update(email=VICTIM)
    mallory.refresh_from_db()
    assert not meetings.registrations_of(mallory, trip).exists()


# --- an address another account holds ----------------------------------------------------------------------

TAKEN = {
    "en": "This e-mail address belongs to another account",
    "de": "Diese E-Mail-Adresse gehört zu einem anderen Konto",
    "zh-hans": "此电子邮件地址属于另一个账户",
}


@pytest.mark.parametrize("language", ["en", "de", "zh-hans"])
def test_adding_an_address_another_account_holds_is_a_clear_form_error(client, language, mallory, member_b):
    client.force_login(mallory)
    response = add_address(client, member_b.email.upper(), language)
    assert response.status_code == 200
    assert TAKEN[language] in response.content.decode()
    assert not EmailAddress.objects.filter(user=mallory, email=member_b.email).exists()


def test_making_someone_elses_address_primary_is_no_server_error(client, mallory, member_b):
    # An unverified row left from before the fix (the old page accepted the address silently).
    EmailAddress.objects.create(user=mallory, email=member_b.email, verified=False, primary=False)
    client.force_login(mallory)
    response = client.post(url("account_email", "en"), {"email": member_b.email, "action_primary": ""})
    assert response.status_code == 302
    mallory.refresh_from_db()
    assert mallory.email == "mallory@example.org"


def test_an_address_only_pending_on_another_account_can_still_be_added_by_its_owner(client, mallory):
    EmailAddress.objects.create(user=mallory, email="new@example.net", verified=False, primary=False)
    owner = f.UserFactory(email="old@example.net")
    client.force_login(owner)
    response = add_address(client, "new@example.net")
    assert response.status_code == 302
    assert EmailAddress.objects.filter(user=owner, email="new@example.net", verified=False).exists()


# --- a proven link still works --------------------------------------------------------------------------


def test_an_account_the_agency_creates_for_a_registered_address_takes_over_its_registration(
    trip, victim_request
):
    owner = f.UserFactory(email=VICTIM)
    assert Registration.objects.get(email=VICTIM).participant == owner
    assert list(meetings.registrations_of(owner, trip)) == [victim_request.recipient]


def test_a_linked_participant_answers_their_meeting_request_on_the_page(client, trip, victim_request):
    owner = f.UserFactory(email=VICTIM)
    client.force_login(owner)
    assert client.get(url("delegations:meetings_participant", "en", trip.slug)).status_code == 200
    response = client.post(
        url("delegations:meetings_answer", "en", trip.slug, victim_request.pk), {"answer": "accept"}
    )
    assert response.status_code == 302
    victim_request.refresh_from_db()
    assert victim_request.status == MeetingRequest.Status.ACCEPTED


def test_confirming_an_address_makes_it_the_accounts_and_links_its_registrations(
    client, trip, victim_request, mailoutbox, django_capture_on_commit_callbacks
):
    """The owner of the address signs in with an older address, changes to it and follows the link."""
    owner = f.UserFactory(email="wei@old.example.cn")
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):  # the e-mail leaves the outbox at commit
        add_address(client, VICTIM)
    owner.refresh_from_db()
    assert owner.email == "wei@old.example.cn"  # pending until confirmed
    assert not meetings.registrations_of(owner, trip).exists()

    [mail] = [m for m in mailoutbox if m.to == [VICTIM]]
    link = re.search(r"https?://[^/\s]+(/\S*/confirm-email/[-:\w]+/)", mail.body).group(1)
    assert client.post(link).status_code == 302

    owner.refresh_from_db()
    assert owner.email == VICTIM
    assert EmailAddress.objects.filter(user=owner, email=VICTIM, verified=True, primary=True).exists()
    assert Registration.objects.get(email=VICTIM).participant == owner
    response = client.post(
        url("delegations:meetings_answer", "en", trip.slug, victim_request.pk), {"answer": "decline"}
    )
    assert response.status_code == 302
    victim_request.refresh_from_db()
    assert victim_request.status == MeetingRequest.Status.DECLINED


def registration_post(email):
    return {
        "submission_key": "5b0f3c1e-8a47-4f43-9a59-6c0c8f6f2f11",
        "organisation_name": "Zhang Consulting",
        "consent": "on",
        "website_url": "",
        "people-TOTAL_FORMS": "1",
        "people-INITIAL_FORMS": "0",
        "people-0-family_name": "Zhang",
        "people-0-given_name": "Wei",
        "people-0-email": email,
        "people-0-time_zone": "Asia/Shanghai",
    }


def test_registering_oneself_with_ones_verified_address_links_the_registration(client, trip, mallory):
    client.force_login(mallory)
    response = client.post(url("delegations:register", "en", trip.slug), registration_post(mallory.email))
    assert response.status_code == 302
    assert Registration.objects.get().participant == mallory


def test_registering_someone_elses_address_does_not_make_it_ones_own(client, trip, mallory):
    client.force_login(mallory)
    client.post(url("delegations:register", "en", trip.slug), registration_post(VICTIM))
    registration = Registration.objects.get()
    assert registration.participant is None
    assert registration.registered_by == mallory  # the one who filled in the form still acts for it


# --- accounts created by the agency still sign in ------------------------------------------------------------


def test_an_account_created_in_the_admin_signs_in_with_its_password(client, superuser):
    client.force_login(superuser)
    client.post(
        reverse("admin:accounts_user_add"),
        {"email": "new.member@example.org", "password1": "Saline-Orbit-73", "password2": "Saline-Orbit-73"},
    )
    client.logout()
    response = client.post(
        url("account_login", "en"), {"login": "new.member@example.org", "password": "Saline-Orbit-73"}
    )
    assert response.status_code == 302
    assert "confirm" not in response["Location"]
    assert client.get(url("account_email", "en")).status_code == 200


def test_existing_accounts_keep_their_address_as_verified_but_not_one_typed_on_the_old_page(world):
    from django.apps import apps
    from django.utils.module_loading import import_string

    given = f.UserFactory(email="given@example.org")
    typed = f.UserFactory(email="typed@example.org")
    EmailAddress.objects.all().delete()  # as before this change: no rows for agency-made accounts
    EmailAddress.objects.create(user=typed, email="typed@example.org", verified=False, primary=True)
    victim = seat(world.delegation, "Given", "GIVEN@example.org")

    import_string("partnerhub.accounts.migrations.0005_verified_addresses.verify_given_addresses")(apps, None)
    import_string("partnerhub.delegations.migrations.0005_link_participants.link_participants")(apps, None)

    assert EmailAddress.objects.get(user=given).verified
    assert not EmailAddress.objects.get(user=typed).verified
    victim.refresh_from_db()
    assert victim.participant == given


def test_demo_users_sign_in_on_the_login_page_with_their_password(client):
    from partnerhub.demo import world as demo

    demo.load()
    for login in demo.logins():
        response = client.post(url("account_login", "en"), {"login": login.email, "password": login.password})
        assert response.status_code == 302, login.email
        assert "confirm-email" not in response["Location"], login.email
        client.logout()
