"""Headers and redirects (decisions/0018): the Content-Security-Policy, `next=` kept on this site, and
error pages in the reader's language with the site's layout."""

import datetime
import re
import uuid
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

import partnerhub
from partnerhub.ideas import services as idea_services

pytestmark = pytest.mark.django_db

TEMPLATES = Path(partnerhub.__file__).parent / "templates"
OFF_SITE = ["https://evil.example/", "//evil.example/", "/\\evil.example/", "javascript:alert(1)"]


def url(name, language, *args):
    with translation.override(language):
        return reverse(name, args=args)


def directives(response, header="Content-Security-Policy") -> dict[str, list[str]]:
    parts = (part.split() for part in response[header].split(";") if part.strip())
    return {name: sources for name, *sources in parts}


# --- Content-Security-Policy ----------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/de/", "/zh-hans/organisations/", "/en/accounts/login/", "/de/nope/"])
def test_pages_send_a_policy_that_allows_only_our_own_scripts_and_styles(client, world, path):
    policy = directives(client.get(path))

    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]


def test_the_admin_sends_the_same_policy_without_unsafe_inline(client, superuser):
    client.force_login(superuser)
    for path in ("/de/admin/", "/de/admin/organisations/organisation/add/"):
        response = client.get(path)
        assert response.status_code == 200
        policy = directives(response)
        assert "'unsafe-inline'" not in policy["script-src"] + policy["style-src"]
        assert "'unsafe-eval'" not in policy["script-src"]


def test_report_only_sends_the_policy_under_the_report_only_header(client, world, settings):
    settings.SECURE_CSP_REPORT_ONLY, settings.SECURE_CSP = settings.SECURE_CSP, {}

    response = client.get("/de/")

    assert "Content-Security-Policy" not in response
    assert directives(response, "Content-Security-Policy-Report-Only")["script-src"] == ["'self'"]


BLOCKED_BY_THE_POLICY = {
    "inline <script>": re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.I),
    "on*= handler": re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I),
    "style= attribute": re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I),
    "<style> block": re.compile(r"<style\b", re.I),
    "hx-on (needs eval)": re.compile(r"\shx-on", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
}


def test_no_template_holds_what_the_policy_would_block():
    found = [
        f"{path.relative_to(TEMPLATES)}: {what}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for what, pattern in BLOCKED_BY_THE_POLICY.items()
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_htmx_is_told_not_to_inject_its_inline_style_nor_to_eval(client, world):
    html = client.get("/de/").content.decode()

    assert '"includeIndicatorStyles": false' in html
    assert '"allowEval": false' in html


# --- next= ----------------------------------------------------------------------------------------------


@pytest.fixture
def idea(world):
    data = {
        "organisation_name": "扬州恒通汽车零部件有限公司",
        "organisation_kind": "sme",
        "organisation_country": "CN",
        "contact_name": "王晓明",
        "contact_email": "wang@hengtong.example.cn",
        "title": "寻找德国轻量化复合材料合作伙伴",
        "area": "technology",
        "description": "我们希望合作开发碳纤维复合材料部件。",
        "target_regions": [world.home_region.pk],
        "consent": "on",
    }
    created, _ = idea_services.submit_idea(
        agency=world.home_agency, data=data, language="zh-hans", submission_key=uuid.uuid4()
    )
    return idea_services.confirm_idea(created.confirmation_token)


@pytest.mark.parametrize("target", OFF_SITE)
def test_the_pipeline_due_action_does_not_redirect_off_site(client, agency_staff, idea, target):
    client.force_login(agency_staff)
    due = (timezone.localdate() + datetime.timedelta(days=14)).isoformat()

    response = client.post(
        url("pipeline:act", "de", "ideas", idea.pk, "due"), {"due_date": due, "next": target}
    )

    assert response.status_code == 302
    with translation.override("de"):
        assert response["Location"] == idea.get_absolute_url()
    idea.refresh_from_db()
    assert idea.due_date.isoformat() == due


def test_the_pipeline_follows_a_next_on_this_site(client, agency_staff, idea):
    client.force_login(agency_staff)
    board = url("pipeline:board", "de", "ideas")

    response = client.post(
        url("pipeline:act", "de", "ideas", idea.pk, "due"), {"due_date": "", "next": board}
    )

    assert response["Location"] == board


@pytest.fixture
def suggestion(world, member_a, member_b, agency_staff, partner_staff):
    """A German technology request and the fitting Chinese offer, published and matched."""
    from partnerhub.matching import services as matching
    from partnerhub.profiles import services as profiles
    from partnerhub.profiles.models import CooperationProfile

    def publish(org, author, reviewer, kind, summary):
        profile = CooperationProfile(
            organisation=org,
            valid_until=timezone.localdate() + datetime.timedelta(days=200),
            profile_type=kind,
            summary=summary,
            description=summary,
            partnership_kinds=["licence"],
            visibility=CooperationProfile.Visibility.PUBLIC,
        )
        profile = profiles.save_profile(profile, actor=author, sector_codes=["22.29"])
        profiles.submit_for_review(profile, actor=author)
        return profiles.publish_profile(profile, actor=reviewer)

    kinds = CooperationProfile.ProfileType
    request = publish(
        world.private_org, member_a, agency_staff, kinds.TECHNOLOGY_REQUEST, {"de": "Wir suchen Faserverbund"}
    )
    publish(
        world.partner_org, member_b, partner_staff, kinds.TECHNOLOGY_OFFER, {"zh-hans": "我们提供复合材料"}
    )
    matching.refresh_all()
    return matching.suggestions_of(request).first()


@pytest.mark.parametrize("target", OFF_SITE[:2])
def test_a_matching_review_does_not_redirect_off_site(client, agency_staff, suggestion, target):
    client.force_login(agency_staff)

    response = client.post(
        url("matching:review", "zh-hans", suggestion.pk), {"decision": "accept", "next": target}
    )

    assert response.status_code == 302
    assert response["Location"] == url("matching:queue", "zh-hans")


# --- error pages ----------------------------------------------------------------------------------------

LAYOUT = {"de": ('<html lang="de">', "Organisationen"), "zh-hans": ('<html lang="zh-Hans">', "机构")}


def assert_site_layout(html, language):
    html_lang, nav_word = LAYOUT[language]
    assert html_lang in html
    assert 'class="brand"' in html
    assert nav_word in html  # the main navigation, in the reader's language


@pytest.mark.parametrize(("language", "title"), [("de", "Seite nicht gefunden"), ("zh-hans", "找不到页面")])
def test_an_unknown_address_shows_the_sites_404_in_the_readers_language(client, world, language, title):
    response = client.get(f"/{language}/nope/")

    assert response.status_code == 404
    html = response.content.decode()
    assert title in html
    assert_site_layout(html, language)


def test_permission_denied_shows_the_sites_403_with_its_message_in_chinese(client, member_a):
    client.force_login(member_a)

    response = client.get(url("matching:queue", "zh-hans"))

    assert response.status_code == 403
    html = response.content.decode()
    assert "无权访问" in html
    with translation.override("zh-hans"):
        assert translation.gettext("Only agency staff see this page.") in html
    assert_site_layout(html, "zh-hans")


@pytest.mark.parametrize(("language", "title"), [("de", "Etwas ist schiefgelaufen"), ("zh-hans", "出错了")])
def test_a_crashing_view_shows_the_sites_500_in_the_readers_language(world, monkeypatch, language, title):
    def crash(*args, **kwargs):
        raise RuntimeError("the home page broke")

    monkeypatch.setattr("partnerhub.core.views.render", crash)
    client = Client(raise_request_exception=False)

    response = client.get(f"/{language}/")

    assert response.status_code == 500
    html = response.content.decode()
    assert title in html
    assert_site_layout(html, language)
    assert "the home page broke" not in html


def test_a_request_for_another_host_shows_the_sites_400_in_german(world):
    response = Client().get("/de/", HTTP_HOST="evil.example")

    assert response.status_code == 400
    html = response.content.decode()
    assert "Ungültige Anfrage" in html
    assert_site_layout(html, "de")


def test_a_form_sent_without_its_csrf_token_explains_in_chinese(world):
    client = Client(enforce_csrf_checks=True)

    response = client.post(url("ideas:submit", "zh-hans", world.home_agency.slug), {"title": "x"})

    assert response.status_code == 403
    html = response.content.decode()
    assert "表单无法提交" in html
    assert_site_layout(html, "zh-hans")
