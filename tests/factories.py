import datetime

import factory

from partnerhub.accounts.models import User
from partnerhub.agencies.models import Agency
from partnerhub.delegations.models import Delegation
from partnerhub.organisations.models import Organisation, Person
from partnerhub.partnerships.models import Agreement, Partnership
from partnerhub.regions.models import Region


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    slug = factory.Sequence(lambda n: f"agency-{n}")
    name = factory.LazyAttribute(lambda o: {"en": f"Agency {o.slug}"})


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region

    slug = factory.Sequence(lambda n: f"region-{n}")
    name = factory.LazyAttribute(lambda o: {"en": f"Region {o.slug}"})
    native_name = factory.Sequence(lambda n: f"Region {n}")
    kind = Region.Kind.CITY
    country = "DE"
    population = 100_000
    area_km2 = 140


class PartnershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partnership

    slug = factory.Sequence(lambda n: f"partnership-{n}")
    title = factory.LazyAttribute(lambda o: {"en": f"Partnership {o.slug}"})
    agency = factory.SubFactory(AgencyFactory)
    home_region = factory.SubFactory(RegionFactory)
    partner_region = factory.SubFactory(RegionFactory)
    status = Partnership.Status.ACTIVE
    areas = ["business"]


class AgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agreement

    partnership = factory.SubFactory(PartnershipFactory)
    kind = Agreement.Kind.MOU
    title = {"en": "Memorandum"}
    status = Agreement.Status.ACTIVE
    signed_on = datetime.date(2019, 7, 1)
    areas = ["business", "science"]


class OrganisationFactory(factory.django.DjangoModelFactory):
    """Saved through the service, as in real use, so derived fields and the search index are filled."""

    class Meta:
        model = Organisation

    slug = factory.Sequence(lambda n: f"org-{n}")
    name = factory.Sequence(lambda n: f"Organisation {n} GmbH")
    kind = Organisation.Kind.SME
    region = factory.SubFactory(RegionFactory)
    country = "DE"
    owner_agency = factory.SubFactory(AgencyFactory)
    headcount = 40

    @classmethod
    def _create(cls, model_class, *args, sector_codes=None, **kwargs):
        from partnerhub.organisations import services

        return services.save_organisation(model_class(**kwargs), actor=None, sector_codes=sector_codes)


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    family_name = factory.Sequence(lambda n: f"Person{n}")
    given_name = "Alex"
    organisation = factory.SubFactory(OrganisationFactory)
    email = factory.Sequence(lambda n: f"person{n}@example.org")
    consent = Person.Consent.GRANTED

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from partnerhub.organisations import services

        return services.save_person(model_class(**kwargs), actor=None)


class DelegationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Delegation

    slug = factory.Sequence(lambda n: f"delegation-{n}")
    title = {"en": "Delegation"}
    partnership = factory.SubFactory(PartnershipFactory)
    direction = Delegation.Direction.INCOMING
    start_date = factory.LazyFunction(lambda: datetime.date.today() + datetime.timedelta(days=30))
    end_date = factory.LazyFunction(lambda: datetime.date.today() + datetime.timedelta(days=34))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()
