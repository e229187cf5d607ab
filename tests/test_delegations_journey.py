"""The whole trip journey through the pages: register, seat or waiting list, request and accept a meeting,
staff run the scheduler and publish, and the agenda imports into a calendar with the right local times on
both continents."""

import datetime
import uuid
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import translation
from icalendar import Calendar

from partnerhub.delegations.models import MeetingRequest, ProgrammeItem, Registration, Table
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


def url(name, language, *args):
    with translation.override(language):
        return reverse(name, args=args)


def registration_form(family, given, email, zone, organisation):
    return {
        "submission_key": str(uuid.uuid4()),
        "organisation_name": organisation,
        "consent": "on",
        "website_url": "",
        "people-TOTAL_FORMS": "1",
        "people-INITIAL_FORMS": "0",
        "people-0-family_name": family,
        "people-0-given_name": given,
        "people-0-email": email,
        "people-0-time_zone": zone,
    }


@pytest.mark.parametrize(("day", "berlin_start"), [("2027-01-14", "02:00"), ("2027-07-14", "03:00")])
def test_register_meet_schedule_and_import_the_agenda(
    client, world, agency_staff, django_capture_on_commit_callbacks, mailoutbox, day, berlin_start
):
    trip = world.delegation
    trip.capacity = 2
    trip.time_zone = "Asia/Shanghai"
    trip.save()
    block_day = datetime.date.fromisoformat(day)
    ProgrammeItem.objects.create(
        delegation=trip, kind="b2b_block", title={"en": "B2B meetings", "de": "B2B-Gespräche"},
        starts_at=datetime.datetime.combine(block_day, datetime.time(9, 0), SHANGHAI),
        ends_at=datetime.datetime.combine(block_day, datetime.time(10, 0), SHANGHAI), time_zone="Asia/Shanghai",
    )  # fmt: skip
    Table.objects.create(delegation=trip, name="A")

    # 1. Two people register on the public form and get the two seats; a third lands on the waiting list.
    people = [
        ("王", "晓明", "wang@hengtong.example.cn", "Asia/Shanghai", "扬州恒通汽车零部件有限公司", "zh-hans"),
        ("Becker", "Julia", "julia@verbundwerk.example.org", "Europe/Berlin", "Verbundwerk GmbH", "de"),
        ("Klein", "Tom", "tom@klein.example.org", "Europe/Berlin", "Klein AG", "en"),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        for family, given, email, zone, organisation, language in people:
            response = client.post(
                url("delegations:register", language, trip.slug),
                registration_form(family, given, email, zone, organisation),
            )
            assert response.status_code == 302
    wang, julia, tom = (Registration.objects.get(email=p[2]) for p in people)
    assert (wang.status, julia.status, tom.status) == ("pending", "pending", "waiting")
    assert {m.to[0] for m in mailoutbox} == {p[2] for p in people}

    # 2. Staff confirm the two seats.
    client.force_login(agency_staff)
    for registration in (wang, julia):
        client.post(url("delegations:registration_approve", "de", trip.slug, registration.pk))
        registration.refresh_from_db()
        assert registration.status == "confirmed"

    # 3. Julia asks Wang for a meeting; Wang accepts (each signed in with the address they registered).
    client.force_login(UserFactory(email="julia@verbundwerk.example.org"))
    client.post(
        url("delegations:meetings_request", "de", trip.slug), {"recipient": wang.pk, "message": "Hallo!"}
    )
    meeting_request = MeetingRequest.objects.get()
    assert (meeting_request.requester, meeting_request.recipient) == (julia, wang)
    client.force_login(UserFactory(email="wang@hengtong.example.cn"))
    client.post(
        url("delegations:meetings_answer", "zh-hans", trip.slug, meeting_request.pk), {"answer": "accept"}
    )
    meeting_request.refresh_from_db()
    assert meeting_request.status == "accepted"

    # 4. Staff run the scheduler (a background task) and publish the schedule.
    client.force_login(agency_staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("delegations:meetings_run", "de", trip.slug))
    assert trip.meetings.count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("delegations:meetings_publish", "de", trip.slug))
    trip.refresh_from_db()
    assert trip.schedule_published_at is not None

    # 5. The agenda imports into a calendar with the right local times on both continents.
    for registration, zone in ((wang, SHANGHAI), (julia, BERLIN)):
        feed = client.get(url("delegations:agenda_calendar", "en", registration.calendar_token))
        assert feed.status_code == 200
        calendar = Calendar.from_ical(feed.content)
        meetings = [e for e in calendar.walk("VEVENT") if str(e["UID"]).startswith("meeting-")]
        assert len(meetings) == 1
        start = meetings[0]["DTSTART"].dt
        assert start.tzinfo is not None and str(meetings[0]["DTSTART"].params["TZID"]) == "Asia/Shanghai"
        assert start.astimezone(SHANGHAI).strftime("%H:%M") == "09:00"
        if zone is BERLIN:
            assert start.astimezone(BERLIN).strftime("%H:%M") == berlin_start
    page = client.get(url("delegations:agenda", "de", julia.access_token)).content.decode()
    assert "王晓明" in page  # the counterpart, on Julia's agenda
    assert f"{berlin_start} " in page  # Julia's own time beside the Shanghai time
