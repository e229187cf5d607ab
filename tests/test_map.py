"""The map of the programme: regions, organisations and partnerships the viewer may see, drawn offline."""

import json
import os
import re
from decimal import Decimal

import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from partnerhub.regions.models import Region
from tests import factories as f
from tests.test_dashboard import needs_chromium, signed_in_page

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_unless_asked():
    """Addresses are reversed in English unless a test asks for another language (none leaks in)."""
    with translation.override("en"):
        yield


@pytest.fixture
def placed(world):
    """Kaiserslautern-like home region and Yangzhou-like partner region with names in three languages."""
    Region.objects.filter(pk=world.home_region.pk).update(
        latitude=Decimal("49.44430"), longitude=Decimal("7.76890"),
        name={"en": "Homeland City", "de": "Heimstadt", "zh-hans": "家乡市"},
    )  # fmt: skip
    Region.objects.filter(pk=world.partner_region.pk).update(
        latitude=Decimal("32.39420"), longitude=Decimal("119.41280"),
        name={"en": "Partner City", "de": "Partnerstadt", "zh-hans": "伙伴市"},
    )  # fmt: skip
    return world


def map_data(page):
    match = re.search(r'<script id="map-data" type="application/json">(.*?)</script>', page, re.S)
    assert match
    return json.loads(match.group(1))


def page_for(client, user=None, language=None):
    if user is not None:
        client.force_login(user)
    if language:
        with translation.override(language):
            url = reverse("maps:map")
    else:
        url = reverse("maps:map")
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_anonymous_visitors_see_public_partnerships_and_organisations(client, placed):
    page = page_for(client)
    data = map_data(page)
    assert {r["name"] for r in data["regions"]} == {"Homeland City", "Partner City"}
    names = {o["name"] for o in data["organisations"]}
    assert names == {"Öffentliche Maschinenbau GmbH"}
    assert "Verborgene Sensorik" not in page and "Geteilte Robotik" not in page and "Secret plans" not in page
    [line] = data["partnerships"]
    assert line == {
        "name": "Home and Partner",
        "url": placed.partnership.get_absolute_url(),
        "from": [49.4443, 7.7689],
        "to": [32.3942, 119.4128],
    }


def test_each_marker_links_to_its_page(client, placed):
    data = map_data(page_for(client))
    regions = {r["name"]: r["url"] for r in data["regions"]}
    assert regions["Homeland City"] == placed.home_region.get_absolute_url()
    [organisation] = data["organisations"]
    assert organisation["url"] == placed.public_org.get_absolute_url()
    assert (organisation["lat"], organisation["lng"]) == (49.4443, 7.7689)  # placed at its region


def test_agency_staff_see_their_private_organisations_and_partnerships(client, placed, agency_staff):
    data = map_data(page_for(client, agency_staff))
    names = {o["name"] for o in data["organisations"]}
    assert {"Verborgene Sensorik GmbH", "Geteilte Robotik AG", "Öffentliche Maschinenbau GmbH"} <= names
    assert {line["name"] for line in data["partnerships"]} == {"Home and Partner", "Secret plans"}


def test_partner_staff_see_only_what_is_shared_with_them(client, placed, partner_staff):
    page = page_for(client, partner_staff)
    data = map_data(page)
    names = {o["name"] for o in data["organisations"]}
    assert "Geteilte Robotik AG" in names and "扬州恒通汽车零部件有限公司" in names
    assert "Verborgene Sensorik GmbH" not in page
    assert "Secret plans" not in page


def test_a_member_sees_their_own_organisation(client, placed, member_a):
    data = map_data(page_for(client, member_a))
    assert "Verborgene Sensorik GmbH" in {o["name"] for o in data["organisations"]}
    assert "Secret plans" not in {line["name"] for line in data["partnerships"]}


def test_the_list_below_the_map_holds_the_same_places_with_links(client, placed):
    page = page_for(client)
    listing = page.split('id="places-heading"')[1]
    assert f'<a href="{placed.home_region.get_absolute_url()}">Homeland City</a>' in listing
    assert f'<a href="{placed.public_org.get_absolute_url()}">Öffentliche Maschinenbau GmbH</a>' in listing
    assert f'<a href="{placed.partnership.get_absolute_url()}">Home and Partner</a>' in listing


def test_a_region_without_coordinates_is_listed_but_not_drawn(client, world):
    page = page_for(client)
    assert map_data(page)["regions"] == []
    assert "no position known" in page


@pytest.mark.parametrize(
    ("language", "texts"),
    [
        (
            "de",
            ["Karte des Programms", "Heimstadt", "Partnerstadt", "Orte auf der Karte", "Heim und Partner"],
        ),
        ("zh-hans", ["项目地图", "家乡市", "伙伴市", "地图上的地点", "家乡与伙伴"]),
    ],
)
def test_names_and_labels_read_in_german_and_chinese(client, placed, language, texts):
    page = page_for(client, language=language)
    for text in texts:
        assert text in page, text
    assert {r["name"] for r in map_data(page)["regions"]} == {texts[1], texts[2]}


def test_the_map_works_offline_from_our_own_static_files(client, placed):
    page = page_for(client)
    for asset in ["vendor/leaflet.js", "vendor/leaflet.css", "vendor/topojson-client.min.js", "map.js"]:
        assert f'/static/partnerhub/{asset}"' in page
    assert 'data-boundaries="/static/partnerhub/vendor/world-atlas-countries-50m.json"' in page
    assert not re.search(r'(src|href|data-boundaries)="(https?:)?//', page)  # no tile server, no CDN
    assert "<script>" not in page


def test_the_boundaries_and_the_licences_are_shipped():
    boundaries = finders.find("partnerhub/vendor/world-atlas-countries-50m.json")
    topology = json.load(open(boundaries))
    assert topology["type"] == "Topology" and "countries" in topology["objects"]
    for name, licence in [("leaflet.LICENSE", "BSD"), ("world-atlas.LICENSE", "Permission"),
                          ("topojson-client.LICENSE", "Permission")]:  # fmt: skip
        assert licence in open(finders.find(f"partnerhub/vendor/{name}")).read()


def test_the_map_costs_the_same_queries_for_many_organisations(client, placed, agency_staff):
    client.force_login(agency_staff)
    url = reverse("maps:map")

    def count():
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        return len(queries)

    before = count()
    region = f.RegionFactory(slug="third", latitude=Decimal("31.2"), longitude=Decimal("121.5"), country="CN")
    for n in range(10):
        f.OrganisationFactory(
            slug=f"more-{n}", owner_agency=placed.home_agency, region=region, is_public=True
        )
    f.PartnershipFactory(agency=placed.home_agency, home_region=placed.home_region, partner_region=region)
    assert count() == before
    assert before <= 12


@needs_chromium
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_map_draws_boundaries_markers_and_lines_offline(live_server, client, placed, agency_staff):
    with signed_in_page(live_server, client, agency_staff) as (page, errors):
        requested = []
        page.on("request", lambda request: requested.append(request.url))
        page.goto(f"{live_server.url}/de/map/")
        page.locator(".leaflet-interactive").first.wait_for()
        page.wait_for_function("document.querySelectorAll('.leaflet-overlay-pane path').length > 100")
        assert page.locator(".leaflet-interactive").count() >= 2 + 3 + 2  # regions, organisations, lines
        page.locator(".leaflet-interactive").nth(2).click()  # a region's marker opens its popup with a link
        assert page.locator(".leaflet-popup-content a").count() == 1
        if os.environ.get("SCREENSHOTS"):  # a directory: look at the page as a reader would
            page.screenshot(path=f"{os.environ['SCREENSHOTS']}/map-de.png", full_page=True)
        assert all(url.startswith(live_server.url) for url in requested), requested
        assert errors == []
