"""A participant's agenda: the page, the iCalendar feed and the reminders, across time zones and DST."""

import datetime
import re
import zoneinfo

import pytest
from django.core.management import call_command
from django.utils import timezone
from icalendar import Calendar

from partnerhub.core import audit
from partnerhub.delegations.agenda import reminders
from partnerhub.delegations.agenda import services as agenda
from partnerhub.delegations.models import Meeting, ProgrammeItem, Registration, Table
from partnerhub.privacy.models import PrivacyNotice

BERLIN = "Europe/Berlin"
SHANGHAI = "Asia/Shanghai"


def at(zone: str, *parts: int) -> datetime.datetime:
    """A wall-clock time in a zone, as the aware UTC moment that is stored."""
    return datetime.datetime(*parts, tzinfo=zoneinfo.ZoneInfo(zone)).astimezone(datetime.UTC)


def register(trip, family_name, *, given_name="", language="en", time_zone=BERLIN, **fields):
    fields.setdefault("organisation_name", "Öffentliche Maschinenbau GmbH")
    fields.setdefault("status", Registration.Status.CONFIRMED)
    return Registration.objects.create(
        delegation=trip,
        family_name=family_name,
        given_name=given_name,
        email=f"{family_name.lower()}@example.org",
        language=language,
        time_zone=time_zone,
        privacy_notice=PrivacyNotice.current(),
        consent_given_at=timezone.now(),
        **fields,
    )


def programme_item(trip, title, starts_at, ends_at, zone, kind=ProgrammeItem.Kind.OTHER, **fields):
    if isinstance(title, str):
        title = {"en": title}
    return ProgrammeItem.objects.create(
        delegation=trip,
        kind=kind,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        time_zone=zone,
        **fields,
    )


def parse(ics: bytes) -> Calendar:
    return Calendar.from_ical(ics)


def events(calendar: Calendar) -> dict[str, object]:
    return {str(event["SUMMARY"]): event for event in calendar.walk("VEVENT")}


def your_time(html: str) -> list[str]:
    """The texts of the viewer's-own-time spans on a page."""
    return re.findall(r'<span class="your-time">(.*?)</span>', html, flags=re.S)


@pytest.fixture
def trip(world):
    trip = world.delegation
    trip.title = {"en": "Spring visit", "de": "Frühjahrsreise", "zh-hans": "春季访问"}
    trip.time_zone = SHANGHAI
    trip.start_date = datetime.date(2027, 3, 26)
    trip.end_date = datetime.date(2027, 3, 31)
    trip.save()
    return trip


@pytest.fixture
def julia(trip):
    return register(trip, "Becker", given_name="Julia")


@pytest.fixture
def wang(trip):
    return register(
        trip,
        "王",
        given_name="芳",
        name_latin="Wang Fang",
        organisation_name="扬州恒通汽车零部件有限公司",
        language="zh-hans",
        time_zone=SHANGHAI,
    )


@pytest.fixture
def meeting(trip, julia, wang):
    block = programme_item(
        trip,
        {"en": "B2B meetings", "de": "B2B-Gespräche"},
        at(SHANGHAI, 2027, 3, 29, 9, 0),
        at(SHANGHAI, 2027, 3, 29, 12, 0),
        SHANGHAI,
        kind=ProgrammeItem.Kind.B2B_BLOCK,
        venue={"en": "Yangzhou International Conference Centre"},
    )
    table = Table.objects.create(delegation=trip, name="Table 7")
    return Meeting.objects.create(
        delegation=trip,
        first=julia,
        second=wang,
        table=table,
        starts_at=block.starts_at + datetime.timedelta(hours=1),
        ends_at=block.starts_at + datetime.timedelta(hours=1, minutes=30),
    )


def publish(trip):
    trip.schedule_published_at = timezone.now()
    trip.save(update_fields=["schedule_published_at"])


# --- the agenda ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_agenda_holds_the_whole_programme_in_the_registrations_language(trip, julia):
    julia.language = "de"
    julia.save()
    programme_item(
        trip,
        {"en": "Factory tour", "de": "Werksbesichtigung"},
        at(SHANGHAI, 2027, 3, 27, 9, 0),
        at(SHANGHAI, 2027, 3, 27, 11, 0),
        SHANGHAI,
    )
    programme_item(
        trip, "Dinner", at(SHANGHAI, 2027, 3, 27, 19, 0), at(SHANGHAI, 2027, 3, 27, 21, 0), SHANGHAI
    )

    entries = agenda.agenda_for(julia)

    assert [(e.kind, e.title) for e in entries] == [
        ("programme", "Werksbesichtigung"),
        ("programme", "Dinner"),
    ]


@pytest.mark.django_db
def test_meetings_are_not_on_the_agenda_before_the_schedule_is_published(julia, meeting):
    assert [e.kind for e in agenda.agenda_for(julia)] == ["programme"]


@pytest.mark.django_db
def test_published_meeting_shows_counterpart_table_and_the_blocks_zone(trip, julia, wang, meeting):
    publish(trip)

    (entry,) = [e for e in agenda.agenda_for(julia) if e.is_meeting]

    assert entry.counterpart == "王芳 (Wang Fang), 扬州恒通汽车零部件有限公司"
    assert entry.table == "Table 7"
    assert entry.time_zone == SHANGHAI
    assert entry.place == "Yangzhou International Conference Centre"
    assert entry.local_start.time() == datetime.time(10, 0)


@pytest.mark.django_db
def test_the_other_participant_sees_the_same_meeting_with_the_first_as_counterpart(
    trip, julia, wang, meeting
):
    publish(trip)

    (entry,) = [e for e in agenda.agenda_for(wang) if e.is_meeting]

    assert entry.counterpart == "Julia Becker, Öffentliche Maschinenbau GmbH"
    assert entry.uid == next(e.uid for e in agenda.agenda_for(julia) if e.is_meeting)


@pytest.mark.django_db
def test_days_follow_the_place_where_items_happen_not_utc(trip, julia):
    # 20:00 in Berlin on the 27th is 19:00 UTC; 01:00 in Shanghai on the 28th is 17:00 UTC on the 27th.
    programme_item(
        trip, "Berlin evening", at(BERLIN, 2027, 3, 27, 20, 0), at(BERLIN, 2027, 3, 27, 21, 0), BERLIN
    )
    programme_item(
        trip, "Shanghai night", at(SHANGHAI, 2027, 3, 28, 1, 0), at(SHANGHAI, 2027, 3, 28, 2, 0), SHANGHAI
    )

    days = agenda.by_day(agenda.agenda_for(julia))

    assert [(day, [e.title for e in entries]) for day, entries in days] == [
        (datetime.date(2027, 3, 27), ["Berlin evening"]),
        (datetime.date(2027, 3, 28), ["Shanghai night"]),
    ]


# --- the iCalendar feed ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_ics_parses_back_with_calendar_name_and_one_vtimezone_per_zone(trip, julia):
    programme_item(trip, "Arrival", at(BERLIN, 2027, 3, 26, 9, 0), at(BERLIN, 2027, 3, 26, 10, 0), BERLIN)
    programme_item(
        trip, "Welcome", at(SHANGHAI, 2027, 3, 27, 10, 0), at(SHANGHAI, 2027, 3, 27, 12, 0), SHANGHAI
    )

    calendar = parse(agenda.ics_for(julia))

    assert str(calendar["X-WR-CALNAME"]) == "Spring visit"
    assert str(calendar["X-WR-TIMEZONE"]) == SHANGHAI
    assert str(calendar["VERSION"]) == "2.0"
    assert "partnerhub" in str(calendar["PRODID"])
    assert sorted(str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")) == [SHANGHAI, BERLIN]


@pytest.mark.django_db
def test_ics_calendar_name_is_in_the_participants_language(trip, julia):
    julia.language = "zh-hans"
    julia.save()

    assert str(parse(agenda.ics_for(julia))["X-WR-CALNAME"]) == "春季访问"


@pytest.mark.django_db
def test_ics_events_carry_the_zone_of_their_place(trip, julia):
    programme_item(trip, "Arrival", at(BERLIN, 2027, 3, 26, 9, 0), at(BERLIN, 2027, 3, 26, 10, 0), BERLIN)
    programme_item(
        trip, "Welcome", at(SHANGHAI, 2027, 3, 27, 10, 0), at(SHANGHAI, 2027, 3, 27, 12, 0), SHANGHAI
    )

    found = events(parse(agenda.ics_for(julia)))

    assert found["Arrival"]["DTSTART"].params["TZID"] == BERLIN
    assert found["Welcome"]["DTSTART"].params["TZID"] == SHANGHAI
    assert found["Welcome"]["DTEND"].params["TZID"] == SHANGHAI
    assert found["Welcome"].decoded("DTSTART") == at(SHANGHAI, 2027, 3, 27, 10, 0)
    assert found["Welcome"].decoded("DTSTART").replace(tzinfo=None) == datetime.datetime(2027, 3, 27, 10, 0)
    assert all(event.get("DTSTAMP") and event.get("UID") for event in found.values())


@pytest.mark.django_db
def test_ics_uids_are_stable_between_downloads(trip, julia):
    programme_item(trip, "Arrival", at(BERLIN, 2027, 3, 26, 9, 0), at(BERLIN, 2027, 3, 26, 10, 0), BERLIN)

    first = [str(e["UID"]) for e in parse(agenda.ics_for(julia)).walk("VEVENT")]
    second = [str(e["UID"]) for e in parse(agenda.ics_for(julia)).walk("VEVENT")]

    assert first == second and len(first) == 1


@pytest.mark.django_db
def test_multi_day_item_spans_its_days_in_the_ics(trip, julia):
    programme_item(
        trip, "Trade fair", at(SHANGHAI, 2027, 3, 28, 9, 0), at(SHANGHAI, 2027, 3, 30, 17, 0), SHANGHAI
    )

    fair = events(parse(agenda.ics_for(julia)))["Trade fair"]

    assert fair.decoded("DTSTART").date() == datetime.date(2027, 3, 28)
    assert fair.decoded("DTEND").date() == datetime.date(2027, 3, 30)
    assert fair.decoded("DTEND") - fair.decoded("DTSTART") == datetime.timedelta(days=2, hours=8)


@pytest.mark.django_db
def test_items_around_the_european_dst_change_keep_0900_local_in_the_ics(trip, julia):
    # Summer time starts on Sunday 2027-03-28: 09:00 Berlin is 08:00 UTC before and 07:00 UTC after.
    programme_item(trip, "Saturday", at(BERLIN, 2027, 3, 27, 9, 0), at(BERLIN, 2027, 3, 27, 10, 0), BERLIN)
    programme_item(trip, "Monday", at(BERLIN, 2027, 3, 29, 9, 0), at(BERLIN, 2027, 3, 29, 10, 0), BERLIN)

    ics = agenda.ics_for(julia)
    found = events(parse(ics))

    assert b"DTSTART;TZID=Europe/Berlin:20270327T090000" in ics
    assert b"DTSTART;TZID=Europe/Berlin:20270329T090000" in ics
    assert found["Saturday"].decoded("DTSTART").astimezone(datetime.UTC).hour == 8
    assert found["Monday"].decoded("DTSTART").astimezone(datetime.UTC).hour == 7
    # The VTIMEZONE itself (what a calendar program without IANA data relies on) knows the change too.
    berlin = next(tz for tz in parse(ics).walk("VTIMEZONE") if str(tz["TZID"]) == BERLIN).to_tz()
    assert datetime.datetime(2027, 3, 27, 9, 0, tzinfo=berlin).utcoffset() == datetime.timedelta(hours=1)
    assert datetime.datetime(2027, 3, 29, 9, 0, tzinfo=berlin).utcoffset() == datetime.timedelta(hours=2)


@pytest.mark.django_db
def test_published_meeting_is_in_the_ics_with_counterpart_and_table(trip, julia, meeting):
    publish(trip)

    (event,) = [e for e in parse(agenda.ics_for(julia)).walk("VEVENT") if "王芳" in str(e["SUMMARY"])]

    assert event["DTSTART"].params["TZID"] == SHANGHAI
    assert "Table 7" in str(event["DESCRIPTION"])
    assert "扬州恒通汽车零部件有限公司" in str(event["DESCRIPTION"])
    assert str(event["LOCATION"]) == "Yangzhou International Conference Centre"


@pytest.mark.django_db
def test_calendar_feed_is_served_as_text_calendar(client, trip, julia):
    programme_item(trip, "Arrival", at(BERLIN, 2027, 3, 26, 9, 0), at(BERLIN, 2027, 3, 26, 10, 0), BERLIN)

    response = client.get(f"/en/delegations/calendar/{julia.calendar_token}.ics")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "Content-Disposition" not in response
    assert "Arrival" in events(parse(response.content))


@pytest.mark.django_db
def test_calendar_download_is_an_attachment(client, trip, julia):
    response = client.get(f"/en/delegations/calendar/{julia.calendar_token}.ics?download=1")

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert f'filename="{trip.slug}.ics"' in response["Content-Disposition"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/en/delegations/calendar/{}.ics", "/en/delegations/agenda/{}/"])
def test_unknown_token_is_not_found(client, julia, path):
    assert client.get(path.format("not-a-token")).status_code == 404


@pytest.mark.django_db
def test_the_calendar_token_does_not_open_the_agenda_page(client, julia):
    assert client.get(f"/en/delegations/agenda/{julia.calendar_token}/").status_code == 404


@pytest.mark.django_db
def test_cancelled_registration_loses_agenda_and_feed(client, julia):
    julia.status = Registration.Status.CANCELLED
    julia.save()

    assert client.get(f"/en/delegations/agenda/{julia.access_token}/").status_code == 404
    assert client.get(f"/en/delegations/calendar/{julia.calendar_token}.ics").status_code == 404


# --- the agenda page ---------------------------------------------------------------------------------------


def page(client, registration, language="en") -> str:
    response = client.get(f"/{language}/delegations/agenda/{registration.access_token}/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_shanghai_morning_is_seven_hours_earlier_for_a_berlin_viewer_in_winter(client, trip, julia):
    programme_item(
        trip, "Welcome", at(SHANGHAI, 2027, 1, 15, 10, 0), at(SHANGHAI, 2027, 1, 15, 11, 0), SHANGHAI
    )

    html = page(client, julia)

    assert "10:00" in html
    (own,) = your_time(html)
    assert "03:00" in own and "Central European Time" in own


@pytest.mark.django_db
def test_shanghai_morning_is_six_hours_earlier_for_a_berlin_viewer_in_summer(client, trip, julia):
    programme_item(
        trip, "Welcome", at(SHANGHAI, 2027, 7, 15, 10, 0), at(SHANGHAI, 2027, 7, 15, 11, 0), SHANGHAI
    )

    html = page(client, julia)

    (own,) = your_time(html)
    assert "04:00" in own


@pytest.mark.django_db
def test_late_evening_in_berlin_is_the_next_morning_for_a_shanghai_viewer(client, trip, wang):
    programme_item(
        trip, "Night train", at(BERLIN, 2027, 1, 20, 23, 30), at(BERLIN, 2027, 1, 21, 1, 0), BERLIN
    )

    html = page(client, wang)

    assert 'datetime="2027-01-20"' in html  # listed on its own day, where it happens
    (own,) = your_time(html)
    assert "01/21/2027 06:30" in own


@pytest.mark.django_db
def test_no_own_time_when_the_viewer_is_in_the_events_zone(client, trip, wang):
    programme_item(
        trip, "Welcome", at(SHANGHAI, 2027, 1, 15, 10, 0), at(SHANGHAI, 2027, 1, 15, 11, 0), SHANGHAI
    )

    assert your_time(page(client, wang)) == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "html_lang", "title", "ui_text"),
    [
        ("de", "de", "Werksbesichtigung", "Wann"),
        ("en", "en", "Factory tour", "When"),
        ("zh-hans", "zh-Hans", "参观工厂", "时间"),
    ],
)
def test_agenda_page_renders_in_each_language(client, trip, julia, language, html_lang, title, ui_text):
    programme_item(
        trip,
        {"en": "Factory tour", "de": "Werksbesichtigung", "zh-hans": "参观工厂"},
        at(SHANGHAI, 2027, 3, 27, 9, 0),
        at(SHANGHAI, 2027, 3, 27, 11, 0),
        SHANGHAI,
    )

    html = page(client, julia, language)

    assert f'<html lang="{html_lang}">' in html
    assert title in html
    assert f">{ui_text}<" in html


@pytest.mark.django_db
def test_agenda_page_hides_counterpart_and_table_before_publication(client, trip, julia, meeting):
    html = page(client, julia)

    assert "王芳" not in html
    assert "Table 7" not in html


@pytest.mark.django_db
def test_agenda_page_shows_counterpart_and_table_once_published(client, trip, julia, meeting):
    publish(trip)

    html = page(client, julia)

    assert "王芳 (Wang Fang), 扬州恒通汽车零部件有限公司" in html
    assert "Table 7" in html


@pytest.mark.django_db
def test_agenda_page_links_to_the_webcal_feed_and_the_download(client, julia):
    html = page(client, julia)

    assert f'href="webcal://testserver/en/delegations/calendar/{julia.calendar_token}.ics"' in html
    assert f'href="/en/delegations/calendar/{julia.calendar_token}.ics?download=1"' in html
    assert "partnerhub/agenda.css" in html  # the print layout (@media print) lives in that file


@pytest.mark.django_db
def test_agenda_page_is_not_cached_or_indexed(client, julia):
    response = client.get(f"/en/delegations/agenda/{julia.access_token}/")

    assert "private" in response["Cache-Control"]
    assert "noindex" in response["X-Robots-Tag"]


# --- reminders ---------------------------------------------------------------------------------------------

TWO_DAYS_BEFORE = at(SHANGHAI, 2027, 3, 24, 9, 0)  # the trip starts on 2027-03-26 in Shanghai


@pytest.mark.django_db
def test_trip_reminder_is_sent_once_in_the_participants_language(
    trip, julia, mailoutbox, django_capture_on_commit_callbacks
):
    julia.language = "de"
    julia.save()

    with django_capture_on_commit_callbacks(execute=True):
        first = reminders.send_trip_reminders(now=TWO_DAYS_BEFORE)
    with django_capture_on_commit_callbacks(execute=True):
        second = reminders.send_trip_reminders(now=TWO_DAYS_BEFORE + datetime.timedelta(hours=12))

    assert (first, second) == (1, 0)
    (mail,) = mailoutbox
    assert mail.to == ["becker@example.org"]
    assert "Frühjahrsreise" in mail.subject
    assert "26. März 2027" in mail.body
    assert f"/de/delegations/agenda/{julia.access_token}/" in mail.body
    assert audit.history(julia).filter(action="delegation.reminder_sent", data__kind="trip").count() == 1


@pytest.mark.django_db
def test_no_trip_reminder_a_week_before(trip, julia, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sent = reminders.send_trip_reminders(now=TWO_DAYS_BEFORE - datetime.timedelta(days=5))

    assert sent == 0 and mailoutbox == []


@pytest.mark.django_db
def test_no_trip_reminder_for_a_cancelled_registration(
    trip, julia, mailoutbox, django_capture_on_commit_callbacks
):
    julia.status = Registration.Status.CANCELLED
    julia.save()

    with django_capture_on_commit_callbacks(execute=True):
        reminders.send_trip_reminders(now=TWO_DAYS_BEFORE)

    assert mailoutbox == []


MEETING_EVE = at(SHANGHAI, 2027, 3, 28, 12, 0)  # the meeting is at 10:00 Shanghai on 2027-03-29


@pytest.mark.django_db
def test_meeting_day_reminder_lists_tomorrows_meetings_once_in_the_participants_language(
    trip, julia, wang, meeting, mailoutbox, django_capture_on_commit_callbacks
):
    publish(trip)

    with django_capture_on_commit_callbacks(execute=True):
        first = reminders.send_meeting_day_reminders(now=MEETING_EVE)
    with django_capture_on_commit_callbacks(execute=True):
        second = reminders.send_meeting_day_reminders(now=MEETING_EVE + datetime.timedelta(hours=6))

    assert (first, second) == (2, 0)
    by_recipient = {mail.to[0]: mail for mail in mailoutbox}
    chinese = by_recipient["王@example.org"]
    assert "春季访问" in chinese.subject
    assert "10:00–10:30 (中国时间)" in chinese.body
    assert "Julia Becker, Öffentliche Maschinenbau GmbH" in chinese.body
    assert "Table 7" in chinese.body
    assert "your time" not in chinese.body  # Wang is in Shanghai: no second time
    english = by_recipient["becker@example.org"]
    assert "Spring visit" in english.subject
    assert "10:00–10:30 (China Time)" in english.body
    assert "03/29/2027 04:00 your time (Central European Time)" in english.body  # summer time has begun
    assert "王芳 (Wang Fang), 扬州恒通汽车零部件有限公司" in english.body


@pytest.mark.django_db
def test_no_meeting_day_reminder_before_the_schedule_is_published(
    trip, julia, meeting, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sent = reminders.send_meeting_day_reminders(now=MEETING_EVE)

    assert sent == 0 and mailoutbox == []


@pytest.mark.django_db
def test_no_meeting_day_reminder_two_days_before(
    trip, julia, meeting, mailoutbox, django_capture_on_commit_callbacks
):
    publish(trip)

    with django_capture_on_commit_callbacks(execute=True):
        sent = reminders.send_meeting_day_reminders(now=MEETING_EVE - datetime.timedelta(days=1))

    assert sent == 0 and mailoutbox == []


@pytest.mark.django_db
def test_trip_reminders_command_reports_what_it_sent(trip, julia, capsys):
    trip.start_date = timezone.localdate() + datetime.timedelta(days=1)
    trip.end_date = trip.start_date + datetime.timedelta(days=3)
    trip.save()

    call_command("trip_reminders")

    assert "Sent 1 trip reminder(s) and 0 meeting-day reminder(s)." in capsys.readouterr().out
