"""The switchable e-mails: sharing, partner activity and an idea's stage; each can be switched off."""

import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from partnerhub.core import audit
from partnerhub.notifications.models import Kind, Unsubscription
from partnerhub.organisations import services as organisations
from partnerhub.partnerships import services as partnerships
from partnerhub.pipeline import services as pipeline
from partnerhub.pipeline.stages import stages_for
from tests.formdata import form_data

pytestmark = pytest.mark.django_db


def make_idea(world, **values):
    from partnerhub.ideas.models import ProjectIdea
    from partnerhub.privacy.models import PrivacyNotice

    defaults = dict(
        agency=world.home_agency, title="Leichtbau", organisation_name="Hengtong", organisation_kind="sme",
        organisation_country="CN", contact_name="王晓明", contact_email="wang@hengtong.example.cn",
        language="zh-hans", consent_given_at=timezone.now(), privacy_notice=PrivacyNotice.current(),
        email_confirmed_at=timezone.now(), area="technology", description="Leichtbau mit Partnern",
    )  # fmt: skip
    return ProjectIdea.objects.create(**{**defaults, **values})


def sent_to(address):
    return [m for m in mail.outbox if address in m.to]


def test_sharing_a_partnership_tells_the_partner_agencys_staff_in_their_language(
    world, agency_staff, other_staff, django_capture_on_commit_callbacks
):
    other_staff.preferred_language = "zh-hans"
    other_staff.save()
    with django_capture_on_commit_callbacks(execute=True):
        partnerships.share_partnership(world.partnership, world.other_agency, actor=agency_staff)
        partnerships.share_partnership(world.partnership, world.other_agency, actor=agency_staff)  # again
    messages = sent_to(other_staff.email)
    assert len(messages) == 1  # never twice
    assert "共享" in messages[0].body and "/zh-hans/partnerships/home-partner/" in messages[0].body
    assert "/zh-hans/notifications/settings/" in messages[0].body


def test_an_agency_without_staff_is_told_at_its_address(
    world, agency_staff, django_capture_on_commit_callbacks
):
    world.other_agency.email, world.other_agency.language = "office@other.example.org", "de"
    world.other_agency.save()
    with django_capture_on_commit_callbacks(execute=True):
        organisations.share_organisation(world.private_org, world.other_agency, actor=agency_staff)
    (message,) = sent_to("office@other.example.org")
    assert "geteilt" in message.body and "/de/notifications/unsubscribe/" in message.body


def test_nothing_is_sent_when_the_sharing_is_rolled_back(world, agency_staff, other_staff):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        partnerships.share_partnership(world.partnership, world.other_agency, actor=agency_staff)
        raise RuntimeError
    assert not mail.outbox


def test_staff_switch_sharing_off_on_their_settings_page_in_german(
    client, world, agency_staff, other_staff, django_capture_on_commit_callbacks
):
    client.force_login(other_staff)
    with translation.override("de"):
        url = reverse("notifications:settings")
    page = client.get(url)
    assert "Benachrichtigungen" in page.content.decode()
    data = form_data(page)
    data["kinds"] = [k for k in Kind.values if k != Kind.SHARED]
    assert client.post(url, data).status_code == 302
    assert Unsubscription.objects.filter(user=other_staff, kind=Kind.SHARED).exists()
    assert audit.history(other_staff).first().action == "notifications.preferences_changed"
    with django_capture_on_commit_callbacks(execute=True):
        partnerships.share_agreement(world.agreement, world.other_agency, actor=agency_staff)
    assert not sent_to(other_staff.email)
    page = client.get(url).content.decode()
    assert 'value="shared" ' not in page.split("checked")[0] or "checked" in page


def test_the_settings_page_needs_an_account(client):
    response = client.get(reverse("notifications:settings"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_partner_comment_tells_the_project_leader(
    world, agency_staff, partner_staff, django_capture_on_commit_callbacks
):
    idea = make_idea(world, owner=agency_staff)
    idea.shared_with.add(world.partner_agency)
    with django_capture_on_commit_callbacks(execute=True):
        pipeline.add_comment(idea, "我们推荐扬州的一家企业。", actor=partner_staff)
        pipeline.add_comment(idea, "Intern", actor=agency_staff)  # the agency's own: no e-mail
    (message,) = sent_to(agency_staff.email)
    assert "我们推荐扬州的一家企业。" in message.body


def test_a_partner_proposal_without_leader_goes_to_the_agency_address(
    world, agency_staff, partner_staff, django_capture_on_commit_callbacks
):
    world.home_agency.email, world.home_agency.language = "china@home.example.org", "de"
    world.home_agency.save()
    idea = make_idea(world)
    idea.shared_with.add(world.partner_agency)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        pipeline.propose_counterpart(idea, world.partner_org, actor=partner_staff)
    (message,) = sent_to("china@home.example.org")
    assert world.partner_org.name in message.body and "vorgeschlagen" in message.subject


def test_the_submitter_hears_of_each_stage_and_unsubscribes_through_the_link(
    client, world, agency_staff, django_capture_on_commit_callbacks
):
    idea = make_idea(world)
    stages = {s.key: s for s in stages_for(world.home_agency)}
    with django_capture_on_commit_callbacks(execute=True):
        pipeline.move_to_stage(idea, stages["screening"], actor=agency_staff)
    (message,) = sent_to(idea.contact_email)
    assert "筛选评估" in message.body and "screening" not in message.body
    link = re.search(r"https?://\S+/notifications/unsubscribe/\S+", message.body).group(0)
    path = link.split("testserver")[-1] if "testserver" in link else "/" + link.split("/", 3)[3]
    page = client.get(path)
    assert page.status_code == 200 and "退订" in page.content.decode()
    assert not Unsubscription.objects.exists()  # opening the link changes nothing
    client.post(path, form_data(page))
    client.post(path, form_data(page))  # twice: still one row
    assert Unsubscription.objects.filter(email=idea.contact_email, kind=Kind.IDEA_STAGE).count() == 1
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        pipeline.move_to_stage(idea, stages["matching"], actor=agency_staff)
    assert not sent_to(idea.contact_email)


def test_a_forged_unsubscribe_link_is_not_found(client):
    assert client.get(reverse("notifications:unsubscribe", args=["forged"])).status_code == 404
    assert client.post(reverse("notifications:unsubscribe", args=["forged"])).status_code == 404
