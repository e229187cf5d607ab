"""B2B meetings: requests between participants, staff tools, clashes, the scheduler run and publication."""

import datetime
import zoneinfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from partnerhub.core.audit import history
from partnerhub.delegations.meetings import services
from partnerhub.delegations.models import Meeting, MeetingRequest, ProgrammeItem, Registration, ScheduleRun
from partnerhub.privacy.models import PrivacyNotice
from tests import factories as f

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
DAY = datetime.date.today() + datetime.timedelta(days=31)
Status = MeetingRequest.Status


def at(hour, minute=0):
    return datetime.datetime.combine(DAY, datetime.time(hour, minute), tzinfo=SHANGHAI)


def register(trip, family_name, *, org=None, org_name="", email=None, user=None, language="en"):
    return Registration.objects.create(
        delegation=trip,
        family_name=family_name,
        organisation=org,
        organisation_name=org_name or (org.name if org else "Independent"),
        email=email or f"{family_name.lower()}@example.org",
        registered_by=user,
        language=language,
        status=Registration.Status.CONFIRMED,
        privacy_notice=PrivacyNotice.current(),
        consent_given_at=timezone.now(),
    )


@pytest.fixture
def trip(world):
    trip = world.delegation
    trip.time_zone, trip.meeting_minutes = "Asia/Shanghai", 30
    trip.save()
    ProgrammeItem.objects.create(
        delegation=trip,
        kind=ProgrammeItem.Kind.B2B_BLOCK,
        title={"en": "B2B morning"},
        starts_at=at(9),
        ends_at=at(11),  # four slots of 30 minutes
        time_zone="Asia/Shanghai",
    )
    return trip


@pytest.fixture
def alice(trip, world, member_a):
    """Member A's registration (German side)."""
    return register(trip, "Alice", org=world.private_org, email=member_a.email, language="de")


@pytest.fixture
def bo(trip, world, member_b):
    """Member B's registration (Chinese side)."""
    return register(trip, "Bo", org=world.partner_org, email=member_b.email, language="zh-hans")


@pytest.fixture
def tables(trip, agency_staff):
    return services.set_tables(trip, ["A1", "A2"], actor=agency_staff)


# --- requests per role ---------------------------------------------------------------------------------


def test_a_participant_requests_and_the_other_side_accepts(alice, bo, member_a, member_b):
    request = services.request_meeting(alice, bo, "Let us talk about sensors.", actor=member_a)
    assert request.status == Status.PENDING
    services.answer_request(request, accept=True, actor=member_b)
    request.refresh_from_db()
    assert request.status == Status.ACCEPTED
    assert request.answered_at is not None
    assert [e.action for e in history(request)] == ["meetings.request_accepted", "meetings.request_sent"]


def test_the_recipient_can_decline_and_the_requester_cannot_ask_again(alice, bo, member_a, member_b):
    request = services.request_meeting(alice, bo, "", actor=member_a)
    services.answer_request(request, accept=False, actor=member_b)
    assert MeetingRequest.objects.get().status == Status.DECLINED
    with pytest.raises(ValidationError):
        services.request_meeting(alice, bo, "again", actor=member_a)


def test_the_requester_cannot_answer_their_own_request(alice, bo, member_a):
    request = services.request_meeting(alice, bo, "", actor=member_a)
    with pytest.raises(PermissionDenied):
        services.answer_request(request, accept=True, actor=member_a)


def test_nobody_can_send_a_request_in_another_participants_name(
    alice, bo, member_b, partner_staff, agency_staff
):
    for actor in (member_b, partner_staff, agency_staff):
        with pytest.raises(PermissionDenied):
            services.request_meeting(alice, bo, "", actor=actor)
    assert not MeetingRequest.objects.exists()


def test_participants_of_the_same_organisation_cannot_request_each_other(trip, world, alice, member_a):
    colleague = register(trip, "Colleague", org=world.private_org)
    with pytest.raises(ValidationError):
        services.request_meeting(alice, colleague, "", actor=member_a)


def test_a_second_request_between_the_same_pair_is_refused(alice, bo, member_a, member_b):
    services.request_meeting(alice, bo, "", actor=member_a)
    with pytest.raises(ValidationError):
        services.request_meeting(bo, alice, "", actor=member_b)


def test_a_withdrawn_request_loses_its_meeting(alice, bo, member_a, member_b, agency_staff, tables):
    request = services.request_meeting(alice, bo, "", actor=member_a)
    services.answer_request(request, accept=True, actor=member_b)
    services.fix_meeting(request, starts_at=at(9), table=tables[0], actor=agency_staff)
    services.withdraw_request(request, actor=member_a)
    assert MeetingRequest.objects.get().status == Status.WITHDRAWN
    assert not Meeting.objects.exists()


def test_the_other_side_lists_only_other_organisations(trip, world, alice, bo):
    register(trip, "Colleague", org=world.private_org)
    assert list(services.other_side(alice)) == [bo]


def test_a_user_acts_for_the_registration_they_made(trip, bo):
    user = f.UserFactory(email="someone@example.org")
    own = register(trip, "Own", org_name="Freelance", email="different@example.org", user=user)
    assert list(services.registrations_of(user, trip)) == [own]


def test_unavailability_must_end_after_it_starts(alice, member_a):
    with pytest.raises(ValidationError):
        services.declare_unavailable(alice, at(10), at(9), actor=member_a)


# --- staff-only actions ----------------------------------------------------------------------------------


@pytest.mark.parametrize("persona_name", ["member_a", "member_b", "partner_staff", "other_staff"])
def test_staff_actions_are_refused_for_everyone_but_the_organisers(request, persona_name, trip, alice, bo):
    trip.shared_with.add(request.getfixturevalue("world").partner_agency)
    actor = request.getfixturevalue(persona_name)
    with pytest.raises(PermissionDenied):
        services.suggest_meeting(trip, alice, bo, "", actor=actor)
    with pytest.raises(PermissionDenied):
        services.set_tables(trip, ["A"], actor=actor)
    with pytest.raises(PermissionDenied):
        services.run_scheduler(trip, actor=actor)
    with pytest.raises(PermissionDenied):
        services.publish_schedule(trip, actor=actor)
    assert not trip.tables.exists() and not MeetingRequest.objects.exists()


@pytest.mark.parametrize("persona_name", ["member_a", "partner_staff"])
def test_the_manage_page_is_not_found_for_others(client, request, persona_name, trip):
    client.force_login(request.getfixturevalue(persona_name))
    assert client.get(url("meetings_manage", "en", trip.slug)).status_code == 404


def test_a_staff_suggestion_is_a_request_marked_as_theirs(trip, alice, bo, agency_staff, member_b):
    request = services.suggest_meeting(trip, alice, bo, "From matching", actor=agency_staff)
    assert request.suggested_by == agency_staff
    services.answer_request(request, accept=True, actor=member_b)


def test_fixing_needs_an_accepted_request_and_a_slot(alice, bo, member_a, agency_staff, tables):
    request = services.request_meeting(alice, bo, "", actor=member_a)
    with pytest.raises(ValidationError):
        services.fix_meeting(request, starts_at=at(9), table=tables[0], actor=agency_staff)
    request.status = Status.ACCEPTED
    request.save()
    with pytest.raises(ValidationError):
        services.fix_meeting(request, starts_at=at(9, 10), table=tables[0], actor=agency_staff)
    meeting = services.fix_meeting(request, starts_at=at(9, 30), table=tables[1], actor=agency_staff)
    assert (meeting.starts_at, meeting.ends_at, meeting.table, meeting.fixed) == (
        at(9, 30),
        at(10),
        tables[1],
        True,
    )


# --- clashes -----------------------------------------------------------------------------------------------


def meeting(trip, a, b, start, table=None, minutes=30):
    return Meeting.objects.create(
        delegation=trip,
        first=a,
        second=b,
        table=table,
        starts_at=start,
        ends_at=start + datetime.timedelta(minutes=minutes),
    )


def test_a_clean_schedule_has_no_clashes(trip, alice, bo, tables):
    meeting(trip, alice, bo, at(9), tables[0])
    assert services.clashes(trip) == []


def test_a_participant_twice_at_once_is_a_clash(trip, world, alice, bo, tables):
    carl = register(trip, "Carl", org_name="Carl GmbH")
    meeting(trip, alice, bo, at(9), tables[0])
    meeting(trip, carl, bo, at(9), tables[1])
    with translation.override("en"):
        assert services.clashes(trip) == [f"{bo} has two meetings at {format_local(at(9))}."]


def test_a_table_twice_at_once_is_a_clash(trip, alice, bo, tables):
    carl = register(trip, "Carl", org_name="Carl GmbH")
    dora = register(trip, "Dora", org_name="Dora AG")
    meeting(trip, alice, bo, at(9), tables[0])
    meeting(trip, carl, dora, at(9, 15), tables[0])
    with translation.override("en"):
        assert services.clashes(trip) == [f"Table A1 has two meetings at {format_local(at(9))}."]


def test_a_meeting_outside_the_blocks_is_a_clash(trip, alice, bo):
    meeting(trip, alice, bo, at(10, 45))
    assert len(services.clashes(trip)) == 1
    assert "outside the B2B blocks" in services.clashes(trip)[0]


def test_a_meeting_while_a_participant_is_away_is_a_clash(trip, alice, bo, member_b):
    services.declare_unavailable(bo, at(9, 15), at(9, 20), actor=member_b)
    meeting(trip, alice, bo, at(9))
    assert services.clashes(trip) == [f"{bo} is not available at {format_local(at(9))}."]


def format_local(moment):
    from django.utils import formats

    return formats.date_format(moment.astimezone(SHANGHAI), "SHORT_DATETIME_FORMAT")


# --- the scheduler ---------------------------------------------------------------------------------------


def accepted(a, b):
    return MeetingRequest.objects.create(
        delegation=a.delegation, requester=a, recipient=b, status=Status.ACCEPTED
    )


def test_the_scheduler_places_accepted_requests_without_double_bookings_and_keeps_fixed_ones(
    trip, world, alice, bo, agency_staff, tables, django_capture_on_commit_callbacks
):
    others = [register(trip, f"Guest{i}", org_name=f"Guest {i} Ltd") for i in range(4)]
    pending = MeetingRequest.objects.create(delegation=trip, requester=others[0], recipient=others[1])
    fixed_request = accepted(alice, bo)
    fixed = services.fix_meeting(fixed_request, starts_at=at(10), table=tables[1], actor=agency_staff)
    for other in others:
        accepted(other, alice)
        accepted(other, bo)
    stale = meeting(trip, others[2], others[3], at(9), tables[0])  # not fixed: replaced by the run
    with django_capture_on_commit_callbacks(execute=True):
        run = services.run_scheduler(trip, actor=agency_staff)
    run.refresh_from_db()
    assert (run.status, run.progress, run.engine) == (ScheduleRun.Status.DONE, 100, "cpsat/1")
    assert not Meeting.objects.filter(pk=stale.pk).exists()
    kept = Meeting.objects.get(pk=fixed.pk)
    assert (kept.starts_at, kept.table, kept.fixed) == (at(10), tables[1], True)
    meetings = list(trip.meetings.all())
    # alice and bo each have 4 slots; one is the fixed meeting, so 3 of 4 requests each fit: 6 + the fixed one
    assert len(meetings) == 7 == run.summary["scheduled"]
    assert pending.pk not in {m.request_id for m in meetings}
    assert services.clashes(trip) == []


def test_the_scheduler_respects_unavailability(
    trip, alice, bo, member_b, tables, agency_staff, django_capture_on_commit_callbacks
):
    accepted(alice, bo)
    services.declare_unavailable(bo, at(9), at(10), actor=member_b)
    with django_capture_on_commit_callbacks(execute=True):
        services.run_scheduler(trip, actor=agency_staff)
    assert [m.starts_at for m in trip.meetings.all()] == [at(10)]


def test_the_scheduler_needs_tables(trip, agency_staff):
    with pytest.raises(ValidationError):
        services.run_scheduler(trip, actor=agency_staff)


def test_the_run_button_shows_the_progress_partial(
    client, trip, alice, bo, agency_staff, tables, django_capture_on_commit_callbacks
):
    accepted(alice, bo)
    client.force_login(agency_staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("meetings_run", "en", trip.slug), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert b'id="run-status"' in response.content
    run = ScheduleRun.objects.get()
    status = client.get(url("meetings_run_status", "en", trip.slug, run.pk))
    assert b"1 of 1 meetings placed" in status.content
    assert b"hx-trigger" not in status.content


# --- publication -------------------------------------------------------------------------------------------


def test_publishing_notifies_every_participant_in_their_language(
    trip, alice, bo, agency_staff, tables, mailoutbox, django_capture_on_commit_callbacks
):
    bystander = register(trip, "Eve", org_name="Eve SARL", language="en")
    request = accepted(alice, bo)
    services.fix_meeting(request, starts_at=at(9, 30), table=tables[0], actor=agency_staff)
    with django_capture_on_commit_callbacks(execute=True):
        services.publish_schedule(trip, actor=agency_staff)
    trip.refresh_from_db()
    assert trip.schedule_published_at is not None
    mails = {m.to[0]: m for m in mailoutbox}
    assert set(mails) == {alice.email, bo.email, bystander.email}
    assert "/de/delegations/" in mails[alice.email].body
    assert "09:30–10:00" in mails[alice.email].body and "A1" in mails[alice.email].body
    assert "/zh-hans/delegations/" in mails[bo.email].body
    assert str(alice) in mails[bo.email].body
    assert "No meetings were scheduled for you." in mails[bystander.email].body


def test_a_request_notifies_the_recipient(
    alice, bo, member_a, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.request_meeting(alice, bo, "Hello", actor=member_a)
    assert [m.to for m in mailoutbox] == [[bo.email]]
    assert "Hello" in mailoutbox[0].body


# --- pages ---------------------------------------------------------------------------------------------------

LANGUAGES = ["de", "en", "zh-hans"]


def url(name, language, *args):
    with translation.override(language):
        return reverse(f"delegations:{name}", args=args)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_participant_page_renders(client, language, trip, alice, bo, member_a):
    services.request_meeting(alice, bo, "Hallo", actor=member_a)
    client.force_login(member_a)
    response = client.get(url("meetings_participant", language, trip.slug))
    assert response.status_code == 200
    assert str(bo).encode() in response.content
    assert b"Hallo" in response.content


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_manage_page_renders_with_clash_warnings(client, language, trip, alice, bo, agency_staff, tables):
    carl = register(trip, "Carl", org_name="Carl GmbH")
    meeting(trip, alice, bo, at(9), tables[0])
    meeting(trip, carl, bo, at(9), tables[1])
    client.force_login(agency_staff)
    response = client.get(url("meetings_manage", language, trip.slug))
    assert response.status_code == 200
    assert b'role="alert"' in response.content
    assert b"A2" in response.content


def test_someone_not_on_the_trip_is_told_how_to_take_part_and_sees_nobody(client, trip, bo, member_a):
    client.force_login(member_a)
    response = client.get(url("meetings_participant", "de", trip.slug))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Sie sind für diese Reise nicht angemeldet" in html
    assert str(bo) not in html


def test_accepting_on_the_page(client, trip, alice, bo, member_a, member_b):
    request = services.request_meeting(alice, bo, "", actor=member_a)
    client.force_login(member_b)
    response = client.post(url("meetings_answer", "en", trip.slug, request.pk), {"answer": "accept"})
    assert response.status_code == 302
    assert MeetingRequest.objects.get().status == Status.ACCEPTED


def test_a_bad_unavailability_keeps_what_was_typed(client, trip, alice, member_a):
    client.force_login(member_a)
    response = client.post(
        url("meetings_unavailable", "en", trip.slug),
        {"starts_at": "2030-01-01T10:00", "ends_at": "yesterday"},
    )
    assert response.status_code == 400
    assert b'value="2030-01-01T10:00"' in response.content
    assert b"Enter a valid date/time." in response.content


def test_unavailability_typed_on_the_page_is_in_the_trips_time(client, trip, alice, member_a):
    client.force_login(member_a)
    client.post(
        url("meetings_unavailable", "en", trip.slug),
        {"starts_at": at(9).strftime("%Y-%m-%dT%H:%M"), "ends_at": at(10).strftime("%Y-%m-%dT%H:%M")},
    )
    assert alice.unavailabilities.get().starts_at == at(9)


def test_a_trip_one_may_not_see_stays_hidden_on_its_meetings_page(client, trip, member_a):
    trip.is_public = False
    trip.save()
    client.force_login(member_a)
    assert client.get(url("meetings_participant", "de", trip.slug)).status_code == 404
