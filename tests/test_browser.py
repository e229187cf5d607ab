"""Journeys a person takes, in a real browser (Playwright driving Debian's Chromium).

Skipped where no Chromium is installed; `.ci/run` installs it.
"""

import os
import re
import shutil

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
playwright_api = pytest.importorskip("playwright.sync_api")
pytestmark = [
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason="Chromium is not installed"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def browser():
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with playwright_api.sync_playwright() as p:
        instance = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run",
            ],
        )  # fmt: skip
        yield instance
        instance.close()


def test_a_company_submits_an_idea_in_chinese_and_confirms_it(
    live_server, browser, world, settings, mailoutbox
):
    settings.SITE_URL = live_server.url
    page = browser.new_page()
    page.goto(f"{live_server.url}/zh-hans/ideas/submit/{world.home_agency.slug}/")
    page.fill("#id_organisation_name", "扬州恒通汽车零部件有限公司")
    page.select_option("#id_organisation_kind", "sme")
    page.select_option("#id_organisation_country", "CN")
    page.fill("#id_contact_name", "王晓明")
    page.fill("#id_contact_email", "wang@hengtong.example.cn")
    page.fill("#id_title", "寻找德国复合材料合作伙伴")
    page.select_option("#id_area", "technology")
    page.fill("#id_description", "我们希望合作开发轻量化部件。")
    # Forgetting the consent box: the form says why, in Chinese, and keeps the text.
    page.click("button[type=submit]")
    assert page.locator(".form-errors").is_visible()
    assert page.input_value("#id_title") == "寻找德国复合材料合作伙伴"
    page.check("#id_consent")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/zh-hans/ideas/submitted/"))
    link = re.search(r"https?://\S+/confirm/\S+", mailoutbox[-1].body).group(0)
    page.goto(link)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/zh-hans/ideas/status/"))
    assert "已提交" in page.content()  # the first stage, in Chinese


def test_staff_see_the_chinese_counterpart_of_a_german_profile_with_sentences_side_by_side(
    live_server, browser, settings
):
    """The demo world, matched by the real packaged model: Lea Hoffmann (agency staff, German UI) opens the
    German composites offer and finds the Yangzhou hatch-cover request among its suggestions, explained by
    German and Chinese sentences side by side."""
    from django.utils import translation

    from partnerhub.demo import world as demo
    from partnerhub.profiles.models import CooperationProfile

    settings.MATCHING_EMBEDDER = "default"  # the packaged multilingual model, not the tests' fake one
    demo.load()
    offer = CooperationProfile.objects.get(
        organisation__slug="de-verbundwerk", profile_type=CooperationProfile.ProfileType.TECHNOLOGY_OFFER
    )
    page = browser.new_page()
    page.goto(f"{live_server.url}/de/accounts/login/")
    page.fill("input[name=login]", "projektleitung@wfk.example.org")
    page.fill("input[name=password]", demo.DEMO_PASSWORD)
    page.click("form.card button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    with translation.override("de"):
        page.goto(f"{live_server.url}{offer.get_absolute_url()}")
    page.click("text=Vorgeschlagene Partner")
    card = page.locator("article.card", has_text="舱口盖").first
    if not card.count():  # the summary may be shown in the English fallback; the sentences are Chinese
        card = page.locator("article.card", has=page.locator("td[lang=zh-Hans]")).first
    card.wait_for()
    table = card.locator("table.explanation")
    assert table.locator("caption").inner_text() == "Am besten übereinstimmende Sätze"
    german = table.locator("tbody tr td[lang=de]").first.inner_text()
    chinese = table.locator("tbody tr td[lang=zh-Hans]").first.inner_text()
    assert re.search(r"[A-Za-zÄÖÜäöüß]{4}", german)
    assert re.search(r"[\u4e00-\u9fff]", chinese)
    assert "Yuanhang" in card.inner_text() or "远航" in card.inner_text()


def test_the_main_pages_work_under_the_content_security_policy(live_server, browser, settings):
    """Home, the directory's HTMX search, the pipeline board, a trip's meetings page and the admin, in the
    demo world: no script, handler or style is refused by the policy, no script fails (decisions/0018)."""
    from django.test import Client

    from partnerhub.accounts.models import User
    from partnerhub.demo import world as demo

    demo.load()
    signed_in = Client()
    signed_in.force_login(User.objects.get(email="admin@example.org"))
    context = browser.new_context()
    page = context.new_page()
    refused = []
    page.on(
        "console", lambda message: "Content Security Policy" in message.text and refused.append(message.text)
    )
    page.on("pageerror", lambda error: refused.append(str(error)))

    page.goto(f"{live_server.url}/en/")
    assert "script-src 'self'" in page.evaluate(
        "async () => (await fetch(location.href)).headers.get('content-security-policy')"
    )
    page.select_option("#language-select", "de")  # site.js sends the form: no onchange= any more
    page.wait_for_url(re.compile(r"/de/$"))

    page.goto(f"{live_server.url}/de/organisations/")
    with page.expect_response(lambda response: "q=Verbund" in response.url):
        page.fill("#id_q", "Verbund")  # htmx fetches the results as one types
    page.wait_for_url(re.compile(r"q=Verbund"))
    assert "Verbundwerk" in page.locator("#results").inner_text()

    session = signed_in.cookies[settings.SESSION_COOKIE_NAME].value  # the demo admin, signed in
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
    for path in (
        "/de/pipeline/ideas/board/",
        "/de/delegations/delegation-to-yangtze-river-delta/meetings/manage/",
        "/de/admin/",
        "/de/admin/organisations/organisation/add/",
    ):
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
    assert refused == []
