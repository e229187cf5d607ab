"""The read pages stay cheap (decisions/0024): bounded queries on a world big enough that an N+1 would show,
cached fragments that change as soon as a service changes their data, never shared across visibility scopes,
and conditional GET for anonymous visitors."""

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone

from partnerhub.organisations.models import Organisation
from partnerhub.profiles import services as profile_services
from partnerhub.profiles.models import CooperationProfile
from tests import factories as f
from tests.clients import signed_in, url
from tests.formdata import form_data

LANGUAGES = ["de", "zh-hans"]


def _published_profile(world, member_a, agency_staff, summary: dict) -> CooperationProfile:
    profile = CooperationProfile(
        organisation=world.private_org,
        profile_type=CooperationProfile.ProfileType.TECHNOLOGY_OFFER,
        summary=summary,
        description={"de": "Wir fertigen Bauteile."},
        partnership_kinds=["licence"],
        visibility=CooperationProfile.Visibility.PUBLIC,
        valid_until=timezone.localdate() + datetime.timedelta(days=100),
    )
    profile_services.save_profile(profile, actor=member_a, sector_codes=["22.29", "28.41"])
    profile_services.submit_for_review(profile, actor=member_a)
    return profile_services.publish_profile(profile, actor=agency_staff)


@pytest.fixture
def crowd(world, member_a, agency_staff):
    """30 organisations in the home region with sectors, 20 published public profiles, a trip itinerary."""
    organisations = [
        f.OrganisationFactory(
            name=f"Maschinenbau {n} GmbH",
            name_translations={"zh-hans": f"机械制造{n}有限公司"},
            region=world.home_region,
            owner_agency=world.home_agency,
            is_public=True,
            sector_codes=["28.41", "62.01"],
        )
        for n in range(30)
    ]
    for n in range(20):
        _published_profile(
            world, member_a, agency_staff, {"de": f"Leichtbau Angebot {n}", "zh-hans": f"轻量化{n}"}
        )
    world.delegation.destinations.add(world.home_region, world.partner_region)
    return organisations


def _read_pages(world):
    return {
        "home": url("core:home", "de"),
        "region": url("regions:detail", "de", world.home_region.slug),
        "directory de": url("organisations:directory", "de") + "?q=Maschinenbau",
        "directory zh": url("organisations:directory", "zh-hans") + "?q=机械制造",
        "profiles": url("profiles:list", "de"),
        "trip": url("delegations:detail", "de", world.delegation.slug),
    }


def _without_per_request_tokens(html: str) -> str:
    """The page minus what differs on every response: script nonces and the masked CSRF token."""
    html = re.sub(r'nonce="[^"]*"', "", html)
    return re.sub(r"\b[A-Za-z0-9]{64}\b", "", html)


# Queries of a page rendered from scratch (empty fragment cache); the counts reached by this change.
COLD_QUERIES = {"home": 7, "region": 10, "directory de": 6, "directory zh": 6, "profiles": 6, "trip": 5}


@pytest.mark.parametrize("page", list(COLD_QUERIES))
def test_an_anonymous_read_page_costs_a_bounded_number_of_queries(
    crowd, world, page, django_assert_max_num_queries
):
    address = _read_pages(world)[page]
    with django_assert_max_num_queries(COLD_QUERIES[page]):
        first = Client().get(address)
    assert first.status_code == 200


@pytest.mark.parametrize("page", list(COLD_QUERIES))
def test_an_anonymous_read_page_from_the_fragment_cache_costs_at_most_two_queries(
    crowd, world, page, django_assert_max_num_queries
):
    """One for the data versions, one at most for the page's own object (the region, the trip)."""
    address = _read_pages(world)[page]
    cold = Client().get(address).content.decode()
    with django_assert_max_num_queries(2):
        warm = Client().get(address)
    assert _without_per_request_tokens(warm.content.decode()) == _without_per_request_tokens(cold)


STAFF_QUERIES = {"board": 13, "inbox": 13, "queue": 9}


@pytest.mark.parametrize("page", list(STAFF_QUERIES))
def test_a_staff_page_costs_a_bounded_number_of_queries(
    crowd, agency_staff, page, django_assert_max_num_queries
):
    address = {
        "board": url("pipeline:board", "de", "profiles"),
        "inbox": url("pipeline:inbox", "de"),
        "queue": url("matching:queue", "de"),
    }[page]
    client = signed_in(agency_staff)
    with django_assert_max_num_queries(STAFF_QUERIES[page]):
        response = client.get(address)
    assert response.status_code == 200


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_region_edited_through_the_staff_form_shows_its_new_strengths_at_once(
    world, agency_staff, language
):
    page = url("regions:detail", language, world.home_region.slug)
    anonymous = Client()
    assert "Feinmechanik" not in anonymous.get(page).content.decode()  # now cached for the public
    staff = signed_in(agency_staff)
    edit = url("regions:edit", language, world.home_region.slug)
    data = form_data(staff.get(edit))
    data.update(strengths_0="Feinmechanik und Optik", strengths_2="精密机械与光学")
    assert staff.post(edit, data).status_code == 302
    shown = anonymous.get(page).content.decode()
    assert {"de": "Feinmechanik und Optik", "zh-hans": "精密机械与光学"}[language] in shown


def test_an_organisation_saved_through_the_service_appears_in_the_cached_directory(world):
    page = url("organisations:directory", "de") + "?q=Zahnrad"
    assert "Zahnradwerk" not in Client().get(page).content.decode()
    f.OrganisationFactory(name="Zahnradwerk Süd GmbH", region=world.home_region, is_public=True)
    assert "Zahnradwerk Süd GmbH" in Client().get(page).content.decode()


def test_a_profile_withdrawn_leaves_the_cached_profile_list(world, member_a, agency_staff):
    profile = _published_profile(world, member_a, agency_staff, {"de": "Vakuuminfusion für Rotorblätter"})
    page = url("profiles:list", "de")
    assert "Vakuuminfusion" in Client().get(page).content.decode()
    profile_services.withdraw_profile(profile, actor=member_a)
    assert "Vakuuminfusion" not in Client().get(page).content.decode()


@pytest.mark.parametrize("staff_first", [True, False])
def test_the_cache_never_mixes_what_staff_and_anonymous_visitors_see(world, agency_staff, staff_first):
    page = url("regions:detail", "de", world.home_region.slug)
    staff = signed_in(agency_staff)
    visits = [("staff", staff), ("anonymous", Client())]
    if not staff_first:
        visits.reverse()
    for _round in range(2):  # the second round is served from whatever the first one cached
        for who, client in visits:
            body = client.get(page).content.decode()
            staff_only = [world.private_org.name, url("regions:edit", "de", world.home_region.slug)]
            if who == "staff":
                assert all(text in body for text in staff_only)
            else:
                assert not any(text in body for text in staff_only)
                assert world.public_org.name in body


def test_an_anonymous_visitor_gets_304_until_the_data_changes(world):
    page = url("regions:detail", "de", world.home_region.slug)
    client = Client()
    client.get(page)  # sets the CSRF cookie the page's language switcher is bound to
    first = client.get(page)
    etag = first.headers["ETag"]
    assert client.get(page, headers={"if-none-match": etag}).status_code == 304
    region = world.home_region
    region.population = 654321
    region.save()
    changed = client.get(page, headers={"if-none-match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag


def test_a_page_kept_for_one_csrf_cookie_is_not_confirmed_for_another(world):
    page = url("core:home", "de")
    client = Client()
    client.get(page)
    etag = client.get(page).headers["ETag"]
    other = Client()
    other.get(page)
    assert other.get(page, headers={"if-none-match": etag}).status_code == 200


def test_signed_in_pages_get_no_etag(world, agency_staff):
    response = signed_in(agency_staff).get(url("organisations:directory", "de"))
    assert "ETag" not in response.headers


def test_organisation_rows_changed_in_bulk_need_no_signal_to_leave_the_directory(world):
    """refresh_search_document writes with update(); the directory search still finds the renamed row."""
    page = url("organisations:directory", "de") + "?q=Kugellager"
    assert "Kugellager Heimstadt GmbH" not in Client().get(page).content.decode()
    organisation = Organisation.objects.get(pk=world.public_org.pk)
    organisation.name = "Kugellager Heimstadt GmbH"
    from partnerhub.organisations import services

    services.save_organisation(organisation, actor=None)
    assert "Kugellager Heimstadt GmbH" in Client().get(page).content.decode()


def test_a_board_column_shows_its_first_cards_and_links_the_rest(crowd, world, agency_staff, monkeypatch):
    from partnerhub.pipeline import views as pipeline_views

    monkeypatch.setattr(pipeline_views, "BOARD_COLUMN_SIZE", 5)
    html = signed_in(agency_staff).get(url("pipeline:board", "de", "profiles")).content.decode()
    published = CooperationProfile.objects.filter(status=CooperationProfile.Status.PUBLISHED)
    # a column of the user's own board (only that one links its list)
    stage = published.filter(stage__agency=agency_staff.agency.root).first().stage
    in_stage = published.filter(stage=stage).count()
    assert in_stage > 5
    assert html.count('<article class="card">') < published.count()
    assert f"und {in_stage - 5} weitere" in html
    assert url("pipeline:list", "de", "profiles") + f"?stage={stage.pk}" in html
