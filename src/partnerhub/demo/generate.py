"""A big demo world: thousands of invented organisations, profiles, ideas and trip registrations.

Built on the demo world (``load_demo``) for load tests and for measuring pages at a realistic size. The rows
are written with ``bulk_create`` (the services would take minutes), but they are what the services would
leave: transliterations, size classes, search documents, pipeline stages, consent stamps, seat and
waiting-list states, matching vectors and suggestions. Audit entries and e-mails are left out. The same
seed gives the same world (tokens, which are secrets, excepted).
"""

from __future__ import annotations

import datetime
import hashlib
import random
import uuid
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from partnerhub.accounts.models import User
from partnerhub.agencies.models import Agency
from partnerhub.core.i18n import all_texts, i18n_from_dict
from partnerhub.delegations.models import Delegation, Registration, Stop
from partnerhub.engines import smesize
from partnerhub.engines.matching import documents
from partnerhub.engines.textsearch import build_document
from partnerhub.engines.transliteration import transliterate, transliterate_person
from partnerhub.ideas.models import ProjectIdea
from partnerhub.matching import services as matching
from partnerhub.matching import vectorstore
from partnerhub.matching.models import Embedding
from partnerhub.organisations.models import NaceActivity, Organisation, Person
from partnerhub.partnerships.models import Partnership
from partnerhub.pipeline.models import Comment
from partnerhub.pipeline.stages import stages_for
from partnerhub.privacy.models import PrivacyNotice
from partnerhub.profiles.models import CooperationProfile
from partnerhub.regions.models import Region

SLUG_PREFIX = "gen"


@dataclass(frozen=True)
class Industry:
    nace: tuple[str, ...]
    de: str  # a German name part ("Präzisionstechnik")
    zh: str  # a Chinese name part ("精密机械")
    en: str
    de_keywords: tuple[str, ...]
    zh_keywords: tuple[str, ...]
    de_offer: str  # what a German company of the trade does, one sentence
    zh_offer: str


INDUSTRIES = [
    Industry(("28.41", "25.62"), "Präzisionstechnik", "精密机械", "Precision Engineering",
             ("Zerspanung", "CNC-Fertigung", "Werkzeugmaschinen"), ("数控加工", "精密零件", "机床"),
             "fertigt Präzisionsteile auf CNC-Bearbeitungszentren für den Maschinenbau",
             "专业生产数控精密零件，为机械制造企业配套"),
    Industry(("29.32",), "Fahrzeugteile", "汽车零部件", "Auto Parts",
             ("Nutzfahrzeuge", "Achsen", "Leichtbau"), ("汽车零部件", "商用车", "轻量化"),
             "liefert Baugruppen für Nutzfahrzeuge und Anhänger",
             "为商用车和挂车企业提供底盘零部件和总成"),
    Industry(("22.29", "20.16"), "Faserverbund", "复合材料", "Composites",
             ("Faserverbund", "Kunststofftechnik", "Leichtbau"), ("复合材料", "碳纤维", "玻璃钢"),
             "entwickelt Bauteile aus faserverstärkten Kunststoffen",
             "研发生产纤维增强复合材料制品"),
    Industry(("62.01", "58.29"), "Software", "软件科技", "Software",
             ("Software", "Künstliche Intelligenz", "Datenanalyse"), ("软件开发", "人工智能", "大数据"),
             "entwickelt Software für Industrie und Verwaltung",
             "为制造业和政府部门开发软件和信息系统"),
    Industry(("27.40",), "Lichttechnik", "照明电器", "Lighting",
             ("LED", "Lichtsteuerung", "Smart City"), ("LED照明", "智能路灯", "灯具"),
             "baut LED-Leuchten und Lichtsteuerungen",
             "生产LED灯具和智能照明控制系统"),
    Industry(("30.11", "33.15"), "Schiffstechnik", "船舶设备", "Marine Equipment",
             ("Schiffbau", "Schiffsausrüstung", "Hafentechnik"), ("船舶配套", "海工装备", "舱口盖"),
             "rüstet Schiffe mit Deckmaschinen und Luken aus",
             "为船厂提供甲板机械和舾装设备"),
    Industry(("32.91", "20.42"), "Körperpflege", "日化用品", "Personal Care",
             ("Zahnbürsten", "Naturkosmetik", "Körperpflege"), ("牙刷", "日化", "化妆品"),
             "stellt Pflegeprodukte und Zahnbürsten her",
             "生产牙刷、口腔护理和日化用品"),
    Industry(("10.84", "10.89"), "Feinkost", "食品", "Foods",
             ("Lebensmittel", "Feinkost", "Fermentation"), ("食品加工", "调味品", "酱菜"),
             "produziert Feinkost und Würzmittel",
             "生产传统调味品和特色食品"),
    Industry(("27.20", "35.11"), "Energiesysteme", "新能源", "Energy Systems",
             ("Batteriespeicher", "Photovoltaik", "Wasserstoff"), ("储能电池", "光伏", "氢能"),
             "plant und baut Energiespeicher und Solaranlagen",
             "研发生产储能电池和光伏系统"),
    Industry(("37.00", "28.29"), "Umwelttechnik", "环保科技", "Environmental Technology",
             ("Wasseraufbereitung", "Kreislaufwirtschaft", "Abwasser"), ("水处理", "环保设备", "污水处理"),
             "liefert Anlagen zur Wasser- und Abwasserbehandlung",
             "提供水处理和污水处理环保设备"),
    Industry(("72.19", "71.20"), "Forschung", "研究院", "Research",
             ("Werkstoffprüfung", "Forschung", "Simulation"), ("检测认证", "研发", "仿真"),
             "forscht und prüft im Auftrag der Industrie",
             "为企业提供研发、检测和认证服务"),
    Industry(("28.22", "28.99"), "Anlagenbau", "重工机械", "Plant Engineering",
             ("Robotik", "Automatisierung", "Fördertechnik"), ("机器人", "自动化", "起重设备"),
             "baut automatisierte Anlagen und Roboterzellen",
             "生产自动化生产线、机器人和起重设备"),
]  # fmt: skip

DE_PREFIXES = ["Pfalz", "Lauter", "Barbarossa", "Westrich", "Kaiser", "Sickinger", "Donnersberg", "Rhein",
               "Nord", "Süd", "Alt", "Neu", "Berg", "Wald", "Stahl", "Blau", "Otter", "Glan", "Lauter-"]  # fmt: skip
DE_FAMILIES = ["Müller", "Schmitt", "Becker", "Wagner", "Hoffmann", "Schneider", "Weber", "Klein", "Koch",
               "Fischer", "Meyer", "Schäfer", "Bauer", "Jung", "Zimmermann", "Krämer", "Lang", "Braun"]  # fmt: skip
DE_GIVEN = ["Julia", "Thomas", "Anna", "Stefan", "Lea", "Michael", "Sarah", "Jonas", "Katrin", "Felix",
            "Miriam", "Tobias", "Sabine", "Lukas", "Claudia", "Jan", "Nina", "Markus"]  # fmt: skip
DE_FORMS = ["GmbH", "GmbH & Co. KG", "AG", "KG", "e. K."]
DE_PLACES = [("kaiserslautern", "Kaiserslautern", "676"), ("kaiserslautern-district", "Landstuhl", "668"),
             ("kaiserslautern-district", "Otterberg", "677"), ("kaiserslautern-district", "Ramstein", "668"),
             ("kaiserslautern-district", "Enkenbach-Alsenborn", "676")]  # fmt: skip
ZH_BRANDS = ["恒通", "远航", "华宇", "金海", "瑞丰", "天成", "鼎盛", "宏达", "新锐", "东方", "明辉", "润泽",
             "博远", "中诚", "嘉禾", "永信", "海纳", "卓越", "汇丰", "长江"]  # fmt: skip
ZH_FAMILIES = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "朱", "马"]
ZH_GIVEN = ["建华", "静", "伟", "芳", "强", "丽", "军", "敏", "磊", "洁", "涛", "婷", "明", "红"]
ZH_PLACES = [("yangzhou", "扬州", "225"), ("yangzhou", "扬州", "225"), ("yangzhou", "扬州", "225"),
             ("nanjing", "南京", "210"), ("shanghai", "上海", "200")]  # fmt: skip
KINDS = ["sme"] * 6 + ["startup", "large_company", "research_institute", "university", "association"]
PROFILE_STATUSES = ["published"] * 14 + [
    "in_review",
    "in_review",
    "draft",
    "expired",
    "withdrawn",
    "rejected",
]
OPEN_STAGES = ["submitted", "screening", "matching", "in_contact"]
IDEA_STAGES = OPEN_STAGES * 2 + ["partnership_agreed", "completed", "not_pursued"]
PARTNERSHIP_KINDS = {
    "business_offer": ["commercial_agreement", "supplier"],
    "business_request": ["distribution", "supplier"],
    "technology_offer": ["licence", "technical_cooperation"],
    "technology_request": ["licence", "joint_venture"],
    "rd_request": ["research_cooperation"],
}


@dataclass
class Context:
    rng: random.Random
    today: datetime.date
    now: datetime.datetime
    regions: dict[str, Region]
    sectors: dict[str, NaceActivity]
    wfk: Agency
    yzb: Agency
    staff: User
    partner: User
    notice: PrivacyNotice
    seed: int = 0
    regions_by_pk: dict[int, Region] | None = None


def is_generated() -> bool:
    return Organisation.objects.filter(slug__startswith=f"{SLUG_PREFIX}-").exists()


def _org_document(org: Organisation, codes: list[str], ctx: Context) -> str:
    region = ctx.regions_by_pk[org.region_id]
    texts = [org.name, org.name_latin, org.city, str(region.native_name)]
    texts += all_texts(org.name_translations) + all_texts(org.description) + all_texts(region.name)
    texts += [str(k) for k in org.keywords] + [str(t) for t in org.technologies]
    for code in codes:
        sector = ctx.sectors[code]
        texts += [sector.code, sector.name_en, sector.name_de, sector.name_zh]
    return build_document(texts)


def _organisations(count: int, ctx: Context) -> list[tuple[Organisation, Industry]]:
    rng, made, codes_of = ctx.rng, [], {}
    for index in range(count):
        industry = rng.choice(INDUSTRIES)
        chinese = index % 5 in (1, 3)  # two in five
        kind = rng.choice(KINDS)
        headcount = rng.choice([4, 12, 35, 80, 160, 240, 600, 1500])
        if chinese:
            region_slug, city, postcode = rng.choice(ZH_PLACES)
            brand = rng.choice(ZH_BRANDS)
            name = f"{city}{brand}{industry.zh}有限公司"
            english = f"{transliterate(city).title()} {transliterate(brand).title()} {industry.en} Co., Ltd."
            translations = {"en": english} if rng.random() < 0.7 else {}
            description = {"zh-hans": f"本公司{industry.zh_offer}，希望与德国企业开展技术合作和贸易往来。"}
            if rng.random() < 0.4:
                description["en"] = f"We are a {industry.en.lower()} company looking for German partners."
            country, owner = "CN", ctx.yzb if region_slug == "yangzhou" else ctx.wfk
            keywords = list(industry.zh_keywords)
        else:
            region_slug, city, postcode = rng.choice(DE_PLACES)
            name = f"{rng.choice(DE_PREFIXES)}{rng.choice(['', ' '])}{industry.de} {rng.choice(DE_FORMS)}"
            translations = {"zh-hans": f"{industry.zh}公司"} if rng.random() < 0.2 else {}
            description = {
                "de": f"Das Unternehmen aus {city} {industry.de_offer} und sucht Partner in China."
            }
            if rng.random() < 0.5:
                description["zh-hans"] = f"该公司位于{city}，{industry.zh_offer}，正在寻找中国合作伙伴。"
            country, owner = "DE", ctx.wfk
            keywords = list(industry.de_keywords)
        turnover = headcount * rng.randint(60_000, 220_000)
        org = Organisation(
            slug=f"{SLUG_PREFIX}-{ctx.seed}-{index:05d}",
            name=name,
            name_latin=transliterate(name),
            name_translations=i18n_from_dict(translations),
            kind=kind,
            region=ctx.regions[region_slug],
            street=f"{rng.randint(1, 120)} {'路' if chinese else 'Straße'}",
            postal_code=f"{postcode}{rng.randint(0, 99):02d}",
            city=city,
            country=country,
            website=f"https://{SLUG_PREFIX}{ctx.seed}-{index}.example.{'cn' if chinese else 'de'}",
            description=i18n_from_dict(description),
            founded=rng.randint(1950, 2023),
            headcount=headcount,
            turnover_eur=turnover,
            balance_sheet_eur=int(turnover * 0.8),
            keywords=keywords[: rng.randint(1, 3)],
            technologies=[],
            owner_agency=owner,
            is_public=rng.random() < 0.85,
        )
        computed = smesize.size_class(org.headcount, org.turnover_eur, org.balance_sheet_eur)
        org.size_class_computed = computed.value if computed else ""
        codes = list(industry.nace[: rng.randint(1, len(industry.nace))])
        org.search_document = _org_document(org, codes, ctx)
        codes_of[index] = codes
        made.append((org, industry))
    Organisation.objects.bulk_create([org for org, _i in made], batch_size=500)
    through = Organisation.sectors.through
    through.objects.bulk_create(
        [
            through(organisation_id=org.pk, naceactivity_id=c)
            for i, (org, _x) in enumerate(made)
            for c in codes_of[i]
        ],
        batch_size=2000,
    )
    shared = Organisation.shared_with.through
    shared.objects.bulk_create(
        [
            shared(
                organisation_id=org.pk,
                agency_id=(ctx.yzb if org.owner_agency_id == ctx.wfk.pk else ctx.wfk).pk,
            )
            for org, _i in made
            if rng.random() < 0.5
        ],
        batch_size=2000,
    )
    return made


def _people(made: list[tuple[Organisation, Industry]], ctx: Context) -> list[Person]:
    rng, people = ctx.rng, []
    for org, _industry in made:
        for number in range(rng.randint(1, 2)):
            chinese = org.country == "CN"
            family = rng.choice(ZH_FAMILIES if chinese else DE_FAMILIES)
            given = rng.choice(ZH_GIVEN if chinese else DE_GIVEN)
            granted = rng.random() < 0.7
            people.append(
                Person(
                    organisation=org,
                    family_name=family,
                    given_name=given,
                    name_latin=transliterate_person(family, given),
                    role=i18n_from_dict({"zh-hans": "总经理"} if chinese else {"de": "Geschäftsführung"}),
                    languages=["zh", "en"] if chinese else ["de", "en"],
                    email=f"contact{number}@{org.website.removeprefix('https://')}",
                    phone=f"+{'86 514' if chinese else '49 631'} {rng.randint(1000000, 9999999)}",
                    consent=Person.Consent.GRANTED if granted else Person.Consent.UNKNOWN,
                    consent_changed_at=ctx.now if granted else None,
                    consent_notice=ctx.notice if granted else None,
                )
            )
    return Person.objects.bulk_create(people, batch_size=1000)


def _profile_document(profile: CooperationProfile, codes: list[str], ctx: Context) -> str:
    region = ctx.regions_by_pk[profile.organisation.region_id]
    texts = all_texts(profile.summary) + all_texts(profile.description)
    texts += [str(k) for k in profile.keywords] + [str(t) for t in profile.technologies]
    texts += [region.native_name, region.native_name_latin] + all_texts(region.name)
    for code in codes:
        sector = ctx.sectors[code]
        texts += [sector.code, sector.name_en, sector.name_de, sector.name_zh]
    return build_document(texts)


def _profile_texts(org: Organisation, industry: Industry, kind: str, rng) -> tuple[dict, dict]:
    offer = kind.endswith("offer")
    if org.country == "CN":
        subject = rng.choice(industry.zh_keywords)
        summary = f"{'提供' if offer else '寻求'}{subject}合作（{industry.zh}）"
        text = f"{industry.zh_offer}。我们{'提供' if offer else '寻求'}{subject}方面的技术合作伙伴，欢迎德国企业联系。"
        return {"zh-hans": summary}, {"zh-hans": text}
    subject = rng.choice(industry.de_keywords)
    summary = f"{subject}: {'Angebot' if offer else 'Partner gesucht'} ({industry.de})"
    text = f"Unser Unternehmen {industry.de_offer}. Wir {'bieten' if offer else 'suchen'} Kooperation im Bereich {subject}."
    return {"de": summary}, {"de": text}


def _profiles(count: int, made, ctx: Context, stages) -> list[CooperationProfile]:
    rng, rows, extra = ctx.rng, [], []
    targets = {"CN": ["kaiserslautern-economic-region", "germany"], "DE": ["yangzhou", "jiangsu", "shanghai"]}
    for _index in range(count):
        org, industry = made[rng.randrange(len(made))]
        kind = rng.choice(list(PARTNERSHIP_KINDS))
        summary, description = _profile_texts(org, industry, kind, rng)
        status = rng.choice(PROFILE_STATUSES)
        reviewer = ctx.partner if org.owner_agency_id == ctx.yzb.pk else ctx.staff
        valid = ctx.today + datetime.timedelta(days=rng.randint(20, 360))
        if status == "expired":
            valid = ctx.today - datetime.timedelta(days=rng.randint(1, 60))
        profile = CooperationProfile(
            organisation=org,
            agency_id=org.owner_agency_id,
            profile_type=kind,
            summary=i18n_from_dict(summary),
            description=i18n_from_dict(description),
            keywords=list(industry.zh_keywords if org.country == "CN" else industry.de_keywords)[:2],
            technologies=[],
            partnership_kinds=PARTNERSHIP_KINDS[kind],
            valid_until=valid,
            visibility=rng.choice(["public"] * 4 + ["partners"]),
            status=status,
            created_by=reviewer,
            review_note="Bitte genauer beschreiben." if status == "rejected" else "",
        )
        if status in ("published", "expired", "withdrawn"):  # reviewed and in the pipeline
            profile.published_at = ctx.now - datetime.timedelta(days=rng.randint(1, 200))
            stage_key = rng.choice(OPEN_STAGES + ["not_pursued"] * (status == "withdrawn"))
            profile.stage = stages[org.owner_agency_id][stage_key]
            if rng.random() < 0.4:
                profile.owner = reviewer
                profile.due_date = ctx.today + datetime.timedelta(days=rng.randint(-20, 60))
        codes = list(industry.nace[:1])
        profile.search_document = _profile_document(profile, codes, ctx)
        rows.append(profile)
        extra.append((codes, targets[org.country][: rng.randint(0, 2)]))
    CooperationProfile.objects.bulk_create(rows, batch_size=500)
    sectors, regions = CooperationProfile.sectors.through, CooperationProfile.target_regions.through
    sectors.objects.bulk_create(
        [
            sectors(cooperationprofile_id=p.pk, naceactivity_id=c)
            for p, (codes, _t) in zip(rows, extra, strict=True)
            for c in codes
        ]
    )
    regions.objects.bulk_create(
        [
            regions(cooperationprofile_id=p.pk, region_id=ctx.regions[slug].pk)
            for p, (_c, slugs) in zip(rows, extra, strict=True)
            for slug in slugs
        ]
    )
    _share(CooperationProfile, rows, ctx)
    return rows


def _share(model, items, ctx: Context) -> None:
    """Items in the pipeline are shared with the partner agency, as staff do on the board (about half)."""
    through = model.shared_with.through
    source = f"{model._meta.model_name}_id"
    rows = []
    for item in items:
        if item.stage_id is not None and ctx.rng.random() < 0.5:
            other = ctx.yzb if item.agency_id == ctx.wfk.pk else ctx.wfk
            rows.append(through(**{source: item.pk, "agency_id": other.pk}))
    through.objects.bulk_create(rows, batch_size=2000)


IDEA_TEXTS = {
    "de": ("Kooperation {subject} mit Partner in Yangzhou",
           "Wir {offer} und möchten gemeinsam mit einem Partner in China ein Projekt zu {subject} beginnen.",
           "Unternehmen oder Institut im Bereich {subject}"),
    "zh-hans": ("寻找德国{subject}合作伙伴", "我们{offer}，希望与德国企业在{subject}领域开展项目合作。",
                "德国{subject}企业或研究机构"),
    "en": ("{subject} partnership with a German company",
           "We work in {industry} and want to start a joint project on {subject} with a partner abroad.",
           "A company or institute working on {subject}"),
}  # fmt: skip


def _ideas(count: int, made, ctx: Context, stages) -> list[ProjectIdea]:
    rng, rows, targets = ctx.rng, [], []
    agency_stages = stages[ctx.wfk.pk]
    for index in range(count):
        org, industry = made[rng.randrange(len(made))]
        language = "zh-hans" if org.country == "CN" else rng.choice(["de", "de", "en"])
        subject = rng.choice(industry.zh_keywords if language == "zh-hans" else industry.de_keywords)
        offer = industry.zh_offer if language == "zh-hans" else industry.de_offer
        title, description, sought = (
            t.format(subject=subject, offer=offer, industry=industry.en.lower()) for t in IDEA_TEXTS[language]
        )
        confirmed = rng.random() < 0.95
        stage_key = rng.choice(IDEA_STAGES) if confirmed else None
        idea = ProjectIdea(
            agency=ctx.wfk,
            title=title[:200],
            description=description,
            language=language,
            area=rng.choice(["business", "technology", "research", "science"]),
            partner_sought=sought,
            join_delegation=rng.random() < 0.3,
            organisation_name=org.name,
            organisation_kind=org.kind,
            organisation_website=org.website,
            organisation_city=org.city,
            organisation_country=org.country,
            organisation=org if rng.random() < 0.6 else None,
            contact_name=f"{rng.choice(DE_GIVEN)} {rng.choice(DE_FAMILIES)}",
            contact_email=f"idea{index}@{org.website.removeprefix('https://')}",
            privacy_notice=ctx.notice,
            consent_given_at=ctx.now - datetime.timedelta(days=rng.randint(1, 300)),
            email_confirmed_at=ctx.now if confirmed else None,
            submission_key=uuid.UUID(int=rng.getrandbits(128)),
            stage=agency_stages[stage_key] if stage_key else None,
        )
        if stage_key not in (None, "submitted"):
            idea.owner = ctx.staff
            idea.due_date = ctx.today + datetime.timedelta(days=rng.randint(-14, 90))
        if stage_key == "not_pursued":
            idea.not_pursued_reason = "Kein Kooperationsprojekt."
        rows.append(idea)
        targets.append("yangzhou" if org.country == "DE" else "kaiserslautern")
    ProjectIdea.objects.bulk_create(rows, batch_size=500)
    through = ProjectIdea.target_regions.through
    through.objects.bulk_create(
        [
            through(projectidea_id=i.pk, region_id=ctx.regions[t].pk)
            for i, t in zip(rows, targets, strict=True)
        ]
    )
    linked = ProjectIdea.linked_organisations.through
    linked.objects.bulk_create(
        [linked(projectidea_id=i.pk, organisation_id=i.organisation_id) for i in rows if i.organisation_id]
    )
    _share(ProjectIdea, rows, ctx)
    idea_type = ContentType.objects.get_for_model(ProjectIdea)
    comments = [
        Comment(target_type=idea_type, target_id=idea.pk, author=ctx.staff, author_agency=ctx.staff.agency,
                body=body, shared=shared)
        for idea in rows
        if idea.owner_id is not None
        for body, shared in (("Bitte prüfen Sie mögliche Partner auf Ihrer Seite.", True),
                             ("Intern: beim nächsten Jour fixe besprechen.", False))
    ]  # fmt: skip
    Comment.objects.bulk_create(comments, batch_size=1000)
    return rows


def _trips(count: int, per_trip: int, people: list[Person], ctx: Context) -> list[Delegation]:
    rng = ctx.rng
    partnership = Partnership.objects.get(slug="kaiserslautern-yangzhou")
    trips = []
    for number in range(count):
        outgoing = number % 2 == 0
        start = ctx.today + datetime.timedelta(days=30 + 21 * number)
        region = ctx.regions["yangzhou" if outgoing else "kaiserslautern"]
        zone = "Asia/Shanghai" if outgoing else "Europe/Berlin"
        capacity = max(1, per_trip * 4 // 5)
        trip = Delegation.objects.create(
            slug=f"{SLUG_PREFIX}-{ctx.seed}-trip-{number + 1:02d}",
            partnership=partnership,
            direction="outgoing" if outgoing else "incoming",
            status="confirmed",
            start_date=start,
            end_date=start + datetime.timedelta(days=5),
            time_zone=zone,
            capacity=capacity,
            is_public=True,
            registration_opens=ctx.now - datetime.timedelta(days=10),
            registration_closes=ctx.now + datetime.timedelta(days=20),
            title=i18n_from_dict({
                "de": f"Delegationsreise {number + 1}: {'nach Yangzhou' if outgoing else 'aus Yangzhou'}",
                "en": f"Delegation trip {number + 1}: {'to' if outgoing else 'from'} Yangzhou",
                "zh-hans": f"第{number + 1}次代表团{'赴扬州考察' if outgoing else '访问凯泽斯劳滕'}",
            }),
            description=i18n_from_dict({"de": "Firmenbesuche und B2B-Gespräche.", "zh-hans": "企业参观和B2B洽谈。"}),
        )  # fmt: skip
        trip.destinations.set([region])
        trip.shared_with.add(ctx.yzb)
        Stop.objects.create(
            delegation=trip, region=region, arrival=trip.start_date, departure=trip.end_date, time_zone=zone
        )
        travellers = rng.sample(people, min(per_trip, len(people)))
        rows = []
        for seat, person in enumerate(travellers):
            if seat < capacity:
                status = "confirmed" if rng.random() < 0.8 else "pending"
            else:
                status = "waiting"
            chinese = person.organisation.country == "CN"
            rows.append(
                Registration(
                    delegation=trip, person=person, organisation=person.organisation,
                    family_name=person.family_name, given_name=person.given_name, name_latin=person.name_latin,
                    organisation_name=person.organisation.name, email=person.email,
                    language="zh-hans" if chinese else "de", time_zone="Asia/Shanghai" if chinese else "Europe/Berlin",
                    registered_by=ctx.partner if chinese else ctx.staff, status=status,
                    waiting_since=ctx.now + datetime.timedelta(seconds=seat) if status == "waiting" else None,
                    privacy_notice=ctx.notice, consent_given_at=ctx.now,
                )
            )  # fmt: skip
        Registration.objects.bulk_create(rows, batch_size=1000)
        trips.append(trip)
    return trips


def _vectors(ctx: Context) -> int:
    """Document vectors of every live item, embedded in one batch, stored and handed to the vector store."""
    embedder = matching.configured_embedder()
    items = matching.live_items()
    known = set(Embedding.objects.filter(model_name=embedder.name).values_list("target_type_id", "target_id"))
    missing = [item for item in items if matching.key(item) not in known]
    texts = [matching.document_text(item) for item in missing]
    vectors = documents.embed_documents(embedder, texts) if texts else []

    rows = [
        Embedding(
            target_type_id=matching.key(item)[0], target_id=item.pk, model_name=embedder.name,
            dim=int(vector.shape[0]), vector=vector.tobytes(), text_hash=hashlib.sha256(text.encode()).hexdigest(),
        )
        for item, text, vector in zip(missing, texts, vectors, strict=True)
    ]  # fmt: skip
    written = Embedding.objects.bulk_create(rows, batch_size=500)
    vectorstore.stored(written)
    return len(written)


def _suggestions(items: list, limit: int) -> int:
    """Suggestions for the first ``limit`` live items (the whole world would take the nightly task's time)."""
    done = 0
    for item in items[:limit]:
        if matching.is_live(item):
            matching.refresh_suggestions(item)
            done += 1
    return done


def generate_world(
    organisations: int = 5000,
    profiles: int = 2000,
    ideas: int = 1000,
    trips: int = 10,
    registrations_per_trip: int = 300,
    seed: int = 0,
    suggestions: int = 60,
) -> dict[str, int]:
    """Add a big invented world to the demo world (loaded first if missing); returns what was made."""
    from partnerhub.demo import world
    from partnerhub.notifications.services import suppressed

    if not world.is_loaded():
        with suppressed():
            world.load()
    now = timezone.now()
    regions = {r.slug: r for r in Region.objects.all()}
    ctx = Context(
        rng=random.Random(seed),
        today=timezone.localdate(),
        now=now,
        regions=regions,
        sectors={s.code: s for s in NaceActivity.objects.all()},
        wfk=Agency.objects.get(slug="wfk-kaiserslautern"),
        yzb=Agency.objects.get(slug="yangzhou-commerce"),
        staff=User.objects.get(email="projektleitung@wfk.example.org"),
        partner=User.objects.get(email="staff@yzcommerce.example.cn"),
        notice=PrivacyNotice.current(),
        seed=seed,
        regions_by_pk={r.pk: r for r in regions.values()},
    )
    if Organisation.objects.filter(slug__startswith=f"{SLUG_PREFIX}-{seed}-").exists():
        raise ValueError(f"A world with seed {seed} is already generated here.")
    stages = {a.pk: {s.key: s for s in stages_for(a)} for a in (ctx.wfk, ctx.yzb)}
    with transaction.atomic():
        made = _organisations(organisations, ctx)
        people = _people(made, ctx)
        made_profiles = _profiles(profiles, made, ctx, stages)
        made_ideas = _ideas(ideas, made, ctx, stages)
        made_trips = _trips(trips, registrations_per_trip, people, ctx)
        vectors = _vectors(ctx)
    open_ideas = [i for i in made_ideas if i.stage_id and i.stage.key in ("screening", "matching")]
    live = [p for p in made_profiles if p.status == "published" and p.valid_until >= ctx.today]
    suggested = _suggestions(
        open_ideas[: suggestions // 2] + live[: suggestions - suggestions // 2], suggestions
    )
    return {
        "organisations": len(made),
        "persons": len(people),
        "profiles": len(made_profiles),
        "ideas": len(made_ideas),
        "trips": len(made_trips),
        "registrations": sum(t.registrations.count() for t in made_trips),
        "vectors": vectors,
        "items with suggestions": suggested,
    }
