"""The demo world: the Kaiserslautern ↔ Yangzhou programme and about 80 invented organisations.

Everything goes through the same service functions as real use. Regions, agencies, the partnership and
the memorandum are facts of the programme (key figures rounded); organisations and people are invented.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils.text import slugify

from partnerhub.accounts.models import User
from partnerhub.agencies.models import Agency
from partnerhub.core.i18n import i18n, i18n_from_dict
from partnerhub.demo.ideas import load_ideas
from partnerhub.demo.profiles import load_profiles
from partnerhub.demo.regions import load_regions
from partnerhub.demo.trip_people import load_past_registrations, load_upcoming
from partnerhub.demo.trips import load_trips
from partnerhub.organisations import services as organisation_services
from partnerhub.organisations.models import Organisation, Person
from partnerhub.partnerships import services as partnership_services
from partnerhub.partnerships.models import Agreement, AgreementParty, Area, Partnership, Signatory
from partnerhub.regions.models import Region

DATA_DIR = Path(__file__).resolve().parent / "data"
DEMO_PASSWORD = "partnerhub-demo"


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    password: str


def is_loaded() -> bool:
    return Agency.objects.filter(slug="wfk-kaiserslautern").exists()


def logins() -> list[DemoLogin]:
    return [
        DemoLogin("superuser", "admin@example.org", DEMO_PASSWORD),
        DemoLogin("agency staff (Kaiserslautern)", "projektleitung@wfk.example.org", DEMO_PASSWORD),
        DemoLogin("partner-agency staff (Yangzhou)", "staff@yzcommerce.example.cn", DEMO_PASSWORD),
        DemoLogin("organisation member", "member@verbundwerk.example.org", DEMO_PASSWORD),
    ]


def _organisation_from_data(item: dict, regions: dict[str, Region], owner: Agency) -> Organisation:
    names = {"en": item["name_en"]} if item.get("name_en") else {}
    org = Organisation(
        slug=slugify(item["key"])[:80],
        name=item["name"],
        name_translations=i18n_from_dict(names),
        kind=item["kind"],
        region=regions[item["region"]],
        street=item.get("street", ""),
        postal_code=item.get("postal_code", ""),
        city=item.get("city", ""),
        country=item["country"],
        website=item.get("website", ""),
        description=i18n_from_dict(item.get("description")),
        founded=item.get("founded"),
        headcount=item.get("headcount"),
        turnover_eur=item.get("turnover_eur"),
        balance_sheet_eur=item.get("balance_sheet_eur"),
        keywords=item.get("keywords", []),
        technologies=item.get("technologies", []),
        owner_agency=owner,
        is_public=item.get("public", True),
    )
    return organisation_services.save_organisation(org, actor=None, sector_codes=item.get("nace", []))


def _person(org: Organisation, data: dict) -> Person:
    person = Person(
        organisation=org,
        family_name=data["family_name"],
        given_name=data.get("given_name", ""),
        title=data.get("title", ""),
        role=i18n_from_dict(data.get("role")),
        languages=data.get("languages", []),
        email=data.get("email", ""),
        phone=data.get("phone", ""),
        consent=data.get("consent", Person.Consent.UNKNOWN),
    )
    return organisation_services.save_person(person, actor=None)


def _load_organisations(filename: str, regions, owner_for) -> list[tuple[Organisation, dict, list[Person]]]:
    items = json.loads((DATA_DIR / filename).read_text(encoding="utf-8"))["organisations"]
    loaded = []
    for item in items:
        org = _organisation_from_data(item, regions, owner_for(item))
        people = [_person(org, contact) for contact in item.get("contacts", [])]
        loaded.append((org, item, people))
    return loaded


def _agency_organisation(slug, name, *, kind, region, country, city, website, description) -> Organisation:
    org = Organisation(
        slug=slug,
        name=name,
        kind=kind,
        region=region,
        country=country,
        city=city,
        website=website,
        description=description,
        is_public=True,
        owner_agency=Agency.objects.get(slug="wfk-kaiserslautern"),
    )
    return org


@transaction.atomic
def load() -> None:
    regions = load_regions()
    wfk = Agency.objects.create(
        slug="wfk-kaiserslautern",
        kind=Agency.Kind.DEVELOPMENT_AGENCY,
        region=regions["kaiserslautern-economic-region"],
        name=i18n(
            de="Wirtschaftsförderung Stadt und Landkreis Kaiserslautern",
            en="Business Development Agency of the City and District of Kaiserslautern",
            zh_hans="凯泽斯劳滕市和县经济促进局",
        ),
        description=i18n(
            de="Wirtschaftsförderung für Stadt und Landkreis Kaiserslautern.",
            en="Business development for the city and district of Kaiserslautern.",
            zh_hans="凯泽斯劳滕市和县的经济促进机构。",
        ),
        website="https://wfk.example.org",
        email="china@wfk.example.org",
        language="de",
    )
    ccc = Agency.objects.create(
        slug="wfk-china-centre",
        kind=Agency.Kind.COMPETENCE_CENTRE,
        parent=wfk,
        region=regions["kaiserslautern-economic-region"],
        name=i18n(de="China-Kompetenzzentrum", en="China Competence Centre", zh_hans="中国能力中心"),
        website="https://wfk.example.org/china",
        email="china@wfk.example.org",
    )
    yzb = Agency.objects.create(
        slug="yangzhou-commerce",
        kind=Agency.Kind.GOVERNMENT_BUREAU,
        region=regions["yangzhou"],
        name=i18n(
            de="Handelsamt der Stadt Yangzhou",
            en="Yangzhou Municipal Bureau of Commerce",
            zh_hans="扬州市商务局",
        ),
        website="https://commerce.yangzhou.example.cn",
        email="intl@yzcommerce.example.cn",
        language="zh-hans",
    )

    wfk_org = organisation_services.save_organisation(
        Organisation(
            slug="wfk-kaiserslautern",
            name="Wirtschaftsförderungsgesellschaft Stadt und Landkreis Kaiserslautern",
            kind=Organisation.Kind.PUBLIC_BODY,
            region=regions["kaiserslautern"],
            country="DE",
            city="Kaiserslautern",
            street="Fackelstraße 10",
            postal_code="67655",
            website="https://wfk.example.org",
            owner_agency=wfk,
            is_public=True,
            name_translations=i18n(
                en="Kaiserslautern Business Development Agency", zh_hans="凯泽斯劳滕经济促进局"
            ),
            description=i18n(
                de="Wirtschaftsförderung mit China-Kompetenzzentrum.",
                en="Business development agency with a China competence centre.",
                zh_hans="设有中国能力中心的经济促进机构。",
            ),
        ),
        actor=None,
        sector_codes=["84.13"],
    )
    leader = organisation_services.save_person(
        Person(
            organisation=wfk_org,
            family_name="Hoffmann",
            given_name="Lea",
            title="",
            role=i18n(
                de="Projektleiterin China-Kompetenzzentrum",
                en="Project leader, China Competence Centre",
                zh_hans="中国能力中心项目负责人",
            ),
            languages=["de", "en", "zh"],
            email="projektleitung@wfk.example.org",
            phone="+49 631 5550100",
            consent=Person.Consent.GRANTED,
        ),
        actor=None,
    )
    yzb_org = organisation_services.save_organisation(
        Organisation(
            slug="yangzhou-commerce",
            name="扬州市商务局",
            kind=Organisation.Kind.PUBLIC_BODY,
            region=regions["yangzhou"],
            country="CN",
            city="扬州",
            street="扬州市邗江区文昌西路",
            owner_agency=yzb,
            website="https://commerce.yangzhou.example.cn",
            is_public=True,
            name_translations=i18n(
                en="Yangzhou Municipal Bureau of Commerce", de="Handelsamt der Stadt Yangzhou"
            ),
            description=i18n(
                zh_hans="负责扬州市对外经贸合作与投资促进。",
                en="Responsible for Yangzhou's foreign trade cooperation and investment promotion.",
            ),
        ),
        actor=None,
        sector_codes=["84.13"],
    )
    yz_contact = organisation_services.save_person(
        Person(
            organisation=yzb_org,
            family_name="陈",
            given_name="静",
            role=i18n(zh_hans="国际合作处处长", en="Director, International Cooperation Division"),
            languages=["zh", "en"],
            email="chen.jing@yzcommerce.example.cn",
            phone="+86 514 5550100",
            consent=Person.Consent.GRANTED,
        ),
        actor=None,
    )
    for agency, org, contact in ((wfk, wfk_org, leader), (ccc, wfk_org, leader), (yzb, yzb_org, yz_contact)):
        agency.contact = contact
        if agency.parent_id is None:
            agency.organisation = org
        agency.save()

    users = {
        "admin": User.objects.create_superuser(
            email="admin@example.org", password=DEMO_PASSWORD, first_name="Demo", last_name="Admin"
        ),
        "staff": User.objects.create_user(
            email="projektleitung@wfk.example.org",
            password=DEMO_PASSWORD,
            first_name="Lea",
            last_name="Hoffmann",
            agency=ccc,
            is_staff=True,
            preferred_language="de",
        ),
        "partner": User.objects.create_user(
            email="staff@yzcommerce.example.cn",
            password=DEMO_PASSWORD,
            first_name="静",
            last_name="陈",
            agency=yzb,
            is_staff=True,
            preferred_language="zh-hans",
        ),
    }
    _grant_staff_permissions([users["staff"], users["partner"]])

    german = _load_organisations("organisations_de.json", regions, lambda item: wfk)
    chinese = _load_organisations(
        "organisations_cn.json", regions, lambda item: yzb if item["region"] == "yangzhou" else wfk
    )
    member_org = Organisation.objects.get(slug="de-verbundwerk")
    users["member"] = User.objects.create_user(
        email="member@verbundwerk.example.org",
        password=DEMO_PASSWORD,
        first_name="Demo",
        last_name="Mitglied",
        organisation=member_org,
        preferred_language="de",
    )
    # Sharing in both directions: the agency shares every other German organisation with Yangzhou,
    # Yangzhou shares all its companies but the last three with the agency.
    for index, (org, _item, _people) in enumerate(german):
        if index % 2 == 0:
            organisation_services.share_organisation(org, yzb, actor=users["staff"])
    yz_orgs = [org for org, _item, _p in chinese if org.owner_agency_id == yzb.pk]
    for org in yz_orgs[:-3]:
        organisation_services.share_organisation(org, wfk, actor=users["partner"])

    partnership = partnership_services.save_partnership(
        Partnership(
            slug="kaiserslautern-yangzhou",
            title=i18n(
                de="Wirtschaftsregion Kaiserslautern – Yangzhou",
                en="Kaiserslautern economic region – Yangzhou",
                zh_hans="凯泽斯劳滕经济区—扬州",
            ),
            agency=wfk,
            home_region=regions["kaiserslautern-economic-region"],
            partner_region=regions["yangzhou"],
            areas=[Area.BUSINESS, Area.SCIENCE, Area.RESEARCH, Area.TECHNOLOGY, Area.CULTURE],
            status=Partnership.Status.ACTIVE,
            owner=users["staff"],
            contact=leader,
            since=datetime.date(2019, 7, 1),
            is_public=True,
            description=i18n(
                de="Aus dem 2019 unterzeichneten Memorandum sollen projektbasierte Partnerschaften in Wirtschaft, "
                "Wissenschaft und Forschung werden. Das China-Kompetenzzentrum sammelt Projektideen von Unternehmen "
                "und Instituten und organisiert Delegationsreisen in beide Richtungen.",
                en="The memorandum signed in 2019 is to become project-based partnerships in business, science and "
                "research. The China competence centre collects project ideas from companies and institutes and "
                "organises delegation trips in both directions.",
                zh_hans="2019年签署的备忘录将转化为经济、科学和研究领域的项目合作伙伴关系。中国能力中心收集企业和机构的项目构想，并组织双向代表团访问。",
            ),
        ),
        actor=users["staff"],
    )
    partnership_services.share_partnership(partnership, yzb, actor=users["staff"])

    mou = partnership_services.save_agreement(
        Agreement(
            partnership=partnership,
            kind=Agreement.Kind.MOU,
            title=i18n(
                de="Memorandum of Understanding über die Zusammenarbeit Kaiserslautern – Yangzhou",
                en="Memorandum of understanding on cooperation between Kaiserslautern and Yangzhou",
                zh_hans="凯泽斯劳滕与扬州合作谅解备忘录",
            ),
            goals=i18n(
                de="Austausch und Kooperation in Wirtschaft, Wissenschaft, Forschung, Technologie und Kultur; "
                "gegenseitige Delegationsbesuche; Unterstützung von Unternehmen beim Markteintritt.",
                en="Exchange and cooperation in business, science, research, technology and culture; mutual "
                "delegation visits; support for companies entering each other's market.",
                zh_hans="在经济、科学、研究、技术和文化领域开展交流与合作；互派代表团；支持企业进入对方市场。",
            ),
            areas=[Area.BUSINESS, Area.SCIENCE, Area.RESEARCH, Area.TECHNOLOGY, Area.CULTURE],
            is_public=True,
        ),
        actor=users["staff"],
    )
    partnership_services.sign_agreement(
        mou,
        signed_on=datetime.date(2019, 7, 1),
        place={"de": "Kaiserslautern", "en": "Kaiserslautern", "zh-hans": "凯泽斯劳滕"},
        actor=users["staff"],
    )
    partnership_services.change_agreement_status(mou, Agreement.Status.ACTIVE, actor=users["staff"])
    partnership_services.share_agreement(mou, yzb, actor=users["staff"])
    parties = [
        (
            i18n(de="Stadt Kaiserslautern", en="City of Kaiserslautern", zh_hans="凯泽斯劳滕市"),
            regions["kaiserslautern"],
            "Klaus Weichel",
            i18n(de="Oberbürgermeister", en="Lord Mayor", zh_hans="市长"),
        ),
        (
            i18n(de="Landkreis Kaiserslautern", en="District of Kaiserslautern", zh_hans="凯泽斯劳滕县"),
            regions["kaiserslautern-district"],
            "Ralf Leßmeister",
            i18n(de="Landrat", en="District Administrator", zh_hans="县长"),
        ),
        (
            i18n(
                de="Volksregierung der Stadt Yangzhou",
                en="Yangzhou Municipal People's Government",
                zh_hans="扬州市人民政府",
            ),
            regions["yangzhou"],
            "张宝娟",
            i18n(de="Bürgermeisterin", en="Mayor", zh_hans="市长"),
        ),
    ]
    for position, (name, region, signatory, office) in enumerate(parties):
        party = AgreementParty.objects.create(agreement=mou, name=name, region=region, position=position)
        Signatory.objects.create(
            agreement=mou,
            party=party,
            name=signatory,
            title=office,
            position=position,
        )
    partnership_services.save_agreement(
        Agreement(
            partnership=partnership,
            kind=Agreement.Kind.LOI,
            title=i18n(
                de="Absichtserklärung Hochschulkooperation Werkstoffe",
                en="Letter of intent on university cooperation in materials science",
                zh_hans="材料科学高校合作意向书",
            ),
            goals=i18n(
                de="Entwurf: gemeinsame Forschung zu Faserverbundwerkstoffen.",
                en="Draft: joint research on fibre-reinforced composites.",
            ),
            areas=[Area.SCIENCE, Area.RESEARCH],
        ),
        actor=users["staff"],
    )

    members = [
        person
        for _org, item, people in chinese
        for person, contact in zip(people, item["contacts"], strict=True)
        if contact.get("incoming_delegation")
    ]
    incoming, outgoing = load_trips(partnership, regions, users, members)
    load_past_registrations(incoming, members)
    partnership_services.share_partnership(partnership, yzb, actor=users["staff"])
    for delegation in (incoming, outgoing):
        delegation.shared_with.add(yzb)
    load_ideas(wfk, users["staff"], yzb, users["partner"])
    load_profiles({"wfk": wfk, "yzb": yzb}, users)
    load_upcoming(outgoing, users)


def _grant_staff_permissions(users: list[User]) -> None:
    """Agency staff may use the admin for the domain models; visibility still limits what they see."""
    from django.contrib.auth.models import Group, Permission

    group, _created = Group.objects.get_or_create(name="Agency staff")
    perms = (
        Permission.objects.filter(
            content_type__app_label__in=[
                "organisations",
                "partnerships",
                "delegations",
                "regions",
                "profiles",
            ]
        )
        .exclude(content_type__model="naceactivity", codename__startswith=("add"))
        .exclude(codename__startswith="delete_region")
    )
    group.permissions.set(perms)
    for user in users:
        user.groups.add(group)
