"""A project leader runs the programme in partnerhub's own pages, in a real browser, in German and then in
Chinese: a region, an agreement with two signatories and a document, a trip with a two-city itinerary, a
meeting day and a registration question; then the dashboard, the map and an export that parses.

Skipped where no Chromium is installed; `.ci/run` installs it.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil

import pytest

from tests.test_browser import CHROMIUM, browser  # noqa: F401  (the fixture)
from tests.test_browser_crawl import sign_in

playwright_api = pytest.importorskip("playwright.sync_api")
pytestmark = [
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason="Chromium is not installed"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LEADER = "projektleitung@wfk.example.org"
# The field of each language in a multilingual input: title_0 is German, title_2 Chinese (settings.LANGUAGES).
FIELD = {"de": "0", "zh-hans": "2"}
TEXT = {
    "de": {
        "region": "Kreis Musterland",
        "agreement": "Absichtserklärung Wasserstoff",
        "party_a": "Stadt Kaiserslautern",
        "party_b": "Stadt Yangzhou",
        "signer_a": ("Beate Kimmel", "Oberbürgermeisterin"),
        "signer_b": ("王进健", "Bürgermeister"),
        "document": "Unterzeichnete Fassung",
        "trip": "Wirtschaftsreise Jiangsu 2027",
        "question": "Reisepass gültig bis",
    },
    "zh-hans": {
        "region": "样板县",
        "agreement": "氢能合作意向书",
        "party_a": "凯泽斯劳滕市",
        "party_b": "扬州市人民政府",
        "signer_a": ("Beate Kimmel", "市长"),
        "signer_b": ("王进健", "市长"),
        "document": "签署文本",
        "trip": "2027年江苏经贸考察",
        "question": "护照有效期至",
    },
}
MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj "
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def submit(page, form_selector="main form[method=post]"):
    """Press the form's save button and wait for the page that follows."""
    with page.expect_navigation():
        page.locator(form_selector).last.locator("button[type=submit]").last.click()


def no_errors(page):
    errors = page.locator(".form-errors, .errorlist")
    assert not errors.count(), errors.first.inner_text()


def choose_first(page, name):
    """Choose the first real option of a select (after the empty one)."""
    select = page.locator(f"select[name='{name}']")
    values = [v for v in select.locator("option").evaluate_all("os => os.map(o => o.value)") if v]
    select.select_option(values[0])
    return values


def create_region(page, base, language, text):
    page.goto(f"{base}/{language}/regions/")
    page.click("a[href$='/regions/new/']")
    page.fill(f"[name=name_{FIELD[language]}]", text["region"])
    page.fill("[name=native_name]", text["region"])
    page.fill("[name=slug]", f"musterland-{language}")
    page.select_option("[name=kind]", "district")
    choose_first(page, "parent")
    page.select_option("[name=country]", "DE")
    page.fill("[name=population]", "104000")
    submit(page)
    no_errors(page)
    assert text["region"] in page.inner_text("main")


def create_agreement(page, base, language, text):
    page.goto(f"{base}/{language}/partnerships/kaiserslautern-yangzhou/")
    page.click("a[href$='/agreements/new/']")
    page.select_option("[name=kind]", "mou")
    page.fill(f"[name=title_{FIELD[language]}]", text["agreement"])
    page.fill("[name=signed_on]", "2026-11-20")
    page.fill("[name=valid_from]", "2026-11-20")
    page.fill("[name=valid_until]", "2029-11-19")
    page.fill(f"[name=parties-0-name_{FIELD[language]}]", text["party_a"])
    page.fill(f"[name=parties-1-name_{FIELD[language]}]", text["party_b"])
    for row, (name, title) in enumerate((text["signer_a"], text["signer_b"])):
        page.select_option(f"[name=signatories-{row}-party_row]", str(row))
        page.fill(f"[name=signatories-{row}-name]", name)
        page.fill(f"[name=signatories-{row}-title_{FIELD[language]}]", title)
    submit(page)
    no_errors(page)
    main = page.inner_text("main")
    assert text["agreement"] in main and text["signer_b"][0] in main and text["signer_a"][0] in main
    page.click("a[href*='/documents/new/']")
    page.fill(f"[name=title_{FIELD[language]}]", text["document"])
    page.set_input_files(
        "input[name=file]", {"name": "mou.pdf", "mimeType": "application/pdf", "buffer": MINIMAL_PDF}
    )
    submit(page)
    no_errors(page)
    assert text["document"] in page.inner_text("main")


def create_trip(page, base, language, text):
    page.goto(f"{base}/{language}/delegations/")
    page.click("a[href$='/delegations/new/']")
    page.fill(f"[name=title_{FIELD[language]}]", text["trip"])
    page.select_option("[name=direction]", "outgoing")
    page.fill("[name=start_date]", "2027-09-12")
    page.fill("[name=end_date]", "2027-09-19")
    page.select_option("[name=time_zone]", "Asia/Shanghai")
    submit(page)
    no_errors(page)
    trip_url = page.url
    page.click("a[href$='/itinerary/']")
    regions = choose_first(page, "stops-0-region")
    page.select_option("[name=stops-1-region]", regions[1])
    for row, (arrival, departure) in enumerate((("2027-09-12", "2027-09-15"), ("2027-09-15", "2027-09-19"))):
        page.fill(f"[name=stops-{row}-arrival]", arrival)
        page.fill(f"[name=stops-{row}-departure]", departure)
        page.select_option(f"[name=stops-{row}-time_zone]", "Asia/Shanghai")
    submit(page)
    no_errors(page)
    page.goto(trip_url)
    assert page.locator("main").inner_text().count("2027") >= 2
    return trip_url


def add_meeting_day_and_question(page, trip_url, language, text):
    page.goto(trip_url)
    page.click("a[href$='/meeting-days/']")
    page.click("a[href$='/meeting-days/add/']")
    page.fill("[name=day]", "2027-09-13")
    choose_first(page, "stop")
    page.fill("[name=start_1]", "09:00")
    page.fill("[name=end_1]", "12:00")
    submit(page)
    no_errors(page)
    assert "09:00" in page.inner_text("main")
    page.goto(trip_url)
    page.click("a[href$='/questions/']")
    page.click("a[href$='/questions/add/']")
    page.fill(f"[name=label_{FIELD[language]}]", text["question"])
    page.fill("[name=key]", "passport_valid_until")
    submit(page)
    no_errors(page)
    assert text["question"] in page.inner_text("main")


def open_dashboard_and_map(page, base, language):
    page.goto(f"{base}/{language}/")
    page.click("header.site nav a[href$='/dashboard/']")
    page.wait_for_selector("main canvas")
    assert page.locator("main table").count() >= 1
    page.click("header.site nav a[href$='/map/']")
    page.wait_for_selector("main svg path, main .leaflet-container")
    assert page.locator("main table tbody tr").count() >= 1


def download_export(page, base, language):
    page.goto(f"{base}/{language}/organisations/")
    link = page.locator("main a[href*='/exports/'][href*='csv']").first
    with page.expect_download() as download:
        link.click()
    text = download.value.path().read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) > 1 and all(len(row) == len(rows[0]) for row in rows)
    return rows


def test_a_project_leader_runs_the_programme_in_german_and_then_in_chinese(
    live_server,
    browser,  # noqa: F811
    settings,
):
    from partnerhub.delegations.models import Delegation, Meeting
    from partnerhub.demo import world as demo
    from partnerhub.partnerships.models import Agreement
    from partnerhub.regions.models import Region

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    demo.load()
    context = browser.new_context(accept_downloads=True)
    sign_in(context, live_server.url, LEADER, settings)
    page = context.new_page()
    failures: list[str] = []
    page.on("pageerror", lambda error: failures.append(str(error)))
    base = live_server.url
    for language in ("de", "zh-hans"):
        text = TEXT[language]
        create_region(page, base, language, text)
        create_agreement(page, base, language, text)
        trip_url = create_trip(page, base, language, text)
        add_meeting_day_and_question(page, trip_url, language, text)
        open_dashboard_and_map(page, base, language)
        rows = download_export(page, base, language)
        assert any("Verbundwerk" in cell for row in rows for cell in row)
        assert re.search(rf"/{language}/", page.url)

    # What the pages made is stored as the project leader typed it, in each language.
    assert Region.objects.get(slug="musterland-zh-hans").name.localize("zh-hans") == "样板县"
    agreement = next(a for a in Agreement.objects.all() if a.title.localize("zh-hans") == "氢能合作意向书")
    assert agreement.signatories.count() == 2 and agreement.documents.count() == 1
    trip = next(
        d for d in Delegation.objects.all() if d.title.localize("de") == "Wirtschaftsreise Jiangsu 2027"
    )
    assert trip.stops.count() == 2
    assert trip.programme.filter(kind="b2b_block").count() == 1
    assert trip.questions.filter(key="passport_valid_until").exists()
    assert not Meeting.objects.filter(delegation=trip).exists()
    assert failures == []
