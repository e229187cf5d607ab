"""Each role sees exactly what it should: one expectation table per model, checked for every persona."""

import pytest

from partnerhub.accounts.visibility import viewer_for
from partnerhub.delegations.models import Delegation
from partnerhub.organisations.models import Organisation, Person
from partnerhub.partnerships.models import Agreement, Partnership

pytestmark = pytest.mark.django_db

EXPECTED_PARTNERSHIPS = {
    "anonymous": {"partnership"},
    "member_a": {"partnership"},
    "member_b": {"partnership"},
    "agency_staff": {"partnership", "private_partnership"},
    "partner_staff": {"partnership"},
    "other_staff": {"partnership"},
    "superuser": {"partnership", "private_partnership"},
}
EXPECTED_AGREEMENTS = {
    "anonymous": {"agreement"},
    "member_a": {"agreement"},
    "member_b": {"agreement"},
    "agency_staff": {"agreement", "unshared_agreement"},
    "partner_staff": {"agreement"},
    "other_staff": {"agreement"},
    "superuser": {"agreement", "unshared_agreement"},
}
EXPECTED_ORGANISATIONS = {
    "anonymous": {"public_org"},
    "member_a": {"public_org", "private_org"},
    "member_b": {"public_org", "partner_org"},
    "agency_staff": {"public_org", "private_org", "shared_org"},
    "partner_staff": {"public_org", "shared_org", "partner_org"},
    "other_staff": {"public_org"},
    "superuser": {"public_org", "private_org", "shared_org", "partner_org"},
}
EXPECTED_PEOPLE = {
    "anonymous": set(),
    "member_a": set(),
    "member_b": set(),
    "agency_staff": {"person_public", "person_shared_consented", "person_shared_unconsented"},
    "partner_staff": {"person_shared_consented"},
    "other_staff": set(),
    "superuser": {"person_public", "person_shared_consented", "person_shared_unconsented"},
}


def visible_names(world, model, user, names):
    visible = set(model.objects.visible_to(user).values_list("pk", flat=True))
    return {name for name in names if getattr(world, name).pk in visible}


def test_each_role_sees_exactly_its_partnerships(world, persona):
    name, user = persona
    names = ["partnership", "private_partnership"]
    assert visible_names(world, Partnership, user, names) == EXPECTED_PARTNERSHIPS[name]


def test_each_role_sees_exactly_its_agreements(world, persona):
    name, user = persona
    names = ["agreement", "unshared_agreement"]
    assert visible_names(world, Agreement, user, names) == EXPECTED_AGREEMENTS[name]


def test_each_role_sees_exactly_its_organisations(world, persona):
    name, user = persona
    names = ["public_org", "private_org", "shared_org", "partner_org"]
    assert visible_names(world, Organisation, user, names) == EXPECTED_ORGANISATIONS[name]


def test_each_role_sees_exactly_its_contact_people(world, persona):
    name, user = persona
    names = ["person_public", "person_shared_consented", "person_shared_unconsented"]
    assert visible_names(world, Person, user, names) == EXPECTED_PEOPLE[name]


def test_public_delegation_is_visible_to_everyone(world, persona):
    _name, user = persona
    assert Delegation.objects.visible_to(user).filter(pk=world.delegation.pk).exists()


def test_partner_staff_cannot_see_unshared_private_organisation(world, partner_staff):
    assert not Organisation.objects.visible_to(partner_staff).filter(pk=world.private_org.pk).exists()


def test_sharing_an_organisation_makes_it_visible_to_that_partner_only(world, partner_staff, other_staff):
    from partnerhub.organisations.services import share_organisation

    share_organisation(world.private_org, world.partner_agency, actor=None)
    assert Organisation.objects.visible_to(partner_staff).filter(pk=world.private_org.pk).exists()
    assert not Organisation.objects.visible_to(other_staff).filter(pk=world.private_org.pk).exists()


def test_staff_of_a_unit_edit_records_of_the_parent_agency(world, agency_staff):
    assert Partnership.objects.editable_by(agency_staff).filter(pk=world.partnership.pk).exists()


def test_partner_staff_cannot_edit_a_shared_partnership(world, partner_staff):
    assert not Partnership.objects.editable_by(partner_staff).filter(pk=world.partnership.pk).exists()


def test_organisation_member_edits_only_their_own_organisation(world, member_a):
    editable = set(Organisation.objects.editable_by(member_a).values_list("slug", flat=True))
    assert editable == {"private-org"}


def test_inactive_user_sees_only_public_records(world, agency_staff):
    agency_staff.is_active = False
    agency_staff.save()
    assert viewer_for(agency_staff).role == "anonymous"
    assert not Partnership.objects.visible_to(agency_staff).filter(pk=world.private_partnership.pk).exists()


def test_role_names_follow_the_users_links(world, agency_staff, member_a, superuser, anonymous):
    assert viewer_for(agency_staff).role == "agency_staff"
    assert viewer_for(member_a).role == "organisation_member"
    assert viewer_for(superuser).role == "superuser"
    assert viewer_for(anonymous).role == "anonymous"
