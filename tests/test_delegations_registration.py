"""Registration for delegation trips: seats, waiting list, approval, questions, the public form."""

import datetime
import threading
import uuid

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation

from partnerhub.core.audit import history
from partnerhub.delegations.models import Delegation, Registration, RegistrationQuestion

# Registers the admin at collection, before the URLconf is built (until delegations/admin.py imports it).
from partnerhub.delegations.registration import admin as admin_registration  # noqa: F401
from partnerhub.delegations.registration import services
from partnerhub.privacy.models import PrivacyNotice
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

REQUIRED = {
    "de": "Dieses Feld ist zwingend erforderlich.",
    "en": "This field is required.",
    "zh-hans": "这个字段是必填项。",
}


def url(name, language="en", *args):
    with translation.override(language):
        return reverse(name, args=args)


def person(n=1, **overrides):
    data = {
        "family_name": f"Muster{n}",
        "given_name": "Erika",
        "email": f"erika{n}@example.org",
        "organisation_name": "Musterfirma GmbH",
        "time_zone": "Europe/Berlin",
    }
    data.update(overrides)
    return data


def register_one(trip, n=1, **kwargs):
    kwargs.setdefault("language", "en")
    return services.register(trip, [person(n)], **kwargs)[0]


def form_data(*people, **overrides):
    """The POST of the registration form; ``people`` are dicts of the person fields (and q_<key>)."""
    people = people or (
        {
            "family_name": "王",
            "given_name": "晓明",
            "email": "wang@hengtong.example.cn",
            "time_zone": "Asia/Shanghai",
        },
    )
    data = {
        "submission_key": str(uuid.uuid4()),
        "organisation_name": "扬州恒通汽车零部件有限公司",
        "consent": "on",
        "website_url": "",
        "people-TOTAL_FORMS": str(len(people)),
        "people-INITIAL_FORMS": "0",
    }
    for index, fields in enumerate(people):
        for name, value in fields.items():
            data[f"people-{index}-{name}"] = value
    data.update(overrides)
    return data


@pytest.fixture
def trip(world):
    return world.delegation


@pytest.fixture
def small_trip(world):
    world.delegation.capacity = 1
    world.delegation.save()
    return world.delegation


def make_outgoing(trip):
    trip.direction = Delegation.Direction.OUTGOING
    trip.save()
    return trip


@pytest.fixture
def questions(trip):
    passport = RegistrationQuestion.objects.create(
        delegation=trip, key="passport_number", label={"en": "Passport number", "de": "Reisepassnummer"},
        required=True, only_outgoing=True, position=1,
    )  # fmt: skip
    interpreter = RegistrationQuestion.objects.create(
        delegation=trip, key="interpreter", label={"en": "Do you need an interpreter?", "de": "Dolmetscher?"},
        kind=RegistrationQuestion.Kind.YES_NO, required=True, position=2,
    )  # fmt: skip
    languages = RegistrationQuestion.objects.create(
        delegation=trip, key="interpreter_languages", label={"en": "Which languages?", "de": "Welche Sprachen?"},
        required=True, depends_on=interpreter, depends_value="yes", position=3,
    )  # fmt: skip
    diet = RegistrationQuestion.objects.create(
        delegation=trip, key="diet", label={"en": "Dietary needs", "zh-hans": "饮食要求"},
        kind=RegistrationQuestion.Kind.CHOICE, position=4,
        choices=[{"value": "none", "label": {"en": "none"}}, {"value": "vegetarian", "label": {"en": "vegetarian", "de": "vegetarisch"}}],
    )  # fmt: skip
    return {"passport": passport, "interpreter": interpreter, "languages": languages, "diet": diet}


# Seats and the waiting list ------------------------------------------------------------------------


def test_a_registration_gets_a_seat_pending_approval_and_an_email_in_the_registrants_language(
    trip, mailoutbox, django_capture_on_commit_callbacks
):
    trip.capacity = 2
    trip.save()
    with django_capture_on_commit_callbacks(execute=True):
        (registration,) = services.register(
            trip, [person(1, family_name="王", given_name="晓明")], language="de", submission_key=uuid.uuid4()
        )
    assert registration.status == Registration.Status.PENDING
    assert registration.holds_seat
    assert registration.name_latin == "Wang Xiaoming"
    assert registration.privacy_notice == PrivacyNotice.current()
    assert registration.consent_given_at is not None
    assert [m.to for m in mailoutbox] == [["erika1@example.org"]]
    assert f"/de/delegations/registration/{registration.access_token}/" in mailoutbox[0].body
    assert [e.action for e in history(registration)] == ["registration.created"]


def test_when_the_trip_is_full_the_next_person_waits_and_is_told_their_position(
    small_trip, mailoutbox, django_capture_on_commit_callbacks
):
    first = register_one(small_trip, 1)
    with django_capture_on_commit_callbacks(execute=True):
        second = register_one(small_trip, 2)
        third = register_one(small_trip, 3)
    assert first.status == Registration.Status.PENDING
    assert second.status == third.status == Registration.Status.WAITING
    assert second.waiting_since is not None
    assert services.waiting_position(second) == 1
    assert services.waiting_position(third) == 2
    assert services.waiting_position(first) is None
    assert "waiting list" in mailoutbox[-1].subject
    assert "position 2" in mailoutbox[-1].body


def test_a_trip_without_a_limit_seats_everyone(trip):
    assert trip.capacity is None
    registrations = services.register(trip, [person(n) for n in range(1, 6)], language="en")
    assert {r.status for r in registrations} == {Registration.Status.PENDING}


def test_a_cancellation_through_the_personal_link_moves_the_longest_waiting_person_up_with_an_email(
    client, small_trip, mailoutbox, django_capture_on_commit_callbacks
):
    seated = register_one(small_trip, 1)
    next_in_line = register_one(small_trip, 2, language="de")
    later = register_one(small_trip, 3)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("delegations:registration_cancel", "en", seated.access_token))
    assert response.status_code == 302
    seated.refresh_from_db(), next_in_line.refresh_from_db(), later.refresh_from_db()
    assert seated.status == Registration.Status.CANCELLED
    assert next_in_line.status == Registration.Status.PENDING
    assert next_in_line.waiting_since is None
    assert later.status == Registration.Status.WAITING
    assert services.waiting_position(later) == 1
    assert [m.to for m in mailoutbox] == [["erika1@example.org"], ["erika2@example.org"]]
    moved_up = mailoutbox[1]
    assert "Platz" in moved_up.subject  # in German, the language they registered in
    assert f"/de/delegations/registration/{next_in_line.access_token}/" in moved_up.body
    assert "registration.moved_up" in [e.action for e in history(next_in_line)]


def test_cancelling_a_place_on_the_waiting_list_moves_nobody_up(
    small_trip, django_capture_on_commit_callbacks
):
    register_one(small_trip, 1)
    waiting = register_one(small_trip, 2)
    later = register_one(small_trip, 3)
    services.cancel(waiting)
    later.refresh_from_db()
    assert later.status == Registration.Status.WAITING
    assert services.waiting_position(later) == 1


def test_declining_a_seat_gives_it_to_the_next_person_waiting(
    small_trip, agency_staff, mailoutbox, django_capture_on_commit_callbacks
):
    seated = register_one(small_trip, 1)
    waiting = register_one(small_trip, 2)
    with django_capture_on_commit_callbacks(execute=True):
        services.decline(seated, actor=agency_staff, reason="Nur Unternehmen aus der Region")
    waiting.refresh_from_db()
    assert waiting.status == Registration.Status.PENDING
    assert "Nur Unternehmen aus der Region" in mailoutbox[0].body
    assert mailoutbox[1].to == ["erika2@example.org"]


def test_a_raised_capacity_seats_the_waiting_before_newcomers(small_trip):
    register_one(small_trip, 1)
    waiting = register_one(small_trip, 2)
    small_trip.capacity = 2
    small_trip.save()
    newcomer = register_one(small_trip, 3)
    waiting.refresh_from_db()
    assert waiting.status == Registration.Status.PENDING
    assert newcomer.status == Registration.Status.WAITING


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs two real connections (PostgreSQL)")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_people_registering_for_the_last_seat_at_once_get_one_seat_and_one_place_in_line(world):
    trip = world.delegation
    trip.capacity = 1
    trip.save()
    barrier = threading.Barrier(2)
    errors = []

    def attempt(n):
        try:
            barrier.wait(timeout=10)
            services.register(Delegation.objects.get(pk=trip.pk), [person(n)], language="en")
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    statuses = sorted(Registration.objects.filter(delegation=trip).values_list("status", flat=True))
    assert statuses == [Registration.Status.PENDING, Registration.Status.WAITING]


# Approval by staff -------------------------------------------------------------------------------------


def test_staff_of_the_organising_agency_approve_a_pending_registration(
    trip, agency_staff, mailoutbox, django_capture_on_commit_callbacks
):
    registration = register_one(trip, language="zh-hans")
    with django_capture_on_commit_callbacks(execute=True):
        services.approve(registration, actor=agency_staff)
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED
    assert mailoutbox[-1].to == ["erika1@example.org"]
    assert history(registration).first().actor == agency_staff


def test_a_registration_on_the_waiting_list_cannot_be_approved(small_trip, agency_staff):
    register_one(small_trip, 1)
    waiting = register_one(small_trip, 2)
    with pytest.raises(ValidationError):
        services.approve(waiting, actor=agency_staff)


@pytest.mark.parametrize("who", ["partner_staff", "member_a", "member_b", "other_staff", "anonymous"])
def test_only_staff_of_the_organising_agency_approve_or_decline(request, world, who):
    world.delegation.shared_with.add(world.partner_agency)
    registration = register_one(world.delegation)
    actor = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        services.approve(registration, actor=actor)
    with pytest.raises(PermissionDenied):
        services.decline(registration, actor=actor, reason="")
    with pytest.raises(PermissionDenied):
        services.cancel(registration, actor=actor)
    registration.refresh_from_db()
    assert registration.status == Registration.Status.PENDING


def test_partner_staff_see_the_list_of_a_shared_trip_but_their_approval_is_refused(
    client, world, partner_staff
):
    world.delegation.shared_with.add(world.partner_agency)
    registration = register_one(world.delegation)
    client.force_login(partner_staff)
    page = client.get(url("delegations:registration_list", "zh-hans", world.delegation.slug)).content.decode()
    assert registration.email in page
    assert (
        url("delegations:registration_approve", "zh-hans", world.delegation.slug, registration.pk) not in page
    )
    response = client.post(
        url("delegations:registration_approve", "en", world.delegation.slug, registration.pk)
    )
    assert response.status_code == 403
    registration.refresh_from_db()
    assert registration.status == Registration.Status.PENDING


def test_staff_approve_and_decline_from_the_list(client, trip, agency_staff):
    first, second = services.register(trip, [person(1), person(2)], language="en")
    client.force_login(agency_staff)
    page = client.get(url("delegations:registration_list", "de", trip.slug)).content.decode()
    assert url("delegations:registration_approve", "de", trip.slug, first.pk) in page
    client.post(url("delegations:registration_approve", "de", trip.slug, first.pk))
    client.post(url("delegations:registration_decline", "de", trip.slug, second.pk), {"reason": "voll"})
    first.refresh_from_db(), second.refresh_from_db()
    assert (first.status, second.status) == (Registration.Status.CONFIRMED, Registration.Status.DECLINED)
    filtered = client.get(url("delegations:registration_list", "en", trip.slug) + "?status=declined")
    assert second.email in filtered.content.decode()
    assert first.email not in filtered.content.decode()


def test_the_list_shows_seats_held_and_waiting(client, small_trip, agency_staff):
    register_one(small_trip, 1)
    register_one(small_trip, 2)
    client.force_login(agency_staff)
    response = client.get(url("delegations:registration_list", "en", small_trip.slug))
    counts = response.context["counts"]
    assert (counts["held"], counts["waiting"]) == (1, 1)
    assert "position 1" in response.content.decode()


def test_an_organisation_member_sees_only_their_organisations_registrations(client, world, member_a):
    client.force_login(member_a)
    client.post(
        url("delegations:register", "en", world.delegation.slug),
        form_data(
            {
                "family_name": "Kollegin",
                "email": "kollegin@private-org.example.org",
                "time_zone": "Europe/Berlin",
            }
        ),
    )
    register_one(world.delegation, 9)  # somebody else
    page = client.get(url("delegations:registration_list", "en", world.delegation.slug)).content.decode()
    assert "kollegin@private-org.example.org" in page
    assert "erika9@example.org" not in page


# Questions -------------------------------------------------------------------------------------------


def test_passport_data_is_asked_only_on_outgoing_trips(client, trip, questions):
    keys = [q.key for q in services.applicable_questions(trip, {})]
    assert "passport_number" not in keys
    assert (
        "q_passport_number" not in client.get(url("delegations:register", "en", trip.slug)).content.decode()
    )
    make_outgoing(trip)
    assert "passport_number" in [q.key for q in services.applicable_questions(trip, {})]
    page = client.get(url("delegations:register", "de", trip.slug)).content.decode()
    assert "q_passport_number" in page
    assert "Reisepassnummer" in page


def test_a_question_depending_on_another_answer_applies_only_with_that_answer(trip, questions):
    assert "interpreter_languages" not in [
        q.key for q in services.applicable_questions(trip, {"interpreter": "no"})
    ]
    assert "interpreter_languages" in [
        q.key for q in services.applicable_questions(trip, {"interpreter": "yes"})
    ]
    assert "interpreter_languages" in [
        q.key for q in services.applicable_questions(trip, {"interpreter": "Yes"})
    ]


def test_the_service_refuses_a_missing_required_answer_and_drops_answers_that_do_not_apply(trip, questions):
    with pytest.raises(ValidationError):
        services.register(trip, [person()], language="en", answers_per_person=[{"interpreter": "yes"}])
    (registration,) = services.register(
        trip,
        [person()],
        language="en",
        answers_per_person=[
            {"interpreter": "no", "interpreter_languages": "de", "passport_number": "C01X00T47"}
        ],
    )
    assert registration.answers == {"interpreter": "no"}


def test_the_form_asks_for_a_dependent_answer_only_when_it_applies(client, trip, questions):
    base = {"family_name": "Muster", "email": "erika@example.org", "time_zone": "Europe/Berlin"}
    response = client.post(
        url("delegations:register", "en", trip.slug),
        form_data({**base, "q_interpreter": "yes", "q_diet": "vegetarian"}),
    )
    assert response.status_code == 200
    assert "Which languages?: This field is required." in response.content.decode()
    assert not Registration.objects.exists()
    response = client.post(
        url("delegations:register", "en", trip.slug),
        form_data({**base, "q_interpreter": "no", "q_diet": "vegetarian"}),
    )
    assert response.status_code == 302
    assert Registration.objects.get().answers == {"interpreter": "no", "diet": "vegetarian"}


def test_the_participant_page_shows_status_position_and_answers_in_the_readers_language(
    client, small_trip, questions
):
    register_one(small_trip, 1, answers_per_person=[{"interpreter": "no"}])
    (waiting,) = services.register(
        small_trip, [person(2)], language="de", answers_per_person=[{"interpreter": "yes", "interpreter_languages": "Deutsch", "diet": "vegetarian"}]
    )  # fmt: skip
    page = client.get(url("delegations:registration_status", "de", waiting.access_token)).content.decode()
    assert "vegetarisch" in page
    assert "Welche Sprachen?" in page
    assert "Deutsch" in page
    assert (
        client.get(url("delegations:registration_status", "en", waiting.access_token)).context["position"]
        == 1
    )


def test_an_unknown_personal_link_is_404(client, trip):
    assert client.get(url("delegations:registration_status", "en", "not-a-token")).status_code == 404


# The public form -----------------------------------------------------------------------------------


def test_a_person_registers_on_the_public_form_and_lands_on_their_personal_page(
    client, trip, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("delegations:register", "zh-hans", trip.slug), form_data())
    registration = Registration.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url(
        "delegations:registration_status", "zh-hans", registration.access_token
    )
    assert registration.language == "zh-hans"
    assert registration.time_zone == "Asia/Shanghai"
    assert registration.organisation_name == "扬州恒通汽车零部件有限公司"
    assert registration.registered_by is None
    assert str(registration) == "王晓明"
    assert mailoutbox[0].to == ["wang@hengtong.example.cn"]


@pytest.mark.parametrize("language", ["de", "en", "zh-hans"])
def test_a_rejected_form_explains_in_the_users_language_and_keeps_what_was_typed(client, trip, language):
    data = form_data(
        {"family_name": "王", "given_name": "晓明", "email": "", "time_zone": "Asia/Shanghai"},
    )
    response = client.post(url("delegations:register", language, trip.slug), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert REQUIRED[language] in html
    assert 'value="晓明"' in html
    assert 'value="扬州恒通汽车零部件有限公司"' in html
    assert '<option value="Asia/Shanghai" selected>' in html
    assert not Registration.objects.exists()


def test_registration_without_consent_is_refused(client, trip):
    data = form_data()
    del data["consent"]
    response = client.post(url("delegations:register", "en", trip.slug), data)
    assert "Please agree to the privacy notice to register." in response.content.decode()
    assert not Registration.objects.exists()


def test_too_long_names_are_refused(client, trip):
    data = form_data({"family_name": "x" * 101, "email": "a@example.org", "time_zone": "Europe/Berlin"})
    response = client.post(url("delegations:register", "en", trip.slug), data)
    assert "at most 100 characters" in response.content.decode()
    assert not Registration.objects.exists()


def test_a_double_posted_form_creates_one_registration(client, trip):
    data = form_data()
    first = client.post(url("delegations:register", "en", trip.slug), data)
    second = client.post(url("delegations:register", "en", trip.slug), data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Registration.objects.count() == 1


def test_the_same_address_cannot_register_twice_for_a_trip(client, trip):
    client.post(url("delegations:register", "en", trip.slug), form_data())
    response = client.post(url("delegations:register", "en", trip.slug), form_data())
    assert response.status_code == 200
    assert "Already registered for this trip: wang@hengtong.example.cn" in response.content.decode()
    assert Registration.objects.count() == 1


def test_honeypot_rejects_bots(client, trip):
    response = client.post(url("delegations:register", "en", trip.slug), form_data(website_url="http://spam"))
    assert response.status_code == 200
    assert "filled in automatically" in response.content.decode()
    assert not Registration.objects.exists()


def test_rate_limit_per_ip_keeps_what_was_typed(client, trip, settings):
    from django.core.cache import cache

    cache.clear()
    settings.PUBLIC_FORM_RATE_PER_HOUR = 1
    client.post(url("delegations:register", "en", trip.slug), form_data())
    second = {"family_name": "Zweite", "email": "zweite@example.org", "time_zone": "Europe/Berlin"}
    response = client.post(url("delegations:register", "en", trip.slug), form_data(second))
    assert response.status_code == 429
    assert "Too many registrations" in response.content.decode()
    assert 'value="Zweite"' in response.content.decode()
    assert Registration.objects.count() == 1
    cache.clear()


def test_closed_registration_says_so_and_registers_nobody(client, trip):
    trip.registration_closes = timezone.now() - datetime.timedelta(hours=1)
    trip.save()
    response = client.get(url("delegations:register", "en", trip.slug))
    assert response.status_code == 200
    assert "Registration for this trip is closed." in response.content.decode()
    assert 'name="consent"' not in response.content.decode()
    client.post(url("delegations:register", "en", trip.slug), form_data())
    assert not Registration.objects.exists()
    with pytest.raises(ValidationError, match="closed"):
        register_one(trip)


def test_a_private_trip_has_no_public_registration_form(client, trip, agency_staff):
    trip.is_public = False
    trip.save()
    assert client.get(url("delegations:register", "en", trip.slug)).status_code == 404
    client.force_login(agency_staff)
    assert client.get(url("delegations:register", "en", trip.slug)).status_code == 200


def test_an_anonymous_person_registers_only_themself(client, trip):
    data = form_data(
        {"family_name": "Eins", "email": "eins@example.org", "time_zone": "Europe/Berlin"},
        {"family_name": "Zwei", "email": "zwei@example.org", "time_zone": "Europe/Berlin"},
    )
    response = client.post(url("delegations:register", "en", trip.slug), data)
    assert response.status_code == 200
    assert not Registration.objects.exists()


def test_a_leader_registers_three_people_of_their_organisation_at_once(
    client, world, member_a, mailoutbox, django_capture_on_commit_callbacks
):
    world.delegation.capacity = 2
    world.delegation.save()
    client.force_login(member_a)
    page = client.get(url("delegations:register", "de", world.delegation.slug))
    assert page.context["people"].total_form_count() > 3
    colleagues = [
        {"family_name": name, "given_name": "Kim", "email": f"{name.lower()}@private-org.example.org", "time_zone": "Europe/Berlin"}
        for name in ("Adler", "Berger", "Conrad")
    ]  # fmt: skip
    empty_row = {"family_name": "", "email": "", "time_zone": "Europe/Berlin"}
    data = form_data(*colleagues, empty_row)
    del data["organisation_name"]  # a member's organisation is known
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("delegations:register", "de", world.delegation.slug), data)
    assert response.status_code == 302
    registrations = list(Registration.objects.order_by("pk"))
    assert [r.family_name for r in registrations] == ["Adler", "Berger", "Conrad"]
    assert [r.status for r in registrations] == ["pending", "pending", "waiting"]
    assert {r.organisation for r in registrations} == {world.private_org}
    assert {r.registered_by for r in registrations} == {member_a}
    assert sorted(m.to[0] for m in mailoutbox) == sorted(c["email"] for c in colleagues)
    again = client.post(url("delegations:register", "de", world.delegation.slug), data)
    assert again.status_code == 302
    assert Registration.objects.count() == 3


def test_a_leader_cannot_register_the_same_address_twice_in_one_form(client, world, member_a):
    client.force_login(member_a)
    same = {"family_name": "Adler", "email": "adler@example.org", "time_zone": "Europe/Berlin"}
    response = client.post(url("delegations:register", "en", world.delegation.slug), form_data(same, same))
    assert "Each person needs their own e-mail address." in response.content.decode()
    assert not Registration.objects.exists()


# Every page, every role, every language ----------------------------------------------------------------


@pytest.mark.parametrize("language", ["de", "en", "zh-hans"])
def test_registration_pages_render_for_every_role_in_every_language(client, world, persona, language):
    name, user = persona
    registration = register_one(world.delegation)
    if name != "anonymous":
        client.force_login(user)
    html_lang = "zh-Hans" if language == "zh-hans" else language
    form = client.get(url("delegations:register", language, world.delegation.slug))
    assert form.status_code == 200
    assert f'<html lang="{html_lang}">' in form.content.decode()
    assert 'lang="en">Spring visit' in form.content.decode()
    status = client.get(url("delegations:registration_status", language, registration.access_token))
    assert status.status_code == 200
    listing = client.get(url("delegations:registration_list", language, world.delegation.slug))
    if name == "anonymous":
        assert listing.status_code == 302
    else:
        assert listing.status_code == 200
        sees = registration.email in listing.content.decode()
        assert sees == (name in ("agency_staff", "superuser"))


# Admin -------------------------------------------------------------------------------------------------


def test_admin_actions_decide_through_the_services_and_the_list_obeys_visibility(
    client, world, superuser, agency_staff
):
    small = world.delegation
    small.capacity = 1
    small.save()
    seated, waiting = register_one(small, 1), register_one(small, 2)
    client.force_login(superuser)
    changelist = url("admin:delegations_registration_changelist", "de")
    response = client.post(changelist, {"action": "decline_selected", "_selected_action": [seated.pk]})
    assert response.status_code == 302
    seated.refresh_from_db(), waiting.refresh_from_db()
    assert (seated.status, waiting.status) == ("declined", "pending")
    assert "registration.declined" in [e.action for e in history(seated)]

    stranger = UserFactory(email="stranger@other.example.org", agency=world.other_agency, is_staff=True)
    stranger.user_permissions.add(*Permission.objects.filter(codename="view_registration"))
    client.force_login(stranger)
    assert waiting.email not in client.get(changelist).content.decode()
    agency_staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_registration", "change_registration"])
    )
    client.force_login(agency_staff)
    assert waiting.email in client.get(changelist).content.decode()
