"""Long lists paginate: the matching review queue, the introductions, and the inbox's sections."""

import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone, translation

from partnerhub.matching.models import Suggestion
from partnerhub.pipeline.stages import first_stage

pytestmark = pytest.mark.django_db


def make_idea(world, number, **values):
    from partnerhub.ideas.models import ProjectIdea
    from partnerhub.privacy.models import PrivacyNotice

    defaults = dict(
        agency=world.home_agency, title=f"Idee Nummer {number:03d}", organisation_name="Hengtong",
        organisation_kind="sme", organisation_country="CN", contact_name="王晓明",
        contact_email="wang@hengtong.example.cn", language="de", consent_given_at=timezone.now(),
        privacy_notice=PrivacyNotice.current(), email_confirmed_at=timezone.now(), area="technology",
        description="Leichtbau", stage=first_stage(world.home_agency),
    )  # fmt: skip
    return ProjectIdea.objects.create(**{**defaults, **values})


@pytest.fixture
def queue(world):
    # The target's own title is on every card: not counted as a source below.
    target = make_idea(
        world, 999, agency=world.partner_agency, stage=first_stage(world.partner_agency), title="Zielidee"
    )
    kind = ContentType.objects.get_for_model(target)
    for number in range(45):
        source = make_idea(world, number)
        Suggestion.objects.create(
            source_type=kind, source_id=source.pk, target_type=kind, target_id=target.pk,
            source_agency=world.home_agency, target_agency=world.partner_agency,
            target_organisation=world.partner_org, score=0.5 if number % 2 else 0.9,
            status=Suggestion.Status.NEW if number < 40 else Suggestion.Status.DISMISSED,
        )  # fmt: skip
    return target


def ideas_on(page) -> set[str]:
    return set(re.findall(r"Idee Nummer \d{3}", page))


def test_the_review_queue_shows_twenty_suggestions_a_page_and_every_one_once(client, queue, agency_staff):
    client.force_login(agency_staff)
    with translation.override("de"):
        url = reverse("matching:queue")
    first = client.get(url).content.decode()
    assert len(ideas_on(first)) == 20 and "Seite 1 von 3" in first
    seen = set()
    for number in (1, 2, 3):
        seen |= ideas_on(client.get(url, {"page": number}).content.decode())
    assert len(seen) == 45


def test_the_page_links_keep_the_filters(client, queue, agency_staff):
    client.force_login(agency_staff)
    with translation.override("zh-hans"):
        url = reverse("matching:queue")
    page = client.get(url, {"status": "new", "page": 2}).content.decode()
    assert len(ideas_on(page)) == 20 and "第 2 页，共 2 页" in page
    assert "status=new&amp;page=1" in page
    last = client.get(url, {"status": "new", "page": 99}).content.decode()  # beyond the end: the last page
    assert len(ideas_on(last)) == 20


def test_the_queue_stays_closed_to_others(client, queue, member_a, partner_staff):
    client.force_login(member_a)
    assert client.get(reverse("matching:queue"), {"page": 2}).status_code == 403


def test_the_inbox_lists_the_first_ideas_and_links_the_rest(client, world, agency_staff):
    for number in range(23):
        make_idea(world, number)
    client.force_login(agency_staff)
    with translation.override("de"):
        page = client.get(reverse("pipeline:inbox")).content.decode()
    assert len(ideas_on(page)) == 20
    assert "und 3 weitere" in page and "/de/pipeline/ideas/list/" in page
