"""Staff pages for regions: created and kept in the workspace, in German and Chinese, by those who keep them."""

import pytest
from django.test import Client

from partnerhub.core.models import AuditEntry
from partnerhub.regions.models import Region
from tests.clients import signed_in, url
from tests.formdata import form_data

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "title", "saved"),
    [("de", "Neue Region", "Die Region wurde angelegt."), ("zh-hans", "新建地区", "地区已创建。")],
)
def test_agency_staff_create_a_district_within_their_home_region(world, agency_staff, language, title, saved):
    client = signed_in(agency_staff)
    page = client.get(url("regions:new", language) + f"?parent={world.home_region.slug}")
    assert title in page.content.decode()
    data = form_data(page)
    assert data.value("parent") == str(world.home_region.pk)
    data.update(slug="innenstadt", name_0="Innenstadt", name_1="City centre", name_2="市中心")
    data.update(native_name="Innenstadt", kind="district", population="40000", population_year="2024")
    data.update(strengths_0="Handel und Dienstleistungen", strength_sectors=["62.01"])
    response = client.post(url("regions:new", language), data, follow=True)
    assert saved in response.content.decode()
    region = Region.objects.get(slug="innenstadt")
    assert region.parent == world.home_region
    assert region.name.localize("zh-hans") == "市中心"
    assert list(region.strength_sectors.values_list("code", flat=True)) == ["62.01"]
    entry = AuditEntry.objects.get(action="region.created", target_id=str(region.pk))
    assert entry.actor == agency_staff


@pytest.mark.parametrize(
    ("language", "message"),
    [("de", "Dieses Feld ist zwingend erforderlich."), ("zh-hans", "这个字段是必填项。")],
)
def test_a_region_without_a_parent_or_name_is_refused_in_the_users_language(
    world, agency_staff, language, message
):
    client = signed_in(agency_staff)
    data = form_data(client.get(url("regions:new", language)))
    data.update(slug="ohne-eltern", native_name="", parent="")
    page = client.post(url("regions:new", language), data)
    assert page.status_code == 200
    assert message in page.content.decode()
    assert not Region.objects.filter(slug="ohne-eltern").exists()


@pytest.mark.parametrize("language", ["de", "zh-hans"])
def test_agency_staff_edit_the_figures_and_strengths_of_their_home_region(world, agency_staff, language):
    client = signed_in(agency_staff)
    detail = client.get(url("regions:detail", language, world.home_region.slug)).content.decode()
    assert url("regions:edit", language, world.home_region.slug) in detail
    edit = url("regions:edit", language, world.home_region.slug)
    data = form_data(client.get(edit))
    data.update(population="123456", strengths_2="汽车零部件")
    assert client.post(edit, data).status_code == 302
    region = Region.objects.get(pk=world.home_region.pk)
    assert region.population == 123456
    assert region.strengths.localize("zh-hans") == "汽车零部件"
    assert AuditEntry.objects.filter(action="region.updated", target_id=str(region.pk)).exists()
    history = client.get(url("regions:detail", language, region.slug)).content.decode()
    assert {"de": "Verlauf", "zh-hans": "历史"}[language] in history
    assert "region.updated" not in history  # a sentence, never the raw code


def test_the_partner_region_is_not_kept_by_the_home_agency(world, agency_staff):
    client = signed_in(agency_staff)
    detail = client.get(url("regions:detail", "de", world.partner_region.slug)).content.decode()
    assert url("regions:edit", "de", world.partner_region.slug) not in detail
    assert client.get(url("regions:edit", "de", world.partner_region.slug)).status_code == 403


@pytest.mark.parametrize("persona", ["partner_staff", "member_a"])
def test_others_may_neither_edit_nor_add_regions(world, persona, request):
    client = signed_in(request.getfixturevalue(persona))
    assert client.get(url("regions:edit", "de", world.home_region.slug)).status_code == 403
    assert client.get(url("regions:new", "de")).status_code == 403
    assert "Neue Region" not in client.get(url("regions:list", "de")).content.decode()


def test_anonymous_are_sent_to_sign_in(world):
    response = Client().get(url("regions:edit", "de", world.home_region.slug))
    assert response.status_code == 302 and "login" in response["Location"]


def test_an_unknown_region_is_404(world, agency_staff):
    assert signed_in(agency_staff).get(url("regions:edit", "de", "nowhere")).status_code == 404


def test_a_region_saved_in_the_meantime_is_not_overwritten(world, agency_staff, superuser):
    edit = url("regions:edit", "de", world.home_region.slug)
    first, second = signed_in(agency_staff), signed_in(superuser)
    first_form, second_form = form_data(first.get(edit)), form_data(second.get(edit))
    first_form["population"] = "111111"
    assert first.post(edit, first_form).status_code == 302
    second_form["population"] = "222222"
    page = second.post(edit, second_form)
    html = page.content.decode()
    assert "Jemand anderes hat diesen Datensatz gespeichert" in html
    assert "111111" in html and "222222" in html
    assert Region.objects.get(pk=world.home_region.pk).population == 111111


def test_a_change_to_the_strong_sectors_alone_makes_an_open_form_stale(world, agency_staff):
    edit = url("regions:edit", "zh-hans", world.home_region.slug)
    client = signed_in(agency_staff)
    data = form_data(client.get(edit))
    world.home_region.strength_sectors.set(["62.01"])
    page = client.post(edit, data)
    assert "在您编辑期间，其他人保存了此记录" in page.content.decode()


def test_a_region_cannot_be_moved_into_a_region_within_it(world, superuser):
    from tests.factories import RegionFactory

    child = RegionFactory(slug="teil", parent=world.home_region)
    client = signed_in(superuser)
    edit = url("regions:edit", "de", world.home_region.slug)
    data = form_data(client.get(edit))
    assert str(child.pk) not in [v for v in data.get("parent", [])]
    data["parent"] = str(child.pk)
    page = client.post(edit, data)
    assert page.status_code == 200
    assert Region.objects.get(pk=world.home_region.pk).parent is None


def test_a_region_in_use_is_not_deleted_and_the_page_says_why(world, agency_staff):
    client = signed_in(agency_staff)
    delete = url("regions:delete", "de", world.home_region.slug)
    page = client.get(delete).content.decode()
    assert "nicht gelöscht werden" in page
    client.post(delete)
    assert Region.objects.filter(pk=world.home_region.pk).exists()


def test_an_unused_region_is_deleted_with_an_audit_entry(world, agency_staff):
    from tests.factories import RegionFactory

    spare = RegionFactory(slug="leer", parent=world.home_region)
    client = signed_in(agency_staff)
    response = client.post(url("regions:delete", "zh-hans", spare.slug))
    assert response.status_code == 302
    assert not Region.objects.filter(slug="leer").exists()
    assert AuditEntry.objects.filter(action="region.deleted", target_id=str(spare.pk)).exists()
