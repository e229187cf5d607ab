"""Staff pages for partnerships: started and kept by the agency that runs them, shared with partner agencies."""

import pytest

from partnerhub.core.models import AuditEntry
from partnerhub.partnerships.models import Partnership
from tests.clients import signed_in, url
from tests.formdata import form_data

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "title", "saved"),
    [
        ("de", "Neue Partnerschaft", "Die Partnerschaft wurde angelegt."),
        ("zh-hans", "新建合作关系", "合作关系已创建。"),
    ],
)
def test_agency_staff_start_a_partnership_from_their_home_region(world, agency_staff, language, title, saved):
    client = signed_in(agency_staff)
    listing = client.get(url("partnerships:list", language)).content.decode()
    assert url("partnerships:new", language) in listing
    page = client.get(url("partnerships:new", language))
    assert title in page.content.decode()
    data = form_data(page)
    assert data.value("agency") == str(world.home_agency.pk)
    data.update(slug="hochschulen", title_0="Hochschulkooperation", title_2="高校合作")
    data.update(home_region=str(world.home_region.pk), partner_region=str(world.partner_region.pk))
    data["areas"] = ["science", "education"]
    data["shared_with"] = [str(world.partner_agency.pk)]
    response = client.post(url("partnerships:new", language), data, follow=True)
    assert saved in response.content.decode()
    partnership = Partnership.objects.get(slug="hochschulen")
    assert partnership.agency == world.home_agency
    assert partnership.title.localize("zh-hans") == "高校合作"
    assert partnership.areas == ["science", "education"]
    assert list(partnership.shared_with.all()) == [world.partner_agency]
    actions = set(AuditEntry.objects.filter(target_id=str(partnership.pk)).values_list("action", flat=True))
    assert {"partnership.created", "partnership.shared"} <= actions


@pytest.mark.parametrize(
    ("language", "message"),
    [("de", "Die Partnerregion muss sich von der Heimatregion unterscheiden."), ("zh-hans", "合作地区")],
)
def test_the_same_region_on_both_sides_is_refused_in_the_users_language(
    world, agency_staff, language, message
):
    client = signed_in(agency_staff)
    data = form_data(client.get(url("partnerships:new", language)))
    data.update(slug="selbst", title_0="Mit sich selbst")
    data.update(home_region=str(world.home_region.pk), partner_region=str(world.home_region.pk))
    page = client.post(url("partnerships:new", language), data)
    assert page.status_code == 200
    assert message in page.content.decode()
    assert not Partnership.objects.filter(slug="selbst").exists()


@pytest.mark.parametrize("language", ["de", "zh-hans"])
def test_agency_staff_edit_a_partnership_and_stop_sharing_it(world, agency_staff, language):
    client = signed_in(agency_staff)
    detail = client.get(url("partnerships:detail", language, world.partnership.slug)).content.decode()
    edit = url("partnerships:edit", language, world.partnership.slug)
    assert edit in detail
    data = form_data(client.get(edit))
    assert data.get("shared_with") == [str(world.partner_agency.pk)]
    data.pop("shared_with")
    data.update(status="dormant", description_1="Paused for now")
    assert client.post(edit, data).status_code == 302
    partnership = Partnership.objects.get(pk=world.partnership.pk)
    assert partnership.status == "dormant"
    assert not partnership.shared_with.exists()
    entry = AuditEntry.objects.get(action="partnership.unshared", target_id=str(partnership.pk))
    assert entry.actor == agency_staff
    history = client.get(url("partnerships:detail", language, partnership.slug)).content.decode()
    assert "partnership.unshared" not in history
    assert {"de": "teilt die Partnerschaft nicht mehr mit", "zh-hans": "已停止与"}[language] in history


def test_the_home_region_must_be_one_the_agency_keeps(world, agency_staff):
    from tests.factories import RegionFactory

    elsewhere = RegionFactory(slug="anderswo")
    client = signed_in(agency_staff)
    data = form_data(client.get(url("partnerships:new", "de")))
    data.update(slug="fremd", title_0="Fremd", home_region=str(elsewhere.pk))
    data["partner_region"] = str(world.partner_region.pk)
    page = client.post(url("partnerships:new", "de"), data)
    assert page.status_code == 200
    assert not Partnership.objects.filter(slug="fremd").exists()


def test_partner_staff_see_a_shared_partnership_but_may_not_edit_it(world, partner_staff):
    client = signed_in(partner_staff)
    detail = client.get(url("partnerships:detail", "zh-hans", world.partnership.slug)).content.decode()
    assert url("partnerships:edit", "zh-hans", world.partnership.slug) not in detail
    assert client.get(url("partnerships:edit", "zh-hans", world.partnership.slug)).status_code == 403


def test_a_private_partnership_is_hidden_from_others(world, partner_staff, member_a):
    for user in (partner_staff, member_a):
        client = signed_in(user)
        assert client.get(url("partnerships:edit", "de", world.private_partnership.slug)).status_code == 404


def test_members_may_not_start_partnerships(world, member_a):
    client = signed_in(member_a)
    assert client.get(url("partnerships:new", "de")).status_code == 403
    assert "Neue Partnerschaft" not in client.get(url("partnerships:list", "de")).content.decode()


def test_a_partnership_saved_in_the_meantime_is_not_overwritten(world, agency_staff, superuser):
    edit = url("partnerships:edit", "zh-hans", world.partnership.slug)
    first, second = signed_in(agency_staff), signed_in(superuser)
    first_form, second_form = form_data(first.get(edit)), form_data(second.get(edit))
    first_form["title_1"] = "First title"
    assert first.post(edit, first_form).status_code == 302
    second_form["title_1"] = "Second title"
    html = second.post(edit, second_form).content.decode()
    assert "在您编辑期间，其他人保存了此记录" in html
    assert "First title" in html and "Second title" in html
    assert Partnership.objects.get(pk=world.partnership.pk).title.localize("en") == "First title"


def test_a_partnership_with_agreements_is_not_deleted(world, agency_staff):
    client = signed_in(agency_staff)
    delete = url("partnerships:delete", "de", world.partnership.slug)
    assert "nicht gelöscht werden" in client.get(delete).content.decode()
    client.post(delete)
    assert Partnership.objects.filter(pk=world.partnership.pk).exists()


def test_an_unused_partnership_is_deleted(world, agency_staff):
    from tests.factories import PartnershipFactory

    spare = PartnershipFactory(
        slug="leer",
        agency=world.home_agency,
        home_region=world.home_region,
        partner_region=world.partner_region,
    )
    client = signed_in(agency_staff)
    assert client.post(url("partnerships:delete", "de", spare.slug)).status_code == 302
    assert not Partnership.objects.filter(slug="leer").exists()
    assert AuditEntry.objects.filter(action="partnership.deleted", target_id=str(spare.pk)).exists()
