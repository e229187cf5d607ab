"""Demo project ideas in every pipeline stage, in German, Chinese and English."""

import datetime
import uuid

from django.utils import timezone

from partnerhub.ideas import services as idea_services
from partnerhub.organisations.models import Organisation
from partnerhub.pipeline import services as pipeline
from partnerhub.pipeline.stages import stages_for
from partnerhub.regions.models import Region

IDEAS = [
    # (stage, language, organisation slug or None, title, description, partner sought, area, target region)
    ("submitted", "zh-hans", "cn-hengtong-auto", "寻找德国轻量化底盘部件合作伙伴",
     "我们为商用车生产底盘零部件，希望与德国企业共同开发碳纤维增强复合材料的轻量化部件。",
     "复合材料企业或研究机构", "technology", "kaiserslautern"),
    ("submitted", "de", "de-naturschoen", "Naturkosmetik für den chinesischen Markt",
     "Wir möchten unsere zertifizierte Naturkosmetik über einen Partner in Yangzhou vertreiben und suchen "
     "Unterstützung bei Registrierung und Vertrieb.", "Vertriebspartner mit Erfahrung im Kosmetikhandel",
     "business", "yangzhou"),
    ("screening", "en", "cn-liyuan-storage", "Battery storage testing with a German lab",
     "We manufacture stationary battery storage systems and want to certify them for the EU market with a "
     "German test laboratory.", "An accredited battery test laboratory", "technology", "kaiserslautern"),
    ("screening", "de", "de-borstec", "Tufting-Maschinen für Zahnbürstenhersteller in Hangji",
     "Unsere Hochgeschwindigkeits-Tufting-Maschinen sollen Zahnbürstenherstellern in Hangji vorgestellt "
     "werden; wir suchen Pilotkunden und einen Servicepartner vor Ort.", "Zahnbürstenhersteller, Servicepartner",
     "business", "yangzhou"),
    ("matching", "zh-hans", None, "智慧路灯控制系统联合开发",
     "我们生产LED路灯，希望与德国企业合作开发联网的智能路灯控制系统，并在两地开展示范项目。",
     "照明控制或物联网企业", "technology", "kaiserslautern"),
    ("matching", "de", "de-zfl", "Forschungskooperation Faserverbund im Schiffbau",
     "Das Zentrum möchte mit einer Werft oder einem Forschungsinstitut im Jangtse-Delta Leichtbaulösungen "
     "für Schiffsaufbauten erforschen.", "Werft oder Forschungsinstitut für Schiffbau", "research", "yangzhou"),
    ("in_contact", "en", "de-lautersim", "Simulation software for Chinese foundries",
     "Our casting simulation has been used by German foundries for ten years; we look for a reseller and "
     "pilot users in Jiangsu.", "Reseller and pilot foundries", "business", "nanjing"),
    ("in_contact", "zh-hans", None, "中德大学生创新创业交流项目",
     "我校希望与凯泽斯劳滕的高校合作，每年互派学生参加为期两周的创新创业训练营。",
     "德国应用科学大学", "science", "kaiserslautern"),
    ("partnership_agreed", "de", "de-pfalzrobotik", "Schweißroboterzellen mit Partner in Yangzhou",
     "Gemeinsam mit einem Start-up in Yangzhou entwickeln wir kompakte Schweißroboterzellen für "
     "mittelständische Zulieferer.", "Robotik-Start-up", "technology", "yangzhou"),
    ("completed", "de", "de-senfmuehle-otterberg", "Pfälzer Senf trifft Yangzhou-Küche",
     "Ein gemeinsames Produkt mit einer Saucenmanufaktur in Yangzhou ist auf beiden Märkten eingeführt.",
     "Lebensmittelhersteller", "business", "yangzhou"),
    ("not_pursued", "en", None, "Used machine tools trading",
     "We would like to buy used German machine tools in large quantities.", "Sellers of used machines",
     "business", "kaiserslautern"),
]  # fmt: skip


def _contact(org: Organisation | None, language: str) -> dict:
    person = org.people.first() if org else None
    if person is not None:
        return {
            "contact_name": person.full_name,
            "contact_email": person.email,
            "contact_phone": person.phone,
        }
    return {
        "contact_name": "李明" if language == "zh-hans" else "Alex Miller",
        "contact_email": f"idea-{uuid.uuid4().hex[:6]}@submitter.example.cn",
        "contact_phone": "",
    }


def load_ideas(agency, staff_user, partner_agency, partner_user) -> None:
    stages = {stage.key: stage for stage in stages_for(agency)}
    today = timezone.localdate()
    for index, (stage_key, language, slug, title, description, sought, area, region_slug) in enumerate(IDEAS):
        org = Organisation.objects.filter(slug=slug).first() if slug else None
        data = {
            "title": title,
            "description": description,
            "partner_sought": sought,
            "area": area,
            "organisation_name": org.name
            if org
            else ("扬州光华照明有限公司" if language == "zh-hans" else "Global Trade Ltd."),
            "organisation_kind": org.kind if org else "sme",
            "organisation_website": org.website if org else "",
            "organisation_city": org.city if org else "",
            "organisation_country": str(org.country) if org else ("CN" if language == "zh-hans" else "GB"),
            "join_delegation": index % 3 == 0,
            "target_regions": list(Region.objects.filter(slug=region_slug)),
            **_contact(org, language),
        }
        idea, _created = idea_services.submit_idea(
            agency=agency, data=data, language=language, submission_key=uuid.uuid5(uuid.NAMESPACE_URL, title)
        )
        idea_services.confirm_idea(idea.confirmation_token)
        if org is not None:
            idea.organisation = org
            idea.save(update_fields=["organisation"])
            idea.linked_organisations.add(org)
        if stage_key == "submitted":
            continue
        pipeline.assign_owner(idea, staff_user, actor=staff_user)
        pipeline.set_due_date(idea, today + datetime.timedelta(days=7 * (index + 1)), actor=staff_user)
        pipeline.share_item(idea, partner_agency, actor=staff_user)
        for key in ("screening", "matching", "in_contact", "partnership_agreed", "completed"):
            if stage_key == "not_pursued":
                break
            pipeline.move_to_stage(idea, stages[key], actor=staff_user)
            if key == stage_key:
                break
        if stage_key == "not_pursued":
            pipeline.move_to_stage(
                idea,
                stages["not_pursued"],
                actor=staff_user,
                reason="Kein Kooperationsprojekt, reiner Handel."
                if language != "zh-hans"
                else "不属于合作项目。",
            )
        pipeline.add_comment(
            idea, "Bitte prüfen Sie mögliche Partner auf Ihrer Seite.", actor=staff_user, shared=True
        )
        pipeline.add_comment(
            idea, "Intern: beim nächsten Jour fixe besprechen.", actor=staff_user, shared=False
        )
        if stage_key in ("matching", "in_contact", "partnership_agreed", "completed"):
            pipeline.add_comment(idea, "我们已联系了两家可能合作的企业。", actor=partner_user)
