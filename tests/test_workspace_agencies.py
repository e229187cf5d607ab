"""Staff pages for agencies: staff keep their own family's records and add units; operators add authorities."""

import pytest
from django.test import Client

from partnerhub.agencies.models import Agency
from partnerhub.core.models import AuditEntry
from tests.clients import signed_in, url
from tests.formdata import form_data

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "saved"), [("de", "Die Agentur wurde angelegt."), ("zh-hans", "机构已创建。")]
)
def test_agency_staff_add_a_unit_to_their_own_agency(world, agency_staff, language, saved):
    client = signed_in(agency_staff)
    detail = client.get(url("agencies:detail", language, world.home_agency.slug)).content.decode()
    new = url("agencies:new", language)
    assert f"{new}?parent={world.home_agency.slug}" in detail
    page = client.get(f"{new}?parent={world.home_agency.slug}")
    data = form_data(page)
    assert data.value("parent") == str(world.home_agency.pk)
    data.update(slug="buero-nanjing", name_0="Büro Nanjing", name_2="南京办事处", kind="government_bureau")
    data.update(website="nanjing.example.org", email="nanjing@example.org", language="zh-hans")
    response = client.post(new, data, follow=True)
    assert saved in response.content.decode()
    unit = Agency.objects.get(slug="buero-nanjing")
    assert unit.parent == world.home_agency
    assert unit.name.localize("zh-hans") == "南京办事处"
    assert unit.website == "https://nanjing.example.org"
    assert AuditEntry.objects.get(action="agency.created", target_id=str(unit.pk)).actor == agency_staff


@pytest.mark.parametrize(
    ("language", "message", "note"),
    [
        ("de", "Dieses Feld ist zwingend erforderlich.", "Neue Partnerbehörden legen die Betreiber"),
        ("zh-hans", "这个字段是必填项。", "新的合作主管机构由平台运营方添加"),
    ],
)
def test_staff_cannot_add_a_partner_authority_and_the_page_says_who_can(
    world, agency_staff, language, message, note
):
    client = signed_in(agency_staff)
    listing = client.get(url("agencies:list", language)).content.decode()
    assert note in listing
    data = form_data(client.get(url("agencies:new", language)))
    data.update(slug="neue-behoerde", name_0="Neue Behörde", parent="")
    page = client.post(url("agencies:new", language), data)
    assert page.status_code == 200
    assert message in page.content.decode()
    assert not Agency.objects.filter(slug="neue-behoerde").exists()


def test_a_unit_cannot_be_added_to_another_agency_family(world, agency_staff):
    client = signed_in(agency_staff)
    data = form_data(client.get(url("agencies:new", "de")))
    data.update(slug="fremde-einheit", name_0="Fremd", parent=str(world.partner_agency.pk))
    assert client.post(url("agencies:new", "de"), data).status_code == 200
    assert not Agency.objects.filter(slug="fremde-einheit").exists()


def test_operators_add_a_new_partner_authority(world, superuser):
    client = signed_in(superuser)
    assert "Neue Partnerbehörde" in client.get(url("agencies:list", "de")).content.decode()
    data = form_data(client.get(url("agencies:new", "de")))
    data.update(slug="nanjing-bureau", name_2="南京市商务局", kind="government_bureau", parent="")
    assert client.post(url("agencies:new", "de"), data).status_code == 302
    assert Agency.objects.get(slug="nanjing-bureau").parent is None


@pytest.mark.parametrize("language", ["de", "zh-hans"])
def test_agency_staff_edit_their_agencys_record(world, agency_staff, language):
    client = signed_in(agency_staff)
    edit = url("agencies:edit", language, world.home_agency.slug)
    data = form_data(client.get(edit))
    assert "disabled" in client.get(edit).content.decode()  # the top of the family stays the top
    data.update(description_0="Wirtschaftsförderung", description_2="经济促进", language="de")
    assert client.post(edit, data).status_code == 302
    agency = Agency.objects.get(pk=world.home_agency.pk)
    assert agency.description.localize("zh-hans") == "经济促进"
    assert agency.parent is None
    assert AuditEntry.objects.filter(action="agency.updated", target_id=str(agency.pk)).exists()
    page = client.get(url("agencies:detail", language, agency.slug)).content.decode()
    assert "agency.updated" not in page


@pytest.mark.parametrize("persona", ["partner_staff", "member_a"])
def test_others_may_not_edit_the_home_agency(world, persona, request):
    client = signed_in(request.getfixturevalue(persona))
    detail = client.get(url("agencies:detail", "de", world.home_agency.slug)).content.decode()
    assert url("agencies:edit", "de", world.home_agency.slug) not in detail
    assert client.get(url("agencies:edit", "de", world.home_agency.slug)).status_code == 403


def test_members_may_not_add_agencies(world, member_a):
    assert signed_in(member_a).get(url("agencies:new", "de")).status_code == 403


def test_an_unknown_agency_is_404(world, agency_staff):
    assert signed_in(agency_staff).get(url("agencies:edit", "de", "nobody")).status_code == 404


def test_an_agency_saved_in_the_meantime_is_not_overwritten(world, agency_staff, superuser):
    edit = url("agencies:edit", "de", world.home_unit.slug)
    first, second = signed_in(agency_staff), signed_in(superuser)
    first_form, second_form = form_data(first.get(edit)), form_data(second.get(edit))
    first_form["email"] = "first@example.org"
    assert first.post(edit, first_form).status_code == 302
    second_form["email"] = "second@example.org"
    html = second.post(edit, second_form).content.decode()
    assert "Jemand anderes hat diesen Datensatz gespeichert" in html
    assert "first@example.org" in html and "second@example.org" in html
    assert Agency.objects.get(pk=world.home_unit.pk).email == "first@example.org"


def test_an_agency_with_staff_or_units_is_not_deleted(world, agency_staff):
    client = signed_in(agency_staff)
    page = client.get(url("agencies:delete", "zh-hans", world.home_agency.slug)).content.decode()
    assert "仍有其他记录引用此记录" in page
    client.post(url("agencies:delete", "zh-hans", world.home_agency.slug))
    assert Agency.objects.filter(pk=world.home_agency.pk).exists()


def test_an_unused_unit_is_deleted(world, agency_staff):
    from tests.factories import AgencyFactory

    spare = AgencyFactory(slug="leer", parent=world.home_agency)
    response = signed_in(agency_staff).post(url("agencies:delete", "de", spare.slug))
    assert response.status_code == 302
    assert not Agency.objects.filter(slug="leer").exists()
    assert AuditEntry.objects.filter(action="agency.deleted", target_id=str(spare.pk)).exists()


def test_partnership_and_region_pages_link_to_the_agency(world):
    world.home_agency.region = world.home_region
    world.home_agency.save()
    link = url("agencies:detail", "de", world.home_agency.slug)
    assert link in Client().get(url("partnerships:detail", "de", world.partnership.slug)).content.decode()
    assert link in Client().get(url("regions:detail", "de", world.home_region.slug)).content.decode()
