"""Trips: staff type times in the zone of the place; pages show them there and in the viewer's zone."""

import datetime
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import translation

from partnerhub.delegations.models import ProgrammeItem, Stop
from partnerhub.delegations.trips.forms import ProgrammeItemForm

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def url(name, language, *args):
    with translation.override(language):
        return reverse(name, args=args)


def test_a_time_typed_for_yangzhou_is_stored_as_that_moment_in_utc(world):
    form = ProgrammeItemForm(
        data={
            "kind": "company_visit",
            "title_0": "Werksbesuch",
            "title_1": "Factory visit",
            "title_2": "参观工厂",
            "starts_at": "2027-09-15 10:00",
            "ends_at": "2027-09-15 12:00",
            "time_zone": "Asia/Shanghai",
        },
        instance=ProgrammeItem(delegation=world.delegation),
    )
    assert form.is_valid(), form.errors
    item = form.save()
    assert item.starts_at == datetime.datetime(2027, 9, 15, 2, 0, tzinfo=UTC)
    # Editing shows the same wall-clock time again, not Berlin's.
    assert ProgrammeItemForm(instance=item).initial["starts_at"] == datetime.datetime(2027, 9, 15, 10, 0)


def test_programme_end_before_start_is_refused_in_the_users_language(world):
    with translation.override("de"):
        form = ProgrammeItemForm(
            data={
                "kind": "other",
                "title_1": "x",
                "starts_at": "2027-09-15 10:00",
                "ends_at": "2027-09-15 09:00",
                "time_zone": "Asia/Shanghai",
            },
            instance=ProgrammeItem(delegation=world.delegation),
        )
        assert not form.is_valid()
        assert form.data["starts_at"] == "2027-09-15 10:00"


@pytest.mark.parametrize(
    ("day", "berlin"),
    [("2027-01-14", "03:00"), ("2027-07-14", "04:00")],  # 7 hours in winter, 6 in summer
)
def test_trip_page_shows_shanghai_time_and_a_berlin_viewers_time(client, world, agency_staff, day, berlin):
    ProgrammeItem.objects.create(
        delegation=world.delegation,
        kind="official_meeting",
        title={"en": "Meeting at city hall"},
        starts_at=datetime.datetime.fromisoformat(f"{day} 10:00").replace(tzinfo=SHANGHAI),
        ends_at=datetime.datetime.fromisoformat(f"{day} 11:00").replace(tzinfo=SHANGHAI),
        time_zone="Asia/Shanghai",
    )
    agency_staff.time_zone = "Europe/Berlin"
    agency_staff.save()
    client.force_login(agency_staff)
    html = client.get(url("delegations:detail", "en", world.delegation.slug)).content.decode()
    assert "10:00–11:00" in html
    assert f"{berlin} your time (Central European Time)" in html


def test_no_second_time_when_the_viewer_is_in_the_same_zone(client, world):
    ProgrammeItem.objects.create(
        delegation=world.delegation,
        kind="other",
        title={"en": "Dinner"},
        starts_at=datetime.datetime(2027, 9, 15, 18, 0, tzinfo=SHANGHAI),
        ends_at=datetime.datetime(2027, 9, 15, 20, 0, tzinfo=SHANGHAI),
        time_zone="Asia/Shanghai",
    )
    client.cookies["tz"] = "Asia/Shanghai"
    html = client.get(url("delegations:detail", "en", world.delegation.slug)).content.decode()
    assert "18:00–20:00" in html
    assert "your time" not in html


def test_a_late_evening_in_berlin_is_the_next_morning_for_a_viewer_in_shanghai(client, world):
    berlin = zoneinfo.ZoneInfo("Europe/Berlin")
    ProgrammeItem.objects.create(
        delegation=world.delegation,
        kind="reception",
        title={"en": "Evening reception"},
        starts_at=datetime.datetime(2027, 3, 27, 23, 30, tzinfo=berlin),
        ends_at=datetime.datetime(2027, 3, 28, 0, 30, tzinfo=berlin),
        time_zone="Europe/Berlin",
    )
    client.cookies["tz"] = "Asia/Shanghai"
    html = client.get(url("delegations:detail", "de", world.delegation.slug)).content.decode()
    assert "23:30–28. März 2027, 00:30" in html
    assert "28.03.2027, 06:30 Uhr Ihre Zeit" in html  # 23:30 CET is 06:30 the next day in Shanghai


@pytest.mark.parametrize("language", ["de", "en", "zh-hans"])
@pytest.mark.parametrize("persona_name", ["anonymous", "member_a", "agency_staff", "partner_staff"])
def test_trip_pages_render_in_every_language(client, request, world, language, persona_name):
    Stop.objects.create(
        delegation=world.delegation, region=world.partner_region, arrival=datetime.date(2027, 9, 14),
        departure=datetime.date(2027, 9, 16), time_zone="Asia/Shanghai",
    )  # fmt: skip
    if persona_name != "anonymous":
        client.force_login(request.getfixturevalue(persona_name))
    for page in (
        url("delegations:list", language),
        url("delegations:detail", language, world.delegation.slug),
    ):
        response = client.get(page)
        assert response.status_code == 200
        assert "Spring visit" in response.content.decode()
