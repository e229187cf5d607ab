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
