"""Project ideas: the public form, double opt-in, the personal link, and the journey through the pipeline."""

import datetime
import re
import uuid

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from partnerhub.core.audit import history
from partnerhub.ideas import services
from partnerhub.ideas.models import ProjectIdea
from partnerhub.pipeline.models import Comment
from partnerhub.pipeline.stages import stages_for
from tests import factories as f

pytestmark = pytest.mark.django_db


def url(name, language="en", *args):
    with translation.override(language):
        return reverse(name, args=args)


def form_data(world, **overrides):
    data = {
        "submission_key": str(uuid.uuid4()),
        "organisation_name": "扬州恒通汽车零部件有限公司",
        "organisation_kind": "sme",
        "organisation_website": "https://hengtong.example.cn",
        "organisation_city": "扬州",
        "organisation_country": "CN",
        "contact_name": "王晓明",
        "contact_role": "总经理",
        "contact_email": "wang@hengtong.example.cn",
        "contact_phone": "+86 514 5550188",
        "title": "寻找德国轻量化复合材料合作伙伴",
        "area": "technology",
        "description": "我们生产汽车底盘零部件，希望与德国企业合作开发碳纤维复合材料部件。",
        "partner_sought": "复合材料研发企业或研究所",
        "target_regions": [world.home_region.pk],
        "consent": "on",
        "website_url": "",
    }
    data.update(overrides)
    return data


def links_in(message):
    return re.findall(r"https?://\S+", message.body)


@pytest.fixture
def agency(world):
    world.home_agency.email = "china@home.example.org"
    world.home_agency.language = "de"
    world.home_agency.region = world.home_region
    world.home_agency.save()
    return world.home_agency


def test_a_chinese_idea_goes_from_the_form_through_the_board_with_shared_comments_and_full_history(
    client, world, agency, agency_staff, partner_staff, django_capture_on_commit_callbacks
):
    # 1. Someone submits in Chinese, without an account.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("ideas:submit", "zh-hans", agency.slug), form_data(world))
    assert response.status_code == 302
    idea = ProjectIdea.objects.get()
    assert idea.language == "zh-hans"
    confirmation = mail.outbox[-1]
    assert confirmation.to == ["wang@hengtong.example.cn"]
    assert "确认" in confirmation.subject  # rendered in the submitter's language
    # Unconfirmed: staff do not see it yet.
    client.force_login(agency_staff)
    assert idea.title not in client.get(url("pipeline:board", "de", "ideas")).content.decode()
    client.logout()

    # 2. The submitter confirms by e-mail (the link opens a page with a button).
    confirm_link = next(link for link in links_in(confirmation) if "/confirm/" in link)
    path = confirm_link.split("8000", 1)[1]
    assert client.get(path).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(path)
    assert response.status_code == 302
    idea.refresh_from_db()
    assert idea.is_confirmed
    assert mail.outbox[-1].to == ["china@home.example.org"]
    assert "Projektidee" in mail.outbox[-1].subject  # the agency reads German

    # 3. It lands in the staff inbox and on the board, in the first column.
    client.force_login(agency_staff)
    assert idea.title in client.get(url("pipeline:inbox", "de")).content.decode()
    board = client.get(url("pipeline:board", "de", "ideas")).content.decode()
    assert idea.title in board
    stages = {s.key: s for s in stages_for(agency)}
    assert idea.stage == stages["submitted"]

    # 4. Staff take it on, share it with the partner agency and move it through the stages.
    client.post(url("pipeline:act", "de", "ideas", idea.pk, "owner"), {"owner": agency_staff.pk})
    client.post(url("pipeline:act", "de", "ideas", idea.pk, "share"), {"agency": world.partner_agency.pk})
    for key in ("screening", "matching"):
        response = client.post(url("pipeline:act", "de", "ideas", idea.pk, "move"), {"stage": stages[key].pk})
        assert response.status_code == 302
    client.post(
        url("pipeline:act", "de", "ideas", idea.pk, "comment"),
        {"body": "Bitte Partner in Yangzhou prüfen.", "shared": "on"},
    )
    client.post(url("pipeline:act", "de", "ideas", idea.pk, "comment"), {"body": "Intern: Budget klären."})

    # 5. The partner agency sees the shared thread only, answers in it and proposes a counterpart.
    client.force_login(partner_staff)
    page = client.get(url("ideas:detail", "zh-hans", idea.pk)).content.decode()
    assert "Bitte Partner in Yangzhou prüfen." in page
    assert "Intern: Budget klären." not in page
    client.post(
        url("pipeline:act", "zh-hans", "ideas", idea.pk, "comment"), {"body": "我们推荐扬州的一家企业。"}
    )
    client.post(
        url("pipeline:act", "zh-hans", "ideas", idea.pk, "propose"),
        {"organisation": world.partner_org.pk, "note": "底盘零部件"},
    )
    assert Comment.objects.get(body="我们推荐扬州的一家企业。").shared is True

    # 6. Staff move it on to the end; a move by the partner agency is refused.
    client.post(url("pipeline:act", "zh-hans", "ideas", idea.pk, "move"), {"stage": stages["completed"].pk})
    idea.refresh_from_db()
    assert idea.stage == stages["matching"]
    client.force_login(agency_staff)
    for key in ("in_contact", "partnership_agreed"):
        client.post(url("pipeline:act", "de", "ideas", idea.pk, "move"), {"stage": stages[key].pk})
    idea.refresh_from_db()
    assert idea.stage == stages["partnership_agreed"]

    # 7. The history shows every step, with who did it.
    actions = [(e.action, e.data.get("new"), e.actor) for e in reversed(history(idea))]
    assert [a for a, _new, _actor in actions] == [
        "idea.submitted",
        "idea.confirmed",
        "pipeline.owner_assigned",
        "pipeline.shared",
        "pipeline.stage_changed",
        "pipeline.stage_changed",
        "pipeline.commented",
        "pipeline.commented",
        "pipeline.commented",
        "pipeline.counterpart_proposed",
        "pipeline.stage_changed",
        "pipeline.stage_changed",
    ]
    assert [new for a, new, _ in actions if a == "pipeline.stage_changed"] == [
        "screening", "matching", "in_contact", "partnership_agreed"
    ]  # fmt: skip
    assert actions[8][2] == partner_staff
    page = client.get(url("ideas:detail", "de", idea.pk)).content.decode()
    assert "als Gegenüber vorgeschlagen" in page and "pipeline.counterpart_proposed" not in page
    # The submitter's personal link shows the current stage in their language.
    status = client.get(url("ideas:status", "zh-hans", idea.access_token)).content.decode()
    assert "已达成合作" in status


def test_a_double_posted_form_creates_one_idea(client, world, agency):
    data = form_data(world)
    first = client.post(url("ideas:submit", "en", agency.slug), data)
    second = client.post(url("ideas:submit", "en", agency.slug), data)
    assert first.status_code == second.status_code == 302
    assert ProjectIdea.objects.count() == 1


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("de", "Dieses Feld ist zwingend erforderlich."),
        ("en", "This field is required."),
        ("zh-hans", "这个字段是必填项。"),
    ],
)
def test_a_rejected_submission_explains_in_the_users_language_and_keeps_the_text(
    client, world, agency, language, message
):
    response = client.post(url("ideas:submit", language, agency.slug), form_data(world, contact_email=""))
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert "我们生产汽车底盘零部件" in html
    assert 'value="扬州恒通汽车零部件有限公司"' in html
    assert not ProjectIdea.objects.exists()


def test_submission_without_consent_is_refused(client, world, agency):
    data = form_data(world)
    del data["consent"]
    response = client.post(url("ideas:submit", "en", agency.slug), data)
    assert "Please agree to the privacy notice to submit." in response.content.decode()
    assert not ProjectIdea.objects.exists()


def test_honeypot_rejects_bots(client, world, agency):
    response = client.post(
        url("ideas:submit", "en", agency.slug), form_data(world, website_url="http://spam")
    )
    assert response.status_code == 200
    assert "filled in automatically" in response.content.decode()
    assert not ProjectIdea.objects.exists()


def test_rate_limit_per_ip_keeps_what_was_typed(client, world, agency, settings):
    from django.core.cache import cache

    cache.clear()
    settings.PUBLIC_FORM_RATE_PER_HOUR = 1
    client.post(url("ideas:submit", "en", agency.slug), form_data(world))
    response = client.post(url("ideas:submit", "en", agency.slug), form_data(world, title="Second idea"))
    assert response.status_code == 429
    assert "Too many submissions" in response.content.decode()
    assert 'value="Second idea"' in response.content.decode()
    assert ProjectIdea.objects.count() == 1
    cache.clear()


def test_too_long_description_is_refused(client, world, agency):
    response = client.post(url("ideas:submit", "de", agency.slug), form_data(world, description="x" * 5001))
    assert "Ensure this value has at most 5000 characters" in response.content.decode() or (
        "höchstens 5000 Zeichen" in response.content.decode()
    )
    assert not ProjectIdea.objects.exists()


def test_an_attachment_disguised_as_pdf_is_refused_and_nothing_is_saved(
    client, world, agency, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    fake = SimpleUploadedFile("plan.pdf", b"MZ\x90\x00binary", content_type="application/pdf")
    response = client.post(
        url("ideas:submit", "en", agency.slug), {**form_data(world), "attachments": [fake]}
    )
    assert "is not a PDF" in response.content.decode()
    assert not ProjectIdea.objects.exists()


def test_attachments_are_served_only_to_those_allowed(
    client, world, agency, agency_staff, partner_staff, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    pdf = SimpleUploadedFile("plan.pdf", b"%PDF-1.4 plan")
    client.post(url("ideas:submit", "en", agency.slug), {**form_data(world), "attachments": [pdf]})
    idea = ProjectIdea.objects.get()
    services.confirm_idea(idea.confirmation_token)
    attachment = idea.attachments.get()
    assert client.get(url("ideas:attachment", "en", attachment.pk)).status_code == 404
    assert (
        client.get(url("ideas:attachment", "en", attachment.pk) + "?token=" + idea.access_token).status_code
        == 200
    )
    client.force_login(partner_staff)
    assert client.get(url("ideas:attachment", "en", attachment.pk)).status_code == 404
    client.force_login(agency_staff)
    response = client.get(url("ideas:attachment", "en", attachment.pk))
    assert b"".join(response.streaming_content) == b"%PDF-1.4 plan"


def test_unconfirmed_ideas_are_deleted_after_the_configured_days(world, agency, settings):
    settings.UNCONFIRMED_SUBMISSION_DAYS = 7
    old, _ = services.submit_idea(
        agency=agency, data=form_data(world), language="en", submission_key=uuid.uuid4()
    )
    fresh, _ = services.submit_idea(
        agency=agency, data=form_data(world), language="en", submission_key=uuid.uuid4()
    )
    confirmed, _ = services.submit_idea(
        agency=agency, data=form_data(world), language="en", submission_key=uuid.uuid4()
    )
    services.confirm_idea(confirmed.confirmation_token)
    ProjectIdea.objects.filter(pk__in=[old.pk, confirmed.pk]).update(
        created_at=timezone.now() - datetime.timedelta(days=8)
    )
    assert services.purge_unconfirmed() == 1
    assert set(ProjectIdea.objects.values_list("pk", flat=True)) == {fresh.pk, confirmed.pk}


def test_submitter_adds_information_through_the_personal_link(
    client, world, agency, django_capture_on_commit_callbacks
):
    idea, _ = services.submit_idea(
        agency=agency, data=form_data(world), language="de", submission_key=uuid.uuid4()
    )
    services.confirm_idea(idea.confirmation_token)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("ideas:status", "de", idea.access_token), {"text": "Wir haben einen Prototyp."}
        )
    assert response.status_code == 302
    assert (
        "Wir haben einen Prototyp."
        in client.get(url("ideas:status", "de", idea.access_token)).content.decode()
    )
    assert mail.outbox[-1].to == ["china@home.example.org"]


def test_not_pursued_needs_a_reason(client, world, agency, agency_staff):
    idea, _ = services.submit_idea(
        agency=agency, data=form_data(world), language="en", submission_key=uuid.uuid4()
    )
    services.confirm_idea(idea.confirmation_token)
    stage = next(s for s in stages_for(agency) if s.key == "not_pursued")
    client.force_login(agency_staff)
    client.post(url("pipeline:act", "de", "ideas", idea.pk, "move"), {"stage": stage.pk})
    idea.refresh_from_db()
    assert idea.stage.key == "submitted"
    client.post(
        url("pipeline:act", "de", "ideas", idea.pk, "move"), {"stage": stage.pk, "reason": "Kein Partner"}
    )
    idea.refresh_from_db()
    assert (idea.stage.key, idea.not_pursued_reason) == ("not_pursued", "Kein Partner")


def test_create_organisation_from_idea_finds_the_duplicate_in_another_script(world, agency, agency_staff):
    from django.core.exceptions import ValidationError

    idea, _ = services.submit_idea(
        agency=agency,
        data=form_data(
            world, organisation_name="Yangzhou Hengtong Qiche Lingbujian Co., Ltd.", organisation_website=""
        ),
        language="en",
        submission_key=uuid.uuid4(),
    )
    services.confirm_idea(idea.confirmation_token)
    # The agency's own entry (the partner agency's entry of the same firm is theirs to write: decision 0016).
    own_entry = f.OrganisationFactory(
        slug="hengtong-home", name="扬州恒通汽车零部件有限公司", country="CN", owner_agency=agency,
        region=world.partner_region,
    )  # fmt: skip
    with pytest.raises(ValidationError):
        services.create_organisation_from_idea(idea, actor=agency_staff, region=world.partner_region)
    organisation = services.create_organisation_from_idea(
        idea, actor=agency_staff, region=world.partner_region, use_existing=own_entry
    )
    assert organisation == own_entry
    assert organisation.people.filter(
        email="wang@hengtong.example.cn", family_name="王", given_name="晓明"
    ).exists()


def test_create_organisation_from_a_new_idea_creates_organisation_and_contact(world, agency, agency_staff):
    idea, _ = services.submit_idea(
        agency=agency,
        data=form_data(
            world,
            organisation_name="Neue Leichtbau GmbH",
            organisation_website="https://leicht.example.org",
            contact_name="Anna Maria Schmidt",
            contact_email="anna@leicht.example.org",
        ),
        language="de",
        submission_key=uuid.uuid4(),
    )
    services.confirm_idea(idea.confirmation_token)
    organisation = services.create_organisation_from_idea(idea, actor=agency_staff, region=world.home_region)
    person = organisation.people.get()
    assert (person.given_name, person.family_name) == ("Anna Maria", "Schmidt")
    assert idea.organisation == organisation
    assert organisation.owner_agency == agency


IDEA_PAGE_VISIBLE = {"agency_staff", "superuser", "partner_staff"}


@pytest.mark.parametrize(
    "persona_name",
    ["anonymous", "member_a", "member_b", "agency_staff", "partner_staff", "other_staff", "superuser"],
)
@pytest.mark.parametrize("language", ["de", "en", "zh-hans"])
def test_idea_pages_for_every_role_in_every_language(client, request, world, agency, persona_name, language):
    idea, _ = services.submit_idea(
        agency=agency, data=form_data(world), language="zh-hans", submission_key=uuid.uuid4()
    )
    services.confirm_idea(idea.confirmation_token)
    from partnerhub.pipeline.services import share_item

    share_item(idea, world.partner_agency, actor=None)
    if persona_name != "anonymous":
        client.force_login(request.getfixturevalue(persona_name))
    lang = {"de": "de", "en": "en", "zh-hans": "zh-Hans"}[language]
    for public in (
        url("ideas:submit", language, agency.slug),
        url("ideas:status", language, idea.access_token),
        url("ideas:confirm", language, idea.confirmation_token),
        url("ideas:submitted", language),
    ):
        response = client.get(public)
        assert response.status_code == 200, public
        assert f'<html lang="{lang}">' in response.content.decode()
    detail = client.get(url("ideas:detail", language, idea.pk))
    if persona_name in IDEA_PAGE_VISIBLE:
        assert detail.status_code == 200
        assert idea.title in detail.content.decode()
    else:
        assert detail.status_code in (302, 404)
    pages = {
        "inbox": url("pipeline:inbox", language),
        "board": url("pipeline:board", language, "ideas"),
        "list": url("pipeline:list", language, "ideas"),
    }
    for name, page in pages.items():
        response = client.get(page)
        if persona_name in ("agency_staff", "superuser"):
            assert response.status_code == 200
            assert idea.title in response.content.decode()
        elif persona_name in ("partner_staff", "other_staff"):
            assert response.status_code == 200
            # A partner agency finds shared ideas on board and list; its inbox holds only its own new work.
            shown = idea.title in response.content.decode()
            assert shown == (persona_name == "partner_staff" and name != "inbox"), name
        else:
            assert response.status_code in (302, 404)


def test_list_filters_sorts_and_bulk_moves(client, world, agency, agency_staff):
    ideas = []
    for title in ("Alpha Sensorik", "Beta Robotik", "Gamma Batterie"):
        idea, _ = services.submit_idea(
            agency=agency, data=form_data(world, title=title), language="de", submission_key=uuid.uuid4()
        )
        services.confirm_idea(idea.confirmation_token)
        ideas.append(idea)
    client.force_login(agency_staff)
    html = client.get(url("pipeline:list", "en", "ideas"), {"q": "robotik"}).content.decode()
    assert "Beta Robotik" in html and "Alpha Sensorik" not in html
    screening = next(s for s in stages_for(agency) if s.key == "screening")
    response = client.post(
        url("pipeline:bulk", "en", "ideas"),
        {"selected": [ideas[0].pk, ideas[2].pk], "action": "move", "stage": screening.pk, "reason": ""},
    )
    assert response.status_code == 302
    moved = set(ProjectIdea.objects.filter(stage=screening).values_list("title", flat=True))
    assert moved == {"Alpha Sensorik", "Gamma Batterie"}
    html = client.get(
        url("pipeline:list", "en", "ideas"), {"stage": screening.pk, "sort": "due_date"}
    ).content.decode()
    assert "Beta Robotik" not in html and "Gamma Batterie" in html


def test_board_move_by_htmx_returns_the_board_only(client, world, agency, agency_staff):
    idea, _ = services.submit_idea(
        agency=agency, data=form_data(world), language="de", submission_key=uuid.uuid4()
    )
    services.confirm_idea(idea.confirmation_token)
    screening = next(s for s in stages_for(agency) if s.key == "screening")
    client.force_login(agency_staff)
    response = client.post(
        url("pipeline:act", "de", "ideas", idea.pk, "move"), {"stage": screening.pk}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert "<html" not in html and 'class="board"' in html
    idea.refresh_from_db()
    assert idea.stage == screening


def test_staff_link_a_partnership_and_a_delegation_to_an_idea(client, world, agency, agency_staff):
    idea, _ = services.submit_idea(
        agency=agency, data=form_data(world), language="de", submission_key=uuid.uuid4()
    )
    services.confirm_idea(idea.confirmation_token)
    client.force_login(agency_staff)
    response = client.post(
        url("pipeline:act", "de", "ideas", idea.pk, "link"),
        {"partnership": world.partnership.pk, "delegation": world.delegation.pk},
    )
    assert response.status_code == 302
    assert list(idea.linked_partnerships.all()) == [world.partnership]
    assert list(idea.linked_delegations.all()) == [world.delegation]
    assert [e.action for e in history(idea)][:2] == ["pipeline.linked", "pipeline.linked"]
    page = client.get(url("ideas:detail", "de", idea.pk)).content.decode()
    assert "Heim und Partner" in page


def test_organisation_members_follow_their_ideas_but_take_no_part_in_the_pipeline(
    client, world, agency, member_a
):
    from django.core.exceptions import PermissionDenied

    from partnerhub.pipeline import services as pipeline

    idea, _ = services.submit_idea(
        agency=agency, data=form_data(world), language="de", submission_key=uuid.uuid4()
    )
    services.confirm_idea(idea.confirmation_token)
    ProjectIdea.objects.filter(pk=idea.pk).update(organisation=world.private_org)
    idea.refresh_from_db()
    pipeline.add_comment(idea, "Intern: noch offen.", actor=None)
    client.force_login(member_a)
    assert f"ideas/{idea.pk}/" in client.get(url("ideas:mine", "de")).content.decode()
    page = client.get(url("ideas:detail", "de", idea.pk)).content.decode()
    assert idea.title in page
    assert "Intern: noch offen." not in page
    assert 'name="body"' not in page
    with pytest.raises(PermissionDenied):
        pipeline.add_comment(idea, "Hallo", actor=member_a)
    with pytest.raises(PermissionDenied):
        pipeline.propose_counterpart(idea, world.public_org, actor=member_a)
