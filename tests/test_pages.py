"""Every page, as every role, in every language: status and visible content."""

import pytest
from django.urls import reverse
from django.utils import translation

from tests.conftest import PERSONAS

pytestmark = pytest.mark.django_db

LANGUAGES = ["de", "en", "zh-hans"]
HTML_LANG = {"de": "de", "en": "en", "zh-hans": "zh-Hans"}
# One UI word and the public partnership's title in each language prove that page and content follow it.
NAV_WORD = {"de": "Organisationen", "en": "Organisations", "zh-hans": "机构"}
PARTNERSHIP_TITLE = {"de": "Heim und Partner", "en": "Home and Partner", "zh-hans": "家乡与伙伴"}


def url(name, language, *args):
    with translation.override(language):
        return reverse(name, args=args)


def login(client, persona_name, request):
    if persona_name != "anonymous":
        client.force_login(request.getfixturevalue(persona_name))


PAGES = {
    "home": lambda w: ("core:home", []),
    "regions": lambda w: ("regions:list", []),
    "region": lambda w: ("regions:detail", [w.partner_region.slug]),
    "partnerships": lambda w: ("partnerships:list", []),
    "partnership": lambda w: ("partnerships:detail", [w.partnership.slug]),
    "agreement": lambda w: ("partnerships:agreement", [w.agreement.pk]),
    "directory": lambda w: ("organisations:directory", []),
    "organisation": lambda w: ("organisations:detail", [w.public_org.slug]),
}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("persona_name", PERSONAS)
@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_renders_for_every_role_in_every_language(
    client, request, world, page, persona_name, language
):
    login(client, persona_name, request)
    name, args = PAGES[page](world)
    response = client.get(url(name, language, *args))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{HTML_LANG[language]}">' in html
    assert NAV_WORD[language] in html
    if page in ("home", "partnership", "partnerships", "region"):
        assert PARTNERSHIP_TITLE[language] in html
    if page == "organisation":
        assert "Öffentliche Maschinenbau GmbH" in html
    if page == "agreement":
        assert "Public MoU" in html


SECRET_VISIBLE_TO = {"agency_staff", "superuser"}


@pytest.mark.parametrize("persona_name", PERSONAS)
def test_private_partnership_appears_only_for_its_agency(client, request, world, persona_name):
    login(client, persona_name, request)
    listing = client.get(url("partnerships:list", "en")).content.decode()
    detail = client.get(url("partnerships:detail", "en", world.private_partnership.slug))
    if persona_name in SECRET_VISIBLE_TO:
        assert "Secret plans" in listing
        assert detail.status_code == 200
    else:
        assert "Secret plans" not in listing
        assert detail.status_code == 404


ORG_VISIBLE_TO = {
    "private_org": {"member_a", "agency_staff", "superuser"},
    "shared_org": {"agency_staff", "partner_staff", "superuser"},
    "partner_org": {"member_b", "partner_staff", "superuser"},
}


@pytest.mark.parametrize("persona_name", PERSONAS)
@pytest.mark.parametrize("org", list(ORG_VISIBLE_TO))
def test_organisation_pages_and_directory_follow_visibility(client, request, world, persona_name, org):
    login(client, persona_name, request)
    organisation = getattr(world, org)
    detail = client.get(url("organisations:detail", "en", organisation.slug))
    directory = client.get(url("organisations:directory", "en")).content.decode()
    if persona_name in ORG_VISIBLE_TO[org]:
        assert detail.status_code == 200
        assert organisation.name in directory
    else:
        assert detail.status_code == 404
        assert organisation.name not in directory


def test_public_pages_never_show_contact_details(client, world):
    html = client.get(url("organisations:detail", "en", world.public_org.slug)).content.decode()
    assert world.person_public.email not in html
    assert "Introductions go through the agency" in html


def test_agency_staff_see_contact_details_of_their_organisations(client, world, agency_staff):
    client.force_login(agency_staff)
    html = client.get(url("organisations:detail", "en", world.public_org.slug)).content.decode()
    assert world.person_public.email in html


def test_partner_staff_see_only_consenting_contacts_of_shared_organisations(client, world, partner_staff):
    client.force_login(partner_staff)
    html = client.get(url("organisations:detail", "en", world.shared_org.slug)).content.decode()
    assert world.person_shared_consented.email in html
    assert world.person_shared_unconsented.email not in html


@pytest.mark.parametrize("language", LANGUAGES)
def test_login_page_renders_in_every_language(client, language):
    response = client.get(url("account_login", language))
    assert response.status_code == 200
    assert {"de": "Anmelden", "en": "Sign in", "zh-hans": "登录"}[language] in response.content.decode()


@pytest.mark.parametrize("persona_name", ["anonymous", "member_a"])
def test_admin_is_closed_to_non_staff(client, request, world, persona_name):
    login(client, persona_name, request)
    response = client.get(url("admin:index", "en"))
    assert response.status_code == 302


def test_admin_organisation_list_obeys_visibility(client, world, partner_staff):
    from django.contrib.auth.models import Permission

    partner_staff.user_permissions.add(*Permission.objects.filter(content_type__app_label="organisations"))
    client.force_login(partner_staff)
    html = client.get(url("admin:organisations_organisation_changelist", "en")).content.decode()
    assert world.shared_org.name in html
    assert world.private_org.name not in html
    change = client.get(url("admin:organisations_organisation_change", "en", world.private_org.pk))
    assert change.status_code in (302, 404)


def test_root_redirects_to_a_language(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    assert response.status_code == 302
    assert response["Location"].startswith("/zh-hans/")


def test_language_switch_keeps_the_page(client, world):
    response = client.post(
        reverse("set_language"),
        {"language": "zh-hans", "next": url("regions:detail", "en", world.partner_region.slug)},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/zh-hans/regions/{world.partner_region.slug}/"


def test_document_download_requires_visibility(client, world, settings, tmp_path, agency_staff):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from partnerhub.partnerships.services import attach_document

    settings.MEDIA_ROOT = tmp_path
    document = attach_document(
        world.unshared_agreement,
        SimpleUploadedFile("loi.pdf", b"%PDF-1.4 test"),
        title={"en": "LoI"},
        language="en",
        actor=None,
    )
    assert client.get(url("partnerships:document", "en", document.pk)).status_code == 404
    client.force_login(agency_staff)
    response = client.get(url("partnerships:document", "en", document.pk))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")


@pytest.mark.parametrize(
    ("language", "population", "signed"),
    [
        ("de", "100.000", "1. Juli 2019"),
        ("en", "100,000", "July 1, 2019"),
        ("zh-hans", "100,000", "2019年7月1日"),
    ],
)
def test_numbers_and_dates_follow_the_readers_locale(client, world, language, population, signed):
    region_html = client.get(url("regions:detail", language, world.partner_region.slug)).content.decode()
    assert population in region_html
    agreement_html = client.get(url("partnerships:agreement", language, world.agreement.pk)).content.decode()
    assert signed in agreement_html


def test_chinese_organisation_shows_its_pinyin_to_german_readers_only(client, world, partner_staff):
    client.force_login(partner_staff)
    de_html = client.get(url("organisations:detail", "de", world.partner_org.slug)).content.decode()
    zh_html = client.get(url("organisations:detail", "zh-hans", world.partner_org.slug)).content.decode()
    assert world.partner_org.name_latin in de_html
    assert world.partner_org.name_latin not in zh_html


@pytest.mark.parametrize("language", LANGUAGES)
def test_password_reset_page_renders_in_our_layout_in_every_language(client, language):
    response = client.get(url("account_reset_password", language))
    html = response.content.decode()
    assert response.status_code == 200
    assert f'<html lang="{HTML_LANG[language]}">' in html
    assert NAV_WORD[language] in html


def test_sign_out_returns_to_the_programme(client, world, agency_staff):
    client.force_login(agency_staff)
    response = client.post(url("account_logout", "de"))
    assert response.status_code == 302
    assert "Secret plans" not in client.get(url("partnerships:list", "en")).content.decode()


def test_content_missing_in_the_readers_language_falls_back_and_is_marked(client, world, agency_staff):
    from partnerhub.organisations.services import save_organisation

    world.public_org.description = {"zh-hans": "我们生产复合材料。", "en": "We make composites."}
    save_organisation(world.public_org, actor=None)
    html = client.get(url("organisations:detail", "de", world.public_org.slug)).content.decode()
    assert '<p lang="en">We make composites.</p>' in html
    world.public_org.description = {"zh-hans": "我们生产复合材料。"}
    save_organisation(world.public_org, actor=None)
    html = client.get(url("organisations:detail", "de", world.public_org.slug)).content.decode()
    assert '<p lang="zh-Hans">我们生产复合材料。</p>' in html


def test_every_page_links_the_favicon_and_the_browsers_default_address_finds_it(client, world):
    page = client.get("/de/")
    assert 'rel="icon" href="/static/partnerhub/favicon.svg"' in page.content.decode()
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"] == "/static/partnerhub/favicon.svg"


def test_ids_above_a_thousand_are_printed_whole_in_links_and_form_values(client, world, agency_staff):
    """A German page once printed the id 6376 as 6.376 in a merge link (decision 0025)."""
    from tests import factories as f

    keep = f.PersonFactory(organisation=world.private_org, family_name="陈", given_name="静")
    f.PersonFactory(pk=123456, organisation=world.private_org, family_name="陈", given_name="静")
    client.force_login(agency_staff)
    html = client.get(url("organisations:person_edit", "de", keep.pk)).content.decode()
    assert "?drop=123456" in html
    assert "123.456" not in html
