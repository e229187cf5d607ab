"""The admin: forms explain bad input in the user's language, and saving goes through the services."""

import pytest
from django.urls import reverse
from django.utils import translation

from partnerhub.core.audit import history
from partnerhub.organisations.models import Organisation

pytestmark = pytest.mark.django_db

REQUIRED = {
    "de": "Dieses Feld ist zwingend erforderlich.",
    "en": "This field is required.",
    "zh-hans": "这个字段是必填项。",
}


def admin_url(name, language, *args):
    with translation.override(language):
        return reverse(name, args=args)


def organisation_form(world, **overrides):
    data = {
        "slug": "neue-firma",
        "name": "扬州新材料有限公司",
        "name_latin": "",
        "name_translations_0": "",
        "name_translations_1": "Yangzhou New Materials Co., Ltd.",
        "name_translations_2": "",
        "kind": "sme",
        "owner_agency": world.home_agency.pk,
        "region": world.partner_region.pk,
        "street": "",
        "postal_code": "",
        "city": "扬州",
        "country": "CN",
        "website": "",
        "description_0": "",
        "description_1": "",
        "description_2": "复合材料",
        "keywords": "复合材料，船舶",
        "technologies": "",
        "founded": "",
        "headcount": "12",
        "turnover_eur": "",
        "balance_sheet_eur": "",
        "size_class_override": "",
        "is_public": "on",
        "people-TOTAL_FORMS": "0",
        "people-INITIAL_FORMS": "0",
        "people-MIN_NUM_FORMS": "0",
        "people-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("language", ["de", "en", "zh-hans"])
def test_admin_form_with_missing_name_explains_and_keeps_the_input(client, world, superuser, language):
    client.force_login(superuser)
    response = client.post(
        admin_url("admin:organisations_organisation_add", language),
        organisation_form(world, name="", city="扬州市邗江区"),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert REQUIRED[language] in html
    assert 'value="扬州市邗江区"' in html
    assert not Organisation.objects.filter(slug="neue-firma").exists()


def test_admin_save_goes_through_the_service(client, world, superuser):
    client.force_login(superuser)
    response = client.post(admin_url("admin:organisations_organisation_add", "en"), organisation_form(world))
    assert response.status_code == 302, response.content.decode()[:3000]
    organisation = Organisation.objects.get(slug="neue-firma")
    assert organisation.name_latin == "Yangzhou Xin Cailiao Youxiangongsi"
    assert organisation.size_class == "small"
    assert "fuhecailiao" in organisation.search_document
    assert organisation.keywords == ["复合材料", "船舶"]
    assert [entry.action for entry in history(organisation)] == ["organisation.created"]
    assert history(organisation).first().actor == superuser


@pytest.mark.parametrize("language", ["de", "en", "zh-hans"])
@pytest.mark.parametrize("persona_name", ["agency_staff", "partner_staff", "superuser"])
def test_admin_opens_for_staff_in_every_language(client, request, world, persona_name, language):
    client.force_login(request.getfixturevalue(persona_name))
    response = client.get(admin_url("admin:index", language))
    assert response.status_code == 200
    assert f'lang="{language}"' in response.content.decode()


def test_agency_staff_rename_their_own_stages_only(client, world, agency_staff):
    from django.contrib.auth.models import Permission

    from partnerhub.pipeline.models import Stage
    from partnerhub.pipeline.stages import stages_for

    own = stages_for(world.home_agency)[0]
    other = stages_for(world.partner_agency)[0]
    agency_staff.user_permissions.add(*Permission.objects.filter(content_type__app_label="pipeline"))
    client.force_login(agency_staff)
    listing = client.get(admin_url("admin:pipeline_stage_changelist", "en")).content.decode()
    assert f"/pipeline/stage/{own.pk}/change/" in listing
    assert f"/pipeline/stage/{other.pk}/change/" not in listing
    response = client.post(
        admin_url("admin:pipeline_stage_change", "en", own.pk),
        {"name_0": "Neu eingegangen", "name_1": "New", "name_2": "新提交", "position": 0, "outcome": "open"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    own.refresh_from_db()
    assert own.name.localize("de") == "Neu eingegangen"
    assert own.key == "submitted"
    assert client.get(admin_url("admin:pipeline_stage_change", "en", other.pk)).status_code == 302
    assert Stage.objects.get(pk=other.pk).name.localize("en") == "Submitted"
