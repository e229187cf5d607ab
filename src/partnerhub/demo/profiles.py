"""Demo cooperation profiles: offers and requests of the demo organisations, in every state and stage.

Pairs are made to meet across the border — a German composites offer and a Yangzhou marine-equipment
request, an axle maker seeking suppliers and a Yangzhou stamping company offering them. Everything goes
through the services, so the audit trail, the pipeline and the search index look as in real use.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from partnerhub.organisations.models import Organisation
from partnerhub.pipeline import services as pipeline_services
from partnerhub.pipeline.stages import stages_for
from partnerhub.profiles import services
from partnerhub.profiles.models import CooperationProfile
from partnerhub.regions.models import Region

T = CooperationProfile.ProfileType
S = CooperationProfile.Status
V = CooperationProfile.Visibility

PROFILES: list[dict] = [
    {
        "org": "de-verbundwerk",
        "by": "member",
        "type": T.TECHNOLOGY_OFFER,
        "summary": {
            "de": "Leichte Lukendeckel und Decksaufbauten aus glasfaserverstärktem Kunststoff",
            "en": "Lightweight hatch covers and deck structures made of glass-fibre reinforced plastic",
        },
        "description": {
            "de": "Wir fertigen Lukendeckel, Niedergänge und Decksaufbauten aus GFK im Vakuuminfusionsverfahren, "
            "rund 40 % leichter als Stahl und korrosionsfrei. Wir suchen einen Schiffsausrüster, der die "
            "Bauteile in Lizenz fertigt oder mit uns ein Gemeinschaftsunternehmen gründet.",
            "en": "We build hatch covers, companionways and deck structures in GFRP by vacuum infusion, about "
            "40 % lighter than steel and free of corrosion. We seek a marine-equipment maker to produce them "
            "under licence or to form a joint venture with us.",
        },
        "sectors": ["22.29", "30.11"],
        "keywords": ["Faserverbund", "Leichtbau", "Schiffsausrüstung", "GFK"],
        "technologies": ["Vakuuminfusion", "Sandwichbauweise"],
        "kinds": ["licence", "joint_venture", "technical_cooperation"],
        "targets": ["yangzhou", "jiangsu"],
        "days": 300,
        "status": S.PUBLISHED,
        "stage": "matching",
        "owner": True,
        "share": True,
        "counterpart": "cn-yuanhang-marine",
        "comments": [
            (
                "staff",
                "Passt zur Anfrage von Yuanhang (Lukendeckel). Termin beim Delegationsbesuch vorschlagen.",
                True,
            ),
            ("partner", "远航船舶设备对此很感兴趣，希望在代表团访问期间面谈。", True),
        ],
    },
    {
        "org": "cn-yuanhang-marine",
        "by": "partner",
        "type": T.TECHNOLOGY_REQUEST,
        "summary": {
            "zh-hans": "寻求船舶舱口盖复合材料轻量化技术",
            "en": "Seeking composite lightweight technology for ship hatch covers",
        },
        "description": {
            "zh-hans": "我公司为内河及近海散货船配套钢制舱口盖和甲板机械。为降低船舶自重和维护成本，"
            "希望引进纤维复合材料舱口盖的设计与成型技术，可采用技术许可或合资方式。",
            "en": "We supply steel hatch covers and deck machinery for inland and coastal bulk carriers. To cut "
            "weight and maintenance we want to license or jointly develop composite hatch covers.",
        },
        "sectors": ["28.22", "30.11"],
        "keywords": ["船舶配套", "舱口盖", "复合材料", "轻量化"],
        "technologies": ["纤维增强复合材料"],
        "kinds": ["licence", "joint_venture"],
        "targets": ["kaiserslautern-economic-region"],
        "days": 240,
        "status": S.PUBLISHED,
        "stage": "matching",
        "share": True,
        "counterpart": "de-verbundwerk",
        "comments": [("partner", "已与凯泽斯劳滕方面沟通，对方有合适的技术提供方。", True)],
    },
    {
        "org": "de-verbundwerk",
        "by": "member",
        "type": T.BUSINESS_REQUEST,
        "summary": {"de": "Vertriebspartner für GFK-Profile im Jangtse-Delta gesucht"},
        "description": {
            "de": "Für pultrudierte GFK-Profile (Geländer, Gitterroste, Kabeltrassen) suchen wir einen "
            "Vertriebspartner mit Kunden in Chemie- und Hafenanlagen."
        },
        "sectors": ["22.21"],
        "keywords": ["GFK-Profile", "Vertrieb", "Pultrusion"],
        "kinds": ["distribution", "commercial_agreement"],
        "targets": ["yangtze-river-delta"],
        "days": 365,
        "status": S.DRAFT,
    },
    {
        "org": "de-barbarossa-achstechnik",
        "by": "staff",
        "type": T.BUSINESS_REQUEST,
        "summary": {
            "de": "Zulieferer für Stanz- und Schweißbaugruppen für Nutzfahrzeugachsen gesucht",
            "en": "Suppliers sought for stamped and welded assemblies for commercial-vehicle axles",
        },
        "description": {
            "de": "Für die Achsfertigung in Asien suchen wir qualifizierte Lieferanten für Achskörper-Halter, "
            "Bremsträger und Federsättel (IATF 16949), Jahresbedarf ab 50 000 Stück.",
            "en": "For our axle production in Asia we seek qualified suppliers of axle brackets, brake "
            "carriers and spring seats (IATF 16949), from 50,000 pieces a year.",
        },
        "sectors": ["29.32", "25.50"],
        "keywords": ["Achsen", "Lieferantenentwicklung", "Nutzfahrzeuge"],
        "technologies": ["Stanzen", "Roboterschweißen"],
        "kinds": ["supplier"],
        "targets": ["yangzhou", "shanghai"],
        "days": 200,
        "visibility": V.PARTNERS,
        "status": S.PUBLISHED,
        "stage": "in_contact",
        "owner": True,
        "due": 21,
        "share": True,
        "counterpart": "cn-hengtong-auto",
        "comments": [
            ("staff", "Erstes Videogespräch mit Hengtong am Montag; Muster werden geschickt.", True),
            (
                "staff",
                "Intern: Einkauf von Barbarossa will vor Ort auditieren — Delegationsreise im September.",
                False,
            ),
        ],
    },
    {
        "org": "cn-hengtong-auto",
        "by": "partner",
        "type": T.BUSINESS_OFFER,
        "summary": {
            "zh-hans": "商用车冲压焊接件供应，具备IATF 16949认证",
            "en": "Stamped and welded parts for commercial vehicles, IATF 16949 certified",
        },
        "description": {
            "zh-hans": "公司拥有400吨至1200吨冲压线和机器人焊接线，为国内主要商用车厂供应车桥支架和车架件，"
            "希望成为欧洲车桥企业的供应商。",
            "en": "Press lines from 400 to 1,200 tonnes and robot welding lines; we supply axle brackets and "
            "frame parts to major Chinese truck makers and want to supply European axle makers.",
        },
        "sectors": ["29.32", "25.50"],
        "keywords": ["汽车零部件", "冲压焊接", "商用车"],
        "technologies": ["机器人焊接"],
        "kinds": ["supplier", "commercial_agreement"],
        "targets": ["kaiserslautern-economic-region", "germany"],
        "days": 220,
        "status": S.PUBLISHED,
        "stage": "in_contact",
        "counterpart": "de-barbarossa-achstechnik",
    },
    {
        "org": "de-enercheck",
        "by": "staff",
        "type": T.BUSINESS_OFFER,
        "summary": {
            "de": "Prüfung und Zertifizierung von Batteriespeichern nach der EU-Batterieverordnung",
            "en": "Testing and certification of battery storage under the EU Battery Regulation",
        },
        "description": {
            "de": "Akkreditiertes Prüflabor für Sicherheits-, Lebensdauer- und Transportprüfungen (UN 38.3) von "
            "Batteriespeichern; wir begleiten Hersteller beim Marktzugang in der EU.",
            "en": "Accredited laboratory for safety, lifetime and transport tests (UN 38.3) of battery storage; "
            "we guide manufacturers to market access in the EU.",
        },
        "sectors": ["71.20"],
        "keywords": ["Batterieprüfung", "Zertifizierung", "EU-Batterieverordnung"],
        "kinds": ["commercial_agreement", "technical_cooperation"],
        "targets": ["yangzhou", "jiangsu"],
        "days": 330,
        "status": S.PUBLISHED,
        "stage": "partnership_agreed",
        "owner": True,
        "counterpart": "cn-liyuan-storage",
    },
    {
        "org": "cn-liyuan-storage",
        "by": "partner",
        "type": T.TECHNOLOGY_REQUEST,
        "summary": {"zh-hans": "储能电池进入欧盟市场的检测认证合作"},
        "description": {
            "zh-hans": "我公司生产磷酸铁锂储能电池系统，计划进入欧洲市场，寻求熟悉欧盟电池法规的检测机构开展认证合作。"
        },
        "sectors": ["27.20"],
        "keywords": ["储能电池", "欧盟认证", "电池安全"],
        "kinds": ["technical_cooperation", "commercial_agreement"],
        "targets": ["germany"],
        "days": 180,
        "status": S.PUBLISHED,
        "stage": "screening",
    },
    {
        "org": "de-lautersim",
        "by": "staff",
        "type": T.TECHNOLOGY_OFFER,
        "summary": {
            "de": "Simulationssoftware für die Betriebsfestigkeit von Fahrzeugkomponenten",
            "en": "Simulation software for the durability of vehicle components",
        },
        "description": {
            "de": "Unsere Software berechnet die Lebensdauer geschweißter Bauteile aus Messdaten im Fahrbetrieb "
            "und verkürzt Prüfstandsversuche um die Hälfte. Wir bieten Lizenzen und gemeinsame Projekte an.",
            "en": "Our software computes the fatigue life of welded components from road-load data and halves "
            "test-rig time. We offer licences and joint projects.",
        },
        "sectors": ["58.29", "71.12"],
        "keywords": ["Simulation", "Betriebsfestigkeit", "Nutzfahrzeuge"],
        "technologies": ["Finite-Elemente-Methode", "Lastdatenanalyse"],
        "kinds": ["licence", "technical_cooperation"],
        "targets": [],
        "days": 10,  # expires soon: the housekeeping task sends the reminder
        "status": S.PUBLISHED,
        "stage": "screening",
    },
    {
        "org": "de-aquapur",
        "by": "staff",
        "type": T.TECHNOLOGY_OFFER,
        "summary": {
            "de": "Phosphorrückgewinnung aus kommunalem Abwasser",
            "en": "Phosphorus recovery from municipal wastewater",
        },
        "description": {
            "de": "Kompaktanlage zur Fällung von Struvit im Faulschlammwasser; erprobt in drei Kläranlagen.",
            "en": "Compact plant precipitating struvite from digester liquor; proven at three treatment plants.",
        },
        "sectors": ["28.29", "37.00"],
        "keywords": ["Wasseraufbereitung", "Phosphor", "Kreislaufwirtschaft"],
        "kinds": ["licence", "joint_venture"],
        "targets": ["yangzhou"],
        "days": 250,
        "status": S.PUBLISHED,
        "stage": "completed",
        "counterpart": "cn-qingyuan-env",
    },
    {
        "org": "de-pfalzgen",
        "by": "staff",
        "type": T.RD_REQUEST,
        "summary": {
            "de": "Forschungspartner für Enzyme in traditionell fermentierten Würzmitteln gesucht",
            "en": "Research partner sought on enzymes in traditionally fermented condiments",
        },
        "description": {
            "de": "Für ein Verbundprojekt suchen wir einen Hersteller fermentierter Würzmittel, der Proben und "
            "Prozesswissen beisteuert; wir analysieren die Enzymaktivität.",
            "en": "For a joint project we seek a maker of fermented condiments who contributes samples and "
            "process knowledge; we analyse the enzyme activity.",
        },
        "sectors": ["72.11", "10.84"],
        "keywords": ["Enzyme", "Fermentation", "Lebensmitteltechnologie"],
        "kinds": ["research_cooperation"],
        "targets": ["yangzhou"],
        "days": 300,
        "status": S.IN_REVIEW,
    },
    {
        "org": "de-zfl",
        "by": "staff",
        "type": T.RD_REQUEST,
        "summary": {
            "de": "Forschungskooperation: thermoplastische Wasserstofftanks",
            "en": "Research cooperation: thermoplastic hydrogen tanks",
        },
        "description": {
            "de": "Wir suchen ein Institut mit Erfahrung im Recycling von Carbonfasern für ein gemeinsames "
            "Förderprojekt zu thermoplastischen Typ-IV-Tanks.",
            "en": "We seek an institute experienced in carbon-fibre recycling for a joint funded project on "
            "thermoplastic type-IV tanks.",
        },
        "sectors": ["72.19"],
        "keywords": ["Faserverbund", "Wasserstofftanks", "Thermoplaste"],
        "kinds": ["research_cooperation"],
        "targets": ["nanjing"],
        "days": 280,
        "visibility": V.PARTNERS,
        "status": S.PUBLISHED,
        "stage": "submitted",
        "counterpart": "cn-zijin-composites",
    },
    {
        "org": "cn-zijin-composites",
        "by": "staff",
        "type": T.RD_REQUEST,
        "summary": {
            "zh-hans": "碳纤维复合材料回收利用联合研究",
            "en": "Joint research on recycling carbon-fibre composites",
        },
        "description": {
            "zh-hans": "研究院希望与德国研究机构合作，开展热塑性复合材料回收与再利用的联合研究，并共同申请中德合作项目。",
            "en": "The institute wants to research recycling and reuse of thermoplastic composites with a German "
            "institute and apply for Sino-German funding together.",
        },
        "sectors": ["72.19", "38.32"],
        "keywords": ["复合材料", "碳纤维", "回收利用"],
        "kinds": ["research_cooperation"],
        "targets": ["kaiserslautern-economic-region"],
        "days": 260,
        "status": S.PUBLISHED,
        "stage": "screening",
    },
    {
        "org": "de-senfmuehle-otterberg",
        "by": "staff",
        "type": T.BUSINESS_REQUEST,
        "summary": {"de": "Importeur für Pfälzer Senfspezialitäten in China gesucht"},
        "description": {
            "de": "Wir suchen einen Importeur mit Zugang zu Feinkost- und Hotelkunden in Ostchina."
        },
        "sectors": ["10.84"],
        "keywords": ["Senf", "Feinkost", "Export"],
        "kinds": ["distribution"],
        "targets": ["shanghai"],
        "days": 60,
        "status": S.EXPIRED,
        "stage": "submitted",
    },
    {
        "org": "cn-jieya-oralcare",
        "by": "partner",
        "type": T.BUSINESS_OFFER,
        "summary": {"zh-hans": "环保牙刷代工生产（竹柄、可回收材料）"},
        "description": {"zh-hans": "年产牙刷一亿支，可为欧洲品牌提供竹柄及再生塑料牙刷的代工服务。"},
        "sectors": ["32.91"],
        "keywords": ["牙刷", "代工", "环保材料"],
        "kinds": ["supplier", "commercial_agreement"],
        "targets": ["germany"],
        "days": 200,
        "status": S.IN_REVIEW,
    },
    {
        "org": "de-lichtwerk-lautern",
        "by": "staff",
        "type": T.BUSINESS_OFFER,
        "summary": {
            "de": "Lichtsteuerung für Straßenbeleuchtung zur Lizenzfertigung",
            "en": "Street-lighting control for licensed production",
        },
        "description": {
            "de": "Funkbasierte Lichtsteuerung für LED-Straßenleuchten; wir suchen einen Leuchtenhersteller.",
            "en": "Radio-based control for LED street lights; we seek a luminaire maker.",
        },
        "sectors": ["27.40"],
        "keywords": ["Lichtsteuerung", "Smart City", "LED"],
        "kinds": ["licence", "commercial_agreement"],
        "targets": ["yangzhou"],
        "days": 150,
        "status": S.WITHDRAWN,
        "stage": "not_pursued",
        "reason": "Das Unternehmen konzentriert sich vorerst auf den europäischen Markt.",
    },
    {
        "org": "de-kognivia",
        "by": "staff",
        "type": T.TECHNOLOGY_OFFER,
        "summary": {"de": "KI für technische Dokumentation"},
        "description": {"de": "Sprachmodelle für Handbücher."},
        "sectors": ["62.01"],
        "keywords": ["Künstliche Intelligenz", "Sprachmodelle"],
        "kinds": ["licence"],
        "targets": [],
        "days": 200,
        "visibility": V.AGENCY,
        "status": S.REJECTED,
        "note": "Bitte beschreiben Sie genauer, welche Sprachen und Dokumentarten unterstützt werden und welche "
        "Partner Sie suchen.",
    },
    {
        "org": "cn-minghui-lighting",
        "by": "partner",
        "type": T.BUSINESS_REQUEST,
        "summary": {"zh-hans": "寻求欧洲太阳能路灯分销商"},
        "description": {"zh-hans": "我公司生产一体化太阳能路灯，希望在德国及周边国家寻找分销合作伙伴。"},
        "sectors": ["27.40"],
        "keywords": ["LED照明", "太阳能路灯"],
        "kinds": ["distribution"],
        "targets": ["germany"],
        "days": 300,
        "status": S.DRAFT,
    },
]


def _reviewer(profile: CooperationProfile, agency_by_slug: dict, users: dict):
    return users["partner"] if profile.agency.root.pk == agency_by_slug["yzb"].pk else users["staff"]


def _other_side(profile: CooperationProfile, agency_by_slug: dict, users: dict):
    if profile.agency.root.pk == agency_by_slug["yzb"].pk:
        return agency_by_slug["wfk"], users["staff"]
    return agency_by_slug["yzb"], users["partner"]


def _load_one(item: dict, agency_by_slug: dict, users: dict, today: datetime.date) -> CooperationProfile:
    author = users[item["by"]]
    regions = Region.objects.filter(slug__in=item.get("targets", []))
    profile = services.save_profile(
        CooperationProfile(
            organisation=Organisation.objects.get(slug=item["org"]),
            profile_type=item["type"],
            summary=item["summary"],
            description=item["description"],
            keywords=item.get("keywords", []),
            technologies=item.get("technologies", []),
            partnership_kinds=item["kinds"],
            valid_until=today + datetime.timedelta(days=item["days"]),
            visibility=item.get("visibility", CooperationProfile.Visibility.PUBLIC),
        ),
        actor=author,
        sector_codes=item["sectors"],
        target_region_ids=[r.pk for r in regions],
    )
    status = item["status"]
    if status == S.DRAFT:
        return profile
    services.submit_for_review(profile, actor=author)
    reviewer = _reviewer(profile, agency_by_slug, users)
    if status == S.REJECTED:
        services.reject_profile(profile, actor=reviewer, note=item["note"])
        return profile
    if status == S.IN_REVIEW:
        return profile
    services.publish_profile(profile, actor=reviewer)

    stages = {stage.key: stage for stage in stages_for(profile.agency)}
    if item.get("stage"):
        pipeline_services.move_to_stage(
            profile, stages[item["stage"]], actor=None, reason=item.get("reason", "")
        )
    if item.get("owner"):
        pipeline_services.assign_owner(profile, reviewer, actor=None)
    if item.get("due"):
        pipeline_services.set_due_date(profile, today + datetime.timedelta(days=item["due"]), actor=None)
    other_agency, other_staff = _other_side(profile, agency_by_slug, users)
    if item.get("share"):
        pipeline_services.share_item(profile, other_agency, actor=reviewer)
    if item.get("counterpart"):
        counterpart = Organisation.objects.get(slug=item["counterpart"])
        # The partner agency proposes its own organisations, as it would on the shared board; an
        # organisation of the agency's own side is proposed by the agency's staff.
        own_side = counterpart.owner_agency.root.pk != other_agency.pk
        proposer = reviewer if own_side else other_staff
        if not own_side:  # only an agency the item is shared with takes part in its thread
            pipeline_services.share_item(profile, other_staff.agency, actor=reviewer)
        pipeline_services.propose_counterpart(profile, counterpart, actor=proposer)
    for who, body, shared in item.get("comments", []):
        pipeline_services.add_comment(profile, body, actor=users[who], shared=shared)
    if status == S.WITHDRAWN:
        services.withdraw_profile(profile, actor=author)
    if status == S.EXPIRED:
        # As if the validity date had passed: the date is moved back, then the nightly task expires it.
        back = today - datetime.timedelta(days=30)
        CooperationProfile.objects.filter(pk=profile.pk).update(valid_until=back)
    return profile


def load_profiles(agency_by_slug: dict, users: dict) -> None:
    """Create the demo profiles; ``agency_by_slug`` has "wfk" and "yzb", ``users`` the demo logins."""
    today = timezone.localdate()
    for item in PROFILES:
        _load_one(item, agency_by_slug, users, today)
    services.expire_due_profiles(today)
