"""Who reads passport numbers (decisions/0019): the trip's organisers in full, everyone else masked."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.authz_world import build


@pytest.fixture
def trip_world(db, settings, tmp_path):
    return build(settings, tmp_path)


def passport_of(registration) -> str:
    return registration.answers["passport_number"]


def admin_page_of(world, role, registration) -> str:
    client = Client()
    client.force_login(world.users[role])
    response = client.get(reverse("admin:delegations_registration_change", args=[registration.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_organisers_read_the_passport_number_in_the_admin(trip_world):
    registration = trip_world.objects["registration_member"]
    assert passport_of(registration) in admin_page_of(trip_world, "agency_staff", registration)


def test_partner_agency_staff_of_a_shared_trip_see_the_passport_number_masked(trip_world):
    registration = trip_world.objects["registration_member"]
    page = admin_page_of(trip_world, "partner_staff", registration)
    assert passport_of(registration) not in page
    assert "••••" + passport_of(registration)[-2:] in page


def test_the_personal_link_shows_the_passport_number_masked(trip_world):
    registration = trip_world.objects["registration_member"]
    response = Client().get(reverse("delegations:registration_status", args=[registration.access_token]))
    assert response.status_code == 200
    page = response.content.decode()
    assert passport_of(registration) not in page
    assert passport_of(registration)[-2:] in page


def test_the_participant_list_for_the_organisers_has_the_passport_number(trip_world):
    import io

    from openpyxl import load_workbook

    registration = trip_world.objects["registration_member"]
    client = Client()
    client.force_login(trip_world.users["agency_staff"])
    response = client.get(reverse("delegations:documents_participants", args=[registration.delegation.slug]))
    assert response.status_code == 200
    cells = [
        str(value)
        for sheet in load_workbook(io.BytesIO(response.content)).worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    ]
    assert passport_of(registration) in cells


def test_partner_agency_staff_cannot_download_the_participant_list(trip_world):
    trip = trip_world.objects["trip"]
    client = Client()
    client.force_login(trip_world.users["partner_staff"])
    response = client.get(reverse("delegations:documents_participants", args=[trip.slug]))
    assert response.status_code == 404
