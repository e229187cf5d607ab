"""Staff pages for B2B meeting days: sessions in local time, the slots they make, the meeting length, tables."""

import datetime
import zoneinfo

import pytest
from django.utils import timezone, translation

from partnerhub.core.audit import history
from partnerhub.delegations.meetings import services, setup
from partnerhub.delegations.meetings.tasks import build_instance
from partnerhub.delegations.models import Meeting, ProgrammeItem, Registration, Stop, Table
from partnerhub.privacy.models import PrivacyNotice
from tests.clients import signed_in, url
from tests.formdata import form_data

pytestmark = pytest.mark.django_db
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture
def trip(world):
    return world.delegation


@pytest.fixture
def stop(trip, world):
    return Stop.objects.create(
        delegation=trip, region=world.partner_region, arrival=trip.start_date,
        departure=trip.start_date + datetime.timedelta(days=2), time_zone="Asia/Shanghai",
    )  # fmt: skip


def day_form(client, trip, language, stop, day, *sessions):
    page = client.get(url("delegations:meeting_day_add", language, trip.slug))
    assert page.status_code == 200
    data = form_data(page)
    data["day"] = day.isoformat()
    data["stop"] = str(stop.pk)
    data["venue_1"] = "Yangzhou Convention Centre"
    for number, (start, end) in enumerate(sessions, start=1):
        data[f"start_{number}"], data[f"end_{number}"] = start, end
    return client.post(page.request["PATH_INFO"], data)


def add_table(client, trip, language, name):
    page = client.get(url("delegations:meeting_days", language, trip.slug))
    action = url("delegations:table_add", language, trip.slug)
    data = form_data(page, action=action)
    data["name"] = name
    return client.post(action, data)


def session_at(trip, stop, day, start, end):
    return setup.add_meeting_day(trip, actor=None, day=day, stop=stop, times=[(start, end)])[0]


def meeting_at(trip, table, starts_at, minutes=30):
    notice, _created = PrivacyNotice.objects.get_or_create(version=1, defaults={"text": {"en": "Notice"}})
    people = [
        Registration.objects.create(
            delegation=trip,
            family_name=name,
            organisation_name=name,
            email=f"{name}@example.org",
            privacy_notice=notice,
            consent_given_at=timezone.now(),
            status=Registration.Status.CONFIRMED,
        )  # fmt: skip
        for name in ("ann", "bo")
    ]
    return Meeting.objects.create(
        delegation=trip, first=people[0], second=people[1], table=table, starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(minutes=minutes),
    )  # fmt: skip


@pytest.mark.parametrize("language", ["de", "zh-hans"])
def test_a_day_with_two_sessions_and_three_tables_gives_the_slots_the_scheduler_sees(
    client, trip, stop, agency_staff, language
):
    client.force_login(agency_staff)
    day = trip.start_date + datetime.timedelta(days=1)
    response = day_form(client, trip, language, stop, day, ("09:00", "11:00"), ("14:00", "15:30"))
    assert response.status_code == 302
    for name in ("A1", "A2", "B1"):
        assert add_table(client, trip, language, name).status_code == 302
    sessions = list(setup.sessions_of(trip))
    assert [s.starts_at.astimezone(SHANGHAI).time() for s in sessions] == [
        datetime.time(9),
        datetime.time(14),
    ]
    assert sessions[0].venue.data["en"] == "Yangzhou Convention Centre"
    assert len(services.slots_of(trip)) == 4 + 3  # 30-minute meetings
    instance, _lookups = build_instance(trip)
    assert len(instance.slots) == 7 and len(instance.tables) == 3
    assert instance.slots[0].start == datetime.datetime.combine(day, datetime.time(9), tzinfo=SHANGHAI)
    page = client.get(url("delegations:meeting_days", language, trip.slug)).content.decode()
    assert {"de": "Gesprächstage", "zh-hans": "洽谈日"}[language] in page
    assert {"de": "7 Zeitfenster an diesem Tag.", "zh-hans": "当天共 7 个时间段。"}[language] in page
    assert "<dd>21</dd>" in page  # 7 slots × 3 tables
    assert history(trip).filter(action="meetings.day_added").exists()
    assert history(trip).filter(action="meetings.tables_set").count() == 3


BAD_SESSIONS = [
    # (day offset from the trip's start, start, end, German, Chinese)
    (1, "11:00", "09:00", "Der Block muss nach seinem Beginn enden.", "时段的结束时间必须晚于开始时间。"),
    (-1, "09:00", "11:00", "Der Tag muss innerhalb der Reise liegen", "日期必须在行程期间内"),
    (3, "09:00", "11:00", "Die Gruppe ist nur vom", "代表团仅在"),
    (
        1,
        "09:00",
        "09:20",
        "Der Block ist kürzer als ein Gespräch (30 Minuten).",
        "该时段短于一场洽谈（30 分钟）。",
    ),
    (1, "10:00", "12:00", "überschneidet sich mit einem anderen B2B-Block", "与此站点的另一个 B2B 时段重叠"),
]


@pytest.mark.parametrize("language", ["de", "zh-hans"])
@pytest.mark.parametrize(("offset", "start", "end", "german", "chinese"), BAD_SESSIONS)
def test_a_bad_session_is_refused_in_the_users_language(
    client, trip, stop, agency_staff, language, offset, start, end, german, chinese
):
    session_at(trip, stop, trip.start_date + datetime.timedelta(days=1), datetime.time(9), datetime.time(11))
    client.force_login(agency_staff)
    response = day_form(
        client, trip, language, stop, trip.start_date + datetime.timedelta(days=offset), (start, end)
    )
    assert response.status_code == 400
    assert (german if language == "de" else chinese) in response.content.decode()
    assert setup.sessions_of(trip).count() == 1


def test_two_new_sessions_that_overlap_each_other_are_refused(trip, stop):
    day = trip.start_date
    with pytest.raises(setup.ValidationError):
        setup.add_meeting_day(
            trip, actor=None, day=day, stop=stop,
            times=[(datetime.time(9), datetime.time(11)), (datetime.time(10), datetime.time(12))],
        )  # fmt: skip
    assert not setup.sessions_of(trip).exists()


def test_staff_edit_a_session_in_local_time(client, trip, stop, agency_staff):
    session = session_at(trip, stop, trip.start_date, datetime.time(9), datetime.time(11))
    client.force_login(agency_staff)
    edit = url("delegations:session_edit", "de", trip.slug, session.pk)
    data = form_data(client.get(edit))
    assert data.value("start") == "09:00"
    data["end"] = "12:00"
    assert client.post(edit, data).status_code == 302
    session.refresh_from_db()
    assert session.ends_at == datetime.datetime.combine(trip.start_date, datetime.time(12), tzinfo=SHANGHAI)
    assert history(trip).filter(action="meetings.session_changed").exists()


@pytest.mark.parametrize("language", ["de", "zh-hans"])
def test_two_staff_editing_one_session_lose_neither_change(trip, stop, agency_staff, language):
    session = session_at(trip, stop, trip.start_date, datetime.time(9), datetime.time(11))
    edit = url("delegations:session_edit", language, trip.slug, session.pk)
    first, second = signed_in(agency_staff), signed_in(agency_staff)
    first_form, second_form = form_data(first.get(edit)), form_data(second.get(edit))
    first_form["end"] = "12:00"
    assert first.post(edit, first_form).status_code == 302
    second_form["venue_1"] = "Hall B"
    response = second.post(edit, second_form)
    assert response.status_code == 400
    assert 'class="card conflict"' in response.content.decode()
    session.refresh_from_db()
    assert session.ends_at.astimezone(SHANGHAI).hour == 12 and not session.venue.data.get("en")


def test_a_session_with_meetings_is_not_removed(client, trip, stop, agency_staff):
    session = session_at(trip, stop, trip.start_date, datetime.time(9), datetime.time(11))
    table = Table.objects.create(delegation=trip, name="A1")
    meeting_at(trip, table, session.starts_at)
    client.force_login(agency_staff)
    response = client.post(url("delegations:session_remove", "de", trip.slug, session.pk), follow=True)
    assert "Dieser Block kann nicht entfernt werden: 1 Gespräch(e) liegen darin." in response.content.decode()
    assert ProgrammeItem.objects.filter(pk=session.pk).exists()


def test_a_session_without_meetings_is_removed(client, trip, stop, agency_staff):
    session = session_at(trip, stop, trip.start_date, datetime.time(9), datetime.time(11))
    client.force_login(agency_staff)
    client.post(url("delegations:session_remove", "en", trip.slug, session.pk))
    assert not setup.sessions_of(trip).exists()
    assert history(trip).filter(action="meetings.session_removed").exists()


def test_the_meeting_length_changes_the_slots(client, trip, stop, agency_staff):
    session_at(trip, stop, trip.start_date, datetime.time(9), datetime.time(11))
    client.force_login(agency_staff)
    page = client.get(url("delegations:meeting_days", "de", trip.slug))
    action = url("delegations:meeting_length", "de", trip.slug)
    data = form_data(page, action=action)
    data["meeting_minutes"] = "20"
    assert client.post(action, data).status_code == 302
    trip.refresh_from_db()
    assert trip.meeting_minutes == 20 and len(services.slots_of(trip)) == 6
    assert history(trip).filter(action="meetings.length_set").exists()


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("de", "Diese Blöcke sind kürzer als ein Gespräch dieser Dauer"),
        ("zh-hans", "以下时段短于该时长的一场洽谈"),
    ],
)
def test_a_meeting_longer_than_a_session_is_refused(client, trip, stop, agency_staff, language, message):
    session_at(trip, stop, trip.start_date, datetime.time(9), datetime.time(10))
    client.force_login(agency_staff)
    page = client.get(url("delegations:meeting_days", language, trip.slug))
    action = url("delegations:meeting_length", language, trip.slug)
    data = form_data(page, action=action)
    data["meeting_minutes"] = "90"
    response = client.post(action, data)
    assert response.status_code == 400 and message in response.content.decode()
    trip.refresh_from_db()
    assert trip.meeting_minutes == 30


def test_a_meeting_length_form_over_a_changed_trip_is_a_conflict(client, trip, stop, agency_staff):
    client.force_login(agency_staff)
    page = client.get(url("delegations:meeting_days", "en", trip.slug))
    action = url("delegations:meeting_length", "en", trip.slug)
    data = form_data(page, action=action)
    session_at(trip, stop, trip.start_date, datetime.time(9), datetime.time(11))  # someone else, meanwhile
    data["meeting_minutes"] = "20"
    response = client.post(action, data)
    assert response.status_code == 400 and 'class="card conflict"' in response.content.decode()
    trip.refresh_from_db()
    assert trip.meeting_minutes == 30


def test_tables_are_renamed_and_reordered_and_keep_their_meetings(client, trip, stop, agency_staff):
    session = session_at(trip, stop, trip.start_date, datetime.time(9), datetime.time(11))
    services.set_tables(trip, ["A1", "A2"], actor=agency_staff)
    first = trip.tables.get(name="A1")
    meeting = meeting_at(trip, first, session.starts_at)
    client.force_login(agency_staff)
    edit = url("delegations:table_edit", "en", trip.slug, first.pk)
    data = form_data(client.get(edit))
    data["name"] = "Hall 1"
    assert client.post(edit, data).status_code == 302
    meeting.refresh_from_db()
    assert meeting.table.name == "Hall 1"
    move = url("delegations:table_move", "en", trip.slug, first.pk)
    client.post(move, {"direction": "down"})
    assert list(trip.tables.values_list("name", flat=True)) == ["A2", "Hall 1"]
    assert history(trip).filter(action="meetings.table_renamed").exists()


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("de", "Der Tisch A1 kann nicht entfernt werden: An ihm sind Gespräche eingeplant."),
        ("zh-hans", "无法删除洽谈桌 A1：该桌已安排了洽谈。"),
    ],
)
def test_a_table_with_meetings_is_not_removed(client, trip, stop, agency_staff, language, message):
    session = session_at(trip, stop, trip.start_date, datetime.time(9), datetime.time(11))
    table = Table.objects.create(delegation=trip, name="A1")
    meeting_at(trip, table, session.starts_at)
    client.force_login(agency_staff)
    response = client.post(url("delegations:table_remove", language, trip.slug, table.pk), follow=True)
    assert message in response.content.decode()
    assert Table.objects.filter(pk=table.pk).exists()


def test_a_table_without_meetings_is_removed(client, trip, agency_staff):
    table = Table.objects.create(delegation=trip, name="A1")
    client.force_login(agency_staff)
    client.post(url("delegations:table_remove", "en", trip.slug, table.pk))
    assert not Table.objects.filter(pk=table.pk).exists()


def test_a_duplicate_table_name_is_refused_in_german(client, trip, agency_staff):
    Table.objects.create(delegation=trip, name="A1")
    client.force_login(agency_staff)
    response = add_table(client, trip, "de", "a1")
    assert response.status_code == 400
    assert trip.tables.count() == 1


@pytest.mark.parametrize("persona_name", ["partner_staff", "other_staff", "member_a", "member_b"])
def test_other_roles_cannot_open_or_change_the_meeting_days(client, request, trip, stop, persona_name):
    session = session_at(trip, stop, trip.start_date, datetime.time(9), datetime.time(11))
    table = Table.objects.create(delegation=trip, name="A1")
    client.force_login(request.getfixturevalue(persona_name))
    for name, args in [("meeting_days", ()), ("meeting_day_add", ()), ("session_edit", (session.pk,)),
                       ("table_edit", (table.pk,))]:  # fmt: skip
        assert client.get(url(f"delegations:{name}", "en", trip.slug, *args)).status_code in (403, 404)
    assert client.post(url("delegations:table_add", "en", trip.slug), {"name": "X"}).status_code in (403, 404)
    assert client.post(url("delegations:session_remove", "en", trip.slug, session.pk)).status_code in (
        403,
        404,
    )
    assert trip.tables.count() == 1 and setup.sessions_of(trip).count() == 1


def test_partner_staff_who_see_the_trip_are_refused_not_hidden(client, trip, world, partner_staff):
    trip.shared_with.add(world.partner_agency)
    client.force_login(partner_staff)
    assert client.get(url("delegations:meeting_days", "en", trip.slug)).status_code == 403


def test_the_history_tells_the_setup_in_the_readers_language(trip, stop, agency_staff):
    from partnerhub.core.history import describe

    session = session_at(trip, stop, trip.start_date, datetime.time(9), datetime.time(11))
    setup.remove_session(session, actor=agency_staff)
    entries = {e.action: e for e in history(trip)}
    with translation.override("de"):
        assert "hat einen B2B-Gesprächstag am" in describe(entries["meetings.day_added"])
        assert "hat den B2B-Block ab" in describe(entries["meetings.session_removed"])
    with translation.override("zh-hans"):
        assert "洽谈日" in describe(entries["meetings.day_added"])
