"""Matching follows the pipeline: a closed idea is no longer matched, a re-opened one is matched again."""

import uuid

import pytest

from partnerhub.ideas import services as idea_services
from partnerhub.matching import services as matching
from partnerhub.pipeline import services as pipeline
from partnerhub.pipeline.models import Stage
from partnerhub.pipeline.stages import stages_for
from partnerhub.profiles.models import CooperationProfile
from tests.test_matching_platform import publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def idea_with_suggestion(world, member_b, partner_staff, django_capture_on_commit_callbacks):
    """A confirmed German idea and a fitting Chinese offer; confirming the idea refreshed its suggestions."""
    publish(
        world.partner_org,
        member_b,
        partner_staff,
        kind=CooperationProfile.ProfileType.TECHNOLOGY_OFFER,
        summary={"zh-hans": "我们提供Spritzgießtechnik Faserverbund轻量化部件技术"},
        description={"zh-hans": "Spritzgießtechnik 和 Faserverbund 轻量化部件。"},
    )
    data = {
        "organisation_name": "Westpfalz Leichtbau GmbH",
        "organisation_kind": "sme",
        "organisation_country": "DE",
        "contact_name": "Anna Schmidt",
        "contact_email": "anna@leichtbau.example.de",
        "title": "Spritzgießtechnik für Faserverbund-Leichtbauteile gesucht",
        "area": "technology",
        "description": "Wir suchen Spritzgießtechnik für Faserverbund-Leichtbauteile.",
        "partner_sought": "Hersteller mit Faserverbund-Erfahrung",
    }
    with django_capture_on_commit_callbacks(execute=True):
        idea, _created = idea_services.submit_idea(
            agency=world.home_agency, data=data, language="de", submission_key=uuid.uuid4()
        )
    with django_capture_on_commit_callbacks(execute=True):
        idea = idea_services.confirm_idea(idea.confirmation_token)
    assert matching.suggestions_of(idea).exists()
    return idea


def stage_with(idea, outcome):
    return next(s for s in stages_for(idea.agency) if s.outcome == outcome)


def test_closing_an_idea_removes_its_new_suggestions_and_reopening_brings_them_back(
    idea_with_suggestion, agency_staff, django_capture_on_commit_callbacks
):
    idea = idea_with_suggestion
    with django_capture_on_commit_callbacks(execute=True):
        pipeline.move_to_stage(
            idea, stage_with(idea, Stage.Outcome.LOST), actor=agency_staff, reason="No budget"
        )
    assert not matching.suggestions_of(idea).exists()

    with django_capture_on_commit_callbacks(execute=True):
        pipeline.move_to_stage(idea, stage_with(idea, Stage.Outcome.OPEN), actor=agency_staff)
    assert matching.suggestions_of(idea).exists()


def test_moving_between_open_stages_refreshes_the_idea_in_the_background(
    idea_with_suggestion, agency_staff, django_capture_on_commit_callbacks
):
    idea = idea_with_suggestion
    open_stages = [s for s in stages_for(idea.agency) if s.outcome == Stage.Outcome.OPEN]
    target = next(s for s in open_stages if s.pk != idea.stage_id)
    with django_capture_on_commit_callbacks() as callbacks:
        pipeline.move_to_stage(idea, target, actor=agency_staff)
    assert [c for c in callbacks if c.__module__.startswith("partnerhub.matching")]  # refresh queued
