"""Staff pages of delegation trips: the trip, a two-city itinerary, legs and programme in local time,
waiting-list rules, next year's copy — driven through the real forms, in German and Chinese."""

import datetime
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import translation

from partnerhub.core.models import AuditEntry
from partnerhub.delegations.models import (
    Delegation,
    ProgrammeItem,
    Registration,
    RegistrationQuestion,
    Stop,
    Table,
    TravelLeg,
)
from partnerhub.delegations.registration import services as registration_services
from partnerhub.delegations.trips.duplicate import duplicate_trip
from tests.clients import signed_in
from tests.factories import DelegationFactory
from tests.formdata import form_data

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
LANGUAGES = ["de", "zh-hans"]
TEXT = {
    "de": {
        "itinerary": "Städte und Aufenthalte",
        "stale": "Jemand anderes hat diesen Datensatz gespeichert",
        "end": "Die Reise kann nicht vor ihrem Beginn enden.",
        "arrival": "Die Ankunft darf nicht vor der Abfahrt liegen.",
        "outside_item": "Der Programmpunkt liegt außerhalb der Reisedaten",
        "outside_stop": "Dieser Tag liegt außerhalb der Reise",
    },
    "zh-hans": {
        "itinerary": "城市与停留",
        "stale": "在您编辑期间，其他人保存了此记录",
        "end": "行程结束日期不能早于开始日期。",
        "arrival": "到达时间不能早于出发时间。",
        "outside_item": "该日程项目不在行程日期之内",
        "outside_stop": "这一天不在行程期间内",
    },
}


def url(name, language, *args):
    with translation.override(language):
        return reverse(f"delegations:{name}", args=args)


def trip_in_september(world, **kwargs):
    kwargs.setdefault("title", {"de": "Herbstreise", "en": "Autumn trip"})
    kwargs.setdefault("partnership", world.partnership)
    return DelegationFactory(
        start_date=datetime.date(2027, 9, 10),
        end_date=datetime.date(2027, 9, 15),
        **kwargs,
    )


def two_stops(world, trip):
    home = Stop.objects.create(
        delegation=trip,
        region=world.home_region,
        arrival=datetime.date(2027, 9, 10),
        departure=datetime.date(2027, 9, 10),
        time_zone="Europe/Berlin",
        position=0,
    )
    partner = Stop.objects.create(
        delegation=trip,
        region=world.partner_region,
        arrival=datetime.date(2027, 9, 11),
        departure=datetime.date(2027, 9, 15),
        time_zone="Asia/Shanghai",
        position=1,
    )
    return home, partner


@pytest.mark.parametrize("language", LANGUAGES)
def test_agency_staff_create_a_trip_with_a_two_city_itinerary_a_leg_and_a_local_programme_item(
    world, agency_staff, language
):
    client = signed_in(agency_staff)
    listing = client.get(url("list", language)).content.decode()
    assert url("trip_new", language) in listing

    data = form_data(client.get(url("trip_new", language)))
    data["title_0"] = "Delegationsreise nach Yangzhou"
    data["title_2"] = "扬州代表团之行"
    data["partnership"] = str(world.partnership.pk)
    data["direction"] = "outgoing"
    data["start_date"] = "2027-09-10"
    data["end_date"] = "2027-09-15"
    data["time_zone"] = "Asia/Shanghai"
    data["capacity"] = "12"
    data["waiting_list"] = "staff"
    data["waiting_list_limit"] = "5"
    data["registration_closes"] = "2027-08-01T18:00"
    response = client.post(url("trip_new", language), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    trip = Delegation.objects.get(title__contains="Yangzhou")
    assert response["Location"] == url("trip_itinerary", language, trip.slug)
    assert trip.slug == "delegationsreise-nach-yangzhou-2027"
    assert (trip.capacity, trip.waiting_list, trip.waiting_list_limit) == (12, "staff", 5)
    assert trip.registration_closes == datetime.datetime(2027, 8, 1, 10, 0, tzinfo=UTC)  # Shanghai time

    page = client.get(url("trip_itinerary", language, trip.slug))
    assert TEXT[language]["itinerary"] in page.content.decode()
    data = form_data(page)
    data.update(
        {
            "stops-0-region": str(world.home_region.pk),
            "stops-0-arrival": "2027-09-10",
            "stops-0-departure": "2027-09-10",
            "stops-0-time_zone": "Europe/Berlin",
            "stops-1-region": str(world.partner_region.pk),
            "stops-1-arrival": "2027-09-11",
            "stops-1-departure": "2027-09-15",
            "stops-1-venue_0": "Hotel am Kanal",
            "stops-1-time_zone": "Asia/Shanghai",
        }
    )
    assert client.post(url("trip_itinerary", language, trip.slug), data).status_code == 302
    home, partner = trip.stops.all()
    assert (home.region, partner.region) == (world.home_region, world.partner_region)
    assert set(trip.destinations.all()) == {world.home_region, world.partner_region}

    itinerary = client.get(url("trip_itinerary", language, trip.slug)).content.decode()
    leg_url = f"{url('trip_leg_new', language, trip.slug)}?origin={home.pk}&amp;destination={partner.pk}"
    assert leg_url in itinerary
    data = form_data(client.get(leg_url.replace("&amp;", "&")))
    assert data.value("origin") == str(home.pk) and data.value("destination") == str(partner.pk)
    data["mode"] = "flight"
    data["departs_at"] = "2027-09-10T20:05"  # Frankfurt, summer time
    data["arrives_at"] = "2027-09-11T13:30"  # Shanghai
    data["details"] = "LH 732"
    assert client.post(url("trip_leg_new", language, trip.slug), data).status_code == 302
    leg = TravelLeg.objects.get(delegation=trip)
    assert leg.departs_at == datetime.datetime(2027, 9, 10, 18, 5, tzinfo=UTC)
    assert leg.arrives_at == datetime.datetime(2027, 9, 11, 5, 30, tzinfo=UTC)

    data = form_data(client.get(url("trip_item_new", language, trip.slug)))
    data["stop"] = str(partner.pk)
    data["kind"] = "company_visit"
    data["title_0"] = "Werksbesuch"
    data["title_2"] = "参观工厂"
    data["starts_at"] = "2027-09-12T10:00"
    data["ends_at"] = "2027-09-12T12:00"
    data["time_zone"] = ""  # the stop's zone
    assert client.post(url("trip_item_new", language, trip.slug), data).status_code == 302
    item = ProgrammeItem.objects.get(delegation=trip)
    assert item.time_zone == "Asia/Shanghai"
    assert item.starts_at == datetime.datetime(2027, 9, 12, 2, 0, tzinfo=UTC)

    # editing shows the local times again
    again = form_data(client.get(url("trip_item_edit", language, trip.slug, item.pk)))
    assert again.value("starts_at") == "2027-09-12T10:00"
    again_leg = form_data(client.get(url("trip_leg_edit", language, trip.slug, leg.pk)))
    assert (again_leg.value("departs_at"), again_leg.value("arrives_at")) == (
        "2027-09-10T20:05",
        "2027-09-11T13:30",
    )
    detail = client.get(trip.get_absolute_url()).content.decode()
    assert url("trip_edit", language, trip.slug) in detail
    actions = set(AuditEntry.objects.filter(target_id=str(trip.pk)).values_list("action", flat=True))
    assert {
        "delegation.created",
        "delegation.itinerary_saved",
        "delegation.leg_added",
        "delegation.item_added",
    } <= actions


@pytest.mark.parametrize("language", LANGUAGES)
def test_bad_input_is_explained_in_the_users_language_and_nothing_is_saved(world, agency_staff, language):
    client = signed_in(agency_staff)
    trip = trip_in_september(world)
    home, partner = two_stops(world, trip)

    data = form_data(client.get(url("trip_edit", language, trip.slug)))
    data["end_date"] = "2027-09-01"
    page = client.post(url("trip_edit", language, trip.slug), data)
    assert page.status_code == 200 and TEXT[language]["end"] in page.content.decode()

    data = form_data(client.get(url("trip_leg_new", language, trip.slug)))
    data.update(
        {
            "origin": str(home.pk),
            "destination": str(partner.pk),
            "mode": "train",
            "departs_at": "2027-09-11T10:00",
            "arrives_at": "2027-09-11T09:00",  # in Shanghai: before leaving Germany at 16:00 Beijing time
        }
    )
    page = client.post(url("trip_leg_new", language, trip.slug), data)
    assert page.status_code == 200 and TEXT[language]["arrival"] in page.content.decode()

    data = form_data(client.get(url("trip_item_new", language, trip.slug)))
    data.update(
        {
            "kind": "other",
            "title_1": "Too late",
            "starts_at": "2027-09-20T10:00",
            "ends_at": "2027-09-20T11:00",
        }
    )
    page = client.post(url("trip_item_new", language, trip.slug), data)
    assert page.status_code == 200 and TEXT[language]["outside_item"] in page.content.decode()

    data = form_data(client.get(url("trip_itinerary", language, trip.slug)))
    data["stops-2-region"] = str(world.home_region.pk)
    data["stops-2-arrival"] = "2027-09-14"
    data["stops-2-departure"] = "2027-09-18"
    page = client.post(url("trip_itinerary", language, trip.slug), data)
    assert page.status_code == 200 and TEXT[language]["outside_stop"] in page.content.decode()

    assert not trip.legs.exists() and not trip.programme.exists() and trip.stops.count() == 2
    assert Delegation.objects.get(pk=trip.pk).end_date == datetime.date(2027, 9, 15)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_trip_saved_over_a_newer_version_keeps_both_texts(world, agency_staff, superuser, language):
    trip = trip_in_september(world)
    first, second = signed_in(agency_staff), signed_in(superuser)
    edit = url("trip_edit", language, trip.slug)
    first_form, second_form = form_data(first.get(edit)), form_data(second.get(edit))
    first_form["description_0"] = "Erste Fassung der Beschreibung"
    assert first.post(edit, first_form).status_code == 302
    second_form["capacity"] = "30"
    page = second.post(edit, second_form)
    html = page.content.decode()
    assert page.status_code == 200 and TEXT[language]["stale"] in html
    assert "Erste Fassung der Beschreibung" in html
    assert Delegation.objects.get(pk=trip.pk).capacity is None


def test_a_new_programme_item_makes_an_open_trip_form_stale(world, agency_staff):
    trip = trip_in_september(world)
    client = signed_in(agency_staff)
    edit = url("trip_edit", "de", trip.slug)
    stale = form_data(client.get(edit))
    ProgrammeItem.objects.create(
        delegation=trip,
        kind="other",
        title={"de": "Abendessen"},
        starts_at=datetime.datetime(2027, 9, 11, 17, tzinfo=UTC),
        ends_at=datetime.datetime(2027, 9, 11, 19, tzinfo=UTC),
        time_zone="Europe/Berlin",
    )
    stale["capacity"] = "8"
    page = client.post(edit, stale)
    assert TEXT["de"]["stale"] in page.content.decode()


@pytest.mark.parametrize("persona", ["partner_staff", "other_staff", "member_a"])
def test_other_roles_may_not_create_or_change_trips(world, request, persona):
    user = request.getfixturevalue(persona)
    trip = trip_in_september(world, is_public=True)
    client = signed_in(user)
    for name in ["trip_edit", "trip_itinerary", "trip_programme", "trip_item_new", "trip_duplicate"]:
        assert client.get(url(name, "de", trip.slug)).status_code == 403, name
    assert client.post(url("trip_duplicate", "de", trip.slug), {}).status_code == 403
    if persona != "partner_staff":
        assert client.get(url("trip_new", "de")).status_code == 403
    private = trip_in_september(world, partnership=world.private_partnership, is_public=False)
    assert client.get(url("trip_edit", "de", private.slug)).status_code == 404
    assert url("trip_edit", "de", trip.slug) not in client.get(trip.get_absolute_url()).content.decode()
    assert Delegation.objects.count() == 3


def test_anonymous_visitors_are_sent_to_sign_in(world, client):
    response = client.get(url("trip_edit", "de", world.delegation.slug))
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_parts_of_another_trip_are_not_found_through_this_one(world, agency_staff):
    trip = trip_in_september(world)
    other = trip_in_september(world)
    home, partner = two_stops(world, other)
    leg = TravelLeg.objects.create(
        delegation=other,
        origin=home,
        destination=partner,
        mode="flight",
        departs_at=datetime.datetime(2027, 9, 10, 18, tzinfo=UTC),
        arrives_at=datetime.datetime(2027, 9, 11, 5, tzinfo=UTC),
    )
    client = signed_in(agency_staff)
    assert client.get(url("trip_leg_edit", "de", trip.slug, leg.pk)).status_code == 404
    assert client.post(url("trip_leg_delete", "de", trip.slug, leg.pk)).status_code == 404
    assert TravelLeg.objects.filter(pk=leg.pk).exists()


# --- next year's trip ---------------------------------------------------------------------------------------


def _full_trip(world):
    trip = trip_in_september(world, capacity=10, is_public=True)
    trip.registration_closes = datetime.datetime(2027, 8, 1, 16, tzinfo=UTC)
    trip.save()
    home, partner = two_stops(world, trip)
    TravelLeg.objects.create(
        delegation=trip,
        origin=home,
        destination=partner,
        mode="flight",
        departs_at=datetime.datetime(2027, 9, 10, 18, 5, tzinfo=UTC),
        arrives_at=datetime.datetime(2027, 9, 11, 5, 30, tzinfo=UTC),
    )
    ProgrammeItem.objects.create(
        delegation=trip,
        stop=partner,
        kind="b2b_block",
        title={"de": "B2B-Gespräche"},
        starts_at=datetime.datetime(2027, 9, 12, 1, tzinfo=UTC),  # 09:00 in Shanghai
        ends_at=datetime.datetime(2027, 9, 12, 4, tzinfo=UTC),
        time_zone="Asia/Shanghai",
    )
    ProgrammeItem.objects.create(
        delegation=trip,
        stop=home,
        kind="reception",
        title={"de": "Abschied"},
        starts_at=datetime.datetime(2027, 9, 10, 8, tzinfo=UTC),  # 10:00 in Berlin (summer time)
        ends_at=datetime.datetime(2027, 9, 10, 9, tzinfo=UTC),
        time_zone="Europe/Berlin",
    )
    parent = RegistrationQuestion.objects.create(
        delegation=trip, key="visa", label={"de": "Visum?"}, kind="yes_no"
    )
    RegistrationQuestion.objects.create(
        delegation=trip,
        key="passport_number",
        label={"de": "Passnummer"},
        depends_on=parent,
        depends_value="yes",
    )
    Table.objects.create(delegation=trip, name="A1")
    registration_services.register(
        trip,
        [
            {
                "family_name": "Muster",
                "email": "m@example.org",
                "organisation_name": "X",
                "time_zone": "Europe/Berlin",
            }
        ],
        language="de",
    )
    return trip


@pytest.mark.parametrize("language", LANGUAGES)
def test_staff_copy_a_trip_for_next_year_through_its_page(world, agency_staff, language):
    trip = _full_trip(world)
    client = signed_in(agency_staff)
    data = form_data(client.get(url("trip_duplicate", language, trip.slug)))
    assert data.value("start_date") == "2028-09-08"  # 52 weeks later: the same weekday
    data["title_0"] = "Herbstreise 2028"
    response = client.post(url("trip_duplicate", language, trip.slug), data)
    copy = Delegation.objects.exclude(pk__in=[trip.pk, world.delegation.pk]).get()
    assert response.status_code == 302 and response["Location"] == url("trip_edit", language, copy.slug)
    assert copy.slug == "herbstreise-2028" and copy.status == Delegation.Status.PLANNED
    assert (copy.start_date, copy.end_date) == (datetime.date(2028, 9, 8), datetime.date(2028, 9, 13))
    assert [s.arrival for s in copy.stops.all()] == [datetime.date(2028, 9, 8), datetime.date(2028, 9, 9)]
    assert copy.legs.get().departs_at.astimezone(BERLIN).time() == datetime.time(20, 5)
    b2b = copy.programme.get(kind="b2b_block")
    assert b2b.starts_at.astimezone(SHANGHAI) == datetime.datetime(2028, 9, 10, 9, 0, tzinfo=SHANGHAI)
    assert b2b.stop.region == world.partner_region and b2b.stop.delegation == copy
    assert copy.questions.get(key="passport_number").depends_on == copy.questions.get(key="visa")
    assert list(copy.tables.values_list("name", flat=True)) == ["A1"]
    assert not copy.registrations.exists() and trip.registrations.count() == 1
    assert AuditEntry.objects.filter(target_id=str(copy.pk), action="delegation.duplicated").exists()


def test_a_copy_keeps_local_times_across_a_change_of_daylight_saving_time(world):
    trip = _full_trip(world)
    copy = duplicate_trip(trip, datetime.date(2027, 11, 5), None)  # 56 days later: Berlin in winter time
    farewell = copy.programme.get(kind="reception")
    assert farewell.starts_at.astimezone(BERLIN).replace(tzinfo=None) == datetime.datetime(2027, 11, 5, 10, 0)
    assert farewell.starts_at == datetime.datetime(2027, 11, 5, 9, 0, tzinfo=UTC)  # UTC+1 now
    assert copy.registration_closes.astimezone(BERLIN).hour == 18


def test_partner_staff_cannot_copy_a_trip_they_only_see(world, partner_staff):
    trip = _full_trip(world)
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        duplicate_trip(trip, datetime.date(2028, 9, 8), partner_staff)


# --- waiting-list rules -------------------------------------------------------------------------------------


def _person(n):
    return {
        "family_name": f"Muster{n}",
        "email": f"p{n}@example.org",
        "organisation_name": "X",
        "time_zone": "Europe/Berlin",
    }


def test_without_approval_a_registration_with_a_seat_is_confirmed_at_once(world):
    trip = trip_in_september(world, capacity=1, needs_approval=False)
    first, second = registration_services.register(trip, [_person(1), _person(2)], language="de")
    assert (first.status, second.status) == ("confirmed", "waiting")
    registration_services.cancel(first)
    assert Registration.objects.get(pk=second.pk).status == "confirmed"


def test_a_full_waiting_list_refuses_more_registrations(world):
    trip = trip_in_september(world, capacity=1, waiting_list_limit=1)
    registration_services.register(trip, [_person(1), _person(2)], language="de")
    from django.core.exceptions import ValidationError

    with translation.override("de"), pytest.raises(ValidationError) as refused:
        registration_services.register(trip, [_person(3)], language="de")
    assert "Warteliste" in str(refused.value)
    assert trip.registrations.count() == 2


def test_staff_move_people_up_themselves_when_they_manage_the_waiting_list(world, agency_staff):
    trip = trip_in_september(world, capacity=1, waiting_list="staff")
    first, second, third = registration_services.register(
        trip, [_person(1), _person(2), _person(3)], language="de"
    )
    registration_services.cancel(first)
    assert Registration.objects.get(pk=second.pk).status == "waiting"  # nobody moves up by themselves
    newcomer = registration_services.register(trip, [_person(4)], language="de")[0]
    assert newcomer.status == "waiting"  # the free seat is for the people waiting

    client = signed_in(agency_staff)
    page = client.get(url("registration_list", "de", trip.slug)).content.decode()
    move_up = url("registration_move_up", "de", trip.slug, third.pk)
    assert move_up in page
    assert client.post(move_up).status_code == 302
    assert Registration.objects.get(pk=third.pk).status == "pending"
    assert Registration.objects.get(pk=second.pk).status == "waiting"
    assert AuditEntry.objects.filter(
        action="registration.moved_up", target_id=str(third.pk), actor=agency_staff
    ).exists()
    # no seat left: a clear message, nothing changes
    response = client.post(url("registration_move_up", "de", trip.slug, second.pk), follow=True)
    assert "Kein Platz ist frei" in response.content.decode()
    assert Registration.objects.get(pk=second.pk).status == "waiting"


def test_partner_staff_may_not_move_anyone_up(world, partner_staff):
    trip = trip_in_september(world, capacity=1, waiting_list="staff", is_public=True)
    _first, second = registration_services.register(trip, [_person(1), _person(2)], language="de")
    assert (
        signed_in(partner_staff).post(url("registration_move_up", "de", trip.slug, second.pk)).status_code
        == 403
    )
    assert Registration.objects.get(pk=second.pk).status == "waiting"


def test_the_admins_leg_form_reads_the_arrival_in_the_destinations_zone_too(world):
    from partnerhub.delegations.trips.forms import TravelLegForm

    trip = trip_in_september(world)
    home, partner = two_stops(world, trip)
    form = TravelLegForm(
        data={
            "origin": home.pk,
            "destination": partner.pk,
            "mode": "flight",
            "departs_at": "2027-09-10 20:05",
            "arrives_at": "2027-09-11 13:30",
        },
        instance=TravelLeg(delegation=trip),
    )
    assert form.is_valid(), form.errors
    leg = form.save()
    assert (leg.departs_at, leg.arrives_at) == (
        datetime.datetime(2027, 9, 10, 18, 5, tzinfo=UTC),
        datetime.datetime(2027, 9, 11, 5, 30, tzinfo=UTC),
    )
