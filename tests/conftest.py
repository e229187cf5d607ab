"""Shared personas for every test: the same small world, seen by each role (the healthchecks idea)."""

from dataclasses import dataclass

import pytest

from partnerhub.core import translations
from tests.module_data import SUITE_SETTINGS


def pytest_sessionstart(session):
    # Running pytest directly (not through `make test`) must not see stale catalogues either.
    translations.compile_all(only_stale=True)


@pytest.fixture(autouse=True)
def _fake_embedder_by_default(settings):
    """Matching runs on a deterministic stand-in in tests; tests of the real model ask for it explicitly."""
    settings.MATCHING_EMBEDDER = SUITE_SETTINGS["MATCHING_EMBEDDER"]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Argon2 costs 0.3 s per password by design, and every persona has one: a quarter of the suite's time.
    Tests hash with MD5; tests/test_password_hashing.py checks that the product hashes with Argon2."""
    settings.PASSWORD_HASHERS = SUITE_SETTINGS["PASSWORD_HASHERS"]


@pytest.fixture(autouse=True)
def _vector_index_per_test(settings, tmp_path_factory):
    """The in-process vector index writes files: never into the checkout's var/, never shared by two tests
    (changing the setting also drops indexes an earlier test loaded for its own, rolled-back database)."""
    settings.MATCHING_INDEX_DIR = tmp_path_factory.mktemp("matching-index")


@pytest.fixture(autouse=True)
def _default_language_after_each_test():
    """A request to a /zh-hans/ page leaves Chinese active in the thread; the next test starts from the
    default language, whatever order the tests run in."""
    from django.utils import translation

    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_content_type_cache():
    """A transactional test flushes the tables and reloads them; cached content type ids must not survive."""
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()


@dataclass
class World:
    home_agency: object
    home_unit: object
    partner_agency: object
    other_agency: object
    home_region: object
    partner_region: object
    partnership: object
    private_partnership: object
    agreement: object
    unshared_agreement: object
    public_org: object
    private_org: object
    shared_org: object
    partner_org: object
    person_public: object
    person_shared_consented: object
    person_shared_unconsented: object
    delegation: object


@pytest.fixture
def world(db):
    from tests import factories as f

    home_agency = f.AgencyFactory(slug="home")
    home_unit = f.AgencyFactory(slug="home-unit", parent=home_agency)
    partner_agency = f.AgencyFactory(slug="partner")
    other_agency = f.AgencyFactory(slug="other")
    home_region = f.RegionFactory(slug="home-region", native_name="Heimstadt", country="DE")
    partner_region = f.RegionFactory(slug="partner-region", native_name="伙伴市", country="CN")
    partnership = f.PartnershipFactory(
        slug="home-partner",
        agency=home_agency,
        home_region=home_region,
        partner_region=partner_region,
        is_public=True,
        title={"en": "Home and Partner", "de": "Heim und Partner", "zh-hans": "家乡与伙伴"},
    )
    partnership.shared_with.add(partner_agency)
    private_partnership = f.PartnershipFactory(
        slug="home-secret",
        agency=home_agency,
        home_region=home_region,
        partner_region=partner_region,
        is_public=False,
        title={"en": "Secret plans"},
    )
    agreement = f.AgreementFactory(partnership=partnership, is_public=True, title={"en": "Public MoU"})
    agreement.shared_with.add(partner_agency)
    unshared_agreement = f.AgreementFactory(
        partnership=partnership, is_public=False, title={"en": "Draft LoI"}
    )
    public_org = f.OrganisationFactory(
        slug="public-org",
        name="Öffentliche Maschinenbau GmbH",
        owner_agency=home_agency,
        region=home_region,
        is_public=True,
    )
    private_org = f.OrganisationFactory(
        slug="private-org",
        name="Verborgene Sensorik GmbH",
        owner_agency=home_agency,
        region=home_region,
        is_public=False,
    )
    shared_org = f.OrganisationFactory(
        slug="shared-org",
        name="Geteilte Robotik AG",
        owner_agency=home_agency,
        region=home_region,
        is_public=False,
    )
    shared_org.shared_with.add(partner_agency)
    partner_org = f.OrganisationFactory(
        slug="partner-org",
        name="扬州恒通汽车零部件有限公司",
        country="CN",
        owner_agency=partner_agency,
        region=partner_region,
        is_public=False,
    )
    delegation = f.DelegationFactory(partnership=partnership, is_public=True, title={"en": "Spring visit"})
    return World(
        home_agency=home_agency,
        home_unit=home_unit,
        partner_agency=partner_agency,
        other_agency=other_agency,
        home_region=home_region,
        partner_region=partner_region,
        partnership=partnership,
        private_partnership=private_partnership,
        agreement=agreement,
        unshared_agreement=unshared_agreement,
        public_org=public_org,
        private_org=private_org,
        shared_org=shared_org,
        partner_org=partner_org,
        person_public=f.PersonFactory(organisation=public_org, family_name="Becker", given_name="Julia"),
        person_shared_consented=f.PersonFactory(
            organisation=shared_org, family_name="Wagner", consent="granted"
        ),
        person_shared_unconsented=f.PersonFactory(
            organisation=shared_org, family_name="Klein", consent="unknown"
        ),
        delegation=delegation,
    )


@pytest.fixture
def agency_staff(world):
    """Staff of the competence-centre unit: sees the whole agency family's records."""
    from tests.factories import UserFactory

    return UserFactory(email="staff@home.example.org", agency=world.home_unit, is_staff=True)


@pytest.fixture
def partner_staff(world):
    from tests.factories import UserFactory

    return UserFactory(email="staff@partner.example.cn", agency=world.partner_agency, is_staff=True)


@pytest.fixture
def other_staff(world):
    from tests.factories import UserFactory

    return UserFactory(email="staff@other.example.org", agency=world.other_agency)


@pytest.fixture
def member_a(world):
    from tests.factories import UserFactory

    return UserFactory(email="member@private-org.example.org", organisation=world.private_org)


@pytest.fixture
def member_b(world):
    from tests.factories import UserFactory

    return UserFactory(email="member@partner-org.example.cn", organisation=world.partner_org)


@pytest.fixture
def superuser(world):
    from tests.factories import UserFactory

    return UserFactory(email="root@example.org", is_staff=True, is_superuser=True)


@pytest.fixture
def anonymous():
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()


PERSONAS = ["anonymous", "member_a", "member_b", "agency_staff", "partner_staff", "other_staff", "superuser"]


@pytest.fixture(params=PERSONAS)
def persona(request):
    """Each persona in turn, as (name, user)."""
    return request.param, request.getfixturevalue(request.param)
