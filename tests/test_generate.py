"""The big demo world generator: a small world of the same shape, found by search and shown on its pages."""

import pytest
from django.core.management import call_command

from partnerhub.delegations.models import Registration
from partnerhub.demo.generate import INDUSTRIES, generate_world
from partnerhub.ideas.models import ProjectIdea
from partnerhub.matching.models import Embedding, Suggestion
from partnerhub.organisations.models import Organisation
from partnerhub.profiles.models import CooperationProfile
from tests.clients import url
from tests.module_data import once_per_module

pytestmark = pytest.mark.django_db

SMALL = {"organisations": 50, "profiles": 20, "ideas": 10, "trips": 2, "registrations_per_trip": 10}


# First: it generates into an empty database (tests/module_data.py).
def test_the_same_seed_gives_the_same_organisations(db):
    generate_world(**SMALL, seed=5, suggestions=0)
    first = list(Organisation.objects.filter(slug__startswith="gen-5-").values_list("name", "kind", "city"))
    ProjectIdea.objects.filter(organisation_website__contains="gen5-").delete()
    Organisation.objects.filter(slug__startswith="gen-5-").delete()
    generate_world(**{**SMALL, "trips": 0}, seed=5, suggestions=0)
    again = list(Organisation.objects.filter(slug__startswith="gen-5-").values_list("name", "kind", "city"))
    assert first == again


@pytest.fixture(scope="module")
def _small_world_once(django_db_setup, django_db_blocker, tmp_path_factory):
    with once_per_module(django_db_blocker, tmp_path_factory):
        yield generate_world(**SMALL, seed=3, suggestions=4)


@pytest.fixture
def small_world(_small_world_once, db):
    return _small_world_once


def _generated(country: str) -> Organisation:
    return Organisation.objects.filter(slug__startswith="gen-3-", country=country, is_public=True).first()


def test_the_small_world_has_the_asked_for_size_and_a_waiting_list(small_world):
    assert small_world["organisations"] == 50
    assert CooperationProfile.objects.filter(organisation__slug__startswith="gen-3-").count() == 20
    registrations = Registration.objects.filter(delegation__slug__startswith="gen-3-trip-")
    assert registrations.count() == 20
    assert registrations.filter(status=Registration.Status.WAITING, waiting_since__isnull=False).exists()
    assert Embedding.objects.count() >= small_world["vectors"] > 0
    assert Suggestion.objects.exists()


def test_the_directory_finds_a_generated_german_and_a_generated_chinese_organisation(small_world, client):
    german, chinese = _generated("DE"), _generated("CN")
    trade = next(i.zh for i in INDUSTRIES if i.zh in chinese.name)
    for org, language, query in ((german, "de", german.name), (chinese, "zh-hans", trade)):
        response = client.get(url("organisations:directory", language), {"q": query})
        assert response.status_code == 200
        assert url("organisations:detail", language, org.slug) in response.content.decode()


def test_a_generated_profile_and_trip_pages_render(small_world, client):
    profile = CooperationProfile.objects.filter(
        organisation__slug__startswith="gen-3-", status="published", visibility="public"
    ).first()
    for language in ("de", "zh-hans"):
        assert client.get(url("profiles:detail", language, profile.pk)).status_code == 200
        page = client.get(url("delegations:detail", language, "gen-3-trip-01"))
        assert page.status_code == 200


def test_generating_the_same_seed_twice_is_refused(small_world):
    with pytest.raises(Exception, match="seed 3"):
        call_command("generate_world", "--organisations", "1", "--seed", "3")
