"""The demo world loads through the services, carries the programme's facts, and loads only once."""

import datetime

import pytest
from django.core.management import call_command

from partnerhub.accounts.models import User
from partnerhub.delegations.models import Delegation
from partnerhub.demo import world as demo
from partnerhub.organisations.models import Organisation, Person
from partnerhub.partnerships.models import Agreement, Partnership
from partnerhub.regions.models import Region
from tests.module_data import once_per_module

pytestmark = pytest.mark.django_db(transaction=False)


# First: it loads into an empty database (tests/module_data.py).
def test_load_demo_twice_is_safe(db, capsys):
    call_command("load_demo")
    count = Organisation.objects.count()
    call_command("load_demo")
    assert Organisation.objects.count() == count
    assert "already loaded" in capsys.readouterr().out


@pytest.fixture(scope="module")
def _demo_world_once(django_db_setup, django_db_blocker, tmp_path_factory):
    with once_per_module(django_db_blocker, tmp_path_factory):
        demo.load()
        yield


@pytest.fixture
def demo_world(_demo_world_once, db):
    return None


def test_demo_regions_carry_the_key_figures(demo_world):
    yangzhou = Region.objects.get(slug="yangzhou")
    assert 4_400_000 <= yangzhou.population <= 4_700_000
    assert int(yangzhou.area_km2) == 6591
    assert yangzhou.parent.slug == "jiangsu"
    assert Region.objects.get(slug="kaiserslautern").parent.slug == "kaiserslautern-economic-region"
    assert {"nanjing", "shanghai"} <= set(Region.objects.values_list("slug", flat=True))


def test_the_memorandum_was_signed_in_july_2019_in_kaiserslautern_by_three_office_holders(demo_world):
    mou = Agreement.objects.get(kind=Agreement.Kind.MOU)
    assert (mou.signed_on.year, mou.signed_on.month) == (2019, 7)
    assert mou.signed_at_place.localize("en") == "Kaiserslautern"
    offices = {s.title.localize("en") for s in mou.signatories.all()}
    assert offices == {"Lord Mayor", "District Administrator", "Mayor"}
    assert mou.effective_status == "active"


def test_the_incoming_delegation_has_21_members_from_yangzhou(demo_world):
    incoming = Delegation.objects.get(direction=Delegation.Direction.INCOMING)
    members = incoming.members.select_related("person__organisation__region")
    assert members.count() == 21
    assert {m.person.organisation.region.slug for m in members} == {"yangzhou"}


def test_the_outgoing_delegation_goes_to_the_delta_in_september(demo_world):
    outgoing = Delegation.objects.get(direction=Delegation.Direction.OUTGOING)
    assert outgoing.start_date.month == 9
    assert outgoing.start_date >= datetime.date.today()
    assert set(outgoing.destinations.values_list("slug", flat=True)) == {"yangzhou", "nanjing", "shanghai"}


def test_about_forty_organisations_on_each_side_with_own_language_descriptions(demo_world):
    german = Organisation.objects.filter(country="DE").exclude(kind="public_body")
    chinese = Organisation.objects.filter(country="CN").exclude(slug="yangzhou-commerce")
    assert 38 <= german.count() <= 45
    assert 38 <= chinese.count() <= 45
    assert all(o.description.data.get("de") for o in german)
    assert all(o.description.data.get("zh-hans") for o in chinese)
    assert any(o.description.data.get("en") for o in german)
    assert all(o.name_latin and o.name_latin.isascii() for o in chinese)


def test_demo_contact_addresses_use_example_domains(demo_world):
    emails = list(Person.objects.exclude(email="").values_list("email", flat=True))
    emails += list(User.objects.values_list("email", flat=True))
    assert emails
    assert all(e.endswith(("example.org", "example.cn")) for e in emails)


def test_demo_logins_work_and_have_their_roles(demo_world, client):
    for login in demo.logins():
        assert client.login(email=login.email, password=login.password), login.email
    staff = User.objects.get(email="projektleitung@wfk.example.org")
    assert Partnership.objects.visible_to(staff).filter(slug="kaiserslautern-yangzhou").exists()


def test_demo_ideas_cover_every_stage_and_three_languages(demo_world):
    from partnerhub.ideas.models import ProjectIdea
    from partnerhub.pipeline.stages import stages_for

    agency = demo.Agency.objects.get(slug="wfk-kaiserslautern")
    ideas = ProjectIdea.objects.filter(agency=agency)
    assert {i.stage.key for i in ideas} == {s.key for s in stages_for(agency)}
    assert {i.language for i in ideas} == {"de", "en", "zh-hans"}
    assert all(i.is_confirmed for i in ideas)
    not_pursued = ideas.get(stage__key="not_pursued")
    assert not_pursued.not_pursued_reason


def test_demo_trips_have_registrations_requests_and_a_published_schedule(demo_world):
    from icalendar import Calendar

    from partnerhub.delegations.agenda.services import ics_for
    from partnerhub.delegations.models import Delegation

    past = Delegation.objects.get(slug="yangzhou-delegation-to-kaiserslautern")
    assert past.end_date < datetime.date.today()
    assert past.registrations.filter(status="confirmed").count() == 21
    trip = Delegation.objects.get(slug="delegation-to-yangtze-river-delta")
    statuses = set(trip.registrations.values_list("status", flat=True))
    assert {"confirmed", "pending", "waiting"} <= statuses
    assert {"accepted", "declined", "pending"} <= set(trip.meeting_requests.values_list("status", flat=True))
    assert trip.schedule_published_at is not None
    run = trip.schedule_runs.get()  # scheduled by the optimal engine, and proven optimal
    assert (run.engine, run.summary["status"], run.summary["unscheduled"]) == ("cpsat/1", "optimal", 0)
    meeting = trip.meetings.select_related("first").first()
    calendar = Calendar.from_ical(ics_for(meeting.first))
    assert any(component.name == "VTIMEZONE" for component in calendar.walk())
    assert len([c for c in calendar.walk("VEVENT")]) > trip.programme.count()
