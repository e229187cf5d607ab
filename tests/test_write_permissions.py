"""Who may write what (decision 0016): partner agencies write only their own data, operators the platform's.

The admin forms are driven for real: a page is fetched, its form filled as the browser would, then posted.
"""

from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone, translation

from partnerhub.accounts import permissions
from partnerhub.agencies.models import Agency
from partnerhub.delegations.models import Delegation, Stop, TravelLeg
from partnerhub.demo.world import _grant_staff_permissions
from partnerhub.matching.models import ReembedRun
from partnerhub.organisations import services as organisation_services
from partnerhub.organisations.models import Organisation, Person
from partnerhub.partnerships.models import Partnership
from partnerhub.privacy.models import PrivacyNotice
from partnerhub.regions.models import Region
from tests import factories as f

pytestmark = pytest.mark.django_db

INVALID_CHOICE = {
    "de": "Das gehört einer anderen Agentur: Sie können nur auswählen, was Ihre eigene Agentur pflegt.",
    "zh-hans": "该选项属于其他机构：您只能选择本机构维护的内容。",
}


class _Form(HTMLParser):
    """The values a browser would send for the admin's main form (inputs, selects, textareas)."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.data.setdefault(name, []).append(
                a.get("value") or ("on" if a.get("type") == "checkbox" else "")
            )
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in a:
            self.data[self._select].append(a.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = [""]

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][0] += data.lstrip("\n") if not self.data[self._textarea][0] else data


def form_of(client, url, **overrides) -> dict:
    parser = _Form()
    parser.feed(client.get(url).content.decode())
    data = {k: v if len(v) != 1 else v[0] for k, v in parser.data.items() if k != "csrfmiddlewaretoken"}
    data.pop("_popup", None)
    data.update({k: str(v) if isinstance(v, int) else v for k, v in overrides.items()})
    return data


def url(name, language="en", *args):
    with translation.override(language):
        return reverse(name, args=args)


def grant_everything(user) -> None:
    """Every permission of every model: what a careless administrator might hand out."""
    user.user_permissions.add(*Permission.objects.all())


@pytest.fixture
def demo_group(agency_staff, partner_staff):
    """The demo's "Agency staff" group, which gave partner staff the model permissions in the incident."""
    _grant_staff_permissions([agency_staff, partner_staff])


# --- creating records for another agency ---------------------------------------------------------------


@pytest.mark.parametrize("language", ["de", "zh-hans"])
def test_partner_staff_cannot_create_an_organisation_owned_by_the_home_agency(
    client, world, partner_staff, demo_group, language
):
    client.force_login(partner_staff)
    add = url("admin:organisations_organisation_add", language)
    data = form_of(
        client, add, slug="fremde-firma", name="Fremde Firma GmbH", kind="sme", country="DE",
        owner_agency=world.home_agency.pk, region=world.home_region.pk,
    )  # fmt: skip
    response = client.post(add, data)
    assert response.status_code == 200
    assert INVALID_CHOICE[language] in response.content.decode()
    assert not Organisation.objects.filter(slug="fremde-firma").exists()


def test_partner_staff_create_an_organisation_of_their_own_agency(client, world, partner_staff, demo_group):
    client.force_login(partner_staff)
    add = url("admin:organisations_organisation_add")
    data = form_of(
        client, add, slug="eigene-firma", name="扬州自家有限公司", kind="sme", country="CN",
        owner_agency=world.partner_agency.pk, region=world.partner_region.pk,
    )  # fmt: skip
    response = client.post(add, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Organisation.objects.get(slug="eigene-firma").owner_agency == world.partner_agency


def test_partner_staff_cannot_create_a_partnership_for_the_home_agency(
    client, world, partner_staff, demo_group
):
    client.force_login(partner_staff)
    add = url("admin:partnerships_partnership_add", "de")
    data = form_of(
        client, add, slug="fremd", title_0="Fremde Partnerschaft", agency=world.home_agency.pk,
        home_region=world.home_region.pk, partner_region=world.partner_region.pk, areas="business",
        is_public="on",
    )  # fmt: skip
    response = client.post(add, data)
    assert response.status_code in (200, 403)
    assert not Partnership.objects.filter(slug="fremd").exists()
    if response.status_code == 200:
        assert INVALID_CHOICE["de"] in response.content.decode()


def test_partner_staff_cannot_hang_a_trip_on_a_partnership_shared_with_them(
    client, world, partner_staff, demo_group
):
    client.force_login(partner_staff)
    add = url("admin:delegations_delegation_add", "zh-hans")
    data = form_of(
        client, add, slug="fremde-reise", title_2="参观", partnership=world.partnership.pk,
        direction="incoming", start_date="2027-05-01", end_date="2027-05-03",
    )  # fmt: skip
    response = client.post(add, data)
    assert response.status_code in (200, 403)
    assert not Delegation.objects.filter(slug="fremde-reise").exists()


def test_partner_staff_cannot_add_a_contact_to_an_organisation_shared_with_them(
    client, world, partner_staff, demo_group
):
    client.force_login(partner_staff)
    add = url("admin:organisations_person_add")
    data = form_of(
        client, add, family_name="Eindringling", organisation=world.shared_org.pk, consent="unknown"
    )
    response = client.post(add, data)
    assert response.status_code in (200, 403)
    assert not Person.objects.filter(family_name="Eindringling").exists()


def test_partner_staff_cannot_hand_their_organisation_to_the_home_agency(
    client, world, partner_staff, superuser, demo_group
):
    change = url("admin:organisations_organisation_change", "en", world.partner_org.pk)
    client.force_login(superuser)
    data = form_of(client, change, owner_agency=world.home_agency.pk)
    client.force_login(partner_staff)
    response = client.post(change, data)
    assert response.status_code in (200, 403)
    world.partner_org.refresh_from_db()
    assert world.partner_org.owner_agency == world.partner_agency


def test_a_service_refuses_to_save_another_agencys_record(world, partner_staff):
    world.shared_org.name = "Übernommen"
    with pytest.raises(PermissionDenied):
        organisation_services.save_organisation(world.shared_org, actor=partner_staff)
    foreign = Organisation(
        slug="x", name="X", kind="sme", country="DE", region=world.home_region, owner_agency=world.home_agency
    )
    with pytest.raises(PermissionDenied):
        organisation_services.save_organisation(foreign, actor=partner_staff)
    assert not Organisation.objects.filter(slug="x").exists()


# --- regions ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["de", "zh-hans"])
def test_partner_staff_cannot_change_the_home_regions_figures(
    client, world, partner_staff, superuser, demo_group, language
):
    change = url("admin:regions_region_change", language, world.home_region.pk)
    client.force_login(superuser)
    data = form_of(client, change, population="1")
    client.force_login(partner_staff)
    assert 'name="population"' not in client.get(change).content.decode()  # shown read-only
    assert client.post(change, data).status_code == 403
    world.home_region.refresh_from_db()
    assert world.home_region.population == 100_000


def test_agency_staff_change_the_figures_of_their_home_region(client, world, agency_staff, demo_group):
    change = url("admin:regions_region_change", "en", world.home_region.pk)
    client.force_login(agency_staff)
    response = client.post(change, form_of(client, change, population="99000"))
    assert response.status_code == 302, response.content.decode()[:3000]
    world.home_region.refresh_from_db()
    assert world.home_region.population == 99_000


def test_partner_staff_keep_their_seats_region_but_not_their_partners(world, agency_staff, partner_staff):
    world.partner_agency.region = world.partner_region
    world.partner_agency.save()
    district = f.RegionFactory(slug="partner-district", parent=world.partner_region)
    assert permissions.can_edit(partner_staff, world.partner_region)
    assert permissions.can_edit(partner_staff, district)  # regions within a kept region are kept too
    assert not permissions.can_edit(partner_staff, world.home_region)
    assert permissions.can_edit(agency_staff, world.home_region)
    assert not permissions.can_edit(agency_staff, world.partner_region)


def test_partner_staff_cannot_create_a_region_inside_the_home_region(
    client, world, partner_staff, demo_group
):
    client.force_login(partner_staff)
    add = url("admin:regions_region_add")
    response = client.get(add)
    assert response.status_code == 403  # they keep no region to create one in
    assert not permissions.can_save(
        partner_staff,
        Region(slug="d", native_name="D", kind="district", country="DE", parent=world.home_region),
    )


def test_partner_staff_cannot_claim_a_region_by_a_partnership_or_their_seat(world, partner_staff):
    claim = Partnership(
        slug="claim", title={"en": "Claim"}, agency=world.partner_agency, home_region=world.home_region,
        partner_region=world.partner_region,
    )  # fmt: skip
    assert not permissions.can_save(partner_staff, claim)
    world.partner_agency.region = world.home_region
    assert not permissions.can_save(partner_staff, world.partner_agency)


# --- agencies, accounts and other platform-wide data -----------------------------------------------------


def test_partner_staff_cannot_change_the_home_agency(client, world, partner_staff, superuser):
    grant_everything(partner_staff)
    change = url("admin:agencies_agency_change", "en", world.home_agency.pk)
    client.force_login(superuser)
    data = form_of(client, change, name_1="Taken over")
    client.force_login(partner_staff)
    assert client.post(change, data).status_code == 403
    world.home_agency.refresh_from_db()
    assert world.home_agency.name.localize("en") != "Taken over"


def test_staff_cannot_make_themselves_superusers(client, world, agency_staff, superuser):
    grant_everything(agency_staff)
    change = url("admin:accounts_user_change", "en", agency_staff.pk)
    client.force_login(superuser)
    data = form_of(client, change, is_superuser="on")
    client.force_login(agency_staff)
    assert client.post(change, data).status_code == 403
    agency_staff.refresh_from_db()
    assert not agency_staff.is_superuser
    assert client.get(url("admin:auth_group_changelist")).status_code == 403


def test_only_operators_publish_a_privacy_notice(client, world, agency_staff, superuser):
    grant_everything(agency_staff)
    client.force_login(agency_staff)
    assert client.get(url("admin:privacy_privacynotice_add")).status_code == 403
    client.force_login(superuser)
    assert client.get(url("admin:privacy_privacynotice_add")).status_code == 200


@pytest.mark.parametrize("language", ["de", "en", "zh-hans"])
def test_every_add_page_opens_for_agency_staff_or_is_refused_cleanly(client, world, agency_staff, language):
    grant_everything(agency_staff)
    client.force_login(agency_staff)
    opened = set()
    for model in admin.site._registry:
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}_add"
        response = client.get(url(name, language))
        assert response.status_code in (200, 403), (name, response.status_code)
        if response.status_code == 200:
            opened.add(model._meta.label)
    assert {
        "organisations.Organisation",
        "organisations.Person",
        "partnerships.Partnership",
        "partnerships.Agreement",
        "delegations.Delegation",
        "regions.Region",
        "agencies.Agency",
        "pipeline.Stage",
    } <= opened
    assert not opened & {"accounts.User", "auth.Group", "privacy.PrivacyNotice", "matching.Embedding"}


def autocomplete(client, app_label, model_name, field_name) -> set[str]:
    query = {"app_label": app_label, "model_name": model_name, "field_name": field_name, "term": ""}
    response = client.get(url("admin:autocomplete"), query)
    assert response.status_code == 200
    return {row["id"] for row in response.json()["results"]}


def test_owner_drop_downs_offer_only_what_the_actor_may_write_into(client, world, partner_staff, demo_group):
    client.force_login(partner_staff)
    organisations = autocomplete(client, "organisations", "person", "organisation")
    assert str(world.partner_org.pk) in organisations
    assert str(world.shared_org.pk) not in organisations  # shared for reading, not for writing
    assert str(world.partnership.pk) not in autocomplete(client, "delegations", "delegation", "partnership")
    assert autocomplete(client, "organisations", "organisation", "owner_agency") == {
        str(world.partner_agency.pk)
    }
    # A field that only links (the organisation's region) still offers every region.
    assert str(world.home_region.pk) in autocomplete(client, "organisations", "organisation", "region")


def test_a_travel_leg_links_only_stops_of_its_own_trip(client, world, agency_staff, superuser):
    other_trip = f.DelegationFactory(partnership=world.private_partnership, slug="other-trip")
    foreign_stop = Stop.objects.create(
        delegation=other_trip, region=world.partner_region, arrival=other_trip.start_date,
        departure=other_trip.start_date, time_zone="Asia/Shanghai",
    )  # fmt: skip
    own_stop = Stop.objects.create(
        delegation=world.delegation, region=world.partner_region, arrival=world.delegation.start_date,
        departure=world.delegation.start_date, time_zone="Asia/Shanghai",
    )  # fmt: skip
    client.force_login(superuser)
    page = client.get(url("admin:delegations_delegation_change", "en", world.delegation.pk)).content.decode()
    legs = page[page.index('id="legs-empty"') :]
    assert f'<option value="{own_stop.pk}"' in legs
    assert f'<option value="{foreign_stop.pk}"' not in legs
    assert TravelLeg.objects.count() == 0


def test_a_new_top_level_agency_is_for_operators_only(world, agency_staff, superuser):
    assert not permissions.can_save(agency_staff, Agency(slug="new", name={"en": "New"}))
    assert permissions.can_save(
        agency_staff, Agency(slug="unit", name={"en": "Unit"}, parent=world.home_agency)
    )
    assert permissions.can_save(superuser, Agency(slug="new", name={"en": "New"}))


# --- platform-wide matching actions ------------------------------------------------------------------------


def test_agency_staff_may_not_re_embed_every_item(client, world, agency_staff):
    client.force_login(agency_staff)
    assert client.get(url("matching:reembed", "de")).status_code == 403
    assert client.post(url("matching:reembed", "de"), {"model_name": "default"}).status_code == 403
    assert not ReembedRun.objects.exists()
    assert url("matching:reembed") not in client.get(url("matching:queue")).content.decode()


def test_operators_re_embed_and_are_never_offered_the_fake_model(client, world, superuser):
    client.force_login(superuser)
    page = client.get(url("matching:reembed", "zh-hans"))
    assert page.status_code == 200
    assert 'value="fake"' not in page.content.decode()
    assert 'value="default"' in page.content.decode()
    client.post(url("matching:reembed", "zh-hans"), {"model_name": "fake"})
    assert not ReembedRun.objects.exists()
    client.post(url("matching:reembed", "zh-hans"), {"model_name": "default"})
    assert ReembedRun.objects.get().started_by == superuser


def test_staff_cannot_add_a_contact_to_another_agencys_organisation_from_an_idea(world, agency_staff):
    from partnerhub.ideas import services as idea_services
    from partnerhub.ideas.models import ProjectIdea

    idea = ProjectIdea.objects.create(
        agency=world.home_agency, title="Leichtbau", organisation_name=world.partner_org.name,
        organisation_kind="sme", organisation_country="CN", contact_name="王晓明",
        contact_email="wang@hengtong.example.cn", language="zh-hans", consent_given_at=timezone.now(),
        privacy_notice=PrivacyNotice.current(),
    )  # fmt: skip
    with pytest.raises(PermissionDenied):
        idea_services.create_organisation_from_idea(
            idea, actor=agency_staff, region=world.partner_region, use_existing=world.partner_org
        )
    assert not world.partner_org.people.exists()
