"""The dashboard: figures built from what the viewer may see, as charts and tables, in three languages."""

import contextlib
import datetime
import json
import os
import re
import shutil

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from partnerhub.delegations.models import Meeting, MeetingRequest, Registration
from partnerhub.ideas.models import ProjectIdea
from partnerhub.matching.models import Introduction, Suggestion
from partnerhub.organisations.models import NaceActivity
from partnerhub.pipeline import services as pipeline
from partnerhub.pipeline.stages import stages_for
from partnerhub.privacy.models import PrivacyNotice
from partnerhub.profiles.models import CooperationProfile
from partnerhub.regions.models import Region
from partnerhub.reports.dashboard import figures
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_unless_asked():
    """Addresses are reversed in English unless a test asks for another language (none leaks in)."""
    with translation.override("en"):
        yield


def make_idea(agency, title, **extra):
    notice = PrivacyNotice.current() or PrivacyNotice.objects.create(version=1, text={"en": "Privacy"})
    values = {
        "agency": agency,
        "title": title,
        "description": "A description",
        "area": "technology",
        "organisation_name": "Some company",
        "organisation_kind": "sme",
        "organisation_country": "DE",
        "contact_name": "Contact",
        "contact_email": f"{title.lower().replace(' ', '-')}@idea.example.org",
        "privacy_notice": notice,
        "consent_given_at": timezone.now(),
        "email_confirmed_at": timezone.now(),
        "language": "en",
        "stage": stages_for(agency)[0],
    }
    values.update(extra)
    return ProjectIdea.objects.create(**values)


def make_profile(agency, organisation, summary, sectors=(), visibility="agency", status="published"):
    profile = CooperationProfile.objects.create(
        agency=agency,
        organisation=organisation,
        profile_type="technology_offer",
        summary={"en": summary},
        description={"en": "Details"},
        partnership_kinds=["research_cooperation"],
        valid_until=timezone.localdate() + datetime.timedelta(days=200),
        visibility=visibility,
        status=status,
        published_at=timezone.now() if status == "published" else None,
    )
    profile.sectors.set(NaceActivity.objects.filter(code__in=sectors))
    return profile


def register(trip, family_name, status, org=None):
    return Registration.objects.create(
        delegation=trip,
        family_name=family_name,
        organisation=org,
        organisation_name=org.name if org else "Independent",
        email=f"{family_name.lower()}@example.org",
        language="en",
        status=status,
        privacy_notice=PrivacyNotice.current(),
        consent_given_at=timezone.now(),
    )


@pytest.fixture
def programme(world, agency_staff, partner_staff):
    """Ideas in stages (one shared with the partner agency), profiles, suggestions and a trip's registrations."""
    stages = {stage.key: stage for stage in stages_for(world.home_agency)}
    screened = make_idea(world.home_agency, "Hydrogen buses")
    pipeline.move_to_stage(screened, stages["screening"], actor=agency_staff)
    matched = make_idea(world.home_agency, "Battery recycling")
    pipeline.move_to_stage(matched, stages["screening"], actor=agency_staff)
    pipeline.move_to_stage(matched, stages["matching"], actor=agency_staff)
    matched.shared_with.add(world.partner_agency)
    make_idea(world.home_agency, "Fresh idea")
    overdue = make_idea(
        world.home_agency,
        "Late idea",
        owner=agency_staff,
        due_date=timezone.localdate() - datetime.timedelta(days=3),
    )
    make_idea(
        world.home_agency,
        "Not yet due",
        owner=agency_staff,
        due_date=timezone.localdate() + datetime.timedelta(days=3),
    )
    won = make_idea(
        world.home_agency,
        "Finished idea",
        owner=agency_staff,
        due_date=timezone.localdate() - datetime.timedelta(days=9),
    )
    pipeline.move_to_stage(won, stages["completed"], actor=agency_staff)
    make_idea(world.other_agency, "Someone else's idea")
    make_idea(world.home_agency, "Unconfirmed idea", email_confirmed_at=None)

    # Profiles: two in manufacturing (C) for the home region, one in ICT (J) of the partner's organisation.
    make_profile(world.home_agency, world.public_org, "Gearboxes", sectors=["C", "28"], visibility="public")
    make_profile(world.home_agency, world.private_org, "Sensors", sectors=["26"])
    make_profile(world.home_agency, world.shared_org, "Robots offered", sectors=["J"], visibility="partners")
    make_profile(world.partner_agency, world.partner_org, "Car parts", sectors=["29"], visibility="public")

    profile_type = ContentType.objects.get_for_model(CooperationProfile)
    profiles = list(CooperationProfile.objects.order_by("pk"))
    accepted = Suggestion.objects.create(
        source_type=profile_type, source_id=profiles[0].pk, source_agency=world.home_agency,
        source_organisation=world.public_org, target_type=profile_type, target_id=profiles[1].pk,
        target_agency=world.home_agency, target_organisation=world.private_org, score=0.9,
        status="accepted", reviewed_at=timezone.now(),
    )  # fmt: skip
    Suggestion.objects.create(
        source_type=profile_type, source_id=profiles[1].pk, source_agency=world.home_agency,
        source_organisation=world.private_org, target_type=profile_type, target_id=profiles[0].pk,
        target_agency=world.home_agency, target_organisation=world.public_org, score=0.5,
    )  # fmt: skip
    Introduction.objects.create(
        suggestion=accepted, requested_by="source", state="accepted", answered_at=timezone.now()
    )

    trip = world.delegation
    trip.capacity = 3
    trip.start_date = timezone.localdate() + datetime.timedelta(days=30)
    trip.end_date = trip.start_date + datetime.timedelta(days=5)
    trip.save()
    S = Registration.Status
    first = register(trip, "Alpha", S.CONFIRMED, world.public_org)
    second = register(trip, "Beta", S.CONFIRMED, world.partner_org)
    register(trip, "Gamma", S.PENDING)
    register(trip, "Delta", S.WAITING)
    register(trip, "Epsilon", S.DECLINED)
    request = MeetingRequest.objects.create(
        delegation=trip, requester=first, recipient=second, status=MeetingRequest.Status.ACCEPTED
    )
    MeetingRequest.objects.create(delegation=trip, requester=second, recipient=first)
    start = timezone.now() + datetime.timedelta(days=31)
    Meeting.objects.create(
        delegation=trip, request=request, first=first, second=second, starts_at=start,
        ends_at=start + datetime.timedelta(minutes=30),
    )  # fmt: skip
    return {"overdue": overdue, "trip": trip, "won": won}


def chart_data(page, key):
    """The figures a chart draws, as the page hands them to dashboard.js."""
    match = re.search(rf'<script id="{key}-data" type="application/json">(.*?)</script>', page, re.S)
    assert match, f"no chart data for {key}"
    return json.loads(match.group(1))


def series(data, label):
    return next(d["data"] for d in data["datasets"] if d["label"] == label)


def test_agency_staff_see_ideas_moving_through_the_stages_this_month(client, agency_staff, programme):
    client.force_login(agency_staff)
    page = client.get(reverse("dashboard:index")).content.decode()
    data = chart_data(page, "ideas-over-time")
    assert series(data, "New ideas")[-1] == 6  # confirmed ideas of the family; not the other agency's
    assert series(data, "Moved to “Screening”")[-1] == 2
    assert series(data, "Moved to “Matching”")[-1] == 1
    assert series(data, "Moved to “Completed”")[-1] == 1
    assert len(data["labels"]) == 12
    now = chart_data(page, "ideas-by-stage")
    assert dict(zip(now["labels"], now["datasets"][0]["data"], strict=True)) == {
        "Submitted": 3, "Screening": 1, "Matching": 1, "Completed": 1,
    }  # fmt: skip


def test_every_chart_has_a_table_of_the_same_numbers(client, agency_staff, programme):
    client.force_login(agency_staff)
    page = client.get(reverse("dashboard:index")).content.decode()
    sector = chart_data(page, "profiles-by-sector")
    counts = dict(zip(sector["labels"], sector["datasets"][0]["data"], strict=True))
    assert counts["C Manufacturing"] == 3  # gearboxes, sensors and the partner's car parts (public)
    assert counts["J Information and communication"] == 1
    table = page.split('id="h-profiles-by-sector"')[1].split("</section>")[0]
    assert "<caption>Cooperation profiles by sector (NACE section)</caption>" in table
    assert re.search(r"C Manufacturing</th><td class=\"number\">3</td>", table)
    assert page.count('type="application/json"') == page.count("<caption>Cooperation") + page.count(
        "<caption>Project ideas"
    ) + page.count("<caption>Matching") + page.count("<caption>Registrations") + page.count("<caption>B2B")


def test_profiles_are_counted_by_the_region_of_their_organisation(client, agency_staff, programme, world):
    client.force_login(agency_staff)
    data = chart_data(client.get(reverse("dashboard:index")).content.decode(), "profiles-by-region")
    counts = dict(zip(data["labels"], data["datasets"][0]["data"], strict=True))
    regions = Region.objects.in_bulk([world.home_region.pk, world.partner_region.pk])
    assert counts == {str(regions[world.home_region.pk]): 3, str(regions[world.partner_region.pk]): 1}


def test_suggestions_accepted_and_introductions_made_this_month(client, agency_staff, programme):
    client.force_login(agency_staff)
    data = chart_data(client.get(reverse("dashboard:index")).content.decode(), "matching-over-time")
    assert series(data, "Suggestions accepted")[-1] == 1
    assert series(data, "Introductions made")[-1] == 1
    assert sum(series(data, "Suggestions accepted")) == 1


def test_each_trip_shows_registrations_seats_and_meetings(client, agency_staff, programme):
    client.force_login(agency_staff)
    page = client.get(reverse("dashboard:index")).content.decode()
    registrations = chart_data(page, "trip-registrations")
    assert registrations["labels"] == ["Spring visit"]
    assert [d["data"][0] for d in registrations["datasets"]] == [2, 1, 1, 1]
    meetings = chart_data(page, "trip-meetings")
    assert [d["data"][0] for d in meetings["datasets"]] == [2, 1, 1]
    seats = page.split("<caption>Seats per trip</caption>")[1].split("</table>")[0]
    assert '<td class="number">3</td><td class="number">3</td>' in seats  # 2 confirmed + 1 pending of 3
    assert programme["trip"].get_absolute_url() in seats


def test_the_project_leader_sees_their_overdue_items_with_links(client, agency_staff, programme):
    client.force_login(agency_staff)
    page = client.get(reverse("dashboard:index")).content.decode()
    overdue = page.split('id="h-overdue"')[1].split("</section>")[0]
    assert f'href="{programme["overdue"].get_absolute_url()}">Late idea</a>' in overdue
    assert "3 days" in overdue
    assert "Not yet due" not in overdue
    assert "Finished idea" not in overdue  # closed: no longer due


def test_another_project_leader_has_nothing_overdue(client, world, programme):
    colleague = f.UserFactory(email="colleague@home.example.org", agency=world.home_agency)
    client.force_login(colleague)
    page = client.get(reverse("dashboard:index")).content.decode()
    assert "Late idea" not in page
    assert "Nothing of yours is overdue." in page


def test_partner_staff_see_only_what_is_shared_with_them(client, partner_staff, programme, world):
    client.force_login(partner_staff)
    page = client.get(reverse("dashboard:index")).content.decode()
    assert series(chart_data(page, "ideas-over-time"), "New ideas")[-1] == 1  # the one shared idea
    now = chart_data(page, "ideas-by-stage")
    assert dict(zip(now["labels"], now["datasets"][0]["data"], strict=True)) == {"Matching": 1}
    sectors = chart_data(page, "profiles-by-sector")
    counts = dict(zip(sectors["labels"], sectors["datasets"][0]["data"], strict=True))
    # Their own agency's car parts, the home agency's public gearboxes and the robots shared with partners.
    assert counts == {"C Manufacturing": 2, "J Information and communication": 1}
    assert "Sensors" not in page and "Late idea" not in page
    assert 'id="matching-over-time-data"' not in page  # no suggestions of theirs
    assert 'id="trip-registrations-data"' not in page  # a public trip, its registrations not shared


def test_partner_staff_see_the_registrations_of_a_trip_shared_with_them(
    client, partner_staff, programme, world
):
    programme["trip"].shared_with.add(world.partner_agency)
    client.force_login(partner_staff)
    page = client.get(reverse("dashboard:index")).content.decode()
    registrations = chart_data(page, "trip-registrations")
    assert [d["data"][0] for d in registrations["datasets"]] == [2, 1, 1, 1]
    assert [d["data"][0] for d in chart_data(page, "trip-meetings")["datasets"]] == [2, 1, 1]


def test_other_agency_staff_see_nothing_of_the_home_agency(client, other_staff, programme):
    client.force_login(other_staff)
    page = client.get(reverse("dashboard:index")).content.decode()
    assert series(chart_data(page, "ideas-over-time"), "New ideas")[-1] == 1  # their own idea only
    assert 'id="trip-registrations-data"' not in page  # the public trip, but no registration shared


@pytest.mark.parametrize("persona", ["member_a", "member_b"])
def test_members_are_refused(client, request, persona, programme):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("dashboard:index"))
    assert response.status_code == 403


def test_anonymous_visitors_are_asked_to_sign_in(client, programme):
    response = client.get(reverse("dashboard:index"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


@pytest.mark.parametrize(
    ("language", "texts"),
    [
        ("de", ["Neue Ideen", "Kooperationsprofile nach Branche (NACE-Abschnitt)", "C Verarbeitendes Gewerbe/Herstellung von Waren", "Ihre überfälligen Vorgänge", "3 Tage", "Eingereicht"]),
        ("zh-hans", ["新项目构想", "按行业（NACE 门类）统计的合作简介", "您的逾期事项", "3 天", "已提交"]),
    ],
)  # fmt: skip
def test_the_dashboard_reads_in_german_and_chinese(client, agency_staff, programme, language, texts):
    client.force_login(agency_staff)
    with translation.override(language):
        url = reverse("dashboard:index")
    page = client.get(url).content.decode()
    for text in texts:
        assert text in page, text
    month = figures.month_starts(timezone.localdate())[-1]
    with translation.override(language):
        from django.utils.formats import date_format

        assert date_format(month, "YEAR_MONTH_FORMAT") in page


def test_the_page_loads_chart_js_from_our_own_static_files(client, agency_staff, programme):
    client.force_login(agency_staff)
    page = client.get(reverse("dashboard:index")).content.decode()
    assert '/static/partnerhub/vendor/chart.umd.min.js"' in page
    assert '/static/partnerhub/dashboard.js"' in page
    assert not re.search(r'(src|href)="(https?:)?//', page)
    assert "<script>" not in page  # the CSP forbids inline scripts: the figures are JSON, not code


def test_the_vendored_chart_library_and_its_licence_are_shipped():
    from django.contrib.staticfiles import finders

    for name in ["chart.umd.min.js", "chart.js.LICENSE"]:
        assert finders.find(f"partnerhub/vendor/{name}"), name
    assert "MIT" in open(finders.find("partnerhub/vendor/chart.js.LICENSE")).read()


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_dashboard_costs_the_same_queries_for_many_records(client, agency_staff, programme, world):
    client.force_login(agency_staff)
    url = reverse("dashboard:index")
    before = _queries(client, url)
    stages = {stage.key: stage for stage in stages_for(world.home_agency)}
    for n in range(15):
        idea = make_idea(
            world.home_agency,
            f"More {n}",
            owner=agency_staff,
            due_date=timezone.localdate() - datetime.timedelta(days=1),
        )
        pipeline.move_to_stage(idea, stages["screening"], actor=agency_staff)
        make_profile(world.home_agency, world.public_org, f"More profile {n}", sectors=["C", "J"])
        register(programme["trip"], f"Extra{n}", Registration.Status.WAITING)
    trip = f.DelegationFactory(partnership=world.partnership, is_public=False, title={"en": "Autumn trip"})
    register(trip, "Autumn", Registration.Status.CONFIRMED)
    assert _queries(client, url) == before
    assert before <= 30


# --- in a real browser (Chromium through Playwright; skipped where Chromium is not installed) -------------

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
needs_chromium = pytest.mark.skipif(not shutil.which(CHROMIUM), reason="Chromium is not installed")


@contextlib.contextmanager
def signed_in_page(live_server, client, user):
    """A Chromium page carrying ``user``'s session, and the console errors it logs (CSP violations too)."""
    from playwright.sync_api import sync_playwright

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        context = browser.new_context()
        if user is not None:
            client.force_login(user)
            cookie = client.cookies["sessionid"]
            context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])
        page = context.new_page()
        # A missing file is reported by its address below (the console only says "Failed to load resource").
        page.on(
            "console",
            lambda m: m.type == "error" and "Failed to load" not in m.text and errors.append(m.text),
        )
        page.on("response", lambda r: r.status >= 400 and "favicon" not in r.url and errors.append(r.url))
        page.on("pageerror", lambda error: errors.append(str(error)))
        try:
            yield page, errors
        finally:
            browser.close()


@needs_chromium
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_charts_draw_in_chinese_under_the_content_security_policy(
    live_server, client, agency_staff, programme
):
    with signed_in_page(live_server, client, agency_staff) as (page, errors):
        page.goto(f"{live_server.url}/zh-hans/dashboard/")
        charts = page.locator(".dashboard-chart canvas")
        charts.first.wait_for()
        assert charts.count() == page.locator(".dashboard-chart").count() >= 5
        assert page.locator(".dashboard-chart canvas").first.bounding_box()["width"] > 100
        assert page.locator("h2", has_text="您的逾期事项").is_visible()
        if os.environ.get("SCREENSHOTS"):  # a directory: look at the page as a reader would
            page.screenshot(path=f"{os.environ['SCREENSHOTS']}/dashboard-zh.png", full_page=True)
        assert errors == []
